//! The batch-affine bucket additions of BN254 G1 and G2 MSMs on AVX-512
//! IFMA, eight at a time.
//!
//! A batch of additions `bucket += ±P` (every bucket at most once) is cut
//! into groups of eight, one per vector lane. Points are loaded whole (one
//! 64-byte row per G1 point, two per G2 point), transposed into
//! coordinate-major vectors and split into 52-bit limbs; results go back
//! the same way. Coordinates stay in the scalar code's Montgomery form
//! `x·2^256`: a product `a·b` is the `R = 2^260` product of `a` and `b·2^4`
//! (a four-bit shift, shared where a factor is used twice). The batch
//! inversion runs one product chain per lane, in the `R = 2^260` form, and
//! inverts the eight chain products with one scalar inversion. Lanes
//! whose bucket holds the same `x` (a doubling, or `P` meeting `−P`) are
//! handled in the vectors with masks, not by a fallback.
//!
//! Bounds: coordinates are loaded and stored below `p`; products take a
//! first factor below `2p` and a second below `32p` (per `Fq` component)
//! and return values below `2p`, within [`mont_mul`]'s `a·b < 2^260·p`.

use std::any::TypeId;
use std::arch::x86_64::*;

use zkaccel_core::bn254::FqParams;
use zkaccel_core::field_ops::invert_lanes_vartime;
use zkaccel_core::{Affine, Bn254, Bn254G2, Field, FpParams, Fq, Fq2, G1Affine, G2Affine, SwCurve};

use crate::ifma::{join, join52, mont_mul, normalize, reduce, split, split52, transpose, Consts, Limbs};

const _: () = assert!(std::mem::size_of::<G1Affine>() == 64 && std::mem::size_of::<G2Affine>() == 128);

/// One addition of a batch: bucket index, point, and whether to negate it.
pub(crate) type PendingAdd<'a, C> = (u32, &'a Affine<C>, bool);

/// Whether batches of curve `C` run here on this CPU.
pub(crate) fn supports<C: SwCurve>() -> bool {
    let curve = TypeId::of::<C>();
    (curve == TypeId::of::<Bn254>() || curve == TypeId::of::<Bn254G2>()) && crate::ifma::available()
}

/// Adds `±P` into `buckets[b]` for every `(b, P, negate)` of `batch` if
/// [`supports`] says so, returning whether it did.
///
/// Every bucket appears at most once and holds a point (not the identity);
/// every `P` is a valid point other than the identity.
pub(crate) fn try_add_batch<C: SwCurve>(
    buckets: &mut [Affine<C>],
    batch: &[PendingAdd<'_, C>],
    scratch: &mut Scratch,
) -> bool {
    if !supports::<C>() {
        return false;
    }
    // The vector code writes through these indices: checked here (one
    // comparison per addition) so that this safe function stays sound.
    assert!(batch.iter().all(|&(b, _, _)| (b as usize) < buckets.len()), "bucket index out of range");
    debug_assert!(batch.iter().all(|&(_, p, _)| !p.is_identity()));
    if let Some((buckets, batch)) = same_curve::<C, Bn254>(buckets, batch) {
        // SAFETY: IFMA is available (`supports`); bucket indices are in
        // range (checked above).
        unsafe { add_batch::<_, FqLanes>(buckets, batch, &mut scratch.fq) };
    } else if let Some((buckets, batch)) = same_curve::<C, Bn254G2>(buckets, batch) {
        // SAFETY: as above.
        unsafe { add_batch::<_, Fq2Lanes>(buckets, batch, &mut scratch.fq2) };
    }
    true
}

/// The slices retyped from curve `C` to curve `D` when they are the same.
type Retyped<'s, 'a, D> = (&'s mut [Affine<D>], &'s [PendingAdd<'a, D>]);

fn same_curve<'s, 'a, C: SwCurve, D: SwCurve>(
    buckets: &'s mut [Affine<C>],
    batch: &'s [PendingAdd<'a, C>],
) -> Option<Retyped<'s, 'a, D>> {
    (TypeId::of::<C>() == TypeId::of::<D>()).then(|| {
        let buckets = buckets as *mut [Affine<C>] as *mut [Affine<D>];
        let batch = batch as *const [PendingAdd<'a, C>] as *const [PendingAdd<'a, D>];
        // SAFETY: C and D are the same type (same TypeId).
        unsafe { (&mut *buckets, &*batch) }
    })
}

/// Eight elements of a BN254 coordinate field, one per lane: what the batch
/// additions need of it.
///
/// # Safety
/// Every method needs AVX-512F and IFMA; call them only where
/// [`crate::ifma::available`] holds.
trait LaneField: Copy {
    /// The field.
    type Elem: Field;
    /// 64-bit words of an element.
    const WORDS: usize;
    /// From `WORDS` vectors of 64-bit words, lane `l` of vector `k` being
    /// word `k` of element `l`.
    unsafe fn from_words(words: &[__m512i], c: &Consts) -> Self;
    /// The inverse of [`LaneField::from_words`], for values below `p`.
    unsafe fn to_words(&self, out: &mut [__m512i]);
    unsafe fn add(&self, other: &Self, c: &Consts) -> Self;
    /// `self − other + m` per `Fq` component.
    unsafe fn sub_plus(&self, other: &Self, m: &Limbs, c: &Consts) -> Self;
    /// Montgomery's product with `R = 2^260`, `a·b·2^−260`, for `a` below
    /// `2p` and `b` below `32p` (per component): below `2p`.
    unsafe fn mont(&self, other: &Self, c: &Consts) -> Self;
    /// `16·a` (below `32p` for `a` below `2p`), the second factor that
    /// makes [`LaneField::mont`] return the scalar code's form.
    unsafe fn times16(&self, c: &Consts) -> Self;
    /// `x − m` per component where that is not negative.
    unsafe fn reduce_below(&self, m: &Limbs, c: &Consts) -> Self;
    /// Lanes where the two are equal (same representatives).
    unsafe fn equal(&self, other: &Self) -> __mmask8;
    /// `b` in the lanes of `mask`, else `a`.
    unsafe fn blend(mask: __mmask8, a: &Self, b: &Self) -> Self;
    unsafe fn splat(e: &Self::Elem) -> Self;
    /// The lanes (below `2p`) as field elements.
    unsafe fn elems(&self) -> [Self::Elem; 8];
    unsafe fn from_elems(e: [Self::Elem; 8]) -> Self;
}

/// Eight `Fq` elements.
#[derive(Clone, Copy)]
struct FqLanes(Limbs);

/// Eight `Fq2` elements `c0 + c1·u`.
#[derive(Clone, Copy)]
struct Fq2Lanes {
    c0: FqLanes,
    c1: FqLanes,
}

impl LaneField for FqLanes {
    type Elem = Fq;
    const WORDS: usize = 4;

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn from_words(words: &[__m512i], c: &Consts) -> Self {
        Self(split([words[0], words[1], words[2], words[3]], c.mask))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn to_words(&self, out: &mut [__m512i]) {
        out[..4].copy_from_slice(&join(self.0));
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn add(&self, other: &Self, c: &Consts) -> Self {
        Self(crate::ifma::add(&self.0, &other.0, c))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn sub_plus(&self, other: &Self, m: &Limbs, c: &Consts) -> Self {
        Self(crate::ifma::sub_plus(&self.0, &other.0, m, c))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn mont(&self, other: &Self, c: &Consts) -> Self {
        // a·b < 64p² < 2^260·p.
        Self(mont_mul(&self.0, &other.0, c))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn times16(&self, c: &Consts) -> Self {
        Self(normalize(self.0.map(|l| _mm512_slli_epi64::<4>(l)), c))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn reduce_below(&self, m: &Limbs, c: &Consts) -> Self {
        Self(crate::ifma::reduce_below(self.0, m, c))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn equal(&self, other: &Self) -> __mmask8 {
        (0..5).fold(0xff, |m, k| _mm512_mask_cmpeq_epi64_mask(m, self.0[k], other.0[k]))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn blend(mask: __mmask8, a: &Self, b: &Self) -> Self {
        Self(std::array::from_fn(|k| _mm512_mask_blend_epi64(mask, a.0[k], b.0[k])))
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn splat(e: &Fq) -> Self {
        Self(crate::ifma::broadcast(e.montgomery_limbs()))
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn elems(&self) -> [Fq; 8] {
        let mut rows = [[0u64; 8]; 5];
        for (row, x) in rows.iter_mut().zip(self.0) {
            // SAFETY: a row is eight u64, 64 bytes.
            unsafe { _mm512_storeu_si512(row.as_mut_ptr().cast(), x) };
        }
        let p = <FqParams as FpParams>::MODULUS;
        std::array::from_fn(|lane| {
            let limbs = reduce(join52(std::array::from_fn(|k| rows[k][lane])), &p);
            Fq::from_montgomery_limbs_unchecked(limbs)
        })
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn from_elems(e: [Fq; 8]) -> Self {
        let limbs = e.map(|x| split52(x.montgomery_limbs()));
        // SAFETY: each array is eight u64, 64 bytes.
        Self(std::array::from_fn(|k| unsafe { _mm512_loadu_si512(limbs.map(|l| l[k]).as_ptr().cast()) }))
    }
}

impl LaneField for Fq2Lanes {
    type Elem = Fq2;
    const WORDS: usize = 8;

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn from_words(words: &[__m512i], c: &Consts) -> Self {
        // SAFETY: the caller's features are this function's.
        unsafe { Self { c0: FqLanes::from_words(&words[..4], c), c1: FqLanes::from_words(&words[4..8], c) } }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn to_words(&self, out: &mut [__m512i]) {
        // SAFETY: as above.
        unsafe {
            self.c0.to_words(&mut out[..4]);
            self.c1.to_words(&mut out[4..8]);
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn add(&self, other: &Self, c: &Consts) -> Self {
        // SAFETY: as above.
        unsafe { Self { c0: self.c0.add(&other.c0, c), c1: self.c1.add(&other.c1, c) } }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn sub_plus(&self, other: &Self, m: &Limbs, c: &Consts) -> Self {
        // SAFETY: as above.
        unsafe { Self { c0: self.c0.sub_plus(&other.c0, m, c), c1: self.c1.sub_plus(&other.c1, m, c) } }
    }

    /// Karatsuba with `u² = −1`: three `Fq` products (the product is
    /// `Fq`-bilinear, so the `2^−260` factor carries over).
    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn mont(&self, other: &Self, c: &Consts) -> Self {
        // SAFETY: as above.
        unsafe {
            let (a, b) = (self, other);
            let t0 = a.c0.mont(&b.c0, c);
            let t1 = a.c1.mont(&b.c1, c);
            // The sums, below 4p and 64p, brought below 2p and 32p.
            let sa = a.c0.add(&a.c1, c).reduce_below(&c.two_p, c);
            let sb = b.c0.add(&b.c1, c).reduce_below(&c.thirty_two_p, c);
            let t2 = sa.mont(&sb, c);
            // c0 = t0 − t1 in [0, 4p); c1 = t2 − t0 − t1 in [0, 6p); both to [0, 2p).
            let c0 = t0.sub_plus(&t1, &c.two_p, c).reduce_below(&c.two_p, c);
            let c1 = t2.sub_plus(&t0.add(&t1, c), &c.four_p, c).reduce_below(&c.four_p, c).reduce_below(&c.two_p, c);
            Self { c0, c1 }
        }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn times16(&self, c: &Consts) -> Self {
        // SAFETY: as above.
        unsafe { Self { c0: self.c0.times16(c), c1: self.c1.times16(c) } }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn reduce_below(&self, m: &Limbs, c: &Consts) -> Self {
        // SAFETY: as above.
        unsafe { Self { c0: self.c0.reduce_below(m, c), c1: self.c1.reduce_below(m, c) } }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn equal(&self, other: &Self) -> __mmask8 {
        // SAFETY: as above.
        unsafe { self.c0.equal(&other.c0) & self.c1.equal(&other.c1) }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn blend(mask: __mmask8, a: &Self, b: &Self) -> Self {
        // SAFETY: as above.
        unsafe { Self { c0: FqLanes::blend(mask, &a.c0, &b.c0), c1: FqLanes::blend(mask, &a.c1, &b.c1) } }
    }

    #[inline]
    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn splat(e: &Fq2) -> Self {
        // SAFETY: as above.
        unsafe { Self { c0: FqLanes::splat(&e.c0), c1: FqLanes::splat(&e.c1) } }
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn elems(&self) -> [Fq2; 8] {
        // SAFETY: as above.
        let (c0, c1) = unsafe { (self.c0.elems(), self.c1.elems()) };
        std::array::from_fn(|l| Fq2::new(c0[l], c1[l]))
    }

    #[target_feature(enable = "avx512f,avx512ifma")]
    unsafe fn from_elems(e: [Fq2; 8]) -> Self {
        // SAFETY: as above.
        unsafe { Self { c0: FqLanes::from_elems(e.map(|x| x.c0)), c1: FqLanes::from_elems(e.map(|x| x.c1)) } }
    }
}

/// What the second pass needs of a group of eight additions.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Group<F> {
    px: F,
    qx: F,
    qy: F,
    /// The slope's numerator: `py − qy`, or `3·px²` when doubling.
    num: F,
    /// The slope's denominator times 16.
    d16: F,
    /// The lane's chain product before this group, in the `R = 2^260` form.
    prefix: F,
    /// Lanes whose sum is the identity (`P + (−P)`).
    identity: __mmask8,
}

/// Per-bucket-set scratch space, kept between batches.
#[derive(Default)]
pub(crate) struct Scratch {
    fq: Vec<Group<FqLanes>>,
    fq2: Vec<Group<Fq2Lanes>>,
}

/// Loads eight points (of `F` coordinates) as `(x, y)`.
///
/// # Safety
/// IFMA is available; every pointer points to a readable point.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn load_points<F: LaneField>(points: [*const u64; 8], c: &Consts) -> (F, F) {
    let mut words = [_mm512_setzero_si512(); 16];
    for (r, out) in words[..2 * F::WORDS].chunks_exact_mut(8).enumerate() {
        // SAFETY: a point is 2·WORDS words, so row r is within it.
        let rows = points.map(|p| unsafe { _mm512_loadu_si512(p.add(8 * r).cast()) });
        out.copy_from_slice(&transpose(rows));
    }
    // SAFETY: IFMA is available (the caller's guarantee).
    unsafe { (F::from_words(&words[..F::WORDS], c), F::from_words(&words[F::WORDS..2 * F::WORDS], c)) }
}

/// Stores `(x, y)` (below `p`) of the first `count` lanes to their points.
///
/// # Safety
/// IFMA is available; the first `count` pointers point to writable points
/// nothing else refers to.
#[inline]
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn store_points<F: LaneField>(x: &F, y: &F, points: [*mut u64; 8], count: usize) {
    let mut words = [_mm512_setzero_si512(); 16];
    // SAFETY: IFMA is available.
    unsafe {
        x.to_words(&mut words[..F::WORDS]);
        y.to_words(&mut words[F::WORDS..2 * F::WORDS]);
    }
    for (r, chunk) in words[..2 * F::WORDS].chunks_exact(8).enumerate() {
        let rows = transpose(std::array::from_fn(|k| chunk[k]));
        for (&p, row) in points[..count].iter().zip(rows) {
            // SAFETY: row r of a writable point (the caller's guarantee).
            unsafe { _mm512_storeu_si512(p.add(8 * r).cast(), row) };
        }
    }
}

/// The batch additions of [`try_add_batch`] for coordinates `F`.
///
/// # Safety
/// IFMA is available; bucket indices are in range; `F::Elem` is `C::Base`.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn add_batch<C: SwCurve, F: LaneField>(
    buckets: &mut [Affine<C>],
    batch: &[PendingAdd<'_, C>],
    groups: &mut Vec<Group<F>>,
) {
    if batch.is_empty() {
        return;
    }
    let c = Consts::new::<FqParams>();
    let p = c.p;
    let bucket_ptr = buckets.as_mut_ptr();
    let chunks = batch.chunks(8);
    groups.clear();
    groups.reserve(chunks.len());
    // SAFETY: IFMA is available (the caller's guarantee), and the pointers
    // below point into `batch` or, in range, `buckets`.
    unsafe {
        let zero = F::splat(&F::Elem::ZERO);
        let one = F::splat(&F::Elem::ONE);
        let sixteen = F::Elem::from_u64(16);

        // Pass 1: load, denominators, running products of the lanes' chains.
        // The chains are in the R = 2^260 form (one is 16 in the scalar
        // form): a chain value times a denominator·16 stays in that form.
        let mut acc = F::splat(&sixteen);
        for chunk in chunks.clone() {
            let active: __mmask8 = ((1u16 << chunk.len()) - 1) as u8;
            // Idle lanes (a short last group) repeat the first addition; their
            // denominator is replaced by one and their result is not stored.
            let entry = |l: usize| chunk[if l < chunk.len() { l } else { 0 }];
            let bases = std::array::from_fn(|l| (entry(l).1 as *const Affine<C>).cast::<u64>());
            let owners = std::array::from_fn(|l| bucket_ptr.add(entry(l).0 as usize).cast_const().cast::<u64>());
            let (px, py) = load_points::<F>(bases, &c);
            let (qx, qy) = load_points::<F>(owners, &c);
            let negate: __mmask8 = (0..8).fold(0, |m, l| m | ((entry(l).2 as u8) << l));
            // −y = p − y (y ≠ 0 on a prime-order curve).
            let py = F::blend(negate, &py, &zero.sub_plus(&py, &p, &c));
            let same_x = px.equal(&qx) & active;
            let mut d = px.sub_plus(&qx, &p, &c);
            let mut num = py.sub_plus(&qy, &p, &c);
            let mut identity = 0;
            if same_x != 0 {
                let doubling = same_x & py.equal(&qy);
                identity = same_x & !doubling;
                // Doubling: λ = 3x² / 2y. P + (−P): any invertible denominator.
                let xx = px.mont(&px.times16(&c), &c);
                let xx3 = xx.add(&xx, &c).add(&xx, &c).reduce_below(&c.four_p, &c).reduce_below(&c.two_p, &c);
                num = F::blend(doubling, &num, &xx3);
                d = F::blend(doubling, &d, &py.add(&py, &c));
                d = F::blend(identity, &d, &one);
            }
            let d16 = F::blend(!active, &d, &one).times16(&c);
            groups.push(Group { px, qx, qy, num, d16, prefix: acc, identity });
            acc = acc.mont(&d16, &c);
        }

        // The eight chain products' inverses with one inversion. A lane's
        // A·2^260, read in the scalar form, is the element 16·A; its inverse
        // times 256 reads as A^{-1}·2^260.
        let products = acc.elems();
        let two_pow_8 = F::Elem::from_u64(256);
        let mut inv = F::from_elems(invert_lanes_vartime(products).map(|x| x * two_pow_8));

        // Pass 2, last group first: slopes, sums, stores.
        for (g, chunk) in groups.iter().zip(chunks).rev() {
            let den_inv = inv.mont(&g.prefix, &c);
            inv = inv.mont(&g.d16, &c);
            let lambda = g.num.mont(&den_inv, &c);
            let lambda16 = lambda.times16(&c);
            // x3 = λ² − qx − px, from [0, 4p) down to [0, p).
            let x3 = lambda.mont(&lambda16, &c).sub_plus(&g.qx.add(&g.px, &c), &c.two_p, &c);
            let x3 = x3.reduce_below(&c.two_p, &c).reduce_below(&p, &c);
            // y3 = λ·(qx − x3) − qy, from [0, 3p) down to [0, p).
            let y3 = g.qx.sub_plus(&x3, &p, &c).mont(&lambda16, &c).sub_plus(&g.qy, &p, &c);
            let y3 = y3.reduce_below(&c.two_p, &c).reduce_below(&p, &c);
            let (x3, y3) = (F::blend(g.identity, &x3, &zero), F::blend(g.identity, &y3, &zero));
            let owners =
                std::array::from_fn(|l| bucket_ptr.add(chunk[l.min(chunk.len() - 1)].0 as usize).cast::<u64>());
            store_points(&x3, &y3, owners, chunk.len());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ifma::{available, tests::xorshift};
    use zkaccel_core::testing::rng;
    use zkaccel_core::{Fr, Projective};

    /// Batches with ordinary additions, doublings, `P + (−P)`, negated
    /// points and short groups, against projective arithmetic.
    fn batches_match_projective_additions<C: SwCurve>(points: Vec<Affine<C>>) {
        let mut next = xorshift(0x1234_5678_9abc_def1);
        let mut scratch = Scratch::default();
        for len in [1usize, 5, 8, 9, 16, 31, 64] {
            let mut buckets: Vec<Affine<C>> = points.iter().rev().copied().collect();
            let mut expected: Vec<Projective<C>> = buckets.iter().map(Affine::to_projective).collect();
            let mut owned: Vec<(u32, Affine<C>, bool)> = Vec::new();
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
            let batch: Vec<PendingAdd<'_, C>> = owned.iter().map(|(b, p, n)| (*b, p, *n)).collect();
            assert!(try_add_batch(&mut buckets, &batch, &mut scratch));
            for (b, (got, want)) in buckets.iter().zip(&expected).enumerate() {
                assert_eq!(got.to_projective(), *want, "len {len}, bucket {b}");
                assert!(got.validate().is_ok(), "len {len}, bucket {b}");
            }
        }
    }

    #[test]
    fn g1_batches_match_projective_additions() {
        if !available() {
            eprintln!("SKIPPED: this CPU has no AVX-512 IFMA");
            return;
        }
        batches_match_projective_additions(zkaccel_core::testing::random_points(64, &mut rng(11)));
    }

    #[test]
    fn g2_batches_match_projective_additions() {
        if !available() {
            eprintln!("SKIPPED: this CPU has no AVX-512 IFMA");
            return;
        }
        let g = Bn254G2::GENERATOR;
        let mut next = xorshift(0x0fed_cba9_8765_4321);
        let points = (0..64).map(|_| g.mul(&Fr::from_u64(next())).to_affine()).collect();
        batches_match_projective_additions::<Bn254G2>(points);
    }
}
