//! MSM on the device: signed digits, a counting sort of (bucket, point)
//! entries, bucket sums, the segmented reduction and the window combination.

use super::*;

/// Prepared bases resident on the device.
pub(super) struct Resident {
    pub(super) bases: CudaSlice<u64>,
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

        let scalars_dev = self.upload(limbs(scalars))?;
        let mut keys = self.zeros::<u32>(entries as usize)?;
        let mut vals = self.zeros::<u32>(entries as usize)?;
        let mut counts = self.zeros::<u32>(buckets_len as usize)?;
        launch!(
            self,
            Kernel::MsmDigits,
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
        launch!(self, Kernel::MsmScatter, grid_for(entries)?, &keys, &vals, &entries, &mut cursor, &mut sorted)?;
        drop((keys, vals, cursor));

        let mut buckets = self.zeros::<u32>(buckets_len as usize * 32)?;
        launch!(
            self,
            Kernel::MsmAccumulate,
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
        launch!(
            self,
            Kernel::MsmReduce,
            grid_for(u64::from(threads))?,
            &buckets,
            &half,
            &segments,
            &threads,
            &mut parts
        )?;
        let mut stride = 1u32;
        while stride < segments {
            let threads = windows * segments / (2 * stride);
            launch!(self, Kernel::MsmTreeSum, grid_for(u64::from(threads))?, &mut parts, &segments, &stride, &threads)?;
            stride *= 2;
        }
        let mut out = self.zeros::<u64>(12)?;
        launch!(self, Kernel::MsmCombine, single(), &parts, &windows, &segments, &c, &mut out)?;
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
            let dev = self.upload(point_limbs(&bases[start..end]))?;
            for (sum, s) in sums.iter_mut().zip(scalars) {
                *sum = sum.add(&self.msm_chunk(&dev.slice(..), &s[start..end])?);
            }
        }
        Ok(sums)
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
        let resident = Resident { bases: self.upload(point_limbs(bases))? };
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
