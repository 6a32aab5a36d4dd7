//! The conformance suite on a real GPU, against the CPU backend (feature
//! `gpu-tests`; `scripts/gpu_test.sh` builds and runs it). On a machine with
//! no usable GPU every test fails with the reason: this binary is only built
//! where a GPU run is intended, and a GPU test must never pass without one.
#![cfg(feature = "gpu-tests")]

use std::sync::Arc;

use zkaccel_backend_cuda::CudaBackend;
use zkaccel_core::testing::{random_points, random_scalars, rng};
use zkaccel_core::{reference, Bn254, HeldBackend, Msm, Ntt, NttConfig};

fn gpu() -> &'static Arc<CudaBackend> {
    static GPU: std::sync::OnceLock<Arc<CudaBackend>> = std::sync::OnceLock::new();
    GPU.get_or_init(|| match zkaccel_backend_cuda::open() {
        Ok(gpu) => {
            eprintln!("GPU: {:?}", gpu.info());
            Arc::new(gpu)
        }
        Err(e) => panic!("no GPU for the GPU tests: {e}"),
    })
}

/// The GPU held by the operation traits it implements.
fn held() -> HeldBackend<Bn254> {
    CudaBackend::hold(gpu().clone())
}

/// Every check of the conformance suite whose operations the GPU backend
/// implements, each run even when an earlier one fails; what it does not
/// implement is named as skipped.
#[test]
fn conformance_suite() {
    let held = held();
    let capabilities = held.capabilities();
    let mut failures = Vec::new();
    for check in zkaccel_core::testing::CHECKS {
        if !check.applies_to(&capabilities) {
            eprintln!("SKIPPED: {} (the CUDA backend does not implement {:?})", check.name, check.operations);
            continue;
        }
        let started = std::time::Instant::now();
        match (check.run)(&held) {
            Ok(()) => eprintln!("ok: {} ({:.2?})", check.name, started.elapsed()),
            Err(failure) => {
                eprintln!("FAILED: {}: {failure}", check.name);
                failures.push(check.name);
            }
        }
    }
    assert!(failures.is_empty(), "failed on the GPU: {failures:?}");
}

#[test]
fn matches_the_cpu_backend() {
    if let Err(failure) =
        zkaccel_core::testing::matches_reference_backend(&held(), &zkaccel_backend_cpu::CpuBackend::new())
    {
        panic!("matches_reference_backend: {failure}");
    }
}

#[test]
fn permuted_lookup_is_left_to_the_cpu() {
    assert!(held().as_permute_lookup().is_none());
    assert!(!held().capabilities().supports(zkaccel_core::Operation::PermuteLookup, 1));
}

/// Sizes where the window size, the segment count and the NTT's passes all
/// change, against the CPU backend.
#[test]
fn large_msm_and_ntt_match_the_cpu() {
    let cpu = zkaccel_backend_cpu::CpuBackend::new();
    let mut r = rng(99);
    for log_n in [10u32, 14, 17, 20] {
        let n = 1usize << log_n;
        let bases = random_points(n, &mut r);
        let scalars = random_scalars(n, &mut r);
        assert_eq!(gpu().msm(&bases, &scalars).unwrap(), cpu.msm(&bases, &scalars).unwrap(), "MSM 2^{log_n}");
        let prepared = gpu().prepare_bases(&bases).unwrap();
        assert_eq!(gpu().msm_prepared(&prepared, &scalars).unwrap(), cpu.msm(&bases, &scalars).unwrap());
        let mut a = scalars.clone();
        let mut b = scalars.clone();
        gpu().ntt(&mut a, NttConfig::forward()).unwrap();
        cpu.ntt(&mut b, NttConfig::forward()).unwrap();
        assert_eq!(a, b, "NTT 2^{log_n}");
        gpu().ntt(&mut a, NttConfig::inverse()).unwrap();
        assert_eq!(a, scalars);
    }
    let small = random_scalars(8, &mut r);
    let bases = random_points(8, &mut r);
    assert_eq!(gpu().msm(&bases, &small).unwrap(), reference::msm(&bases, &small));
}
