//! The CPU backend of zkaccel: every operation, multi-threaded with rayon.
//!
//! It runs wherever Rust does, needs no device code, and is the oracle the
//! other backends are checked against, so it favours clear algorithms:
//! Pippenger's bucket method for MSMs, an iterative radix-2 NTT over
//! cached twiddles, and chunked Montgomery batch inversion.
//!
//! ```
//! use zkaccel_backend_cpu::CpuBackend;
//! use zkaccel_core::{Bn254, Field, Fr, Msm, SwCurve};
//!
//! let cpu = CpuBackend::new();
//! let g = Bn254::GENERATOR;
//! let sum = cpu.msm(&[g, g], &[Fr::from_u64(2), Fr::from_u64(3)])?;
//! assert_eq!(sum, g.mul(&Fr::from_u64(5)));
//! # Ok::<(), zkaccel_core::Error>(())
//! ```

mod constraints;
#[cfg(target_arch = "x86_64")]
mod constraints_ifma;
#[cfg(target_arch = "x86_64")]
mod ifma;
mod lookup;
mod msm;
#[cfg(target_arch = "x86_64")]
mod msm_ifma;
mod msm_repeats;
mod ntt;
#[cfg(target_arch = "x86_64")]
mod ntt_ifma;

use zkaccel_core::{Availability, Backend, Capabilities, DeviceInfo};

use ntt::TwiddleCache;

/// The CPU backend. Cheap to create; twiddle factors are cached per instance.
#[derive(Debug)]
pub struct CpuBackend {
    twiddles: TwiddleCache,
    /// Shifted copies kept per prepared base (memory multiple of the bases).
    prepared_copies: usize,
}

impl Default for CpuBackend {
    fn default() -> Self {
        Self { twiddles: TwiddleCache::default(), prepared_copies: msm::DEFAULT_PREPARED_COPIES }
    }
}

impl CpuBackend {
    /// A backend on rayon's global thread pool.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Backend for CpuBackend {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn availability(&self) -> Availability {
        Availability::Available(host_info())
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::all(vec!["bn254"], usize::MAX)
    }
}

/// Processor model, memory and the rayon thread count of this machine.
pub fn host_info() -> DeviceInfo {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let name = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_bytes = meminfo.lines().find_map(|l| {
        let kib = l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()?;
        Some(kib * 1024)
    });
    DeviceInfo { name, memory_bytes, compute_units: u32::try_from(rayon::current_num_threads()).ok() }
}
