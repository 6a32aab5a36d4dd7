//! Benchmarks of zkaccel's kernels beside their peers.
//!
//! [`harness`] runs implementations interleaved in one process and reports
//! medians and ratios (it backs `zkaccel bench`); [`peers`] wraps
//! halo2curves and arkworks. The criterion benches in `benches/` measure the
//! same comparisons (`cargo bench -p zkaccel-benches`).

pub mod harness;
pub mod peers;
