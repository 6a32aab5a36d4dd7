//! The batch-affine bucket additions of BN254 G1 MSMs on AVX-512 IFMA,
//! eight at a time.
//!
//! A batch of additions `bucket += ±P` (every bucket at most once) is cut
//! into groups of eight, one per vector lane. Points are loaded whole (64
//! bytes each), transposed into coordinate-major vectors and split into
//! 52-bit limbs; results go back the same way. Coordinates stay in the
//! scalar code's Montgomery form `x·2^256`; each product gets one operand
//! scaled by `2^4` (a four-bit shift) so that the `R = 2^260` product of
//! [`crate::ifma`] returns that form. The batch inversion runs one product
//! chain per lane and inverts the eight chain products with one scalar
//! inversion. Lanes whose bucket holds the same `x` (a doubling, or `P`
//! meeting `−P`) are handled in the vectors with masks, not by a fallback.

use std::arch::x86_64::*;

use zkaccel_core::bn254::FqParams;
use zkaccel_core::field_ops::invert_lanes_vartime;
use zkaccel_core::{Field, FpParams, Fq, G1Affine};

use crate::ifma::{join, join52, mont_mul, normalize, reduce, reduce_below, split, split52, transpose, Consts, Limbs};

const _: () = assert!(std::mem::size_of::<G1Affine>() == 64);

/// One addition of a batch: bucket index, point, and whether to negate it.
pub(crate) type PendingAdd<'a> = (u32, &'a G1Affine, bool);

/// What the second pass needs of a group of eight additions.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Group {
    px: Limbs,
    qx: Limbs,
    qy: Limbs,
    /// The slope's numerator: `py − qy`, or `3·px²` when doubling.
    num: Limbs,
    /// The slope's denominator times `2^4`.
    d16: Limbs,
    /// The lane's chain product before this group, `R = 2^260` form.
    prefix: Limbs,
    /// Lanes whose sum is the identity (`P + (−P)`).
    identity: __mmask8,
}

/// Per-bucket-set scratch space, kept between batches.
#[derive(Default)]
pub(crate) struct Scratch {
    groups: Vec<Group>,
}

/// Adds `±P` into `buckets[b]` for every `(b, P, negate)` of `batch`.
///
/// Every bucket appears at most once and holds a point (not the identity);
/// every `P` is a valid point other than the identity. The caller checked
/// [`crate::ifma::available`].
pub(crate) fn add_batch(buckets: &mut [G1Affine], batch: &[PendingAdd<'_>], scratch: &mut Scratch) {
    debug_assert!(batch.iter().all(|&(b, p, _)| (b as usize) < buckets.len() && !p.is_identity()));
    // SAFETY: IFMA is available (the caller checked); bucket indices are in
    // range (checked above in debug builds, guaranteed by the caller).
    unsafe { add_batch_ifma(buckets, batch, scratch) }
}

/// Loads eight points as `(x, y)` in 52-bit limbs.
///
/// # Safety
/// Every pointer points to a readable `G1Affine`.
#[target_feature(enable = "avx512f")]
unsafe fn load_points(points: [*const G1Affine; 8], c: &Consts) -> (Limbs, Limbs) {
    // SAFETY: the caller guarantees 64 readable bytes at every pointer.
    let rows = points.map(|p| unsafe { _mm512_loadu_si512(p.cast()) });
    let w = transpose(rows);
    (split([w[0], w[1], w[2], w[3]], c.mask), split([w[4], w[5], w[6], w[7]], c.mask))
}

/// `x·2^4`, normalised (below 2^260 for `x < 2^256`).
#[target_feature(enable = "avx512f")]
fn times16(x: &Limbs, c: &Consts) -> Limbs {
    normalize(x.map(|l| _mm512_slli_epi64::<4>(l)), c)
}

#[target_feature(enable = "avx512f")]
fn add(a: &Limbs, b: &Limbs, c: &Consts) -> Limbs {
    normalize(std::array::from_fn(|k| _mm512_add_epi64(a[k], b[k])), c)
}

/// `a − b + m` (callers pick `m` so that it is not negative).
#[target_feature(enable = "avx512f")]
fn sub_plus(a: &Limbs, b: &Limbs, m: &Limbs, c: &Consts) -> Limbs {
    normalize(std::array::from_fn(|k| _mm512_add_epi64(_mm512_sub_epi64(a[k], b[k]), m[k])), c)
}

/// Lanes where `a = b` (normalised limbs of the same value range).
#[target_feature(enable = "avx512f")]
fn equal(a: &Limbs, b: &Limbs) -> __mmask8 {
    (0..5).fold(0xff, |m, k| _mm512_mask_cmpeq_epi64_mask(m, a[k], b[k]))
}

#[target_feature(enable = "avx512f")]
fn blend(m: __mmask8, a: &Limbs, b: &Limbs) -> Limbs {
    std::array::from_fn(|k| _mm512_mask_blend_epi64(m, a[k], b[k]))
}

/// Eight `Fq` values (`R = 2^256` limbs) as vectors, limb by limb.
#[target_feature(enable = "avx512f")]
fn pack(values: [[u64; 4]; 8]) -> Limbs {
    let limbs = values.map(split52);
    // SAFETY: each array is eight u64, 64 bytes.
    std::array::from_fn(|k| unsafe { _mm512_loadu_si512(limbs.map(|l| l[k]).as_ptr().cast()) })
}

#[target_feature(enable = "avx512f")]
fn unpack(v: &Limbs) -> [[u64; 4]; 8] {
    let mut rows = [[0u64; 8]; 5];
    for (row, x) in rows.iter_mut().zip(v) {
        // SAFETY: a row is eight u64, 64 bytes.
        unsafe { _mm512_storeu_si512(row.as_mut_ptr().cast(), *x) };
    }
    std::array::from_fn(|lane| join52(std::array::from_fn(|k| rows[k][lane])))
}

#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn add_batch_ifma(buckets: &mut [G1Affine], batch: &[PendingAdd<'_>], scratch: &mut Scratch) {
    if batch.is_empty() {
        return;
    }
    let c = Consts::new::<FqParams>();
    let p = c.p;
    let zero = [_mm512_setzero_si512(); 5];
    let one = pack([[1, 0, 0, 0]; 8]);
    // One in the R = 2^260 form: 2^260 mod p.
    let one260 = pack([Fq::from_u64(16).montgomery_limbs(); 8]);
    let modulus = <FqParams as FpParams>::MODULUS;
    let bucket_ptr = buckets.as_mut_ptr();
    let groups = batch.chunks(8);
    scratch.groups.clear();
    scratch.groups.reserve(groups.len());

    // Pass 1: load, denominators, running products of the lanes' chains.
    let mut acc = one260;
    for chunk in groups.clone() {
        let active: __mmask8 = ((1u16 << chunk.len()) - 1) as u8;
        // Idle lanes (a short last group) repeat the first addition; their
        // denominator is replaced by one and their result is not stored.
        let entry = |l: usize| chunk[if l < chunk.len() { l } else { 0 }];
        // SAFETY: bucket indices are in range, points are references.
        let (px, py) = unsafe { load_points(std::array::from_fn(|l| entry(l).1 as *const G1Affine), &c) };
        // SAFETY: as above.
        let (qx, qy) =
            unsafe { load_points(std::array::from_fn(|l| bucket_ptr.add(entry(l).0 as usize).cast_const()), &c) };
        let negate: __mmask8 = (0..8).fold(0, |m, l| m | ((entry(l).2 as u8) << l));
        // −y = p − y (y ≠ 0 on a prime-order curve).
        let py = blend(negate, &py, &sub_plus(&p, &py, &zero, &c));
        let same_x = equal(&px, &qx) & active;
        let mut d = sub_plus(&px, &qx, &p, &c);
        let mut num = sub_plus(&py, &qy, &c.two_p, &c);
        let mut identity = 0;
        if same_x != 0 {
            let doubling = same_x & equal(&py, &qy);
            identity = same_x & !doubling;
            // Doubling: λ = 3x² / 2y. P + (−P): any invertible denominator.
            let xx = mont_mul(&px, &times16(&px, &c), &c);
            num = blend(doubling, &num, &add(&add(&xx, &xx, &c), &xx, &c));
            d = blend(doubling, &d, &add(&py, &py, &c));
            d = blend(identity, &d, &one);
        }
        d = blend(!active, &d, &one);
        let d16 = times16(&d, &c);
        scratch.groups.push(Group { px, qx, qy, num, d16, prefix: acc, identity });
        acc = mont_mul(&acc, &d16, &c);
    }

    // The eight chain products' inverses with one inversion. A lane holds
    // A·2^260 (below 2p), which as R = 2^256 limbs is the element 16·A;
    // its inverse times 256 is A^{-1}·2^260 in those limbs.
    let products = unpack(&acc).map(|a| Fq::from_montgomery_limbs_unchecked(reduce(a, &modulus)));
    let two_pow_8 = Fq::from_u64(256);
    let mut inv = pack(invert_lanes_vartime(products).map(|x| (x * two_pow_8).montgomery_limbs()));

    // Pass 2, last group first: slopes, sums, stores.
    for (g, chunk) in scratch.groups.iter().zip(groups).rev() {
        let den_inv = mont_mul(&inv, &g.prefix, &c);
        inv = mont_mul(&inv, &g.d16, &c);
        let lambda = mont_mul(&g.num, &den_inv, &c);
        let lambda16 = times16(&lambda, &c);
        let lambda_sq = mont_mul(&lambda, &lambda16, &c);
        // x3 = λ² − qx − px, from [0, 4p) down to [0, p).
        let x3 = sub_plus(&lambda_sq, &add(&g.qx, &g.px, &c), &c.two_p, &c);
        let x3 = reduce_below(reduce_below(x3, &c.two_p, &c), &p, &c);
        // y3 = λ·(qx − x3) − qy, from [0, 3p) down to [0, p).
        let y3 = mont_mul(&lambda16, &sub_plus(&g.qx, &x3, &p, &c), &c);
        let y3 = sub_plus(&y3, &g.qy, &p, &c);
        let y3 = reduce_below(reduce_below(y3, &c.two_p, &c), &p, &c);
        let (x3, y3) = (blend(g.identity, &x3, &zero), blend(g.identity, &y3, &zero));
        let (x, y) = (join(x3), join(y3));
        let rows = transpose([x[0], x[1], x[2], x[3], y[0], y[1], y[2], y[3]]);
        for (&(b, _, _), row) in chunk.iter().zip(rows) {
            // SAFETY: `b` is in range; nothing else refers to the bucket now.
            unsafe { _mm512_storeu_si512(bucket_ptr.add(b as usize).cast(), row) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ifma::{available, tests::xorshift};
    use zkaccel_core::testing::{random_points, rng};
    use zkaccel_core::G1Projective;

    /// Batches with ordinary additions, doublings, `P + (−P)`, negated
    /// points and short groups, against projective arithmetic.
    #[test]
    fn batches_match_projective_additions() {
        if !available() {
            eprintln!("SKIPPED: this CPU has no AVX-512 IFMA");
            return;
        }
        let mut next = xorshift(0x1234_5678_9abc_def1);
        let points = random_points(64, &mut rng(11));
        let mut scratch = Scratch::default();
        for len in [1usize, 5, 8, 9, 16, 31, 64] {
            let mut buckets: Vec<G1Affine> = points.iter().rev().copied().collect();
            let mut expected: Vec<G1Projective> = buckets.iter().map(G1Affine::to_projective).collect();
            let mut owned: Vec<(u32, G1Affine, bool)> = Vec::new();
            for i in 0..len {
                let b = (i * 7 + len) % buckets.len();
                if owned.iter().any(|&(x, _, _)| x as usize == b) {
                    continue;
                }
                let negate = next().is_multiple_of(2);
                // Every fifth addition meets its bucket's own point: a
                // doubling, or the identity when negated.
                let p = if i.is_multiple_of(5) { buckets[b] } else { points[(i * 13) % points.len()] };
                expected[b] = expected[b].add_affine(&if negate { p.neg() } else { p });
                owned.push((b as u32, p, negate));
            }
            let batch: Vec<PendingAdd<'_>> = owned.iter().map(|(b, p, n)| (*b, p, *n)).collect();
            add_batch(&mut buckets, &batch, &mut scratch);
            for (b, (got, want)) in buckets.iter().zip(&expected).enumerate() {
                assert_eq!(got.to_projective(), *want, "len {len}, bucket {b}");
                assert!(got.validate().is_ok(), "len {len}, bucket {b}");
            }
        }
    }
}
