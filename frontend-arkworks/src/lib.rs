//! arkworks (ark-bn254 0.5) on the zkaccel [`Accelerator`], and a Groth16
//! prover whose proofs the stock `ark_groth16` verifier accepts.
//!
//! - [`convert`]: zero-copy scalar slices (same Montgomery layout), affine
//!   points copied with the identity flag mapped, Jacobian points by coordinate.
//! - [`ArkAccelerated`]: `msm` on arkworks types. arkworks'
//!   `VariableBaseMSM::msm` is an associated function with no receiver, so
//!   there is no `self` to carry the Accelerator; an extension trait on the
//!   Accelerator keeps call sites one line (`acc.msm_ark(&bases, &scalars)`)
//!   without a global.
//! - [`ArkDomain`]: FFTs on the Accelerator that equal arkworks'
//!   `Radix2EvaluationDomain` element for element (same root-of-unity order).
//! - [`groth16`]: [`prove`] with a stock `ProvingKey`, or
//!   [`AcceleratedProvingKey`] to keep the key's G1 queries resident.
//!
//! ```no_run
//! # use zkaccel_frontend_arkworks::{examples::MimcChain, prove};
//! # use ark_groth16::Groth16;
//! # use ark_snark::SNARK;
//! # use ark_std::rand::SeedableRng;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rng = ark_std::rand::rngs::StdRng::seed_from_u64(1); // seed from the OS in production
//! let accelerator = zkaccel::Accelerator::auto()?;
//! let circuit = MimcChain::new(1000, 42u64.into());
//! let public = circuit.public_inputs();
//! let (pk, vk) = Groth16::<ark_bn254::Bn254>::circuit_specific_setup(circuit.clone(), &mut rng)?;
//! let proof = prove(&pk, circuit, &mut rng, &accelerator)?;
//! assert!(Groth16::<ark_bn254::Bn254>::verify(&vk, &public, &proof)?);
//! # Ok(()) }
//! ```

pub mod convert;
mod domain;
pub mod examples;
pub mod groth16;

use ark_bn254::{Fr as ArkFr, G1Affine as ArkG1Affine, G1Projective as ArkG1Projective};
use zkaccel::{Accelerator, Bn254, Error, Msm, PreparedBases};

pub use domain::ArkDomain;
pub use groth16::{prove, AcceleratedProvingKey, Groth16Breakdown, Groth16Error};

use convert::{points_from_ark, projective_to_ark, scalars_from_ark};

/// MSMs on arkworks types, run on the Accelerator.
pub trait ArkAccelerated {
    /// `Σ sᵢ·Pᵢ` (as `VariableBaseMSM::msm`, but lengths must match).
    fn msm_ark(&self, bases: &[ArkG1Affine], scalars: &[ArkFr]) -> Result<ArkG1Projective, Error>;
    /// Validates `bases` and keeps them resident for repeated MSMs.
    fn prepare_ark_bases(&self, bases: &[ArkG1Affine]) -> Result<PreparedBases<Bn254>, Error>;
    /// `Σ sᵢ·Pᵢ` over the leading `scalars.len()` prepared bases.
    fn msm_prepared_ark(&self, bases: &PreparedBases<Bn254>, scalars: &[ArkFr]) -> Result<ArkG1Projective, Error>;
}

impl ArkAccelerated for Accelerator {
    fn msm_ark(&self, bases: &[ArkG1Affine], scalars: &[ArkFr]) -> Result<ArkG1Projective, Error> {
        if bases.len() != scalars.len() {
            return Err(Error::LengthMismatch { what: "msm scalars", expected: bases.len(), actual: scalars.len() });
        }
        self.msm(&points_from_ark(bases), scalars_from_ark(scalars)).map(|p| projective_to_ark(&p))
    }

    fn prepare_ark_bases(&self, bases: &[ArkG1Affine]) -> Result<PreparedBases<Bn254>, Error> {
        self.prepare_bases(&points_from_ark(bases))
    }

    fn msm_prepared_ark(&self, bases: &PreparedBases<Bn254>, scalars: &[ArkFr]) -> Result<ArkG1Projective, Error> {
        self.msm_prepared(bases, scalars_from_ark(scalars)).map(|p| projective_to_ark(&p))
    }
}
