//! Lookup-argument kernels: multiplicities, batch inversion, prefix
//! products and halo2's permuted columns.
//!
//! Multiplicities find each input's table row one of two ways, chosen from
//! the table: a table of small integers (range checks, the common zkML
//! case) is indexed directly by canonical value; any other table goes
//! through a hash map keyed by Montgomery limbs with a cheap multiplicative
//! hash (the limbs of field elements are already well mixed).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use rayon::prelude::*;
use zkaccel_core::field_ops::batch_inverse_nonzero_interleaved;
use zkaccel_core::{
    validate, BatchInverse, Error, Multiplicities, PermuteLookup, PermutedLookup, PrefixProduct, PrimeField, Result,
};

use crate::CpuBackend;

/// Elements per task: large enough that one inversion per chunk is noise.
const CHUNK: usize = 1 << 12;

/// A multiplicative hash of the written words (FxHash's mixing step).
#[derive(Default)]
struct LimbHasher(u64);

impl Hasher for LimbHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }
    #[inline]
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// A hash map keyed by field elements.
type FieldMap<F, V> = HashMap<F, V, BuildHasherDefault<LimbHasher>>;

fn field_map<F: PrimeField, V>(capacity: usize) -> FieldMap<F, V> {
    HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default())
}

/// Largest value a directly indexed table may hold (2^26 rows of `u32`: 256 MiB).
const DENSE_MAX: u64 = 1 << 26;

/// Where each table value first occurs.
enum TableIndex<F> {
    /// Every table value is a small integer: `rows[v]` is `1 +` the first
    /// row holding `v`, or 0.
    Dense(Vec<u32>),
    /// Any other table.
    Hashed(FieldMap<F, usize>),
}

impl<F: PrimeField> TableIndex<F> {
    fn new(table: &[F]) -> Self {
        let small: Option<Vec<u64>> = table.par_iter().map(|t| small_value(t)).collect();
        let bound = (4 * table.len() as u64 + 1024).min(DENSE_MAX);
        if let Some(values) = small.filter(|v| table.len() < u32::MAX as usize && v.iter().all(|&x| x < bound)) {
            let len = values.iter().max().map_or(0, |&m| m as usize + 1);
            let mut rows = vec![0u32; len];
            for (i, &v) in values.iter().enumerate().rev() {
                rows[v as usize] = i as u32 + 1;
            }
            return Self::Dense(rows);
        }
        let mut index = field_map(table.len());
        for (i, t) in table.iter().enumerate() {
            index.entry(*t).or_insert(i);
        }
        Self::Hashed(index)
    }

    #[inline]
    fn row(&self, x: &F) -> Option<usize> {
        match self {
            Self::Dense(rows) => {
                let v = small_value(x)?;
                rows.get(v as usize).and_then(|&r| r.checked_sub(1)).map(|r| r as usize)
            }
            Self::Hashed(index) => index.get(x).copied(),
        }
    }
}

/// The canonical value of `x` if it fits in 64 bits.
#[inline]
fn small_value<F: PrimeField>(x: &F) -> Option<u64> {
    let c = x.to_canonical();
    let limbs = c.as_ref();
    limbs[1..].iter().all(|&l| l == 0).then_some(limbs[0])
}

impl<F: PrimeField> Multiplicities<F> for CpuBackend {
    fn multiplicities(&self, table: &[F], inputs: &[&[F]]) -> Result<Vec<u64>> {
        validate::field_elements("table", table)?;
        for input in inputs {
            validate::field_elements("lookup input", input)?;
        }
        let index = TableIndex::new(table);
        let mut counts = vec![0u64; table.len()];
        for (column, input) in inputs.iter().enumerate() {
            let rows: Vec<Option<usize>> = input.par_iter().with_min_len(CHUNK).map(|x| index.row(x)).collect();
            for (row, i) in rows.into_iter().enumerate() {
                counts[i.ok_or(Error::NotInTable { column, row })?] += 1;
            }
        }
        Ok(counts)
    }
}

impl<F: PrimeField> BatchInverse<F> for CpuBackend {
    fn batch_inverse(&self, values: &mut [F]) -> Result<()> {
        // One parallel pass finds the first unreduced or zero element.
        if let Some(index) = values.par_iter().position_first(|v| !v.is_reduced() || v.is_zero()) {
            return Err(validate::not_invertible(values, index));
        }
        // A few chunks per thread: one inversion each, and room to balance load.
        let chunk = values.len().div_ceil(4 * rayon::current_num_threads()).max(CHUNK);
        values.par_chunks_mut(chunk).for_each(batch_inverse_nonzero_interleaved);
        Ok(())
    }
}

impl<F: PrimeField> PrefixProduct<F> for CpuBackend {
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
}

impl<F: PrimeField> PermuteLookup<F> for CpuBackend {
    fn permute_lookup(&self, input: &[F], table: &[F]) -> Result<PermutedLookup<F>> {
        validate::same_length("lookup input vs table", table.len(), input.len())?;
        validate::field_elements("lookup input", input)?;
        validate::field_elements("table", table)?;
        let mut remaining: FieldMap<F, usize> = field_map(table.len());
        for t in table {
            *remaining.entry(*t).or_default() += 1;
        }
        if let Some(row) = input.par_iter().position_first(|x| !remaining.contains_key(x)) {
            return Err(Error::NotInTable { column: 0, row });
        }

        // Sort by canonical value (most significant limb first), each
        // element converted out of Montgomery form once.
        let mut keyed: Vec<(F::Repr, F)> = input.par_iter().map(|x| (x.to_canonical(), *x)).collect();
        keyed.par_sort_unstable_by(|a, b| a.0.as_ref().iter().rev().cmp(b.0.as_ref().iter().rev()));
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
