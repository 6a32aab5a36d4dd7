//! Benchmarks of zkaccel's kernels beside their peers.
//!
//! [`harness`] runs implementations interleaved in one process and reports
//! medians and ratios (it backs `zkaccel bench`); [`peers`] wraps
//! halo2curves and arkworks; [`halo2`] sets up whole halo2 proofs, stock and
//! accelerated; [`groth16`] whole Groth16 proofs beside ark-groth16. The criterion benches in `benches/` measure the
//! same comparisons (`cargo bench -p zkaccel-benches`).

pub mod groth16;
pub mod halo2;
pub mod harness;
pub mod peers;
pub mod zkml;
