//! The backend on a GPU. Every CUDA call's error becomes an
//! [`Error::Device`], which the Accelerator answers by redoing the call on
//! the CPU.
//!
//! One file per job: this one opens the context and holds the backend;
//! `launch` has the launch geometry, the kernel lookup and the device scan;
//! `memory` moves data; `msm`, `ntt`, `lookup` and `constraints` order the
//! kernels of each operation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cudarc::driver::{
    CudaContext, CudaFunction, CudaSlice, CudaStream, CudaView, DeviceRepr, LaunchConfig, PushKernelArg,
    ValidAsZeroBits,
};
use cudarc::nvrtc::Ptx;
use zkaccel_core::backend::unsupported;
use zkaccel_core::cast::{limbs, limbs_mut, point_limbs};
use zkaccel_core::{
    validate, Availability, Backend, BatchInverse, Bn254, DeviceInfo, Error, Field, Fq, Fr, G1Affine, G1Projective,
    HeldBackend, Msm, Multiplicities, Ntt, NttConfig, NttDirection, Operation, PrefixProduct, PreparedBases, Result,
    TwoAdicField,
};

use crate::kernels::Kernel;
use crate::nvrtc::{self, Target};
use crate::NAME;

#[macro_use]
mod launch;
mod constraints;
mod lookup;
mod memory;
mod msm;
mod ntt;

use launch::{grid_for, single};
use memory::{fq_from_words, fr_from_words};
pub use msm::{reduce_segments, window_bits};

fn device_error(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::Device { backend: NAME, msg: format!("{what}: {e:?}") }
}

/// GPU 0's context once the driver library, a GPU and NVRTC are all there,
/// or the first that is missing. What [`crate::availability`] and [`open`] share.
pub(crate) fn open_context() -> std::result::Result<Arc<CudaContext>, String> {
    open_context_of(0)
}

/// How many GPUs the driver reports (0 without a driver).
pub fn device_count() -> usize {
    // SAFETY: as in `open_context_of`.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return 0;
    }
    std::panic::catch_unwind(CudaContext::device_count).ok().and_then(|r| r.ok()).map_or(0, |n| n.max(0) as usize)
}

/// GPU `ordinal`'s context, or the first thing missing.
fn open_context_of(ordinal: usize) -> std::result::Result<Arc<CudaContext>, String> {
    // SAFETY: only tries to dlopen the library under its usual names (cudarc's
    // loader would panic on a missing one).
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return Err("no CUDA driver (libcuda.so) on this machine".into());
    }
    let count = CudaContext::device_count().map_err(|e| format!("no usable CUDA driver: {e:?}"))?;
    if count < 1 {
        return Err("the CUDA driver reports no GPU".into());
    }
    if ordinal >= count as usize {
        return Err(format!("the CUDA driver reports {count} GPUs, not {}", ordinal + 1));
    }
    nvrtc::probe()?;
    CudaContext::new(ordinal).map_err(|e| format!("cannot open GPU {ordinal}: {e:?}"))
}

/// Name, memory and multiprocessor count of the context's GPU.
pub fn device_info(ctx: &Arc<CudaContext>) -> DeviceInfo {
    use cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
    DeviceInfo {
        name: ctx.name().unwrap_or_else(|_| "CUDA GPU".into()),
        memory_bytes: ctx.total_mem().ok().map(|m| m as u64),
        compute_units: ctx.attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT).ok().map(|n| n as u32),
        driver: driver_version().map(|v| format!("CUDA driver {v}")),
    }
}

/// The driver's CUDA version (12040 for 12.4), when it answers.
fn driver_version() -> Option<i32> {
    let mut version = 0;
    // SAFETY: called only after a context was opened, so the driver library
    // is loaded; the pointer is to a live local.
    let status = unsafe { cudarc::driver::sys::cuDriverGetVersion(&mut version) };
    (status == cudarc::driver::sys::CUresult::CUDA_SUCCESS).then_some(version)
}

/// The CUDA backend on GPU 0, or why not.
pub fn open() -> Result<CudaBackend> {
    open_ordinal(0)
}

/// The CUDA backend on GPU `ordinal`, or why not. Each GPU is a backend of
/// its own (state prepared on one stays with it).
pub fn open_ordinal(ordinal: usize) -> Result<CudaBackend> {
    match std::panic::catch_unwind(|| CudaBackend::open_ordinal(ordinal)) {
        Ok(result) => result,
        Err(_) => Err(Error::Unavailable { backend: NAME, reason: "the CUDA driver panicked while opening".into() }),
    }
}

/// Device twiddle tables by (log n, direction).
type TwiddleCache = HashMap<(u32, NttDirection), Arc<CudaSlice<u64>>>;

/// MSMs, NTTs and lookup kernels on one GPU.
pub struct CudaBackend {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    /// Every kernel's function, indexed by `Kernel as usize`.
    functions: Vec<CudaFunction>,
    info: DeviceInfo,
    /// Twiddle tables ω^k (k < n/2) per (log n, direction), kept on the device.
    twiddles: Mutex<TwiddleCache>,
    /// One operation at a time: bounds device memory and keeps the stream's order simple.
    serial: Mutex<()>,
}

impl CudaBackend {
    fn open_ordinal(ordinal: usize) -> Result<Self> {
        let unavailable = |reason: String| Error::Unavailable { backend: NAME, reason };
        let ctx = open_context_of(ordinal).map_err(unavailable)?;
        let (major, minor) = ctx.compute_capability().map_err(|e| unavailable(format!("{e:?}")))?;
        let image = nvrtc::load_or_compile(Target::Cubin((major * 10 + minor) as u32)).map_err(unavailable)?;
        let module =
            ctx.load_module(Ptx::from_binary(image)).map_err(|e| unavailable(format!("loading the kernels: {e:?}")))?;
        let functions = Kernel::ALL
            .iter()
            .map(|k| module.load_function(k.name()).map_err(|e| unavailable(format!("kernel {}: {e:?}", k.name()))))
            .collect::<Result<Vec<_>>>()?;
        let info = device_info(&ctx);
        let stream = ctx.default_stream();
        Ok(Self { ctx, stream, functions, info, twiddles: Mutex::new(HashMap::new()), serial: Mutex::new(()) })
    }

    /// The device's details.
    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// Held by the operations it implements: MSM, NTT, multiplicities,
    /// batch inversion, prefix products and constraint programs. halo2's
    /// permuted lookup is a sort with data-dependent output and stays on the
    /// CPU.
    pub fn into_held(self) -> HeldBackend<Bn254> {
        Self::hold(Arc::new(self))
    }

    /// [`Self::into_held`] of a shared backend.
    pub fn hold(b: Arc<Self>) -> HeldBackend<Bn254> {
        HeldBackend::new(b.clone())
            .with_msm(b.clone())
            .with_ntt(b.clone())
            .with_multiplicities(b.clone())
            .with_batch_inverse(b.clone())
            .with_prefix_product(b.clone())
            .with_constraints(b)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.serial.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Backend for CudaBackend {
    fn name(&self) -> &'static str {
        NAME
    }

    fn availability(&self) -> Availability {
        Availability::Available(self.info.clone())
    }

    /// Index widths on the device cap the sizes.
    fn max_size(&self, op: Operation) -> usize {
        crate::max_size(op)
    }
}
