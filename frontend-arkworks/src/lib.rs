//! arkworks adapters for zkaccel.
//!
//! Status: not implemented yet. The ark-bn254 conversions, arkworks-typed
//! MSM/NTT entry points and the Groth16 prover arrive with the arkworks
//! frontend issue. This crate deliberately exports nothing until then.
