//! Conversions between ark-bn254 types and zkaccel's.
//!
//! Field elements share their layout — `ark_ff::Fp` is a `BigInt<4>` of
//! Montgomery limbs with R = 2^256 (plus a zero-sized marker), exactly
//! zkaccel's `Fp` — so scalar slices convert without copying
//! ([`zkaccel::cast`] checks sizes and alignments at compile time, the
//! tests the values).
//! Projective points are Jacobian on both sides and convert coordinate by
//! coordinate. Affine points differ: arkworks carries an `infinity` flag
//! (72 bytes), zkaccel encodes the identity as `(0, 0)` (64 bytes), so
//! affine slices are copied, mapping the flag.

use ark_bn254::{
    Fq as ArkFq, Fq2 as ArkFq2, Fr as ArkFr, G1Affine as ArkG1Affine, G1Projective as ArkG1Projective,
    G2Affine as ArkG2Affine, G2Projective as ArkG2Projective,
};
use ark_ff::BigInt;
use rayon::prelude::*;
use zkaccel::cast::{cast_slice, cast_slice_mut};
use zkaccel::{Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective};

/// arkworks scalars as zkaccel scalars, without copying.
pub fn scalars_from_ark(scalars: &[ArkFr]) -> &[Fr] {
    // SAFETY: both are 32 bytes with 8-byte alignment holding the same four
    // Montgomery limbs (checked above; arkworks' only other field is
    // zero-sized), and every bit pattern is a valid zkaccel `Fr`.
    unsafe { cast_slice(scalars) }
}

/// zkaccel scalars as arkworks scalars, without copying.
pub fn scalars_to_ark(scalars: &[Fr]) -> &[ArkFr] {
    // SAFETY: as in `scalars_from_ark`, in the other direction.
    unsafe { cast_slice(scalars) }
}

/// Mutable arkworks scalars as zkaccel scalars, without copying.
pub fn scalars_from_ark_mut(scalars: &mut [ArkFr]) -> &mut [Fr] {
    // SAFETY: as in `scalars_from_ark`; the borrow is exclusive.
    unsafe { cast_slice_mut(scalars) }
}

/// One arkworks scalar as a zkaccel scalar.
pub fn scalar_from_ark(x: ArkFr) -> Fr {
    Fr::from_montgomery_limbs_unchecked(x.0 .0)
}

/// One zkaccel scalar as an arkworks scalar.
pub fn scalar_to_ark(x: Fr) -> ArkFr {
    ArkFr::new_unchecked(BigInt(x.montgomery_limbs()))
}

fn base_from_ark(x: ArkFq) -> Fq {
    Fq::from_montgomery_limbs_unchecked(x.0 .0)
}

fn base_to_ark(x: Fq) -> ArkFq {
    ArkFq::new_unchecked(BigInt(x.montgomery_limbs()))
}

/// An arkworks affine point as zkaccel's (`infinity` becomes `(0, 0)`).
pub fn point_from_ark(p: &ArkG1Affine) -> G1Affine {
    if p.infinity {
        G1Affine::IDENTITY
    } else {
        G1Affine::new_unchecked(base_from_ark(p.x), base_from_ark(p.y))
    }
}

/// A zkaccel affine point as arkworks' (`(0, 0)` becomes `infinity`).
pub fn point_to_ark(p: &G1Affine) -> ArkG1Affine {
    if p.is_identity() {
        ArkG1Affine::identity()
    } else {
        ArkG1Affine::new_unchecked(base_to_ark(p.x), base_to_ark(p.y))
    }
}

/// arkworks affine points as zkaccel's, copied in parallel.
pub fn points_from_ark(points: &[ArkG1Affine]) -> Vec<G1Affine> {
    points.par_iter().map(point_from_ark).collect()
}

/// A zkaccel Jacobian point as arkworks' (also Jacobian): the same coordinates.
pub fn projective_to_ark(p: &G1Projective) -> ArkG1Projective {
    if p.is_identity() {
        return ArkG1Projective::default();
    }
    ArkG1Projective::new_unchecked(base_to_ark(p.x), base_to_ark(p.y), base_to_ark(p.z))
}

/// An arkworks Jacobian point as zkaccel's.
pub fn projective_from_ark(p: &ArkG1Projective) -> G1Projective {
    G1Projective::new_unchecked(base_from_ark(p.x), base_from_ark(p.y), base_from_ark(p.z))
}

fn fq2_from_ark(x: ArkFq2) -> Fq2 {
    Fq2::new(base_from_ark(x.c0), base_from_ark(x.c1))
}

fn fq2_to_ark(x: Fq2) -> ArkFq2 {
    ArkFq2::new(base_to_ark(x.c0), base_to_ark(x.c1))
}

/// An arkworks G2 affine point as zkaccel's (`infinity` becomes `(0, 0)`).
pub fn g2_point_from_ark(p: &ArkG2Affine) -> G2Affine {
    if p.infinity {
        G2Affine::IDENTITY
    } else {
        G2Affine::new_unchecked(fq2_from_ark(p.x), fq2_from_ark(p.y))
    }
}

/// arkworks G2 affine points as zkaccel's, copied in parallel.
pub fn g2_points_from_ark(points: &[ArkG2Affine]) -> Vec<G2Affine> {
    points.par_iter().map(g2_point_from_ark).collect()
}

/// A zkaccel G2 Jacobian point as arkworks' (also Jacobian).
pub fn g2_projective_to_ark(p: &G2Projective) -> ArkG2Projective {
    if p.is_identity() {
        return ArkG2Projective::default();
    }
    ArkG2Projective::new_unchecked(fq2_to_ark(p.x), fq2_to_ark(p.y), fq2_to_ark(p.z))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
    use ark_ff::{PrimeField as _, UniformRand};
    use ark_std::rand::SeedableRng;
    use zkaccel::{Bn254, Field, PrimeField, SwCurve};

    fn rng() -> ark_std::rand::rngs::StdRng {
        ark_std::rand::rngs::StdRng::seed_from_u64(5)
    }

    #[test]
    fn scalars_keep_their_value() {
        let mut rng = rng();
        let mut values: Vec<ArkFr> = (0..100).map(|_| ArkFr::rand(&mut rng)).collect();
        values.extend([ArkFr::from(0u64), ArkFr::from(1u64), -ArkFr::from(1u64)]);
        for (theirs, ours) in values.iter().zip(scalars_from_ark(&values)) {
            assert_eq!(theirs.into_bigint().0, ours.to_canonical());
            assert_eq!(scalar_to_ark(*ours), *theirs);
            assert_eq!(scalar_from_ark(*theirs), *ours);
        }
        assert_eq!(scalars_to_ark(scalars_from_ark(&values)), &values[..]);
        let (a, b) = (values[0], values[1]);
        assert_eq!(scalar_from_ark(a * b), scalar_from_ark(a) * scalar_from_ark(b));
        let mut copy = values.clone();
        scalars_from_ark_mut(&mut copy)[0] = Fr::from_u64(9);
        assert_eq!(copy[0], ArkFr::from(9u64));
    }

    #[test]
    fn points_keep_their_value_and_identity() {
        let mut rng = rng();
        let g = ark_bn254::G1Projective::generator();
        let mut points: Vec<ArkG1Affine> = (0..20).map(|_| (g * ArkFr::rand(&mut rng)).into_affine()).collect();
        points.push(ArkG1Affine::identity());
        points.push(ArkG1Affine::generator());
        let ours = points_from_ark(&points);
        assert_eq!(ours[20], G1Affine::IDENTITY);
        assert_eq!(ours[21], Bn254::GENERATOR);
        for (theirs, ours) in points.iter().zip(&ours) {
            assert!(ours.validate().is_ok());
            assert_eq!(point_to_ark(ours), *theirs);
            if !theirs.infinity {
                assert_eq!(theirs.x.into_bigint().0, ours.x.to_canonical());
            }
        }
        // Group operations agree through the projective conversions.
        let (p, q) = (points[0].into_group(), points[1].into_group());
        let ours_sum = projective_from_ark(&p).add(&projective_from_ark(&q));
        assert_eq!(projective_to_ark(&ours_sum), p + q);
        assert_eq!(projective_to_ark(&ours_sum.double()).into_affine(), ((p + q) + (p + q)).into_affine());
        assert!(projective_from_ark(&ArkG1Projective::default()).is_identity());

        // G2: coordinates in Fq2, the same generator, the same group law.
        let h = ark_bn254::G2Projective::generator();
        assert_eq!(g2_point_from_ark(&ArkG2Affine::generator()), zkaccel::Bn254G2::GENERATOR);
        let k = ArkFr::rand(&mut rng);
        let ours = zkaccel::Bn254G2::GENERATOR.mul(&scalar_from_ark(k));
        assert_eq!(g2_projective_to_ark(&ours).into_affine(), (h * k).into_affine());
        assert_eq!(g2_point_from_ark(&(h * k).into_affine()), ours.to_affine());
        assert_eq!(g2_point_from_ark(&ArkG2Affine::identity()), G2Affine::IDENTITY);
        assert_eq!(g2_projective_to_ark(&G2Projective::IDENTITY), ArkG2Projective::default());
        assert_eq!(projective_to_ark(&G1Projective::IDENTITY), ArkG1Projective::default());
    }
}
