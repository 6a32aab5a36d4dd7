//! zkaccel-core: the shared vocabulary of zkaccel.
//!
//! - Plain-data field and curve types ([`Fr`], [`Fq`], [`G1Affine`],
//!   [`G1Projective`]) with `#[repr(C)]` layouts equal to those of arkworks
//!   and halo2curves, and portable arithmetic on them.
//! - The backend traits, one per kind of operation ([`Msm`], [`Ntt`],
//!   [`Multiplicities`], [`BatchInverse`], [`PrefixProduct`],
//!   [`PermuteLookup`], [`ConstraintEvaluation`]; all of them together are a
//!   [`CurveBackend`]), and [`HeldBackend`], a backend held by the traits it
//!   implements, whose capabilities follow from them; [`constraints`]
//!   defines the programs the last trait runs.
//! - The single [`Error`] type.
//! - Naive [`reference`](mod@reference) algorithms, and with feature `testing` the
//!   conformance suite every backend runs.

pub mod backend;
pub mod bn254;
pub mod cast;
pub mod constraints;
pub mod curve;
pub mod error;
pub mod field;
pub mod field_ops;
pub mod fq2;
pub mod glv;
pub mod held;
pub mod reference;
pub mod validate;

#[cfg(feature = "testing")]
pub mod testing;

pub use backend::{
    Availability, Backend, BatchInverse, Capabilities, ConstraintEvaluation, CurveBackend, DeviceInfo, LookupKernels,
    Msm, Multiplicities, Ntt, NttConfig, NttDirection, Operation, PermuteLookup, PermutedLookup, PrefixProduct,
    PreparedBases,
};
pub use bn254::{Bn254, Bn254G2, Fq, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
pub use constraints::{ConstraintProgram, CosetRows};
pub use curve::{batch_to_affine, Affine, PointError, Projective, SwCurve};
pub use error::{Error, Result};
pub use field::{CurveField, Field, Fp, FpParams, PrimeField, TwoAdicField};
pub use fq2::Fq2;
pub use held::{HeldBackend, IntoHeld};
