//! Launch geometry, the kernel lookup, and the device-wide exclusive scan
//! that the MSM's sort and the multiplicities share.

use super::*;

pub(super) const BLOCK: u32 = 256;

pub(super) fn grid_for(threads: u64) -> Result<LaunchConfig> {
    let blocks = threads.div_ceil(BLOCK as u64);
    let blocks = u32::try_from(blocks.max(1)).map_err(|_| device_error("launch", "grid too large"))?;
    Ok(LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (BLOCK, 1, 1), shared_mem_bytes: 0 })
}

pub(super) fn single() -> LaunchConfig {
    LaunchConfig { grid_dim: (1, 1, 1), block_dim: (1, 1, 1), shared_mem_bytes: 0 }
}

/// Launches `$kernel` with `$cfg` and the given arguments.
macro_rules! launch {
    ($self:expr, $kernel:expr, $cfg:expr $(, $arg:expr)* $(,)?) => {{
        let kernel: Kernel = $kernel;
        let function = $self.function(kernel)?;
        let mut builder = $self.stream.launch_builder(function);
        $( builder.arg($arg); )*
        // SAFETY: the argument list matches the kernel's signature in kernels/zkaccel.cu.
        unsafe { builder.launch($cfg) }.map(|_| ()).map_err(|e| device_error(kernel.name(), e))
    }};
}

impl CudaBackend {
    /// The loaded function of `kernel`.
    pub(super) fn function(&self, kernel: Kernel) -> Result<&CudaFunction> {
        self.functions.get(kernel as usize).ok_or_else(|| device_error("missing kernel", kernel.name()))
    }

    /// Exclusive scan of `counts` into `offsets` (`len` entries).
    pub(super) fn scan_u32(&self, counts: &CudaSlice<u32>, offsets: &mut CudaSlice<u32>, len: u32) -> Result<()> {
        let chunk = (len as f64).sqrt().ceil().max(64.0) as u32;
        let chunks = len.div_ceil(chunk);
        let mut sums = self.zeros::<u32>(chunks as usize)?;
        launch!(
            self,
            Kernel::ScanU32Chunk,
            grid_for(chunks as u64)?,
            counts,
            &mut *offsets,
            &len,
            &chunk,
            &chunks,
            &mut sums
        )?;
        launch!(self, Kernel::ScanU32Sums, single(), &mut sums, &chunks)?;
        launch!(self, Kernel::ScanU32Add, grid_for(len as u64)?, &mut *offsets, &len, &chunk, &sums)
    }
}
