//! Iterative radix-2 NTT (bit reversal, then decimation in time) over
//! twiddle factors cached per field and domain size.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rayon::prelude::*;
use zkaccel_core::{validate, Field, Ntt, NttConfig, NttDirection, Result, TwoAdicField};

use crate::CpuBackend;

/// Below this many elements a column is transformed on one thread.
const PARALLEL_LEN: usize = 1 << 12;
/// Elements per task in element-wise parallel passes.
const CHUNK: usize = 1 << 11;

/// `ωⁱ` and `ω⁻ⁱ` for `i < n/2`, for one field and domain size.
struct Twiddles<F> {
    forward: Vec<F>,
    inverse: Vec<F>,
}

/// Twiddle factors computed once per (field, domain size) and shared by all
/// transforms of that size.
#[derive(Default)]
pub(crate) struct TwiddleCache {
    tables: RwLock<HashMap<(TypeId, u32), Arc<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for TwiddleCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sizes = self.tables.read().map(|t| t.len()).unwrap_or(0);
        f.debug_struct("TwiddleCache").field("domains", &sizes).finish()
    }
}

impl TwiddleCache {
    fn get<F: TwoAdicField>(&self, log_n: u32) -> Arc<Twiddles<F>> {
        let key = (TypeId::of::<F>(), log_n);
        // A poisoned lock only means another thread panicked mid-insert of a
        // complete table; the map itself is still consistent.
        if let Some(t) = self.tables.read().unwrap_or_else(|e| e.into_inner()).get(&key) {
            if let Ok(t) = Arc::clone(t).downcast::<Twiddles<F>>() {
                return t;
            }
        }
        let omega = F::two_adic_generator(log_n).unwrap_or(F::ONE);
        let omega_inv = omega.inverse().unwrap_or(F::ONE);
        let half = (1usize << log_n) / 2;
        let table =
            Arc::new(Twiddles { forward: powers(F::ONE, omega, half), inverse: powers(F::ONE, omega_inv, half) });
        self.tables.write().unwrap_or_else(|e| e.into_inner()).insert(key, table.clone());
        table
    }
}

/// `start·gⁱ` for `i < n`, computed in parallel chunks.
fn powers<F: Field>(start: F, g: F, n: usize) -> Vec<F> {
    let mut out = vec![F::ZERO; n];
    out.par_chunks_mut(CHUNK).enumerate().for_each(|(k, chunk)| {
        let mut acc = start * g.pow(&[(k * CHUNK) as u64]);
        for x in chunk {
            *x = acc;
            acc *= g;
        }
    });
    out
}

/// Multiplies `data[j]` by `scale·gʲ`.
fn scale_by_powers<F: Field>(data: &mut [F], scale: F, g: F) {
    data.par_chunks_mut(CHUNK).enumerate().for_each(|(k, chunk)| {
        let mut acc = scale * g.pow(&[(k * CHUNK) as u64]);
        for x in chunk {
            *x *= acc;
            acc *= g;
        }
    });
}

fn bit_reverse<F>(data: &mut [F]) {
    let n = data.len();
    if n <= 2 {
        return;
    }
    let shift = usize::BITS - n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> shift;
        if i < j {
            data.swap(i, j);
        }
    }
}

#[inline]
fn butterfly<F: Field>(lo: &mut F, hi: &mut F, w: F) {
    let t = *hi * w;
    *hi = *lo - t;
    *lo += t;
}

/// In-place radix-2 DIT NTT of one column in natural order; `twiddles` holds
/// `ωⁱ` for `i < n/2` with `ω` of order `n`.
fn radix2<F: Field>(data: &mut [F], twiddles: &[F]) {
    let n = data.len();
    bit_reverse(data);
    let parallel = n >= PARALLEL_LEN;
    let mut half = 1;
    while half < n {
        let stride = n / (2 * half);
        let block = |chunk: &mut [F]| {
            let (lo, hi) = chunk.split_at_mut(half);
            for (j, (a, b)) in lo.iter_mut().zip(hi.iter_mut()).enumerate() {
                butterfly(a, b, twiddles[j * stride]);
            }
        };
        if !parallel {
            data.chunks_mut(2 * half).for_each(block);
        } else if stride >= 2 * rayon::current_num_threads() {
            // Many independent blocks: one task per group of blocks.
            data.par_chunks_mut(2 * half).with_min_len((CHUNK / (2 * half)).max(1)).for_each(block);
        } else {
            // Few large blocks: split each block's butterflies.
            for chunk in data.chunks_mut(2 * half) {
                let (lo, hi) = chunk.split_at_mut(half);
                lo.par_chunks_mut(CHUNK).zip(hi.par_chunks_mut(CHUNK)).enumerate().for_each(|(k, (l, h))| {
                    for (j, (a, b)) in l.iter_mut().zip(h.iter_mut()).enumerate() {
                        butterfly(a, b, twiddles[(k * CHUNK + j) * stride]);
                    }
                });
            }
        }
        half *= 2;
    }
}

impl CpuBackend {
    fn transform_column<F: TwoAdicField>(&self, column: &mut [F], config: NttConfig<F>) {
        let n = column.len();
        let log_n = n.trailing_zeros();
        let twiddles = self.twiddles.get::<F>(log_n);
        match config.direction {
            NttDirection::Forward => {
                if let Some(shift) = config.coset_shift {
                    scale_by_powers(column, F::ONE, shift);
                }
                radix2(column, &twiddles.forward);
            }
            NttDirection::Inverse => {
                radix2(column, &twiddles.inverse);
                // n < p and the shift was checked non-zero: both invert.
                let n_inv = F::from_u64(n as u64).inverse().unwrap_or(F::ONE);
                match config.coset_shift {
                    None => column.par_chunks_mut(CHUNK).for_each(|c| c.iter_mut().for_each(|x| *x *= n_inv)),
                    Some(shift) => scale_by_powers(column, n_inv, shift.inverse().unwrap_or(F::ONE)),
                }
            }
        }
    }
}

impl<F: TwoAdicField> Ntt<F> for CpuBackend {
    fn ntt_batch(&self, data: &mut [F], column_len: usize, config: NttConfig<F>) -> Result<()> {
        validate::ntt_shape::<F>(data.len(), column_len)?;
        validate::coset_shift(config.coset_shift)?;
        validate::field_elements("ntt input", data)?;
        data.par_chunks_mut(column_len).for_each(|column| self.transform_column(column, config));
        Ok(())
    }
}
