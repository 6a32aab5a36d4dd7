//! Benchmarks of zkaccel's kernels (run with `cargo bench -p zkaccel-benches`).
//!
//! The benchmark targets live in `benches/`; this library is empty.
