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

use zkaccel_core::{Availability, Backend, DeviceInfo};

use ntt::TwiddleCache;

/// The CPU backend. Cheap to create; twiddle factors are cached per instance.
#[derive(Debug)]
pub struct CpuBackend {
    twiddles: TwiddleCache,
    /// Shifted copies kept per prepared base (memory multiple of the bases);
    /// `None`: the default policy (up to 8, within 64 MiB per base set).
    prepared_copies: Option<usize>,
}

impl Default for CpuBackend {
    /// Prepared bases keep `ZKACCEL_MSM_COPIES` shifted copies when that is a
    /// whole number from 1 to 64 (1: the bases alone, the least memory); else
    /// up to 8 within 64 MiB per base set.
    fn default() -> Self {
        Self {
            twiddles: TwiddleCache::default(),
            prepared_copies: prepared_copies_from(std::env::var("ZKACCEL_MSM_COPIES").ok()),
        }
    }
}

/// The prepared-copies setting named by `value`; `None` (the default
/// policy) when it names none.
fn prepared_copies_from(value: Option<String>) -> Option<usize> {
    value.and_then(|v| v.trim().parse::<usize>().ok()).filter(|c| (1..=64).contains(c))
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
    DeviceInfo { name, memory_bytes, compute_units: u32::try_from(rayon::current_num_threads()).ok(), driver: None }
}

#[cfg(test)]
mod tests {
    #[test]
    fn prepared_copies_setting() {
        let copies = |v: Option<&str>| super::prepared_copies_from(v.map(str::to_string));
        assert_eq!(copies(None), None);
        assert_eq!(copies(Some("1")), Some(1));
        assert_eq!(copies(Some(" 12 ")), Some(12));
        for bad in ["0", "65", "-1", "many", ""] {
            assert_eq!(copies(Some(bad)), None, "{bad}");
        }
    }
}
