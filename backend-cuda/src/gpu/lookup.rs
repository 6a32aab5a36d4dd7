//! The lookup kernels on the device: batch inversion and `1/(β + x)` by
//! chunked Montgomery tricks, multiplicities through a device hash table,
//! prefix products by chunk, chunk sums and application.

use super::*;

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
        let input = self.upload(limbs(values))?;
        let mut out = self.zeros::<u64>(values.len() * 4)?;
        let beta_dev = self.upload(limbs(&[beta.unwrap_or(Fr::ZERO)]))?;
        let add_beta = u32::from(beta.is_some());
        let mut zero_at = self.upload(&[u32::MAX])?;
        launch!(
            self,
            Kernel::BatchInverseChunk,
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

impl Multiplicities<Fr> for CudaBackend {
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
        let table_dev = self.upload(limbs(table))?;
        let mut slots = self.zeros::<u32>(capacity as usize)?;
        launch!(self, Kernel::TableInsert, grid_for(u64::from(rows))?, &table_dev, &rows, &mut slots, &capacity)?;
        let mut joined = self.zeros::<u64>(total * 4)?;
        let mut at = 0;
        for column in inputs.iter().filter(|c| !c.is_empty()) {
            let words = limbs(column);
            let mut view = joined.slice_mut(at..at + words.len());
            self.stream.memcpy_htod(words, &mut view).map_err(|e| device_error("upload", e))?;
            at += words.len();
        }
        let mut counts = self.zeros::<u64>(table.len())?;
        let mut missing = self.upload(&[u32::MAX])?;
        launch!(
            self,
            Kernel::MultiplicityCount,
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
}

impl BatchInverse<Fr> for CudaBackend {
    fn batch_inverse(&self, values: &mut [Fr]) -> Result<()> {
        validate::invertible(values)?;
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
}

impl PrefixProduct<Fr> for CudaBackend {
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
        let input = self.upload(limbs(values))?;
        let mut out = self.zeros::<u64>((values.len() + 1) * 4)?;
        let mut sums = self.zeros::<u64>(chunks as usize * 4)?;
        launch!(
            self,
            Kernel::PrefixProductChunk,
            grid_for(u64::from(chunks))?,
            &input,
            &mut out,
            &n,
            &chunk,
            &chunks,
            &mut sums
        )?;
        launch!(self, Kernel::PrefixProductSums, single(), &mut sums, &chunks)?;
        launch!(self, Kernel::PrefixProductApply, grid_for(u64::from(n))?, &mut out, &n, &chunk, &sums)?;
        let words = self.download(&out, (values.len() + 1) * 4)?;
        Ok(words.chunks_exact(4).map(fr_from_words).collect())
    }
}
