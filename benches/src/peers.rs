//! The peer libraries `zkaccel bench` measures beside zkaccel: halo2curves
//! (`msm_best`, `best_fft`) and arkworks 0.5 (`VariableBaseMSM::msm`,
//! `Radix2EvaluationDomain::fft_in_place`, `batch_inversion`).
//!
//! Inputs are converted through canonical integers, outside the timed
//! region; results are converted back so every run can be checked against
//! zkaccel's.

use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{BigInt, PrimeField as _};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use halo2curves::ff::PrimeField as _;
use halo2curves::group::prime::PrimeCurveAffine as _;
use halo2curves::group::Curve as _;
use halo2curves::CurveAffine as _;
use zkaccel::{Fq, Fr, G1Affine, PrimeField};

/// Canonical little-endian limbs of an affine point, `None` for the identity.
pub type Canonical = Option<([u64; 4], [u64; 4])>;

fn bytes(limbs: [u64; 4]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_mut(8).zip(limbs) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

fn limbs(bytes: [u8; 32]) -> [u64; 4] {
    let mut out = [0u64; 4];
    for (limb, chunk) in out.iter_mut().zip(bytes.chunks(8)) {
        *limb = u64::from_le_bytes(chunk.try_into().expect("8-byte chunk"));
    }
    out
}

/// zkaccel's result in the common form.
pub fn ours(p: &zkaccel::G1Projective) -> Canonical {
    let a = p.to_affine();
    (!a.is_identity()).then(|| (a.x.to_canonical(), a.y.to_canonical()))
}

/// halo2curves' types and calls.
pub mod h2c {
    use super::*;
    pub use halo2curves::bn256::{Fq as H2Fq, Fr as H2Fr, G1Affine as H2Affine, G1 as H2Projective};

    /// A scalar field element.
    pub fn fr(x: &Fr) -> H2Fr {
        H2Fr::from_repr(bytes(x.to_canonical()).into()).expect("canonical value")
    }

    fn fq(x: &Fq) -> H2Fq {
        H2Fq::from_repr(bytes(x.to_canonical()).into()).expect("canonical value")
    }

    /// An affine point.
    pub fn point(p: &G1Affine) -> H2Affine {
        if p.is_identity() {
            H2Affine::identity()
        } else {
            H2Affine::from_xy(fq(&p.x), fq(&p.y)).expect("point on the curve")
        }
    }

    /// A result in the common form.
    pub fn canonical(p: &H2Projective) -> Canonical {
        let a = p.to_affine();
        let c = a.coordinates();
        if bool::from(c.is_none()) {
            return None;
        }
        let c = c.unwrap();
        Some((limbs(c.x().to_repr().into()), limbs(c.y().to_repr().into())))
    }

    /// `msm::msm_best`.
    pub fn msm(bases: &[H2Affine], scalars: &[H2Fr]) -> H2Projective {
        halo2curves::msm::msm_best(scalars, bases)
    }

    /// `fft::best_fft` on a size-`2^log_n` vector with the root `omega`.
    pub fn fft(data: &mut [H2Fr], omega: H2Fr, log_n: u32) {
        halo2curves::fft::best_fft(data, omega, log_n)
    }

    /// Canonical limbs of a scalar.
    pub fn fr_limbs(x: &H2Fr) -> [u64; 4] {
        limbs(x.to_repr().into())
    }
}

/// arkworks 0.5 types and calls.
pub mod ark {
    use super::*;
    pub use ark_bn254::{Fq as ArkFq, Fr as ArkFr, G1Affine as ArkAffine, G1Projective as ArkProjective};

    /// A scalar field element.
    pub fn fr(x: &Fr) -> ArkFr {
        ArkFr::from_bigint(BigInt(x.to_canonical())).expect("canonical value")
    }

    fn fq(x: &Fq) -> ArkFq {
        ArkFq::from_bigint(BigInt(x.to_canonical())).expect("canonical value")
    }

    /// An affine point.
    pub fn point(p: &G1Affine) -> ArkAffine {
        if p.is_identity() {
            ArkAffine::identity()
        } else {
            ArkAffine::new_unchecked(fq(&p.x), fq(&p.y))
        }
    }

    /// A result in the common form.
    pub fn canonical(p: &ArkProjective) -> Canonical {
        let a = p.into_affine();
        (!a.infinity).then(|| (a.x.into_bigint().0, a.y.into_bigint().0))
    }

    /// `VariableBaseMSM::msm`.
    pub fn msm(bases: &[ArkAffine], scalars: &[ArkFr]) -> ArkProjective {
        ArkProjective::msm(bases, scalars).expect("equal lengths")
    }

    /// A radix-2 domain of size `n`.
    pub fn domain(n: usize) -> Radix2EvaluationDomain<ArkFr> {
        Radix2EvaluationDomain::new(n).expect("size within two-adicity")
    }

    /// `Radix2EvaluationDomain::fft_in_place`.
    pub fn fft(domain: &Radix2EvaluationDomain<ArkFr>, data: &mut Vec<ArkFr>) {
        domain.fft_in_place(data)
    }

    /// `ark_ff::batch_inversion` (parallel).
    pub fn batch_inverse(data: &mut [ArkFr]) {
        ark_ff::batch_inversion(data)
    }

    /// Canonical limbs of a scalar.
    pub fn fr_limbs(x: &ArkFr) -> [u64; 4] {
        x.into_bigint().0
    }
}
