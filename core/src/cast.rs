//! Zero-copy views between zkaccel's types and layout-identical ones: the
//! one place where slices are reinterpreted.
//!
//! `Fp` is `#[repr(transparent)]` over four little-endian `u64` Montgomery
//! limbs with `R = 2^256`, the layout of ark-ff's `Fp256` and
//! halo2curves' BN254 fields; a BN254 `Affine` is `#[repr(C)]` `(x, y)` with
//! the identity as `(0, 0)`, as in halo2curves. So frontends hand their
//! scalars and points to a backend without copying, device backends upload
//! limbs, and generic code reaches a type-specialised kernel.
//!
//! Why each view is sound:
//! - [`cast_slice`] / [`cast_slice_mut`] check size and alignment when they
//!   are compiled; the caller vouches (an `unsafe` call) that every value of
//!   the source is a valid value of the target *with the same meaning*.
//!   Tests in each frontend prove the meaning (same canonical integers, same
//!   points).
//! - [`limbs`], [`limbs_mut`] and [`point_limbs`] are safe: the layouts are
//!   this crate's own. Writing limbs can make an unreduced element; code
//!   that writes through [`limbs_mut`] must write reduced values (a device
//!   kernel's outputs are).
//! - [`downcast_slice`] / [`downcast_slice_mut`] compare `TypeId`s, so they
//!   only ever view a slice as its own type.

use std::any::TypeId;
use std::mem::{align_of, size_of};

use crate::curve::{Affine, SwCurve};
use crate::field::{Fp, FpParams};

/// `a` viewed as a slice of `B`, without copying.
///
/// # Safety
/// Every value of `A` must be a valid value of `B` that means the same thing
/// (for field elements: the same limbs in the same Montgomery form). Size
/// and alignment are checked at compile time.
pub unsafe fn cast_slice<A, B>(a: &[A]) -> &[B] {
    const { assert!(size_of::<A>() == size_of::<B>() && align_of::<A>() == align_of::<B>()) };
    // SAFETY: same size and alignment (checked above), so the pointer is
    // aligned and the length covers the same bytes; the caller vouches for
    // the values.
    unsafe { std::slice::from_raw_parts(a.as_ptr().cast::<B>(), a.len()) }
}

/// [`cast_slice`] for a mutable slice.
///
/// # Safety
/// As for [`cast_slice`], in both directions: every value of either type
/// must be a valid value of the other (values written through the view come
/// back as `A`s).
pub unsafe fn cast_slice_mut<A, B>(a: &mut [A]) -> &mut [B] {
    const { assert!(size_of::<A>() == size_of::<B>() && align_of::<A>() == align_of::<B>()) };
    // SAFETY: as in `cast_slice`; the exclusive borrow moves into the result.
    unsafe { std::slice::from_raw_parts_mut(a.as_mut_ptr().cast::<B>(), a.len()) }
}

/// The Montgomery limbs of field elements, four per element, without a copy.
pub fn limbs<P: FpParams>(v: &[Fp<P>]) -> &[u64] {
    // SAFETY: `Fp` is repr(transparent) over [u64; 4] (plus a zero-sized
    // marker), so n elements are exactly 4n initialised, aligned u64s.
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u64>(), v.len() * 4) }
}

/// [`limbs`], mutable: whoever writes must write reduced elements.
pub fn limbs_mut<P: FpParams>(v: &mut [Fp<P>]) -> &mut [u64] {
    // SAFETY: as in `limbs`; every u64 pattern is a valid limb (an unreduced
    // value is caught by validation, never undefined behaviour).
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<u64>(), v.len() * 4) }
}

/// The limbs of affine points over a prime field, `x` then `y`, eight per point.
pub fn point_limbs<C, P>(v: &[Affine<C>]) -> &[u64]
where
    C: SwCurve<Base = Fp<P>>,
    P: FpParams,
{
    const { assert!(size_of::<Affine<C>>() == 64 && align_of::<Affine<C>>() == 8) };
    // SAFETY: `Affine` is repr(C) (x, y) of two `Fp`s, each four u64s, and
    // its size is exactly 64 bytes (checked above): no padding, no flag.
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u64>(), v.len() * 8) }
}

/// `data` as a slice of `G` when `F` is `G`: how generic code reaches a
/// kernel written for one concrete type.
pub fn downcast_slice<F: 'static, G: 'static>(data: &[F]) -> Option<&[G]> {
    (TypeId::of::<F>() == TypeId::of::<G>())
        // SAFETY: F is G (same TypeId), so the slice is viewed as itself.
        .then(|| unsafe { std::slice::from_raw_parts(data.as_ptr().cast::<G>(), data.len()) })
}

/// [`downcast_slice`] for a mutable slice.
pub fn downcast_slice_mut<F: 'static, G: 'static>(data: &mut [F]) -> Option<&mut [G]> {
    (TypeId::of::<F>() == TypeId::of::<G>())
        // SAFETY: as in `downcast_slice`; the exclusive borrow moves into the result.
        .then(|| unsafe { std::slice::from_raw_parts_mut(data.as_mut_ptr().cast::<G>(), data.len()) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bn254::{Bn254, Fr, G1Affine};
    use crate::field::Field;

    #[test]
    fn limbs_are_the_montgomery_limbs() {
        let v = [Fr::from_u64(3), -Fr::ONE];
        let l = limbs(&v);
        assert_eq!(&l[..4], &v[0].montgomery_limbs());
        assert_eq!(&l[4..], &v[1].montgomery_limbs());
        let g = [<Bn254 as SwCurve>::GENERATOR, G1Affine::IDENTITY];
        let p = point_limbs(&g);
        assert_eq!(&p[..4], &g[0].x.montgomery_limbs());
        assert_eq!(&p[4..8], &g[0].y.montgomery_limbs());
        assert_eq!(&p[8..], &[0; 8]);
    }

    #[test]
    fn downcasts_only_to_the_same_type() {
        let v = [Fr::ONE];
        assert!(downcast_slice::<Fr, Fr>(&v).is_some());
        assert!(downcast_slice::<Fr, crate::bn254::Fq>(&v).is_none());
        let mut w = [Fr::ONE];
        downcast_slice_mut::<Fr, Fr>(&mut w).unwrap()[0] = Fr::ZERO;
        assert_eq!(w[0], Fr::ZERO);
    }

    #[test]
    fn cast_round_trips() {
        let v = [[1u64, 2, 3, 4]];
        // SAFETY: [u64; 4] and Fr have the same layout; these limbs are below r.
        let f: &[Fr] = unsafe { cast_slice(&v) };
        assert_eq!(f[0].montgomery_limbs(), [1, 2, 3, 4]);
    }
}
