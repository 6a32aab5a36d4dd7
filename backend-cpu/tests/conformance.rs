//! The shared conformance suite on the CPU backend, against naive references.

use zkaccel_backend_cpu::CpuBackend;

zkaccel_core::conformance_suite!(CpuBackend::new());
