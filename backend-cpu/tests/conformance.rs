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

/// By default the copies stay within 64 MiB per base set: 2^20 G1 bases
/// (64 MiB) are kept alone, 2^18 (16 MiB) with at most three shifted copies.
#[test]
fn default_prepared_memory_follows_a_budget() {
    use zkaccel_core::{testing, Msm};
    let point = std::mem::size_of::<zkaccel_core::G1Affine>();
    // Copies of the same point are enough to see the layout (the curve check is per point).
    let base = testing::random_points(1, &mut testing::rng(2))[0];
    for (log_n, most) in [(18, 64usize << 20), (20, 64 << 20)] {
        let bases = vec![base; 1 << log_n];
        let prepared = Msm::prepare_bases(&CpuBackend::new(), &bases).unwrap();
        let plain = bases.len() * point;
        assert!(prepared.memory_bytes() <= most.max(plain), "2^{log_n}: {} bytes", prepared.memory_bytes());
    }
}

/// A caller's memory budget buys whole copies of the bases beyond the bases
/// themselves, and every budget gives the same MSMs (with
/// `ZKACCEL_MSM_COPIES` unset, as the test scripts leave it).
#[test]
fn prepared_memory_follows_a_callers_budget() {
    use zkaccel_core::{testing, Msm};
    let mut rng = testing::rng(3);
    let (bases, _) = testing::progression_points(1 << 10, &mut rng);
    let scalars = testing::random_scalars(bases.len(), &mut rng);
    let plain = bases.len() * std::mem::size_of::<zkaccel_core::G1Affine>();
    let cpu = CpuBackend::new();
    let expected = Msm::msm(&cpu, &bases, &scalars).unwrap();
    for (budget, most) in [(0, plain), (plain - 1, plain), (plain, 2 * plain), (3 * plain + 5, 4 * plain)] {
        let prepared = Msm::prepare_bases_with_budget(&cpu, &bases, budget).unwrap();
        assert!(prepared.memory_bytes() <= most, "budget {budget}: {} bytes", prepared.memory_bytes());
        assert_eq!(Msm::msm_prepared(&cpu, &prepared, &scalars).unwrap(), expected, "budget {budget}");
    }
    let generous = Msm::prepare_bases_with_budget(&cpu, &bases, usize::MAX).unwrap();
    assert!(generous.memory_bytes() <= 8 * plain, "at most the default's 8 copies");
}
