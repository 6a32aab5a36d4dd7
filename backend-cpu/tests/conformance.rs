//! The shared conformance suite on the CPU backend, against naive references.

use zkaccel_backend_cpu::CpuBackend;

zkaccel_core::conformance_suite!(CpuBackend::new());

/// Prepared bases without shifted copies (one window per bucket set).
mod one_prepared_copy {
    use super::*;
    zkaccel_core::conformance_suite!(CpuBackend::with_prepared_copies(1), reference: CpuBackend::new());
}

/// An odd number of copies, so the last group of windows is partial.
mod three_prepared_copies {
    use super::*;
    zkaccel_core::conformance_suite!(CpuBackend::with_prepared_copies(3), reference: CpuBackend::new());
}
