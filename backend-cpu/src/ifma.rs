//! Montgomery arithmetic on eight 4-limb field elements at a time with
//! AVX-512 IFMA, shared by the `Fr` NTT and the `Fq` bucket additions.
//!
//! An element is five 52-bit limbs, one vector per limb, lane `l` of every
//! vector belonging to element `l` (`vpmadd52luq`/`vpmadd52huq` multiply
//! the low 52 bits of each lane). The product is Montgomery's with
//! `R = 2^260`: for `a` in the scalar code's form `x·2^256` and `b` in the
//! form `y·2^260`, `mont_mul(a, b)` is `x·y·2^256`, so callers keep their
//! data in the scalar form and give one operand of each product the extra
//! `2^4` (a twiddle table, or a shift by four bits of a value in registers).

use std::arch::x86_64::*;
use std::sync::OnceLock;

use zkaccel_core::field::FpConstants;

/// The low 52 bits.
pub(crate) const MASK: u64 = (1 << 52) - 1;

/// Eight elements, limb-major.
pub(crate) type Limbs = [__m512i; 5];

/// Whether this CPU has AVX-512F and IFMA (checked once) and
/// `ZKACCEL_NO_IFMA` is unset.
pub(crate) fn available() -> bool {
    static PRESENT: OnceLock<bool> = OnceLock::new();
    *PRESENT.get_or_init(|| {
        std::env::var_os("ZKACCEL_NO_IFMA").is_none()
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512ifma")
    })
}

/// 256 bits as five 52-bit limbs.
pub(crate) fn split52(x: [u64; 4]) -> [u64; 5] {
    [
        x[0] & MASK,
        ((x[0] >> 52) | (x[1] << 12)) & MASK,
        ((x[1] >> 40) | (x[2] << 24)) & MASK,
        ((x[2] >> 28) | (x[3] << 36)) & MASK,
        x[3] >> 16,
    ]
}

/// Five normalised 52-bit limbs of a value below 2^256 as four 64-bit limbs.
pub(crate) fn join52(l: [u64; 5]) -> [u64; 4] {
    [l[0] | (l[1] << 52), (l[1] >> 12) | (l[2] << 40), (l[2] >> 24) | (l[3] << 28), (l[3] >> 36) | (l[4] << 16)]
}

/// `a ≥ b` for little-endian limbs.
pub(crate) fn geq(a: &[u64; 4], b: &[u64; 4]) -> bool {
    for i in (0..4).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

fn sub(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
    let mut out = [0; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d, b1) = a[i].overflowing_sub(b[i]);
        let (d, b2) = d.overflowing_sub(borrow as u64);
        out[i] = d;
        borrow = b1 || b2;
    }
    out
}

/// A value below `4p` reduced below `p`.
pub(crate) fn reduce(mut v: [u64; 4], p: &[u64; 4]) -> [u64; 4] {
    while geq(&v, p) {
        v = sub(&v, p);
    }
    v
}

/// The constants of a field's vector arithmetic.
#[derive(Clone, Copy)]
pub(crate) struct Consts {
    /// `p`, limb by limb.
    pub p: Limbs,
    /// `2p`.
    pub two_p: Limbs,
    /// `4p` (below 2^256 for the moduli here).
    pub four_p: Limbs,
    /// `32p` (below 2^260).
    pub thirty_two_p: Limbs,
    /// `−p^{-1} mod 2^52`.
    pub pinv: __m512i,
    /// [`MASK`] in every lane.
    pub mask: __m512i,
}

impl Consts {
    #[target_feature(enable = "avx512f")]
    pub(crate) fn new<P: FpConstants>() -> Self {
        let m = P::MODULUS;
        let double = |x: [u64; 4]| {
            [x[0] << 1, (x[1] << 1) | (x[0] >> 63), (x[2] << 1) | (x[1] >> 63), (x[3] << 1) | (x[2] >> 63)]
        };
        let two_p = double(m);
        let four_p = double(two_p);
        // 32p = 8·(4p) does not fit 256 bits: shift 4p's 52-bit limbs.
        let l = split52(four_p);
        let limbs32: [u64; 5] = std::array::from_fn(|k| ((l[k] << 3) & MASK) | if k > 0 { l[k - 1] >> 49 } else { 0 });
        Self {
            p: broadcast(m),
            two_p: broadcast(two_p),
            four_p: broadcast(four_p),
            thirty_two_p: limbs32.map(|l| _mm512_set1_epi64(l as i64)),
            pinv: _mm512_set1_epi64((P::INV & MASK) as i64),
            mask: _mm512_set1_epi64(MASK as i64),
        }
    }
}

/// One 256-bit value in every lane.
#[target_feature(enable = "avx512f")]
pub(crate) fn broadcast(x: [u64; 4]) -> Limbs {
    split52(x).map(|l| _mm512_set1_epi64(l as i64))
}

/// Carries limbs (signed) into 52-bit digits; the top limb keeps the sign.
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn normalize(mut x: Limbs, c: &Consts) -> Limbs {
    for k in 0..4 {
        let carry = _mm512_srai_epi64::<52>(x[k]);
        x[k] = _mm512_and_si512(x[k], c.mask);
        x[k + 1] = _mm512_add_epi64(x[k + 1], carry);
    }
    x
}

/// `a + b`, normalised.
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn add(a: &Limbs, b: &Limbs, c: &Consts) -> Limbs {
    normalize(std::array::from_fn(|k| _mm512_add_epi64(a[k], b[k])), c)
}

/// `a − b + m`, normalised (callers pick `m` so that it is not negative).
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn sub_plus(a: &Limbs, b: &Limbs, m: &Limbs, c: &Consts) -> Limbs {
    normalize(std::array::from_fn(|k| _mm512_add_epi64(_mm512_sub_epi64(a[k], b[k]), m[k])), c)
}

/// `x − m` where that is not negative, else `x` (normalised limbs).
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn reduce_below(x: Limbs, m: &Limbs, c: &Consts) -> Limbs {
    let d = normalize(std::array::from_fn(|k| _mm512_sub_epi64(x[k], m[k])), c);
    let negative = _mm512_cmplt_epi64_mask(d[4], _mm512_setzero_si512());
    std::array::from_fn(|k| _mm512_mask_blend_epi64(negative, d[k], x[k]))
}

/// `x − 2p` where that is not negative, else `x`.
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn reduce_below_2p(x: Limbs, c: &Consts) -> Limbs {
    reduce_below(x, &c.two_p, c)
}

/// Montgomery product with `R = 2^260`: `a·b·2^−260 mod p`, below `2p`
/// whenever `a·b < 2^260·p` (e.g. `a < 4p`, `b < p`, or `a < 2p`,
/// `b < 32p` for a 254-bit `p`), normalised limbs in and out.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
pub(crate) fn mont_mul(a: &Limbs, b: &Limbs, c: &Consts) -> Limbs {
    let zero = _mm512_setzero_si512();
    let mut t = [zero; 6];
    for bi in b {
        for j in 0..5 {
            t[j] = _mm512_madd52lo_epu64(t[j], a[j], *bi);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], a[j], *bi);
        }
        let m = _mm512_madd52lo_epu64(zero, t[0], c.pinv);
        for j in 0..5 {
            t[j] = _mm512_madd52lo_epu64(t[j], m, c.p[j]);
            t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], m, c.p[j]);
        }
        // t[0] is now a multiple of 2^52: carry it and drop the limb.
        t[1] = _mm512_add_epi64(t[1], _mm512_srli_epi64::<52>(t[0]));
        t = [t[1], t[2], t[3], t[4], t[5], zero];
    }
    normalize([t[0], t[1], t[2], t[3], t[4]], c)
}

/// `16·x`, normalised: below `32p` for `x < 2p` — the second operand of a
/// product of two scalar-form values (`b·2^260`, see the module docs).
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn times16(x: &Limbs, c: &Consts) -> Limbs {
    normalize(std::array::from_fn(|k| _mm512_slli_epi64::<4>(x[k])), c)
}

/// Eight consecutive field elements (their stored 4×64-bit limbs), limb-major.
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn load8<P: zkaccel_core::FpParams>(elements: &[zkaccel_core::Fp<P>], c: &Consts) -> Limbs {
    assert!(elements.len() >= 8);
    let base = zkaccel_core::cast::limbs(elements).as_ptr().cast::<i64>();
    let lanes = _mm512_setr_epi64(0, 4, 8, 12, 16, 20, 24, 28);
    let words: [__m512i; 4] = std::array::from_fn(|q| {
        let offsets = _mm512_add_epi64(lanes, _mm512_set1_epi64(q as i64));
        // SAFETY: eight elements of four words each: every offset is below 32.
        unsafe { _mm512_i64gather_epi64::<8>(offsets, base) }
    });
    split(words, c.mask)
}

/// Eight values (normalised, below `p`) into eight consecutive elements.
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn store8<P: zkaccel_core::FpParams>(x: Limbs, out: &mut [zkaccel_core::Fp<P>]) {
    let words = join(x);
    let mut limbs = [[0u64; 8]; 4];
    for (q, w) in words.into_iter().enumerate() {
        // SAFETY: eight 64-bit words.
        unsafe { _mm512_storeu_si512(limbs[q].as_mut_ptr().cast(), w) };
    }
    for (l, o) in out[..8].iter_mut().enumerate() {
        *o = zkaccel_core::Fp::from_montgomery_limbs_unchecked(std::array::from_fn(|q| limbs[q][l]));
    }
}

/// Four 64-bit limbs per lane as five 52-bit limbs.
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn split(x: [__m512i; 4], mask: __m512i) -> Limbs {
    [
        _mm512_and_si512(x[0], mask),
        _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64::<52>(x[0]), _mm512_slli_epi64::<12>(x[1])), mask),
        _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64::<40>(x[1]), _mm512_slli_epi64::<24>(x[2])), mask),
        _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64::<28>(x[2]), _mm512_slli_epi64::<36>(x[3])), mask),
        _mm512_srli_epi64::<16>(x[3]),
    ]
}

/// Five normalised 52-bit limbs below 2^256 per lane as four 64-bit limbs.
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn join(l: Limbs) -> [__m512i; 4] {
    [
        _mm512_or_si512(l[0], _mm512_slli_epi64::<52>(l[1])),
        _mm512_or_si512(_mm512_srli_epi64::<12>(l[1]), _mm512_slli_epi64::<40>(l[2])),
        _mm512_or_si512(_mm512_srli_epi64::<24>(l[2]), _mm512_slli_epi64::<28>(l[3])),
        _mm512_or_si512(_mm512_srli_epi64::<36>(l[3]), _mm512_slli_epi64::<16>(l[4])),
    ]
}

/// The 8×8 transpose of 64-bit words: `out[k]` lane `l` is `rows[l]` lane `k`.
#[inline]
#[target_feature(enable = "avx512f")]
pub(crate) fn transpose(r: [__m512i; 8]) -> [__m512i; 8] {
    // Pairs of rows interleaved, then 128-bit blocks gathered twice.
    let t: [__m512i; 8] = std::array::from_fn(|i| {
        let (a, b) = (r[i / 2 * 2], r[i / 2 * 2 + 1]);
        if i % 2 == 0 {
            _mm512_unpacklo_epi64(a, b)
        } else {
            _mm512_unpackhi_epi64(a, b)
        }
    });
    // t[2j] = [r_{2j}[0] r_{2j+1}[0] | [2] [2] | [4] [4] | [6] [6]], t[2j+1] the odd words.
    let s = |a: __m512i, b: __m512i, odd: bool| {
        if odd {
            _mm512_shuffle_i64x2::<0b11_01_11_01>(a, b)
        } else {
            _mm512_shuffle_i64x2::<0b10_00_10_00>(a, b)
        }
    };
    let mut out = [_mm512_setzero_si512(); 8];
    for parity in 0..2 {
        // Words k ≡ parity (mod 2): the pairs from rows 0–3 and rows 4–7.
        let (a0, a1, a2, a3) = (t[parity], t[2 + parity], t[4 + parity], t[6 + parity]);
        let (lo01, hi01) = (s(a0, a1, false), s(a0, a1, true)); // words {0,4} / {2,6} (+parity)
        let (lo23, hi23) = (s(a2, a3, false), s(a2, a3, true));
        out[parity] = s(lo01, lo23, false);
        out[4 + parity] = s(lo01, lo23, true);
        out[2 + parity] = s(hi01, hi23, false);
        out[6 + parity] = s(hi01, hi23, true);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use zkaccel_core::bn254::{FqParams, FrParams};
    use zkaccel_core::{Field, Fp, FpParams};

    /// `a + b` for values whose sum fits 256 bits.
    pub(crate) fn add(a: [u64; 4], b: [u64; 4]) -> [u64; 4] {
        let mut out = [0; 4];
        let mut carry = false;
        for i in 0..4 {
            let (s, c1) = a[i].overflowing_add(b[i]);
            let (s, c2) = s.overflowing_add(carry as u64);
            out[i] = s;
            carry = c1 || c2;
        }
        assert!(!carry);
        out
    }

    /// A xorshift generator: the tests need no statistical quality.
    pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
        let mut state = seed;
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    #[test]
    fn transpose_is_the_8x8_transpose() {
        if !available() {
            eprintln!("SKIPPED: this CPU has no AVX-512 IFMA");
            return;
        }
        let m: [[u64; 8]; 8] = std::array::from_fn(|i| std::array::from_fn(|j| (10 * i + j) as u64));
        let mut out = [[0u64; 8]; 8];
        // SAFETY: IFMA (and so AVX-512F) is available; rows are 64 bytes.
        unsafe {
            let rows = m.map(|r| _mm512_loadu_si512(r.as_ptr().cast()));
            for (o, v) in out.iter_mut().zip(transpose(rows)) {
                _mm512_storeu_si512(o.as_mut_ptr().cast(), v);
            }
        }
        for i in 0..8 {
            for j in 0..8 {
                assert_eq!(out[j][i], m[i][j]);
            }
        }
    }

    #[test]
    fn limbs_round_trip() {
        for x in [[0; 4], [u64::MAX; 4], FrParams::MODULUS, [1, 2, 3, 4]] {
            assert_eq!(join52(split52(x)), x);
        }
    }

    /// Representatives up to `4p − 1` times `2^4`-scaled values up to
    /// `p − 1`, against the scalar field's product.
    fn product_matches_the_scalar_field<P: FpConstants>() {
        let p = P::MODULUS;
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let minus_one = -Fp::<P>::ONE;
        let mut xs: Vec<Fp<P>> = vec![Fp::ZERO, Fp::ONE, minus_one];
        xs.extend((0..61).map(|_| Fp::from_u64(next()) * Fp::from_u64(next()) * Fp::from_u64(next())));
        // SAFETY: the caller checked that IFMA is available.
        let c = unsafe { Consts::new::<P>() };
        for (i, chunk) in xs.chunks(8).enumerate() {
            let ws: Vec<Fp<P>> = chunk.iter().map(|x| *x * Fp::from_u64(i as u64 + 3) + minus_one).collect();
            let (mut a, mut w) = ([[0u64; 8]; 5], [[0u64; 8]; 5]);
            for lane in 0..chunk.len() {
                // x + k·p for k = 0..3: every representative the NTT may hold.
                let mut rep = chunk[lane].montgomery_limbs();
                for _ in 0..lane % 4 {
                    rep = add(rep, p);
                }
                let scaled = (ws[lane] * Fp::from_u64(16)).montgomery_limbs();
                for (k, (x, y)) in split52(rep).into_iter().zip(split52(scaled)).enumerate() {
                    (a[k][lane], w[k][lane]) = (x, y);
                }
            }
            let mut out = [[0u64; 8]; 5];
            // SAFETY: IFMA is available; every row is eight u64.
            unsafe {
                let (va, vw): (Limbs, Limbs) = (
                    std::array::from_fn(|k| _mm512_loadu_si512(a[k].as_ptr().cast())),
                    std::array::from_fn(|k| _mm512_loadu_si512(w[k].as_ptr().cast())),
                );
                for (row, v) in out.iter_mut().zip(mont_mul(&va, &vw, &c)) {
                    _mm512_storeu_si512(row.as_mut_ptr().cast(), v);
                }
            }
            for lane in 0..chunk.len() {
                let got = join52(std::array::from_fn(|k| out[k][lane]));
                assert!(!geq(&got, &add(p, p)), "product not below 2p");
                assert_eq!(reduce(got, &p), (chunk[lane] * ws[lane]).montgomery_limbs(), "{} lane {lane}", P::NAME);
            }
        }
    }

    #[test]
    fn montgomery_product_matches_the_scalar_fields() {
        if !available() {
            eprintln!("SKIPPED: this CPU has no AVX-512 IFMA");
            return;
        }
        product_matches_the_scalar_field::<FrParams>();
        product_matches_the_scalar_field::<FqParams>();
    }
}
