//! NTT on the device: bit reversal, shared-memory passes of up to ten
//! stages with device-resident twiddles, the coset and 1/n scalings.

use super::*;

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
        let base = self.upload(limbs(&[root]))?;
        launch!(self, Kernel::NttPowers, grid_for(u64::from(half))?, &mut table, &half, &base)?;
        let table = Arc::new(table);
        cache.insert((log_n, direction), table.clone());
        Ok(table)
    }

    fn ntt_scale(&self, data: &mut CudaSlice<u64>, log_n: u32, columns: u32, shift: Fr, scale: Fr) -> Result<()> {
        let shift = self.upload(limbs(&[shift]))?;
        let scale = self.upload(limbs(&[scale]))?;
        let mut cfg = grid_for(1u64 << log_n)?;
        cfg.grid_dim.1 = columns;
        launch!(self, Kernel::NttScale, cfg, &mut *data, &log_n, &shift, &scale)
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
        let mut dev = self.upload(limbs(data))?;
        if let (NttDirection::Forward, Some(shift)) = (config.direction, config.coset_shift) {
            self.ntt_scale(&mut dev, log_n, columns, shift, Fr::ONE)?;
        }
        let mut cfg = grid_for(column_len as u64)?;
        cfg.grid_dim.1 = columns;
        launch!(self, Kernel::NttBitReverse, cfg, &mut dev, &log_n)?;
        let mut s0 = 0;
        while s0 < log_n {
            let t = NTT_TILE_LOG.min(log_n - s0);
            let cfg = LaunchConfig {
                grid_dim: ((column_len >> t) as u32, columns, 1),
                block_dim: (1 << (t - 1), 1, 1),
                shared_mem_bytes: 0,
            };
            launch!(self, Kernel::NttTilePass, cfg, &mut dev, &log_n, &s0, &t, twiddles.as_ref())?;
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
        self.stream.memcpy_dtoh(&dev, limbs_mut(data)).map_err(|e| device_error("download", e))
    }
}
