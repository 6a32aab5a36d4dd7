//! The backend on a GPU: buffers, launches and the order of the kernels.
//! Every CUDA call's error becomes an [`Error::Device`], which the
//! Accelerator answers by redoing the call on the CPU.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use cudarc::driver::{
    CudaContext, CudaFunction, CudaSlice, CudaStream, CudaView, DeviceRepr, LaunchConfig, PushKernelArg,
    ValidAsZeroBits,
};
use cudarc::nvrtc::Ptx;
use zkaccel_core::backend::unsupported;
use zkaccel_core::{
    validate, Availability, Backend, Bn254, Capabilities, DeviceInfo, Error, Field, Fq, Fr, G1Affine, G1Projective,
    LookupKernels, Msm, Ntt, NttConfig, NttDirection, Operation, PermutedLookup, PreparedBases, PrimeField, Result,
    TwoAdicField,
};

use crate::nvrtc::{self, Target, KERNELS};
use crate::NAME;

// The kernels read field elements as 8 × u32 and points as two of them: the
// layouts of zkaccel-core's `Fp` (transparent over [u64; 4]) and `Affine` (repr(C) x, y).
const _: () = assert!(std::mem::size_of::<Fr>() == 32 && std::mem::align_of::<Fr>() == 8);
const _: () = assert!(std::mem::size_of::<G1Affine>() == 64 && std::mem::align_of::<G1Affine>() == 8);

/// The limbs of field elements, without a copy.
fn fr_words(v: &[Fr]) -> &[u64] {
    // SAFETY: Fr is 4 plain u64 limbs (asserted above).
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast(), v.len() * 4) }
}

fn fr_words_mut(v: &mut [Fr]) -> &mut [u64] {
    // SAFETY: as above; every value written back is a reduced element from a kernel.
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast(), v.len() * 4) }
}

fn point_words(v: &[G1Affine]) -> &[u64] {
    // SAFETY: an affine point is two field elements (asserted above).
    unsafe { std::slice::from_raw_parts(v.as_ptr().cast(), v.len() * 8) }
}

fn fr_from_words(w: &[u64]) -> Fr {
    Fr::from_montgomery_limbs_unchecked([w[0], w[1], w[2], w[3]])
}

fn fq_from_words(w: &[u64]) -> Fq {
    Fq::from_montgomery_limbs_unchecked([w[0], w[1], w[2], w[3]])
}

fn device_error(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::Device { backend: NAME, msg: format!("{what}: {e:?}") }
}

/// GPU 0's context once the driver library, a GPU and NVRTC are all there,
/// or the first that is missing. What [`crate::availability`] and [`open`] share.
pub(crate) fn open_context() -> std::result::Result<Arc<CudaContext>, String> {
    // SAFETY: only tries to dlopen the library under its usual names (cudarc's
    // loader would panic on a missing one).
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return Err("no CUDA driver (libcuda.so) on this machine".into());
    }
    let count = CudaContext::device_count().map_err(|e| format!("no usable CUDA driver: {e:?}"))?;
    if count < 1 {
        return Err("the CUDA driver reports no GPU".into());
    }
    nvrtc::probe()?;
    CudaContext::new(0).map_err(|e| format!("cannot open GPU 0: {e:?}"))
}

/// Name, memory and multiprocessor count of the context's GPU.
pub fn device_info(ctx: &Arc<CudaContext>) -> DeviceInfo {
    use cudarc::driver::sys::CUdevice_attribute::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT;
    DeviceInfo {
        name: ctx.name().unwrap_or_else(|_| "CUDA GPU".into()),
        memory_bytes: ctx.total_mem().ok().map(|m| m as u64),
        compute_units: ctx.attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT).ok().map(|n| n as u32),
    }
}

/// The CUDA backend on GPU 0, or why not.
pub fn open() -> Result<CudaBackend> {
    match std::panic::catch_unwind(CudaBackend::open_ordinal_0) {
        Ok(result) => result,
        Err(_) => Err(Error::Unavailable { backend: NAME, reason: "the CUDA driver panicked while opening".into() }),
    }
}

const BLOCK: u32 = 256;

fn grid_for(threads: u64) -> Result<LaunchConfig> {
    let blocks = threads.div_ceil(BLOCK as u64);
    let blocks = u32::try_from(blocks.max(1)).map_err(|_| device_error("launch", "grid too large"))?;
    Ok(LaunchConfig { grid_dim: (blocks, 1, 1), block_dim: (BLOCK, 1, 1), shared_mem_bytes: 0 })
}

fn single() -> LaunchConfig {
    LaunchConfig { grid_dim: (1, 1, 1), block_dim: (1, 1, 1), shared_mem_bytes: 0 }
}

/// Launches `$kernel` with `$cfg` and the given arguments.
macro_rules! launch {
    ($self:expr, $kernel:literal, $cfg:expr $(, $arg:expr)* $(,)?) => {{
        let function = $self.function($kernel)?;
        let mut builder = $self.stream.launch_builder(function);
        $( builder.arg($arg); )*
        // SAFETY: the argument list matches the kernel's signature in kernels/zkaccel.cu.
        unsafe { builder.launch($cfg) }.map(|_| ()).map_err(|e| device_error($kernel, e))
    }};
}

/// Device twiddle tables by (log n, direction).
type TwiddleCache = HashMap<(u32, NttDirection), Arc<CudaSlice<u64>>>;

/// MSMs, NTTs and lookup kernels on one GPU.
pub struct CudaBackend {
    ctx: Arc<CudaContext>,
    stream: Arc<CudaStream>,
    functions: HashMap<&'static str, CudaFunction>,
    info: DeviceInfo,
    /// Twiddle tables ω^k (k < n/2) per (log n, direction), kept on the device.
    twiddles: Mutex<TwiddleCache>,
    /// One operation at a time: bounds device memory and keeps the stream's order simple.
    serial: Mutex<()>,
}

/// Prepared bases resident on the device.
struct Resident {
    bases: CudaSlice<u64>,
}

impl CudaBackend {
    fn open_ordinal_0() -> Result<Self> {
        let unavailable = |reason: String| Error::Unavailable { backend: NAME, reason };
        let ctx = open_context().map_err(unavailable)?;
        let (major, minor) = ctx.compute_capability().map_err(|e| unavailable(format!("{e:?}")))?;
        let image = nvrtc::load_or_compile(Target::Cubin((major * 10 + minor) as u32)).map_err(unavailable)?;
        let module =
            ctx.load_module(Ptx::from_binary(image)).map_err(|e| unavailable(format!("loading the kernels: {e:?}")))?;
        let mut functions = HashMap::new();
        for name in KERNELS {
            let f = module.load_function(name).map_err(|e| unavailable(format!("kernel {name}: {e:?}")))?;
            functions.insert(name, f);
        }
        let info = device_info(&ctx);
        let stream = ctx.default_stream();
        Ok(Self { ctx, stream, functions, info, twiddles: Mutex::new(HashMap::new()), serial: Mutex::new(()) })
    }

    /// The device's details.
    pub fn info(&self) -> &DeviceInfo {
        &self.info
    }

    /// As a shareable trait object.
    pub fn into_dyn(self) -> Arc<dyn zkaccel_core::CurveBackend<Bn254>> {
        Arc::new(self)
    }

    fn function(&self, name: &'static str) -> Result<&CudaFunction> {
        self.functions.get(name).ok_or_else(|| device_error("missing kernel", name))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ()> {
        self.serial.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn upload<T: DeviceRepr + ValidAsZeroBits>(&self, host: &[T]) -> Result<CudaSlice<T>> {
        if host.is_empty() {
            return self.zeros(1);
        }
        self.stream.clone_htod(host).map_err(|e| device_error("upload", e))
    }

    fn zeros<T: DeviceRepr + ValidAsZeroBits>(&self, len: usize) -> Result<CudaSlice<T>> {
        self.stream.alloc_zeros(len.max(1)).map_err(|e| device_error("allocation", e))
    }

    fn download<T: DeviceRepr + Default + Clone>(&self, dev: &CudaSlice<T>, len: usize) -> Result<Vec<T>> {
        let mut host = vec![T::default(); len];
        if len > 0 {
            self.stream.memcpy_dtoh(&dev.slice(..len), &mut host).map_err(|e| device_error("download", e))?;
        }
        Ok(host)
    }

    fn free_memory(&self) -> usize {
        self.ctx.mem_get_info().map(|(free, _)| free).unwrap_or(1 << 30)
    }

    /// Exclusive scan of `counts` into `offsets` (`len` entries).
    fn scan_u32(&self, counts: &CudaSlice<u32>, offsets: &mut CudaSlice<u32>, len: u32) -> Result<()> {
        let chunk = (len as f64).sqrt().ceil().max(64.0) as u32;
        let chunks = len.div_ceil(chunk);
        let mut sums = self.zeros::<u32>(chunks as usize)?;
        launch!(
            self,
            "scan_u32_chunk",
            grid_for(chunks as u64)?,
            counts,
            &mut *offsets,
            &len,
            &chunk,
            &chunks,
            &mut sums
        )?;
        launch!(self, "scan_u32_sums", single(), &mut sums, &chunks)?;
        launch!(self, "scan_u32_add", grid_for(len as u64)?, &mut *offsets, &len, &chunk, &sums)
    }
}

/// The window size minimizing windows·(points + 2^c): one bucket addition per
/// point and window, two per bucket in the reduction.
pub fn window_bits(n: usize) -> u32 {
    (4..=20u32).min_by_key(|&c| u64::from(255u32.div_ceil(c)) * (n as u64 + (1u64 << c))).unwrap_or(16)
}

/// Segments per window in the bucket reduction: about √(buckets), so the
/// running sums and the tree of segment sums take about as long.
pub fn reduce_segments(c: u32) -> u32 {
    1 << (c - 1).div_ceil(2)
}

/// Points per MSM chunk on a device: what fits in three quarters of the free
/// memory (bases, scalars, and per window a key, an entry and its sorted copy).
fn msm_chunk_points(free: usize, c: u32, bases_resident: bool) -> usize {
    let windows = 255usize.div_ceil(c as usize);
    let buckets = windows << (c - 1);
    let fixed = buckets * (128 + 12) + windows * reduce_segments(c) as usize * 128;
    let per_point = 32 + if bases_resident { 0 } else { 64 } + windows * 12;
    let budget = (free / 4 * 3).saturating_sub(fixed);
    // Entry indices are u32 on the device.
    (budget / per_point).clamp(1 << 10, (u32::MAX as usize / windows).min(1 << 26))
}

impl CudaBackend {
    /// One MSM over `bases` (on the device, at least `scalars.len()` points).
    fn msm_chunk(&self, bases: &CudaView<'_, u64>, scalars: &[Fr]) -> Result<G1Projective> {
        let n = scalars.len() as u32;
        if n == 0 {
            return Ok(G1Projective::IDENTITY);
        }
        let c = window_bits(scalars.len());
        let windows = 255u32.div_ceil(c);
        let half = 1u32 << (c - 1);
        let buckets_len = windows * half;
        let segments = reduce_segments(c);
        let entries = u64::from(windows) * u64::from(n);

        let scalars_dev = self.upload(fr_words(scalars))?;
        let mut keys = self.zeros::<u32>(entries as usize)?;
        let mut vals = self.zeros::<u32>(entries as usize)?;
        let mut counts = self.zeros::<u32>(buckets_len as usize)?;
        launch!(
            self,
            "msm_digits",
            grid_for(u64::from(n))?,
            &scalars_dev,
            &n,
            &c,
            &windows,
            &mut keys,
            &mut vals,
            &mut counts
        )?;
        drop(scalars_dev);

        let mut offsets = self.zeros::<u32>(buckets_len as usize)?;
        self.scan_u32(&counts, &mut offsets, buckets_len)?;
        let mut cursor = self.stream.clone_dtod(&offsets).map_err(|e| device_error("copy", e))?;
        let mut sorted = self.zeros::<u32>(entries as usize)?;
        launch!(self, "msm_scatter", grid_for(entries)?, &keys, &vals, &entries, &mut cursor, &mut sorted)?;
        drop((keys, vals, cursor));

        let mut buckets = self.zeros::<u32>(buckets_len as usize * 32)?;
        launch!(
            self,
            "msm_accumulate",
            grid_for(u64::from(buckets_len))?,
            bases,
            &offsets,
            &counts,
            &sorted,
            &buckets_len,
            &mut buckets
        )?;
        drop((offsets, counts, sorted));

        let threads = windows * segments;
        let mut parts = self.zeros::<u32>(threads as usize * 32)?;
        launch!(self, "msm_reduce", grid_for(u64::from(threads))?, &buckets, &half, &segments, &threads, &mut parts)?;
        let mut stride = 1u32;
        while stride < segments {
            let threads = windows * segments / (2 * stride);
            launch!(self, "msm_tree_sum", grid_for(u64::from(threads))?, &mut parts, &segments, &stride, &threads)?;
            stride *= 2;
        }
        let mut out = self.zeros::<u64>(12)?;
        launch!(self, "msm_combine", single(), &parts, &windows, &segments, &c, &mut out)?;
        let w = self.download(&out, 12)?;
        Ok(G1Projective::new_unchecked(fq_from_words(&w[0..4]), fq_from_words(&w[4..8]), fq_from_words(&w[8..12])))
    }

    /// An MSM of any length: split into chunks that fit the device, summed on the host.
    fn msm_resident(&self, bases: &CudaSlice<u64>, scalars: &[Fr]) -> Result<G1Projective> {
        let chunk = msm_chunk_points(self.free_memory(), window_bits(scalars.len()), true);
        let mut sum = G1Projective::IDENTITY;
        for (k, part) in scalars.chunks(chunk.max(1)).enumerate() {
            let start = k * chunk * 8;
            sum = sum.add(&self.msm_chunk(&bases.slice(start..start + part.len() * 8), part)?);
        }
        Ok(sum)
    }

    /// An MSM with bases in host memory, uploaded chunk by chunk.
    fn msm_host_bases(&self, bases: &[G1Affine], scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        let n = bases.len();
        let chunk = msm_chunk_points(self.free_memory(), window_bits(n), false).max(1);
        let mut sums = vec![G1Projective::IDENTITY; scalars.len()];
        for start in (0..n.max(1)).step_by(chunk) {
            let end = (start + chunk).min(n);
            let dev = self.upload(point_words(&bases[start..end]))?;
            for (sum, s) in sums.iter_mut().zip(scalars) {
                *sum = sum.add(&self.msm_chunk(&dev.slice(..), &s[start..end])?);
            }
        }
        Ok(sums)
    }
}

impl Backend for CudaBackend {
    fn name(&self) -> &'static str {
        NAME
    }

    fn availability(&self) -> Availability {
        Availability::Available(self.info.clone())
    }

    fn capabilities(&self) -> Capabilities {
        crate::capabilities()
    }
}

impl Msm<Bn254> for CudaBackend {
    fn msm_batch(&self, bases: &[G1Affine], scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        validate::points(bases)?;
        validate::msm_scalars(bases.len(), scalars)?;
        let _serial = self.lock();
        self.msm_host_bases(bases, scalars)
    }

    fn prepare_bases(&self, bases: &[G1Affine]) -> Result<PreparedBases<Bn254>> {
        validate::points(bases)?;
        let _serial = self.lock();
        let resident = Resident { bases: self.upload(point_words(bases))? };
        Ok(PreparedBases::new(NAME, bases.into(), Box::new(resident), bases.len() * 64))
    }

    fn msm_prepared_batch(&self, bases: &PreparedBases<Bn254>, scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        let state = bases
            .state::<Resident>()
            .filter(|_| bases.backend() == NAME)
            .ok_or(Error::PreparedBasesMismatch { expected: NAME, found: bases.backend() })?;
        validate::msm_prepared_scalars(bases.len(), scalars)?;
        let _serial = self.lock();
        scalars.iter().map(|s| self.msm_resident(&state.bases, s)).collect()
    }
}

impl CudaBackend {
    /// ω^k for k < n/2 on the device, ω the 2^log_n-th root (or its inverse).
    fn twiddles(&self, log_n: u32, direction: NttDirection) -> Result<Arc<CudaSlice<u64>>> {
        let mut cache = self.twiddles.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(t) = cache.get(&(log_n, direction)) {
            return Ok(t.clone());
        }
        let root =
            Fr::two_adic_generator(log_n).ok_or(Error::SizeTooLarge { size: 1 << log_n, max: 1 << Fr::TWO_ADICITY })?;
        let root = match direction {
            NttDirection::Forward => root,
            NttDirection::Inverse => root.inverse().ok_or_else(|| device_error("twiddles", "root not invertible"))?,
        };
        let half = (1u32 << log_n) / 2;
        let mut table = self.zeros::<u64>(half.max(1) as usize * 4)?;
        let base = self.upload(fr_words(&[root]))?;
        launch!(self, "ntt_powers", grid_for(u64::from(half))?, &mut table, &half, &base)?;
        let table = Arc::new(table);
        cache.insert((log_n, direction), table.clone());
        Ok(table)
    }

    fn ntt_scale(&self, data: &mut CudaSlice<u64>, log_n: u32, columns: u32, shift: Fr, scale: Fr) -> Result<()> {
        let shift = self.upload(fr_words(&[shift]))?;
        let scale = self.upload(fr_words(&[scale]))?;
        let mut cfg = grid_for(1u64 << log_n)?;
        cfg.grid_dim.1 = columns;
        launch!(self, "ntt_scale", cfg, &mut *data, &log_n, &shift, &scale)
    }
}

/// Stages per shared-memory pass (kernels/ntt.cuh's ZK_NTT_TILE_LOG).
const NTT_TILE_LOG: u32 = 10;

impl Ntt<Fr> for CudaBackend {
    fn ntt_batch(&self, data: &mut [Fr], column_len: usize, config: NttConfig<Fr>) -> Result<()> {
        validate::ntt_shape::<Fr>(data.len(), column_len)?;
        validate::coset_shift(config.coset_shift)?;
        validate::field_elements("ntt input", data)?;
        if data.is_empty() || column_len == 1 {
            return Ok(());
        }
        let log_n = column_len.trailing_zeros();
        let columns = u32::try_from(data.len() / column_len)
            .ok()
            .filter(|&c| c <= 65_535)
            .ok_or_else(|| unsupported(NAME, Operation::Ntt, "more than 65 535 columns in one call"))?;
        let _serial = self.lock();
        let twiddles = self.twiddles(log_n, config.direction)?;
        let mut dev = self.upload(fr_words(data))?;
        if let (NttDirection::Forward, Some(shift)) = (config.direction, config.coset_shift) {
            self.ntt_scale(&mut dev, log_n, columns, shift, Fr::ONE)?;
        }
        let mut cfg = grid_for(column_len as u64)?;
        cfg.grid_dim.1 = columns;
        launch!(self, "ntt_bit_reverse", cfg, &mut dev, &log_n)?;
        let mut s0 = 0;
        while s0 < log_n {
            let t = NTT_TILE_LOG.min(log_n - s0);
            let cfg = LaunchConfig {
                grid_dim: ((column_len >> t) as u32, columns, 1),
                block_dim: (1 << (t - 1), 1, 1),
                shared_mem_bytes: 0,
            };
            launch!(self, "ntt_tile_pass", cfg, &mut dev, &log_n, &s0, &t, twiddles.as_ref())?;
            s0 += t;
        }
        if config.direction == NttDirection::Inverse {
            let n_inv = Fr::from_u64(column_len as u64).inverse().ok_or_else(|| device_error("ntt", "1/n"))?;
            let shift_inv = match config.coset_shift {
                Some(s) => s.inverse().ok_or_else(|| device_error("ntt", "1/shift"))?,
                None => Fr::ONE,
            };
            self.ntt_scale(&mut dev, log_n, columns, shift_inv, n_inv)?;
        }
        self.stream.memcpy_dtoh(&dev, fr_words_mut(data)).map_err(|e| device_error("download", e))
    }
}

impl CudaBackend {
    /// 1/(beta + x) (or 1/x) on the device; the first zero is an error.
    fn inverses(&self, values: &[Fr], beta: Option<Fr>) -> Result<Vec<Fr>> {
        let n =
            u32::try_from(values.len()).map_err(|_| unsupported(NAME, Operation::BatchInverse, "over 2^32 values"))?;
        if n == 0 {
            return Ok(Vec::new());
        }
        let chunk = 64u32;
        let chunks = n.div_ceil(chunk);
        let input = self.upload(fr_words(values))?;
        let mut out = self.zeros::<u64>(values.len() * 4)?;
        let beta_dev = self.upload(fr_words(&[beta.unwrap_or(Fr::ZERO)]))?;
        let add_beta = u32::from(beta.is_some());
        let mut zero_at = self.upload(&[u32::MAX])?;
        launch!(
            self,
            "batch_inverse_chunk",
            grid_for(u64::from(chunks))?,
            &input,
            &mut out,
            &n,
            &chunk,
            &chunks,
            &beta_dev,
            &add_beta,
            &mut zero_at
        )?;
        let zero = self.download(&zero_at, 1)?[0];
        if zero != u32::MAX {
            return Err(Error::NotInvertible { index: zero as usize });
        }
        let words = self.download(&out, values.len() * 4)?;
        Ok(words.chunks_exact(4).map(fr_from_words).collect())
    }
}

impl LookupKernels<Fr> for CudaBackend {
    fn multiplicities(&self, table: &[Fr], inputs: &[&[Fr]]) -> Result<Vec<u64>> {
        validate::field_elements("table", table)?;
        for input in inputs {
            validate::field_elements("lookup input", input)?;
        }
        let total: usize = inputs.iter().map(|c| c.len()).sum();
        let too_many = || unsupported(NAME, Operation::Multiplicities, "over 2^31 rows");
        let rows = u32::try_from(table.len()).ok().filter(|&r| r < 1 << 31).ok_or_else(too_many)?;
        let total32 = u32::try_from(total).ok().filter(|&t| t < u32::MAX).ok_or_else(too_many)?;
        if total == 0 {
            return Ok(vec![0; table.len()]);
        }
        if table.is_empty() {
            return Err(Error::NotInTable { column: inputs.iter().position(|c| !c.is_empty()).unwrap_or(0), row: 0 });
        }
        let _serial = self.lock();
        let capacity = (2 * table.len()).next_power_of_two() as u32;
        let table_dev = self.upload(fr_words(table))?;
        let mut slots = self.zeros::<u32>(capacity as usize)?;
        launch!(self, "table_insert", grid_for(u64::from(rows))?, &table_dev, &rows, &mut slots, &capacity)?;
        let mut joined = self.zeros::<u64>(total * 4)?;
        let mut at = 0;
        for column in inputs.iter().filter(|c| !c.is_empty()) {
            let words = fr_words(column);
            let mut view = joined.slice_mut(at..at + words.len());
            self.stream.memcpy_htod(words, &mut view).map_err(|e| device_error("upload", e))?;
            at += words.len();
        }
        let mut counts = self.zeros::<u64>(table.len())?;
        let mut missing = self.upload(&[u32::MAX])?;
        launch!(
            self,
            "multiplicity_count",
            grid_for(total as u64)?,
            &joined,
            &total32,
            &table_dev,
            &slots,
            &capacity,
            &mut counts,
            &mut missing
        )?;
        let missing = self.download(&missing, 1)?[0];
        if missing != u32::MAX {
            let mut e = missing as usize;
            for (column, input) in inputs.iter().enumerate() {
                if e < input.len() {
                    return Err(Error::NotInTable { column, row: e });
                }
                e -= input.len();
            }
        }
        self.download(&counts, table.len())
    }

    fn batch_inverse(&self, values: &mut [Fr]) -> Result<()> {
        // The CPU's order of errors: the first element that is unreduced or zero.
        if let Some(index) = values.iter().position(|v| !v.is_reduced() || v.is_zero()) {
            return Err(if values[index].is_reduced() {
                Error::NotInvertible { index }
            } else {
                Error::InvalidFieldElement { what: "values", index }
            });
        }
        let _serial = self.lock();
        let inverses = self.inverses(values, None)?;
        values.copy_from_slice(&inverses);
        Ok(())
    }

    fn inverse_of_sums(&self, beta: Fr, values: &[Fr]) -> Result<Vec<Fr>> {
        validate::field_elements("values", values)?;
        validate::field_elements("beta", &[beta])?;
        let _serial = self.lock();
        self.inverses(values, Some(beta))
    }

    fn prefix_product(&self, values: &[Fr]) -> Result<Vec<Fr>> {
        validate::field_elements("values", values)?;
        let n =
            u32::try_from(values.len()).map_err(|_| unsupported(NAME, Operation::PrefixProduct, "over 2^32 values"))?;
        if n == 0 {
            return Ok(vec![Fr::ONE]);
        }
        let _serial = self.lock();
        let chunk = ((n as f64).sqrt().ceil() as u32).max(64);
        let chunks = n.div_ceil(chunk);
        let input = self.upload(fr_words(values))?;
        let mut out = self.zeros::<u64>((values.len() + 1) * 4)?;
        let mut sums = self.zeros::<u64>(chunks as usize * 4)?;
        launch!(
            self,
            "prefix_product_chunk",
            grid_for(u64::from(chunks))?,
            &input,
            &mut out,
            &n,
            &chunk,
            &chunks,
            &mut sums
        )?;
        launch!(self, "prefix_product_sums", single(), &mut sums, &chunks)?;
        launch!(self, "prefix_product_apply", grid_for(u64::from(n))?, &mut out, &n, &chunk, &sums)?;
        let words = self.download(&out, (values.len() + 1) * 4)?;
        Ok(words.chunks_exact(4).map(fr_from_words).collect())
    }

    fn permute_lookup(&self, _input: &[Fr], _table: &[Fr]) -> Result<PermutedLookup<Fr>> {
        Err(unsupported(NAME, Operation::PermuteLookup, "a sort with data-dependent output; runs on the CPU"))
    }
}
