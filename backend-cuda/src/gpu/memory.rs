//! Host ↔ device copies. Field elements travel as their Montgomery limbs
//! ([`zkaccel_core::cast`]): the kernels read an element as 4 × u64 and an
//! affine point as two elements, zkaccel-core's own layouts.

use super::*;

pub(super) fn fr_from_words(w: &[u64]) -> Fr {
    Fr::from_montgomery_limbs_unchecked([w[0], w[1], w[2], w[3]])
}

pub(super) fn fq_from_words(w: &[u64]) -> Fq {
    Fq::from_montgomery_limbs_unchecked([w[0], w[1], w[2], w[3]])
}

impl CudaBackend {
    pub(super) fn upload<T: DeviceRepr + ValidAsZeroBits>(&self, host: &[T]) -> Result<CudaSlice<T>> {
        if host.is_empty() {
            return self.zeros(1);
        }
        self.stream.clone_htod(host).map_err(|e| device_error("upload", e))
    }

    pub(super) fn zeros<T: DeviceRepr + ValidAsZeroBits>(&self, len: usize) -> Result<CudaSlice<T>> {
        self.stream.alloc_zeros(len.max(1)).map_err(|e| device_error("allocation", e))
    }

    pub(super) fn download<T: DeviceRepr + Default + Clone>(&self, dev: &CudaSlice<T>, len: usize) -> Result<Vec<T>> {
        let mut host = vec![T::default(); len];
        if len > 0 {
            self.stream.memcpy_dtoh(&dev.slice(..len), &mut host).map_err(|e| device_error("download", e))?;
        }
        Ok(host)
    }

    pub(super) fn free_memory(&self) -> usize {
        self.ctx.mem_get_info().map(|(free, _)| free).unwrap_or(1 << 30)
    }
}
