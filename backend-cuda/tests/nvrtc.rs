//! Every kernel compiles with NVRTC for the GPUs we target. Needs only the
//! NVRTC library (PyPI's nvidia-cuda-nvrtc; the test script installs it), no
//! GPU. Without NVRTC the test says SKIPPED with the reason — unless
//! `ZKACCEL_REQUIRE_NVRTC=1` (set by scripts/test.sh), when that is a failure.

use zkaccel_backend_cuda::kernels::Kernel;
use zkaccel_backend_cuda::nvrtc::{self, Target};

fn nvrtc_or_skip() -> bool {
    match nvrtc::probe() {
        Ok(()) => true,
        Err(reason) if std::env::var("ZKACCEL_REQUIRE_NVRTC").as_deref() == Ok("1") => {
            panic!("ZKACCEL_REQUIRE_NVRTC=1 but {reason}")
        }
        Err(reason) => {
            eprintln!("SKIPPED: NVRTC kernel compilation: {reason}");
            false
        }
    }
}

#[test]
fn every_kernel_compiles_for_hopper_and_ampere() {
    if !nvrtc_or_skip() {
        return;
    }
    let (major, minor) = nvrtc::version().unwrap();
    eprintln!("NVRTC {major}.{minor}");
    for target in [Target::Cubin(90), Target::Cubin(80), Target::Ptx(90)] {
        let image = nvrtc::compile(target).unwrap_or_else(|log| panic!("{target:?}: {log}"));
        assert!(image.len() > 1000, "{target:?}: {} bytes", image.len());
        if let Target::Ptx(_) = target {
            let ptx = String::from_utf8_lossy(&image);
            for kernel in Kernel::ALL.iter().map(|k| k.name()) {
                assert!(ptx.contains(&format!(".entry {kernel}(")), "{kernel} missing from the PTX");
            }
            // The carry chains are there: PTX's add.cc/madc are the device path of field.cuh.
            assert!(ptx.contains("madc.hi") && ptx.contains("addc.cc"), "no carry-chain arithmetic in the PTX");
        } else {
            for kernel in Kernel::ALL.iter().map(|k| k.name()) {
                assert!(
                    image.windows(kernel.len()).any(|w| w == kernel.as_bytes()),
                    "{kernel} missing from {target:?}"
                );
            }
        }
    }
}

#[test]
fn the_cache_returns_what_was_compiled_and_keys_by_target() {
    if !nvrtc_or_skip() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("zkaccel-cuda-cache-{}", std::process::id()));
    std::env::set_var("ZKACCEL_CUDA_CACHE", &dir);
    let first = nvrtc::load_or_compile(Target::Cubin(90)).unwrap();
    let cached: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert_eq!(std::fs::read(&cached[0]).unwrap(), first);
    assert_eq!(nvrtc::load_or_compile(Target::Cubin(90)).unwrap(), first);
    let version = nvrtc::version().unwrap();
    assert_ne!(nvrtc::cache_key(Target::Cubin(90), version), nvrtc::cache_key(Target::Cubin(80), version));
    std::fs::remove_dir_all(&dir).unwrap();
}
