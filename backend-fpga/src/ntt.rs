//! NTTs of any power-of-two size on fixed-size streaming NTT cores
//! (`zk_ntt_stream`), by the four-step method.
//!
//! A transform of `N = N1·N2` points is `N2` transforms of `N1` points (the
//! columns `x[N2·n1 + n2]`), a multiplication by the twiddles `ω^(n2·k1)`,
//! and `N1` transforms of `N2` points (the rows), whose outputs land at
//! `k1 + N1·k2`. Each step runs on the device for every column (and every
//! frame of a batch) in one call: the cores take one element a cycle, the
//! twiddles go through the elementwise multiplier. `N1` is the largest core
//! below `N`, and a row size that is no core is split again, so two cores
//! (2 and 2^5 points in the simulation) give every size. The host only
//! reorders: the transposes between the steps and the cores' bit-reversed
//! outputs, which a card kernel does with its burst addressing.

use zkaccel_core::{validate, Error, Field, Fr, NttConfig, NttDirection, Result, TwoAdicField};

use crate::products::{element, Limbs, ProductDevice};

/// A device with streaming NTT cores of fixed sizes and an elementwise multiplier.
pub trait NttDevice: ProductDevice {
    /// The log2 sizes of its cores, ascending; the smallest must be 1.
    fn ntt_core_logs(&self) -> Vec<u32>;
    /// `input.len() / 2^log_n` transforms of `2^log_n` points (a core's
    /// size) in natural order, with the DIF stage twiddles `twiddles` (stage
    /// `s`: `w^j` for `j < 2^(log_n−1−s)`, `w` of order `2^(log_n−s)`);
    /// outputs in bit-reversed order.
    fn ntt_frames(&self, log_n: u32, twiddles: &[Limbs], input: &[Limbs]) -> Result<Vec<Limbs>>;
}

/// [`zkaccel_core::Ntt::ntt_batch`] on `device`: forward, inverse and on a
/// coset, every column of `data` at once. `data` changes only on success.
pub fn ntt_batch(
    device: &impl NttDevice,
    backend: &'static str,
    data: &mut [Fr],
    column_len: usize,
    config: NttConfig<Fr>,
) -> Result<()> {
    validate::ntt_shape::<Fr>(data.len(), column_len)?;
    validate::coset_shift(config.coset_shift)?;
    validate::field_elements("ntt input", data)?;
    if data.is_empty() {
        return Ok(());
    }
    let log_n = column_len.trailing_zeros();
    let unsupported = || Error::InvalidShape { reason: format!("no 2^{log_n}-th root of unity in Fr") };
    let omega = Fr::two_adic_generator(log_n).ok_or_else(unsupported)?;
    let columns = data.len() / column_len;
    let mut work: Vec<Limbs> = data.iter().map(Fr::montgomery_limbs).collect();
    match config.direction {
        NttDirection::Forward => {
            if let Some(shift) = config.coset_shift {
                // out[i] = Σ a_j (shift·ωⁱ)^j: the DFT of a_j·shift^j.
                work = scale(device, backend, &work, column_len, shift, Fr::ONE)?;
            }
            dft(device, backend, &mut work, log_n, omega)?;
        }
        NttDirection::Inverse => {
            let omega_inv = omega.inverse().ok_or_else(unsupported)?;
            dft(device, backend, &mut work, log_n, omega_inv)?;
            // a_j = shift^(−j)·(1/n)·Σ yᵢ ω^(−ij).
            let n_inv = Fr::from_u64(column_len as u64).inverse().ok_or_else(unsupported)?;
            let step = config.coset_shift.map_or(Some(Fr::ONE), |s| s.inverse()).ok_or_else(unsupported)?;
            work = scale(device, backend, &work, column_len, step, n_inv)?;
        }
    }
    let out = work.into_iter().map(|l| element(backend, l)).collect::<Result<Vec<_>>>()?;
    debug_assert_eq!(out.len(), columns * column_len);
    data.copy_from_slice(&out);
    Ok(())
}

/// `x[c][j]·first·step^j` for every column `c`, on the device.
fn scale(
    device: &impl NttDevice,
    backend: &'static str,
    x: &[Limbs],
    column_len: usize,
    step: Fr,
    first: Fr,
) -> Result<Vec<Limbs>> {
    let mut factors = Vec::with_capacity(column_len);
    let mut f = first;
    for _ in 0..column_len {
        factors.push(f.montgomery_limbs());
        f *= step;
    }
    let b: Vec<Limbs> = (0..x.len()).map(|i| factors[i % column_len]).collect();
    products(device, backend, x, &b)
}

/// The device's elementwise products, checked for count.
fn products(device: &impl NttDevice, backend: &'static str, a: &[Limbs], b: &[Limbs]) -> Result<Vec<Limbs>> {
    let out = device.products(a, b)?;
    if out.len() == a.len() {
        Ok(out)
    } else {
        Err(Error::Device { backend, msg: format!("{} products for {} inputs", out.len(), a.len()) })
    }
}

/// In place: the natural-order DFT with root `root` (of order `2^log_n`) of
/// every `2^log_n`-long frame of `x`.
fn dft(device: &impl NttDevice, backend: &'static str, x: &mut [Limbs], log_n: u32, root: Fr) -> Result<()> {
    if log_n == 0 {
        return Ok(());
    }
    let cores = device.ntt_core_logs();
    let n = 1usize << log_n;
    let frames = x.len() / n;
    if cores.contains(&log_n) {
        let out = device.ntt_frames(log_n, &stage_twiddles(log_n, root), x)?;
        if out.len() != x.len() {
            let msg = format!("{} outputs for {} inputs", out.len(), x.len());
            return Err(Error::Device { backend, msg });
        }
        for f in 0..frames {
            for k in 0..n {
                x[f * n + k] = out[f * n + bit_reverse(k, log_n)];
            }
        }
        return Ok(());
    }
    // N1: the largest core below N (cores hold 1, so one exists).
    let log_n1 = cores.iter().copied().filter(|&c| c < log_n).max().unwrap_or(1);
    let log_n2 = log_n - log_n1;
    let (n1, n2) = (1usize << log_n1, 1usize << log_n2);

    // Columns: frame f, column n2 holds x[f][N2·n1 + n2] over n1.
    let mut cols = vec![[0u64; 4]; x.len()];
    for f in 0..frames {
        for c in 0..n2 {
            for r in 0..n1 {
                cols[(f * n2 + c) * n1 + r] = x[f * n + n2 * r + c];
            }
        }
    }
    dft(device, backend, &mut cols, log_n1, root.pow(&[n2 as u64]))?;

    // Twiddles ω^(n2·k1), from one table of the powers of ω.
    let mut powers = Vec::with_capacity(n);
    let mut p = Fr::ONE;
    for _ in 0..n {
        powers.push(p.montgomery_limbs());
        p *= root;
    }
    let twiddles: Vec<Limbs> = (0..cols.len()).map(|i| powers[((i / n1) % n2) * (i % n1) % n]).collect();
    let cols = products(device, backend, &cols, &twiddles)?;

    // Rows: frame f, row k1 holds the twiddled column outputs over n2.
    let mut rows = vec![[0u64; 4]; x.len()];
    for f in 0..frames {
        for c in 0..n2 {
            for k1 in 0..n1 {
                rows[(f * n1 + k1) * n2 + c] = cols[(f * n2 + c) * n1 + k1];
            }
        }
    }
    dft(device, backend, &mut rows, log_n2, root.pow(&[n1 as u64]))?;
    for f in 0..frames {
        for k1 in 0..n1 {
            for k2 in 0..n2 {
                x[f * n + k1 + n1 * k2] = rows[(f * n1 + k1) * n2 + k2];
            }
        }
    }
    Ok(())
}

/// The DIF stage twiddles of a `2^log_n`-point core for root `root`: stage
/// `s` takes `w^j`, `j < 2^(log_n−1−s)`, with `w = root^(2^s)`.
fn stage_twiddles(log_n: u32, root: Fr) -> Vec<Limbs> {
    let mut out = Vec::with_capacity((1 << log_n) - 1);
    let mut w = root;
    for s in 0..log_n {
        let mut t = Fr::ONE;
        for _ in 0..1usize << (log_n - 1 - s) {
            out.push(t.montgomery_limbs());
            t *= w;
        }
        w = w.square();
    }
    out
}

fn bit_reverse(i: usize, bits: u32) -> usize {
    i.reverse_bits() >> (usize::BITS - bits)
}
