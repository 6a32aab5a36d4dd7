//! Iterative radix-2 NTT: a parallel bit-reversal gather, then decimation
//! in time. Stages whose butterflies span less than a cache-sized block run
//! block by block (each block through all of them while it is in cache);
//! the wider stages stream over the whole column two at a time (radix-2²
//! quadruples, half the memory sweeps). Each stage reads its own
//! contiguous twiddle table, cached per field and domain size.
//!
//! BN254 `Fr` columns of 2^7 elements and more take `ntt_ifma` instead when
//! the CPU has AVX-512 IFMA: the same stages, eight butterflies at a time.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rayon::prelude::*;
use zkaccel_core::{validate, Field, Ntt, NttConfig, NttDirection, Result, TwoAdicField};

use crate::CpuBackend;

#[cfg(target_arch = "x86_64")]
type IfmaPack = crate::ntt_ifma::Pack;
#[cfg(not(target_arch = "x86_64"))]
type IfmaPack = ();

/// Below this many elements a column is transformed on one thread.
const PARALLEL_LEN: usize = 1 << 12;
/// Elements per task in element-wise parallel passes.
const CHUNK: usize = 1 << 11;

/// Per-stage twiddles for one field and domain size: stage `s` (butterflies
/// of half-width `h = 2^(s−1)`) reads `ω_{2h}^j`, `j < h`, at offset `h − 1`,
/// for `ω` and for `ω⁻¹`.
struct Twiddles<F> {
    forward: Vec<F>,
    inverse: Vec<F>,
    /// The same tables from stage 4 on, as IFMA packs (`Fr` only, built at first use).
    #[cfg(target_arch = "x86_64")]
    packs: [std::sync::OnceLock<Vec<crate::ntt_ifma::Pack>>; 2],
}

impl<F: TwoAdicField> Twiddles<F> {
    /// The IFMA twiddle packs of one direction, when `F` is BN254 `Fr`, the
    /// CPU has IFMA and the column is long enough for eight-lane stages.
    #[cfg(target_arch = "x86_64")]
    fn packs(&self, log_n: u32, inverse: bool) -> Option<&[crate::ntt_ifma::Pack]> {
        if log_n < IFMA_MIN_LOG || !crate::ifma::available() {
            return None;
        }
        let scalar = as_fr(if inverse { &self.inverse } else { &self.forward })?;
        Some(self.packs[inverse as usize].get_or_init(|| crate::ntt_ifma::twiddle_packs(scalar, log_n)))
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn packs(&self, _log_n: u32, _inverse: bool) -> Option<&[()]> {
        None
    }
}

/// log2 of the block of packs that the narrow IFMA stages finish in cache
/// (2^13 elements = 320 KiB of packs, within a core's L2).
#[cfg(target_arch = "x86_64")]
const IFMA_LOCAL_LOG: u32 = 13;

/// Columns from 2^7 elements take the IFMA stages (16 packs, stages 4+).
#[cfg(target_arch = "x86_64")]
const IFMA_MIN_LOG: u32 = 7;

/// `data` as BN254 `Fr` elements when that is what `F` is.
#[cfg(target_arch = "x86_64")]
fn as_fr<F: 'static>(data: &[F]) -> Option<&[zkaccel_core::Fr]> {
    zkaccel_core::cast::downcast_slice(data)
}

#[cfg(target_arch = "x86_64")]
fn as_fr_mut<F: 'static>(data: &mut [F]) -> Option<&mut [zkaccel_core::Fr]> {
    zkaccel_core::cast::downcast_slice_mut(data)
}

/// log2 of the block that the narrow stages finish while it is in cache
/// (2^11 elements = 64 KiB).
const LOCAL_LOG: u32 = 11;

/// Concatenated per-stage tables `[ω_2^0 | ω_4^0, ω_4^1 | …]` for stages `1..=log_n`.
fn stage_twiddles<F: TwoAdicField>(log_n: u32, inverse: bool) -> Vec<F> {
    let mut table = Vec::with_capacity((1usize << log_n).saturating_sub(1));
    for s in 1..=log_n {
        let root = F::two_adic_generator(s).unwrap_or(F::ONE);
        let root = if inverse { root.inverse().unwrap_or(F::ONE) } else { root };
        table.extend(powers(F::ONE, root, 1 << (s - 1)));
    }
    table
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
        let table = Arc::new(Twiddles {
            forward: stage_twiddles(log_n, false),
            inverse: stage_twiddles(log_n, true),
            #[cfg(target_arch = "x86_64")]
            packs: Default::default(),
        });
        self.tables.write().unwrap_or_else(|e| e.into_inner()).insert(key, table.clone());
        table
    }
}

/// `start·gⁱ` for `i < n`, computed in parallel chunks.
fn powers<F: Field>(start: F, g: F, n: usize) -> Vec<F> {
    let mut out = vec![F::ONE; n];
    scale_by_powers(&mut out, start, g);
    out
}

/// `data[j] ·= c`.
fn scale<F: Field>(data: &mut [F], c: F) {
    #[cfg(target_arch = "x86_64")]
    if crate::ifma::available() {
        if let (Some(c), Some(data)) = (as_fr(std::slice::from_ref(&c)), as_fr_mut(data)) {
            // The powers of 1: one product per element, as below.
            crate::ntt_ifma::mul_by_powers(data, c[0], zkaccel_core::Fr::ONE);
            return;
        }
    }
    data.par_chunks_mut(CHUNK).for_each(|chunk| chunk.iter_mut().for_each(|x| *x *= c));
}

/// `data[j] ·= factors[j]`.
fn mul_elementwise<F: Field>(data: &mut [F], factors: &[F]) {
    #[cfg(target_arch = "x86_64")]
    if crate::ifma::available() {
        if let (Some(f), Some(data)) = (as_fr(factors), as_fr_mut(data)) {
            crate::ntt_ifma::mul_elementwise(data, f);
            return;
        }
    }
    data.iter_mut().zip(factors).for_each(|(x, p)| *x *= *p);
}

/// Multiplies `data[j]` by `scale·gʲ`.
fn scale_by_powers<F: Field>(data: &mut [F], scale: F, g: F) {
    #[cfg(target_arch = "x86_64")]
    if crate::ifma::available() {
        if let (Some(s), Some(g)) = (as_fr(std::slice::from_ref(&scale)), as_fr(std::slice::from_ref(&g))) {
            let (s, g) = (s[0], g[0]);
            if let Some(data) = as_fr_mut(data) {
                crate::ntt_ifma::mul_by_powers(data, s, g);
                return;
            }
        }
    }
    data.par_chunks_mut(CHUNK).enumerate().for_each(|(k, chunk)| {
        let mut acc = scale * g.pow(&[(k * CHUNK) as u64]);
        for x in chunk {
            *x *= acc;
            acc *= g;
        }
    });
}

/// Multiplies `data[j]` by `coset_shift^j` (when given) and permutes it into
/// bit-reversed order: in place below the parallel threshold, else as a
/// parallel gather from a scratch copy whose making also does the scaling,
/// so the coset costs no pass of its own.
fn scale_and_bit_reverse<F: Field>(data: &mut [F], coset_shift: Option<F>) {
    let n = data.len();
    if n < PARALLEL_LEN {
        if let Some(g) = coset_shift {
            scale_by_powers(data, F::ONE, g);
        }
        if n > 2 {
            let shift = usize::BITS - n.trailing_zeros();
            for i in 0..n {
                let j = i.reverse_bits() >> shift;
                if i < j {
                    data.swap(i, j);
                }
            }
        }
        return;
    }
    let shift = usize::BITS - n.trailing_zeros();
    let source: Vec<F> = match coset_shift {
        None => data.to_vec(),
        Some(g) => data
            .par_chunks(CHUNK)
            .enumerate()
            .flat_map_iter(|(k, chunk)| {
                let mut acc = g.pow(&[(k * CHUNK) as u64]);
                chunk.iter().map(move |&x| {
                    let y = x * acc;
                    acc *= g;
                    y
                })
            })
            .collect(),
    };
    data.par_chunks_mut(CHUNK).enumerate().for_each(|(k, chunk)| {
        for (i, x) in chunk.iter_mut().enumerate() {
            *x = source[(k * CHUNK + i).reverse_bits() >> shift];
        }
    });
}

/// One DIT stage over `data` (a whole number of butterfly groups of width
/// `2·twiddles.len()`); the first twiddle of every group is one.
#[inline]
fn stage<F: Field>(data: &mut [F], twiddles: &[F]) {
    let half = twiddles.len();
    for group in data.chunks_exact_mut(2 * half) {
        let (lo, hi) = group.split_at_mut(half);
        let (l0, h0) = (lo[0], hi[0]);
        lo[0] = l0 + h0;
        hi[0] = l0 - h0;
        for ((a, b), &w) in lo[1..].iter_mut().zip(&mut hi[1..]).zip(&twiddles[1..]) {
            butterfly(a, b, w);
        }
    }
}

#[inline]
fn butterfly<F: Field>(lo: &mut F, hi: &mut F, w: F) {
    let t = *hi * w;
    *hi = *lo - t;
    *lo += t;
}

/// In-place radix-2 DIT NTT of one column in natural order with the
/// per-stage `twiddles` of its size, on the coset `coset_shift·H` if given.
fn radix2<F: Field>(data: &mut [F], twiddles: &[F], coset_shift: Option<F>, packs: Option<&[IfmaPack]>) {
    let n = data.len();
    let log_n = n.trailing_zeros();
    let stage_table = |s: u32| &twiddles[(1usize << (s - 1)) - 1..(1usize << s) - 1];
    #[cfg(target_arch = "x86_64")]
    if let Some(packs) = packs {
        // `packs` exist only for Fr columns of at least 2^IFMA_MIN_LOG elements.
        if let (Some(tw2), Some(tw3), Some(column)) = (as_fr(stage_table(2)), as_fr(stage_table(3)), as_fr_mut(data)) {
            if let Some(g) = coset_shift.as_ref().and_then(|g| as_fr(std::slice::from_ref(g))) {
                scale_by_powers(column, zkaccel_core::Fr::ONE, g[0]);
            }
            crate::ntt_ifma::transform(column, packs, [tw2, tw3], IFMA_LOCAL_LOG, n >= PARALLEL_LEN);
            return;
        }
    }
    scale_and_bit_reverse(data, coset_shift);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = packs;
    let local = log_n.min(LOCAL_LOG);
    let narrow = |block: &mut [F]| (1..=local).for_each(|s| stage(block, stage_table(s)));
    if n >= PARALLEL_LEN {
        data.par_chunks_mut(1 << local).for_each(narrow);
    } else {
        data.chunks_mut(1 << local).for_each(narrow);
    }
    // Wide stages in pairs: one sweep over memory does two stages.
    let mut s = local + 1;
    while s <= log_n {
        if s < log_n {
            double_stage(data, stage_table(s), stage_table(s + 1));
            s += 2;
        } else {
            single_wide_stage(data, stage_table(s));
            s += 1;
        }
    }
}

/// Whether a stage with groups of `group` elements has enough groups to
/// parallelise over them rather than within each.
fn many_groups(n: usize, group: usize) -> bool {
    n / group >= 2 * rayon::current_num_threads()
}

/// One stage whose groups may span the whole column.
fn single_wide_stage<F: Field>(data: &mut [F], tw: &[F]) {
    let (n, half) = (data.len(), tw.len());
    if n < PARALLEL_LEN {
        stage(data, tw);
    } else if many_groups(n, 2 * half) {
        data.par_chunks_mut(2 * half).for_each(|group| stage(group, tw));
    } else {
        // Few wide groups: split each group's butterflies across threads.
        for group in data.chunks_mut(2 * half) {
            let (lo, hi) = group.split_at_mut(half);
            lo.par_chunks_mut(CHUNK).zip(hi.par_chunks_mut(CHUNK)).zip(tw.par_chunks(CHUNK)).for_each(|((l, h), w)| {
                for ((a, b), &w) in l.iter_mut().zip(h.iter_mut()).zip(w) {
                    butterfly(a, b, w);
                }
            });
        }
    }
}

/// Stages `s` and `s + 1` in one sweep: each quadruple `(j, j+h, j+2h, j+3h)`
/// of a group of `4h` gets both stages' butterflies while in registers.
/// `tw1` holds stage `s`'s `h` twiddles, `tw2` stage `s + 1`'s `2h`.
fn double_stage<F: Field>(data: &mut [F], tw1: &[F], tw2: &[F]) {
    let (n, h) = (data.len(), tw1.len());
    let quarter = |q0: &mut [F], q1: &mut [F], q2: &mut [F], q3: &mut [F], offset: usize| {
        for j in 0..q0.len() {
            let k = offset + j;
            let (mut a0, mut a1, mut a2, mut a3) = (q0[j], q1[j], q2[j], q3[j]);
            butterfly(&mut a0, &mut a1, tw1[k]);
            butterfly(&mut a2, &mut a3, tw1[k]);
            butterfly(&mut a0, &mut a2, tw2[k]);
            butterfly(&mut a1, &mut a3, tw2[k + h]);
            (q0[j], q1[j], q2[j], q3[j]) = (a0, a1, a2, a3);
        }
    };
    let split = |group: &mut [F]| {
        let (a, b) = group.split_at_mut(2 * h);
        let (q0, q1) = a.split_at_mut(h);
        let (q2, q3) = b.split_at_mut(h);
        quarter(q0, q1, q2, q3, 0);
    };
    if n < PARALLEL_LEN {
        data.chunks_mut(4 * h).for_each(split);
    } else if many_groups(n, 4 * h) {
        data.par_chunks_mut(4 * h).for_each(split);
    } else {
        for group in data.chunks_mut(4 * h) {
            let (a, b) = group.split_at_mut(2 * h);
            let (q0, q1) = a.split_at_mut(h);
            let (q2, q3) = b.split_at_mut(h);
            q0.par_chunks_mut(CHUNK)
                .zip(q1.par_chunks_mut(CHUNK))
                .zip(q2.par_chunks_mut(CHUNK))
                .zip(q3.par_chunks_mut(CHUNK))
                .enumerate()
                .for_each(|(i, (((q0, q1), q2), q3))| quarter(q0, q1, q2, q3, i * CHUNK));
        }
    }
}

impl CpuBackend {
    fn transform_column<F: TwoAdicField>(&self, column: &mut [F], config: NttConfig<F>) {
        let n = column.len();
        let log_n = n.trailing_zeros();
        let twiddles = self.twiddles.get::<F>(log_n);
        match config.direction {
            NttDirection::Forward => {
                radix2(column, &twiddles.forward, config.coset_shift, twiddles.packs(log_n, false))
            }
            NttDirection::Inverse => {
                radix2(column, &twiddles.inverse, None, twiddles.packs(log_n, true));
                // n < p and the shift was checked non-zero: both invert.
                let n_inv = F::from_u64(n as u64).inverse().unwrap_or(F::ONE);
                match config.coset_shift {
                    None => scale(column, n_inv),
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
        if let (NttDirection::Forward, Some(shift)) = (config.direction, config.coset_shift) {
            if data.len() > column_len {
                // Several columns on one coset: the shift's powers once, then
                // one product per element instead of two.
                let mut powers = vec![F::ONE; column_len];
                scale_by_powers(&mut powers, F::ONE, shift);
                data.par_chunks_mut(column_len).for_each(|column| {
                    mul_elementwise(column, &powers);
                    self.transform_column(column, NttConfig::forward());
                });
                return Ok(());
            }
        }
        data.par_chunks_mut(column_len).for_each(|column| self.transform_column(column, config));
        Ok(())
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use zkaccel_core::Fr;

    /// The IFMA stages against the scalar stages on the same twiddles, on
    /// every size from the first packed one past the cache-sized block (both
    /// wide-stage strategies), forward, inverse and on a coset.
    #[test]
    fn ifma_stages_match_the_scalar_stages() {
        if !crate::ifma::available() {
            eprintln!("SKIPPED: this CPU has no AVX-512 IFMA");
            return;
        }
        let cache = TwiddleCache::default();
        let mut x = Fr::from_u64(3);
        for log_n in IFMA_MIN_LOG..=16 {
            let n = 1usize << log_n;
            let twiddles = cache.get::<Fr>(log_n);
            for (inverse, coset) in [(false, None), (true, None), (false, Some(Fr::multiplicative_generator()))] {
                let packs = twiddles.packs(log_n, inverse).expect("packs for Fr");
                let table = if inverse { &twiddles.inverse } else { &twiddles.forward };
                let mut input: Vec<Fr> = (0..n)
                    .map(|_| {
                        x = x * x + Fr::from_u64(7);
                        x
                    })
                    .collect();
                // Extremes: every lane of the first pack at p − 1.
                input[..8].fill(-Fr::ONE);
                let (mut packed, mut scalar) = (input.clone(), input);
                radix2(&mut packed, table, coset, Some(packs));
                radix2(&mut scalar, table, coset, None);
                assert!(packed == scalar, "2^{log_n}, inverse {inverse}, coset {coset:?}");
            }
        }
    }
}
