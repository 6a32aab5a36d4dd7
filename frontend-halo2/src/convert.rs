//! Conversions between halo2curves-axiom BN254 types and zkaccel's.
//!
//! Field elements and affine points have the same memory layout on both
//! sides — four little-endian `u64` limbs in Montgomery form with R = 2^256,
//! affine `(x, y)` with the identity as `(0, 0)` — so slices convert without
//! copying. The views are [`zkaccel::cast`]'s, whose `cast_slice` checks at
//! compile time that sizes and alignments are equal; the field offsets of
//! points are checked below; the tests prove the values (same canonical
//! integers, same points).
//!
//! Projective points differ: halo2curves uses homogeneous coordinates
//! (`x = X/Z, y = Y/Z`, identity `(0, 1, 0)`), zkaccel Jacobian ones
//! (`x = X/Z², y = Y/Z³`), so those convert with a few multiplications.

use std::mem::offset_of;

use halo2_axiom::halo2curves::bn256 as h;
use halo2_axiom::halo2curves::group::Group;
use zkaccel::cast::{cast_slice, cast_slice_mut};
use zkaccel::{Field, Fq, Fr, G1Affine, G1Projective};

// halo2curves' `Fr`/`Fq` are single-field structs over `[u64; 4]`: a struct
// whose size equals its only field's size (32 bytes, as zkaccel's `Fp`, which
// `cast_slice` compares) has that field at offset 0, so equal size and
// alignment prove those layouts identical. Points need equal field offsets too.
const _: () = assert!(offset_of!(h::G1Affine, x) == offset_of!(G1Affine, x));
const _: () = assert!(offset_of!(h::G1Affine, y) == offset_of!(G1Affine, y));

/// halo2 scalars as mutable zkaccel scalars (for in-place transforms), without copying.
pub fn scalars_from_halo2_mut(scalars: &mut [h::Fr]) -> &mut [Fr] {
    // SAFETY: as in `scalars_from_halo2`; every bit pattern is valid on both sides,
    // so writes through either view leave valid values.
    unsafe { cast_slice_mut(scalars) }
}

/// halo2 scalars as zkaccel scalars, without copying.
pub fn scalars_from_halo2(scalars: &[h::Fr]) -> &[Fr] {
    // SAFETY: the same four Montgomery limbs (layout checked above); every
    // bit pattern of a halo2 `Fr` is a valid zkaccel `Fr` value.
    unsafe { cast_slice(scalars) }
}

/// zkaccel scalars as halo2 scalars, without copying.
pub fn scalars_to_halo2(scalars: &[Fr]) -> &[h::Fr] {
    // SAFETY: as in `scalars_from_halo2`, in the other direction.
    unsafe { cast_slice(scalars) }
}

/// halo2 affine points as zkaccel affine points, without copying.
///
/// The points are not validated here; the Accelerator validates bases when
/// they are prepared or used.
pub fn points_from_halo2(points: &[h::G1Affine]) -> &[G1Affine] {
    // SAFETY: same field offsets (checked above), the same coordinate
    // representation and the same identity encoding.
    unsafe { cast_slice(points) }
}

/// zkaccel affine points as halo2 affine points, without copying.
pub fn points_to_halo2(points: &[G1Affine]) -> &[h::G1Affine] {
    // SAFETY: as in `points_from_halo2`, in the other direction.
    unsafe { cast_slice(points) }
}

/// One halo2 scalar as a zkaccel scalar.
pub fn scalar_from_halo2(s: h::Fr) -> Fr {
    scalars_from_halo2(std::slice::from_ref(&s))[0]
}

/// One zkaccel scalar as a halo2 scalar.
pub fn scalar_to_halo2(s: Fr) -> h::Fr {
    scalars_to_halo2(std::slice::from_ref(&s))[0]
}

fn base_from_halo2(x: h::Fq) -> Fq {
    // SAFETY: the same four Montgomery limbs (checked above), every bit pattern valid.
    let view: &[Fq] = unsafe { cast_slice(std::slice::from_ref(&x)) };
    view[0]
}

fn base_to_halo2(x: Fq) -> h::Fq {
    // SAFETY: as in `base_from_halo2`, in the other direction.
    let view: &[h::Fq] = unsafe { cast_slice(std::slice::from_ref(&x)) };
    view[0]
}

/// A zkaccel Jacobian point as a halo2 homogeneous point:
/// `(X, Y, Z) ↦ (X·Z, Y, Z³)`.
pub fn projective_to_halo2(p: &G1Projective) -> h::G1 {
    if p.is_identity() {
        return h::G1::identity();
    }
    let z3 = p.z.square() * p.z;
    h::G1 { x: base_to_halo2(p.x * p.z), y: base_to_halo2(p.y), z: base_to_halo2(z3) }
}

/// A halo2 homogeneous point as a zkaccel Jacobian point:
/// `(X, Y, Z) ↦ (X·Z, Y·Z², Z)`.
pub fn projective_from_halo2(p: &h::G1) -> G1Projective {
    if bool::from(p.is_identity()) {
        return G1Projective::IDENTITY;
    }
    let (x, y, z) = (base_from_halo2(p.x), base_from_halo2(p.y), base_from_halo2(p.z));
    G1Projective::new_unchecked(x * z, y * z.square(), z)
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_axiom::halo2curves::ff::{Field as _, PrimeField as _};
    use halo2_axiom::halo2curves::group::prime::PrimeCurveAffine;
    use halo2_axiom::halo2curves::group::Curve;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;
    use zkaccel::{Bn254, PrimeField, SwCurve};

    fn canonical_bytes<F: PrimeField<Repr = [u64; 4]>>(x: &F) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, limb) in out.chunks_mut(8).zip(x.to_canonical()) {
            chunk.copy_from_slice(&limb.to_le_bytes());
        }
        out
    }

    fn random_halo2_points(n: usize, rng: &mut ChaCha20Rng) -> Vec<h::G1Affine> {
        (0..n).map(|_| (h::G1::generator() * h::Fr::random(&mut *rng)).to_affine()).collect()
    }

    #[test]
    fn scalars_keep_their_canonical_value() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let mut values: Vec<h::Fr> = (0..100).map(|_| h::Fr::random(&mut rng)).collect();
        values.extend([h::Fr::ZERO, h::Fr::ONE, -h::Fr::ONE, h::Fr::from(7)]);
        let ours = scalars_from_halo2(&values);
        for (theirs, ours) in values.iter().zip(ours) {
            assert_eq!(theirs.to_repr(), canonical_bytes(ours), "canonical bytes differ");
        }
        assert_eq!(scalars_to_halo2(ours), &values[..]);
        assert_eq!(scalar_from_halo2(h::Fr::from(7)), Fr::from_u64(7));
        assert_eq!(scalar_to_halo2(Fr::from_u64(7)), h::Fr::from(7));
        // Arithmetic agrees, so the Montgomery constants are the same.
        let (a, b) = (values[0], values[1]);
        assert_eq!(scalar_from_halo2(a * b), scalar_from_halo2(a) * scalar_from_halo2(b));
    }

    #[test]
    fn points_keep_their_coordinates_and_identity() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let mut points = random_halo2_points(50, &mut rng);
        points.push(h::G1Affine::identity());
        points.push(h::G1Affine::generator());
        let ours = points_from_halo2(&points);
        for (theirs, ours) in points.iter().zip(ours) {
            assert_eq!(theirs.x.to_repr(), canonical_bytes(&ours.x));
            assert_eq!(theirs.y.to_repr(), canonical_bytes(&ours.y));
            assert_eq!(bool::from(theirs.is_identity()), ours.is_identity());
            assert!(ours.validate().is_ok());
        }
        assert_eq!(ours[51], Bn254::GENERATOR);
        assert_eq!(points_to_halo2(ours), &points[..]);
    }

    #[test]
    fn projective_points_round_trip_and_agree_on_group_operations() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let points = random_halo2_points(20, &mut rng);
        for pair in points.chunks(2) {
            let (p, q) = (pair[0].to_curve(), pair[1].to_curve());
            let sum_theirs = p + q;
            let ours = projective_from_halo2(&p).add(&projective_from_halo2(&q));
            assert_eq!(projective_to_halo2(&ours), sum_theirs);
            assert_eq!(projective_from_halo2(&sum_theirs).to_affine(), ours.to_affine());
            assert_eq!(projective_to_halo2(&ours.double()), p.double() + q.double());
        }
        assert!(bool::from(projective_to_halo2(&G1Projective::IDENTITY).is_identity()));
        assert!(projective_from_halo2(&h::G1::identity()).is_identity());
    }
}
