//! Lookup-argument kernels: multiplicities, batch inversion, prefix
//! products and halo2's permuted columns.

use std::collections::HashMap;

use rayon::prelude::*;
use zkaccel_core::field_ops::batch_inverse_nonzero;
use zkaccel_core::{validate, Error, LookupKernels, PermutedLookup, PrimeField, Result};

use crate::CpuBackend;

/// Elements per task: large enough that one inversion per chunk is noise.
const CHUNK: usize = 1 << 12;

/// Position of each distinct table value (its first row).
fn table_index<F: PrimeField>(table: &[F]) -> HashMap<F, usize> {
    let mut index = HashMap::with_capacity(table.len());
    for (i, t) in table.iter().enumerate() {
        index.entry(*t).or_insert(i);
    }
    index
}

/// Sort key: the canonical value, most significant limb first.
fn canonical_key<F: PrimeField>(x: &F) -> Vec<u64> {
    x.to_canonical().as_ref().iter().rev().copied().collect()
}

impl<F: PrimeField> LookupKernels<F> for CpuBackend {
    fn multiplicities(&self, table: &[F], inputs: &[&[F]]) -> Result<Vec<u64>> {
        validate::field_elements("table", table)?;
        for input in inputs {
            validate::field_elements("lookup input", input)?;
        }
        let index = table_index(table);
        let mut counts = vec![0u64; table.len()];
        for (column, input) in inputs.iter().enumerate() {
            let rows: Vec<Option<usize>> =
                input.par_iter().with_min_len(CHUNK).map(|x| index.get(x).copied()).collect();
            for (row, i) in rows.into_iter().enumerate() {
                counts[i.ok_or(Error::NotInTable { column, row })?] += 1;
            }
        }
        Ok(counts)
    }

    fn batch_inverse(&self, values: &mut [F]) -> Result<()> {
        validate::field_elements("values", values)?;
        if let Some(index) = values.par_iter().position_first(|v| v.is_zero()) {
            return Err(Error::NotInvertible { index });
        }
        // A few chunks per thread: one inversion each, and room to balance load.
        let chunk = values.len().div_ceil(4 * rayon::current_num_threads()).max(CHUNK);
        values.par_chunks_mut(chunk).for_each(batch_inverse_nonzero);
        Ok(())
    }

    fn prefix_product(&self, values: &[F]) -> Result<Vec<F>> {
        validate::field_elements("values", values)?;
        let mut out = Vec::with_capacity(values.len() + 1);
        out.push(F::ONE);
        out.extend_from_slice(values);
        let body = &mut out[1..];
        // Scan each chunk, then carry the product of all earlier chunks in.
        body.par_chunks_mut(CHUNK).for_each(|chunk| {
            for i in 1..chunk.len() {
                chunk[i] = chunk[i - 1] * chunk[i];
            }
        });
        let mut carries = Vec::with_capacity(body.len().div_ceil(CHUNK));
        let mut acc = F::ONE;
        for chunk in body.chunks(CHUNK) {
            carries.push(acc);
            acc *= chunk[chunk.len() - 1];
        }
        body.par_chunks_mut(CHUNK).zip(carries).skip(1).for_each(|(chunk, carry)| {
            chunk.iter_mut().for_each(|x| *x *= carry);
        });
        Ok(out)
    }

    fn permute_lookup(&self, input: &[F], table: &[F]) -> Result<PermutedLookup<F>> {
        validate::same_length("lookup input vs table", table.len(), input.len())?;
        validate::field_elements("lookup input", input)?;
        validate::field_elements("table", table)?;
        let mut remaining: HashMap<F, usize> = HashMap::with_capacity(table.len());
        for t in table {
            *remaining.entry(*t).or_default() += 1;
        }
        if let Some(row) = input.par_iter().position_first(|x| !remaining.contains_key(x)) {
            return Err(Error::NotInTable { column: 0, row });
        }

        let mut keyed: Vec<(Vec<u64>, F)> = input.par_iter().map(|x| (canonical_key(x), *x)).collect();
        keyed.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let sorted: Vec<F> = keyed.into_iter().map(|(_, x)| x).collect();

        // Each run of equal inputs starts at a row where S' must equal A';
        // every other row takes one of the table values left over.
        let mut permuted_table = vec![None; sorted.len()];
        for i in 0..sorted.len() {
            if i == 0 || sorted[i] != sorted[i - 1] {
                permuted_table[i] = Some(sorted[i]);
                // Present: every input was checked against the table above.
                if let Some(n) = remaining.get_mut(&sorted[i]) {
                    *n -= 1;
                }
            }
        }
        let mut leftovers = table.iter().filter(|t| match remaining.get_mut(t) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        });
        let permuted_table = permuted_table
            .into_iter()
            .map(|s| s.or_else(|| leftovers.next().copied()))
            .collect::<Option<Vec<F>>>()
            .ok_or_else(|| Error::InvalidShape { reason: "table has too few values for the input".into() })?;
        Ok(PermutedLookup { input: sorted, table: permuted_table })
    }
}
