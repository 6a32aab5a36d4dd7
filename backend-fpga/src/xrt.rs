//! A Xilinx card through XRT's OpenCL platform.
//!
//! The OpenCL library is loaded at run time (opencl3's `dynamic` feature), so
//! this builds and runs everywhere; without XRT, a Xilinx platform or a
//! bitstream, the device is unavailable with the reason. The `.xclbin` is the
//! one `ZKACCEL_XCLBIN` names, built from `hdl/` by `hdl/vitis/` (see
//! docs/fpga.md); its window size comes from `ZKACCEL_FPGA_WINDOW_BITS`
//! (the build's `C`, default 12 as `hdl/vitis/build.sh` uses). Nothing here
//! has run on a card yet: there is none on the machines this was written on.

use std::ptr;
use std::sync::Mutex;

use opencl3::command_queue::CommandQueue;
use opencl3::context::Context;
use opencl3::device::{Device, CL_DEVICE_TYPE_ACCELERATOR};
use opencl3::kernel::{ExecuteKernel, Kernel};
use opencl3::memory::{Buffer, CL_MEM_READ_ONLY, CL_MEM_WRITE_ONLY};
use opencl3::platform::get_platforms;
use opencl3::program::Program;
use opencl3::types::{cl_uint, CL_BLOCKING};
use zkaccel_core::{Availability, Error, Result};

use crate::{host, BucketDevice, NAME};

/// The variable naming the bitstream.
pub const XCLBIN_ENV: &str = "ZKACCEL_XCLBIN";
/// The variable giving the bitstream's window size.
pub const WINDOW_BITS_ENV: &str = "ZKACCEL_FPGA_WINDOW_BITS";
/// The most points one run takes: num_points is a 32-bit kernel argument.
pub const MAX_POINTS: usize = u32::MAX as usize;
/// The window size `hdl/vitis/build.sh` builds by default.
pub const DEFAULT_WINDOW_BITS: u32 = 12;

/// Whether an FPGA looks usable: a bitstream is named and exists, and XRT
/// shows a Xilinx accelerator. Loads nothing onto the card.
pub fn probe() -> Availability {
    match find_device().and_then(|device| xclbin_path().map(|path| (device, path))) {
        Ok((device, path)) => Availability::Available(crate::device_info(format!(
            "{} with {}",
            device.name().unwrap_or_else(|_| "Xilinx accelerator".into()),
            path
        ))),
        Err(reason) => Availability::Unavailable(reason),
    }
}

fn xclbin_path() -> std::result::Result<String, String> {
    let path = std::env::var(XCLBIN_ENV)
        .map_err(|_| format!("no bitstream: {XCLBIN_ENV} is not set (build one with hdl/vitis, see docs/fpga.md)"))?;
    if !std::path::Path::new(&path).is_file() {
        return Err(format!("{XCLBIN_ENV}={path} is not a file"));
    }
    Ok(path)
}

fn window_bits() -> std::result::Result<u32, String> {
    match std::env::var(WINDOW_BITS_ENV) {
        Err(_) => Ok(DEFAULT_WINDOW_BITS),
        Ok(v) => v
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|c| (2..=16).contains(c))
            .ok_or_else(|| format!("{WINDOW_BITS_ENV}={v:?} is not a window size from 2 to 16")),
    }
}

/// The first Xilinx accelerator XRT's OpenCL platform offers.
fn find_device() -> std::result::Result<Device, String> {
    let platforms = get_platforms().map_err(|e| format!("no OpenCL runtime (XRT) could be loaded ({e})"))?;
    let mut names = Vec::new();
    for platform in platforms {
        let name = platform.name().unwrap_or_default();
        if name.contains("Xilinx") || (name.contains("AMD") && platform.vendor().unwrap_or_default().contains("Xilinx"))
        {
            let devices = platform.get_devices(CL_DEVICE_TYPE_ACCELERATOR).unwrap_or_default();
            if let Some(&id) = devices.first() {
                return Ok(Device::new(id));
            }
        }
        names.push(name);
    }
    Err(if names.is_empty() {
        "no OpenCL platform (is XRT installed and set up?)".into()
    } else {
        format!("no Xilinx accelerator among the OpenCL platforms ({})", names.join(", "))
    })
}

fn device_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Device { backend: NAME, msg: format!("{what}: {e}") }
}

/// `krnl_msm` loaded onto a card.
pub struct XrtDevice {
    name: String,
    context: Context,
    queue: CommandQueue,
    kernel: Mutex<Kernel>,
    window_bits: u32,
}

impl XrtDevice {
    /// Loads the bitstream `ZKACCEL_XCLBIN` names onto the first Xilinx
    /// accelerator; the error is the reason it cannot.
    pub fn open() -> std::result::Result<Self, String> {
        let path = xclbin_path()?;
        let window_bits = window_bits()?;
        let device = find_device()?;
        let name = device.name().unwrap_or_else(|_| "Xilinx accelerator".into());
        let binary = std::fs::read(&path).map_err(|e| format!("reading {path}: {e}"))?;
        let context = Context::from_device(&device).map_err(|e| format!("creating a context on {name}: {e}"))?;
        #[allow(deprecated)] // clCreateCommandQueue: XRT's platform is OpenCL 1.2.
        // SAFETY: the device belongs to the context.
        let queue = unsafe { CommandQueue::create(&context, device.id(), 0) }
            .map_err(|e| format!("creating a command queue on {name}: {e}"))?;
        let program = Program::create_and_build_from_binary(&context, &[&binary], "")
            .map_err(|e| format!("loading {path} onto {name}: {e}"))?;
        let kernel = Kernel::create(&program, "krnl_msm").map_err(|e| format!("{path} has no krnl_msm: {e}"))?;
        Ok(Self { name, context, queue, kernel: Mutex::new(kernel), window_bits })
    }
}

/// Bases resident in card memory.
pub struct XrtBases {
    buffer: Buffer<u64>,
    points: usize,
}

// SAFETY: OpenCL memory objects may be used from any host thread (OpenCL 1.2, appendix A.2).
unsafe impl Send for XrtBases {}
// SAFETY: as above; this type only hands the handle to OpenCL calls.
unsafe impl Sync for XrtBases {}
// SAFETY: contexts, queues and kernels are thread-safe OpenCL objects, except
// clSetKernelArg, which the kernel's mutex serialises.
unsafe impl Send for XrtDevice {}
// SAFETY: as above.
unsafe impl Sync for XrtDevice {}

impl BucketDevice for XrtDevice {
    type Bases = XrtBases;

    fn name(&self) -> &'static str {
        NAME
    }

    fn availability(&self) -> Availability {
        Availability::Available(crate::device_info(self.name.clone()))
    }

    fn window_bits(&self) -> u32 {
        self.window_bits
    }

    fn max_points(&self) -> usize {
        MAX_POINTS
    }

    fn upload_bases(&self, words: &[u64]) -> Result<XrtBases> {
        let count = words.len().max(1);
        // SAFETY: no host pointer; the buffer is written before any kernel reads it.
        let mut buffer = unsafe { Buffer::<u64>::create(&self.context, CL_MEM_READ_ONLY, count, ptr::null_mut()) }
            .map_err(|e| device_error("allocating the bases buffer", e))?;
        if !words.is_empty() {
            // SAFETY: blocking write of words.len() elements into a buffer at least that large.
            unsafe { self.queue.enqueue_write_buffer(&mut buffer, CL_BLOCKING, 0, words, &[]) }
                .map_err(|e| device_error("writing the bases", e))?;
        }
        Ok(XrtBases { buffer, points: words.len() / host::BASE_WORDS })
    }

    fn accumulate(&self, bases: &XrtBases, scalars: &[u64]) -> Result<Vec<u64>> {
        let points = scalars.len() / host::SCALAR_WORDS;
        if points > bases.points {
            return Err(Error::LengthMismatch {
                what: "scalars for the resident bases",
                expected: bases.points,
                actual: points,
            });
        }
        let bucket_words = host::bucket_count(self.window_bits) * host::BUCKET_WORDS;
        // SAFETY: no host pointers; both buffers are written/read only through the queue below.
        let (scalar_buf, bucket_buf) = unsafe {
            (
                Buffer::<u64>::create(&self.context, CL_MEM_READ_ONLY, scalars.len().max(1), ptr::null_mut()),
                Buffer::<u64>::create(&self.context, CL_MEM_WRITE_ONLY, bucket_words, ptr::null_mut()),
            )
        };
        let mut scalar_buf = scalar_buf.map_err(|e| device_error("allocating the scalars buffer", e))?;
        let bucket_buf = bucket_buf.map_err(|e| device_error("allocating the buckets buffer", e))?;
        // SAFETY: blocking write of scalars.len() elements into a buffer that large.
        unsafe { self.queue.enqueue_write_buffer(&mut scalar_buf, CL_BLOCKING, 0, scalars, &[]) }
            .map_err(|e| device_error("writing the scalars", e))?;
        let n = points as cl_uint;
        let kernel = self.kernel.lock().unwrap_or_else(|p| p.into_inner());
        // SAFETY: the arguments match krnl_msm's (num_points, bases, scalars, buckets), in order.
        let event = unsafe {
            ExecuteKernel::new(&kernel)
                .set_arg(&n)
                .set_arg(&bases.buffer)
                .set_arg(&scalar_buf)
                .set_arg(&bucket_buf)
                .set_global_work_size(1)
                .enqueue_nd_range(&self.queue)
        }
        .map_err(|e| device_error("starting krnl_msm", e))?;
        event.wait().map_err(|e| device_error("running krnl_msm", e))?;
        drop(kernel);
        let mut buckets = vec![0u64; bucket_words];
        // SAFETY: blocking read of bucket_words elements from a buffer that large.
        unsafe { self.queue.enqueue_read_buffer(&bucket_buf, CL_BLOCKING, 0, &mut buckets, &[]) }
            .map_err(|e| device_error("reading the buckets", e))?;
        Ok(buckets)
    }
}
