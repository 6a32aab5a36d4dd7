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

/// Prepared bases stay within 8× the plain bases by default, and hold what is asked otherwise.
#[test]
fn prepared_memory_is_bounded_and_selectable() {
    use zkaccel_core::{testing, Msm};
    let (bases, _) = testing::progression_points(1 << 12, &mut testing::rng(1));
    let plain = bases.len() * std::mem::size_of::<zkaccel_core::G1Affine>();
    let default = Msm::prepare_bases(&CpuBackend::new(), &bases).unwrap();
    assert!(default.memory_bytes() > plain, "shifted copies are kept");
    assert!(default.memory_bytes() <= 8 * plain, "{} > 8 × {plain}", default.memory_bytes());
    let single = Msm::prepare_bases(&CpuBackend::with_prepared_copies(1), &bases).unwrap();
    assert_eq!(single.memory_bytes(), plain);
    let more = Msm::prepare_bases(&CpuBackend::with_prepared_copies(16), &bases).unwrap();
    assert!(more.memory_bytes() > 8 * plain && more.memory_bytes() <= 16 * plain);
}
