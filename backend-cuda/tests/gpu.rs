//! The conformance suite on a real GPU, against the CPU backend (feature
//! `gpu-tests`; `scripts/gpu_test.sh` builds and runs it). On a machine with
//! no usable GPU every test fails with the reason: this binary is only built
//! where a GPU run is intended, and a GPU test must never pass without one.
#![cfg(feature = "gpu-tests")]

use zkaccel_backend_cuda::CudaBackend;
use zkaccel_core::testing::{random_points, random_scalars, rng};
use zkaccel_core::{reference, Field, Fr, LookupKernels, Msm, Ntt, NttConfig};

fn gpu() -> &'static CudaBackend {
    static GPU: std::sync::OnceLock<CudaBackend> = std::sync::OnceLock::new();
    GPU.get_or_init(|| match zkaccel_backend_cuda::open() {
        Ok(gpu) => {
            eprintln!("GPU: {:?}", gpu.info());
            gpu
        }
        Err(e) => panic!("no GPU for the GPU tests: {e}"),
    })
}

use zkaccel_core::testing as suite;

zkaccel_core::conformance_suite!(@tests *gpu();
    msm_sizes, msm_edge_cases, msm_witness_like_scalars, msm_repeated_scalars, msm_batch_and_prepared,
    msm_rejects_bad_input, ntt_against_naive_dft, ntt_round_trips, ntt_batch_columns, lde, ntt_rejects_bad_input,
    lookup_multiplicities, lookup_batch_inverse, lookup_inverse_of_sums, lookup_prefix_product);

#[test]
fn matches_the_cpu_backend() {
    if let Err(failure) =
        zkaccel_core::testing::matches_reference_backend(gpu(), &zkaccel_backend_cpu::CpuBackend::new())
    {
        panic!("matches_reference_backend: {failure}");
    }
}

#[test]
fn permuted_lookup_is_left_to_the_cpu() {
    assert!(gpu().permute_lookup(&[Fr::ONE], &[Fr::ONE]).is_err());
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
