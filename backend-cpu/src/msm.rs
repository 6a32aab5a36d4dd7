//! Pippenger's bucket method with signed (Booth) digits and batch-affine
//! bucket accumulation.
//!
//! - Scalars are cut into `c`-bit signed digits in `[−2^(c−1), 2^(c−1)]`,
//!   so each window needs `2^(c−1)` buckets and `−P` costs one negation.
//! - Buckets are affine points. Additions into them are queued and done a
//!   batch at a time with one shared field inversion (Montgomery's trick),
//!   about 6 multiplications per addition instead of 11 for a mixed
//!   Jacobian addition. A point whose bucket already has an addition in the
//!   batch waits in a conflict queue for the next batch; past a bound it
//!   goes to a Jacobian overflow bucket instead.
//! - Repeated wide scalars (grand products over untouched rows, a lookup
//!   table's padding row) would all conflict in the same buckets: the
//!   points of each repeated value are summed first ([`take_repeats`]).
//! - Scalars are split by bit length (short witness values, a few long
//!   blinding values), and each part runs over the prepared copies in place
//!   or over a gathered copy of its points, whichever the model finds cheaper.
//! - `c` comes from a cost model of accumulation and bucket reduction; work
//!   is split over threads by windows and, when windows are fewer than
//!   threads, by points.
//! - Prepared bases store `2^(j·c)·P` for `j < m` so that `m` windows share
//!   one bucket set: fewer reductions, which makes wider windows pay. The
//!   memory is `m` times the bases; `m` defaults to 8 within 64 MiB per base
//!   set (fewer for larger sets, where the saved reductions weigh little) and
//!   is selectable with [`CpuBackend::with_prepared_copies`].
//! - A top window whose digits reach only a few buckets (254-bit scalars
//!   leave it one to seven bits) runs in its own replicated buckets
//!   ([`narrow_window_sums`]), not in the shared set where its additions
//!   would all conflict.

use std::sync::Arc;

use rayon::prelude::*;
use zkaccel_core::field_ops::invert_lanes_vartime;
use zkaccel_core::glv::GlvParams;
use zkaccel_core::{validate, Affine, Backend, Field, Msm, PreparedBases, PrimeField, Projective, Result, SwCurve};

use crate::msm_repeats::{sum_groups, take_repeats};
use crate::CpuBackend;

/// Cost of one batch-affine addition in scalar code, in tenths of a field
/// multiplication (5M + 1S + a share of the batch inversion).
const COST_BATCH_ADD: usize = 70;
/// The same on AVX-512 IFMA (BN254 G1 and G2), eight at a time: G1 MSMs of
/// 2^16–2^20 points ran 2.0–2.8× faster than with the scalar additions,
/// and costs of 25 to 45 chose windows within the noise of each other.
const COST_BATCH_ADD_IFMA: usize = 30;
/// Cost of one field inversion (variable time): 171 products measured on
/// the 2-vCPU Xeon (3.6 µs against 21 ns).
const COST_INVERSION: usize = 1710;
/// Cost of one step of the bucket reduction: a mixed and a full Jacobian addition.
const COST_REDUCTION_STEP: usize = 270;
/// Independent product chains in a batch inversion (see `BucketSet::flush`).
const LANES: usize = 4;
/// Largest window width considered: 2^15 affine buckets (2 MiB) still sit
/// in a core's L2/L3 slice; wider windows lose more to cache misses on
/// random bucket access than the cost model's operation counts gain.
const MAX_WINDOW_BITS: usize = 16;

impl<C: SwCurve> Msm<C> for CpuBackend {
    fn msm_batch(&self, bases: &[Affine<C>], scalars: &[&[C::Scalar]]) -> Result<Vec<Projective<C>>> {
        validate::points(bases)?;
        validate::msm_scalars(bases.len(), scalars)?;
        Ok(scalars.iter().map(|s| pippenger(bases, s)).collect())
    }

    fn prepare_bases(&self, bases: &[Affine<C>]) -> Result<PreparedBases<C>> {
        let copies = self.prepared_copies.unwrap_or_else(|| default_copies(core::mem::size_of_val(bases)));
        self.prepare_copies(bases, copies)
    }

    /// Each copy beyond the bases costs their size, so `extra_bytes` buys
    /// `extra_bytes / size` of them (at most the default's 8 in all); a
    /// `ZKACCEL_MSM_COPIES` setting still wins, as the caller's explicit choice.
    fn prepare_bases_with_budget(&self, bases: &[Affine<C>], extra_bytes: usize) -> Result<PreparedBases<C>> {
        let size = core::mem::size_of_val(bases).max(1);
        let copies = self.prepared_copies.unwrap_or((1 + extra_bytes / size).min(DEFAULT_PREPARED_COPIES));
        self.prepare_copies(bases, copies)
    }

    /// Accepts handles from any backend: their host bases were validated when
    /// they were prepared, which is what lets the `Accelerator` redo a failed
    /// device MSM here. Handles made here use their precomputed multiples.
    fn msm_prepared_batch(&self, bases: &PreparedBases<C>, scalars: &[&[C::Scalar]]) -> Result<Vec<Projective<C>>> {
        validate::msm_prepared_scalars(bases.len(), scalars)?;
        match bases.state::<ShiftedBases<C>>() {
            Some(table) => Ok(scalars.iter().map(|s| table.msm(bases.host_bases(), s)).collect()),
            None => {
                let host = bases.host_bases();
                Ok(scalars.iter().map(|s| pippenger(&host[..s.len()], s)).collect())
            }
        }
    }
}

impl CpuBackend {
    /// Validated `bases` with up to `copies` shifted copies (the bases included).
    fn prepare_copies<C: SwCurve>(&self, bases: &[Affine<C>], copies: usize) -> Result<PreparedBases<C>> {
        validate::points(bases)?;
        let table = ShiftedBases::new(bases, copies);
        let bytes = table.shifted.iter().map(|copy| core::mem::size_of_val::<[Affine<C>]>(copy)).sum();
        Ok(PreparedBases::new(Backend::name(self), Arc::from(bases), Box::new(table), bytes))
    }

    /// A CPU backend whose prepared bases keep `copies` shifted multiples of
    /// every base (memory: `copies` × 64 bytes per base; at least 1).
    /// More copies let more windows share a bucket set.
    pub fn with_prepared_copies(copies: usize) -> Self {
        Self { prepared_copies: Some(copies.max(1)), ..Self::default() }
    }
}

/// Most copies (the bases included) that prepared bases keep by default.
const DEFAULT_PREPARED_COPIES: usize = 8;

/// Memory that prepared bases take at most by default, the bases included,
/// when more than one copy fits: 8 copies up to 2^17 G1 bases, 4 at 2^18,
/// the bases alone from 2^20. The copies save bucket reductions, which weigh
/// most on small MSMs (measured in whole halo2 proofs, 2026-12-05: 8 copies
/// against 1 made proofs 1.26× faster at 2^14, 1.14× at 2^16, 1.05× at 2^18;
/// one MSM of 2^20 points, 2026-11-22: 1.10×), while their memory grows with
/// the SRS.
const PREPARED_BUDGET_BYTES: usize = 64 << 20;

/// The default number of copies for bases of `bytes`.
fn default_copies(bytes: usize) -> usize {
    (PREPARED_BUDGET_BYTES / bytes.max(1)).clamp(1, DEFAULT_PREPARED_COPIES)
}

/// The Booth digit of window `w` (width `c`) of the little-endian `limbs`:
/// `bits[wc .. wc+c) + bit[wc−1] − 2^c·bit[wc+c−1]`, in `[−2^(c−1), 2^(c−1)]`.
#[inline]
fn booth_digit(limbs: &[u64], w: usize, c: usize) -> i64 {
    let start = w * c;
    let low = bits(limbs, start, c) as i64;
    let carry_in = if start == 0 { 0 } else { bits(limbs, start - 1, 1) as i64 };
    let top = bits(limbs, start + c - 1, 1) as i64;
    low + carry_in - (top << c)
}

/// `len ≤ 64` bits of `limbs` from bit `offset` (zero beyond the end).
#[inline]
fn bits(limbs: &[u64], offset: usize, len: usize) -> u64 {
    let (limb, shift) = (offset / 64, offset % 64);
    if limb >= limbs.len() {
        return 0;
    }
    let mut v = limbs[limb] >> shift;
    if shift + len > 64 && limb + 1 < limbs.len() {
        v |= limbs[limb + 1] << (64 - shift);
    }
    if len == 64 {
        v
    } else {
        v & ((1u64 << len) - 1)
    }
}

/// The cost of one batch-affine addition on this CPU for curve `C`.
fn batch_add_cost<C: SwCurve>() -> usize {
    #[cfg(target_arch = "x86_64")]
    if crate::msm_ifma::supports::<C>() {
        return COST_BATCH_ADD_IFMA;
    }
    COST_BATCH_ADD
}

/// Windows of width `c` needed for Booth digits of `bits`-bit scalars.
fn window_count(scalar_bits: usize, c: usize) -> usize {
    (scalar_bits + 1).div_ceil(c)
}

/// For `c`-bit windows of `scalar_bits`-bit scalars and at most
/// `max_copies` shifted copies of the bases: the number of windows, of
/// copies used, and of bucket-set groups (windows sharing one bucket set).
fn window_layout(scalar_bits: usize, c: usize, max_copies: usize) -> (usize, usize, usize) {
    let windows = window_count(scalar_bits, c);
    let copies = max_copies.min(windows);
    (windows, copies, windows.div_ceil(copies))
}

/// The window width with the least estimated work ([`window_cost`]) for
/// `n` points with at most `max_copies` copies.
fn best_window(n: usize, scalar_bits: usize, max_copies: usize, add_cost: usize) -> usize {
    // One window of `scalar_bits + 1` bits holds every digit: wider ones
    // only add empty buckets.
    let widest = MAX_WINDOW_BITS.min(scalar_bits + 1).max(2);
    (2..=widest).min_by_key(|&c| window_cost(n, scalar_bits, c, max_copies, add_cost)).unwrap_or(2)
}

/// The estimated work of `n` points with `scalar_bits`-bit scalars at
/// window width `c`: every window adds every point, and every group reduces
/// its buckets once per point chunk.
fn window_cost(n: usize, scalar_bits: usize, c: usize, max_copies: usize, add_cost: usize) -> usize {
    let (windows, _, groups) = window_layout(scalar_bits, c, max_copies);
    let reductions = groups * chunks_per_window(groups, n);
    // The addition costs were measured with batches of 512 or more; narrower
    // windows have smaller batches, whose additions each carry a larger share
    // of their batch's inversion.
    let add_cost = add_cost + (COST_INVERSION / batch_size(c)).saturating_sub(COST_INVERSION / 512);
    windows * n * add_cost + reductions * (1 << (c - 1)) * COST_REDUCTION_STEP
}

/// Additions per batch of a bucket set of width `c`: far fewer than the
/// `2^(c−1)` buckets keeps conflicts rare; a few hundred amortise the
/// inversion to under one product each.
fn batch_size(c: usize) -> usize {
    (1usize << c.saturating_sub(2)).clamp(8, 1024)
}

/// How many point chunks each window is split into so every thread has work.
fn chunks_per_window(windows: usize, points: usize) -> usize {
    let threads = rayon::current_num_threads();
    if windows >= 2 * threads || points < 1 << 12 {
        1
    } else {
        (2 * threads).div_ceil(windows)
    }
}

/// `Σ sᵢ·Pᵢ`; bases must be valid and as many as scalars.
pub(crate) fn pippenger<C: SwCurve>(bases: &[Affine<C>], scalars: &[C::Scalar]) -> Projective<C> {
    debug_assert_eq!(bases.len(), scalars.len());
    if let Some(glv) = &C::GLV {
        if glv_pays(scalars.len(), C::Scalar::NUM_BITS as usize, batch_add_cost::<C>()) {
            return glv_msm(glv, bases, scalars);
        }
    }
    scalar_aware_msm(&[bases], None, scalars)
}

/// Field products per point that GLV adds, in tenths: the decomposition (two short
/// products, four scalar-field products) and `φ(P)` (one product).
const COST_GLV_PER_POINT: usize = 120;

/// Largest MSM that GLV is used for. Measured on the 2-vCPU EPYC (median
/// of 5, same process): 1.34× faster at 2^12, even at 2^14 and 2^16, 0.74×
/// at 2^18 — twice the points stop fitting in cache before the saved
/// reductions matter.
const GLV_MAX_POINTS: usize = 1 << 14;

/// Whether `n` points with `bits`-bit scalars are cheaper as `2n` points
/// with half-width scalars. GLV removes no bucket additions (twice the
/// points, half the windows); it pays through fewer bucket reductions and
/// window doublings, which weigh most on small MSMs.
fn glv_pays(n: usize, bits: usize, add_cost: usize) -> bool {
    let direct = estimate(n, bits, 1, None, add_cost).0;
    let split = estimate(2 * n, bits.div_ceil(2) + 1, 1, None, add_cost).0 + n * COST_GLV_PER_POINT;
    n <= GLV_MAX_POINTS && split < direct
}

/// `Σ kᵢ·Pᵢ = Σ k₁ᵢ·Pᵢ + k₂ᵢ·φ(Pᵢ)` with `kᵢ = k₁ᵢ + k₂ᵢ·λ`.
fn glv_msm<C: SwCurve>(glv: &GlvParams<C>, bases: &[Affine<C>], scalars: &[C::Scalar]) -> Projective<C> {
    let n = scalars.len();
    let mut all_bases = Vec::with_capacity(2 * n);
    all_bases.extend_from_slice(bases);
    all_bases.par_extend(bases.par_iter().map(|p| glv.endomorphism(p)));
    let (mut halves, seconds): (Vec<C::Scalar>, Vec<C::Scalar>) = scalars.par_iter().map(|k| glv.decompose(k)).unzip();
    halves.extend(seconds);
    scalar_aware_msm(&[&all_bases], None, &halves)
}

/// The estimated cost of `n` points with `bits`-bit scalars at the best
/// window width, and that width (or at the fixed width `c`).
fn estimate(n: usize, bits: usize, max_copies: usize, fixed_c: Option<usize>, add_cost: usize) -> (usize, usize) {
    let c = fixed_c.unwrap_or_else(|| best_window(n, bits, max_copies, add_cost));
    (window_cost(n, bits, c, max_copies, add_cost), c)
}

/// A scalar as a signed magnitude: `s` or `−(r − s)`, whichever is shorter.
///
/// Witness columns are mostly small integers and small negatives (`r − x`),
/// plus a few random blinding values; an MSM whose windows cover only the
/// magnitudes' bits skips the all-zero high windows.
#[derive(Clone, Copy)]
pub(crate) struct SignedScalar<R> {
    pub(crate) magnitude: R,
    pub(crate) negative: bool,
    pub(crate) bits: u16,
}

fn signed_scalars<F: PrimeField>(scalars: &[F]) -> Vec<SignedScalar<F::Repr>> {
    let half: Vec<u64> = shift_right_one(F::MODULUS.as_ref());
    scalars
        .par_iter()
        .map(|s| {
            let repr = s.to_canonical();
            let negative = greater(repr.as_ref(), &half);
            let magnitude = if negative { (-*s).to_canonical() } else { repr };
            SignedScalar { magnitude, negative, bits: bit_length(magnitude.as_ref()) as u16 }
        })
        .collect()
}

fn shift_right_one(limbs: &[u64]) -> Vec<u64> {
    (0..limbs.len()).map(|i| (limbs[i] >> 1) | limbs.get(i + 1).map_or(0, |next| next << 63)).collect()
}

/// `a > b` for little-endian limbs of equal length.
fn greater(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().zip(b).rev() {
        if x != y {
            return x > y;
        }
    }
    false
}

fn bit_length(limbs: &[u64]) -> usize {
    limbs.iter().rposition(|&l| l != 0).map_or(0, |i| 64 * i + 64 - limbs[i].leading_zeros() as usize)
}

/// `Σ sᵢ·Pᵢ`, repeated scalars summed once ([`take_repeats`]) and windows
/// covering only the bits the scalars need ([`split_msm`]). `copies` and
/// `fixed_c` are those of [`bucket_msm`]; `fixed_c` is `None` for plain
/// bases (the width then follows the scalars).
fn scalar_aware_msm<C: SwCurve>(
    copies: &[&[Affine<C>]],
    fixed_c: Option<usize>,
    scalars: &[C::Scalar],
) -> Projective<C> {
    let n = scalars.len();
    if n == 0 {
        return Projective::IDENTITY;
    }
    let mut signed = signed_scalars(scalars);
    let repeats = take_repeats(&copies[0][..n], scalars, &mut signed);
    let sum = split_msm(copies, fixed_c, signed);
    match repeats {
        Some((sums, magnitudes)) => sum.add(&pippenger(&sums, &magnitudes)),
        None => sum,
    }
}

/// Cost, in tenths of a field multiplication, of one window passing over a
/// point whose digit is zero (another part's point, or a zero scalar).
const COST_DIGIT_SCAN: usize = 1;
/// Cost of copying one point and its scalar into a gathered part.
const COST_GATHER: usize = 10;

/// How one part of an MSM runs: over its points where they are, skipping
/// the others (`copies` prepared copies at width `c`), or over a gathered
/// copy of its points (plain Pippenger at width `c`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum PartPlan {
    InPlace { copies: usize, c: usize },
    Gathered { c: usize },
}

/// The cheaper plan, and its cost, for the `k` non-zero scalars (of `bits`
/// bits) of a part among `n` positions.
fn part_plan(
    k: usize,
    n: usize,
    bits: usize,
    copies: usize,
    fixed_c: Option<usize>,
    add_cost: usize,
) -> (usize, PartPlan) {
    let scan = |c: usize| n * window_count(bits, c) * COST_DIGIT_SCAN;
    let (plain, plain_c) = estimate(k, bits, 1, None, add_cost);
    let mut best = (plain + scan(plain_c), PartPlan::InPlace { copies: 1, c: plain_c });
    if k < n && plain + k * COST_GATHER < best.0 {
        best = (plain + k * COST_GATHER, PartPlan::Gathered { c: plain_c });
    }
    if let Some(c) = fixed_c {
        let prepared = window_cost(k, bits, c, copies, add_cost) + scan(c);
        if prepared < best.0 {
            best = (prepared, PartPlan::InPlace { copies, c });
        }
    }
    best
}

/// Runs one part: `signed` holds its scalars and zeros elsewhere.
fn run_part<C: SwCurve>(
    copies: &[&[Affine<C>]],
    bits: usize,
    plan: PartPlan,
    signed: &[SignedScalar<<C::Scalar as PrimeField>::Repr>],
) -> Projective<C> {
    match plan {
        PartPlan::InPlace { copies: m, c } => bucket_msm(&copies[..m], c, bits, signed),
        PartPlan::Gathered { c } => {
            let (bases, scalars): (Vec<Affine<C>>, Vec<_>) =
                signed.iter().enumerate().filter(|(_, s)| s.bits > 0).map(|(i, s)| (copies[0][i], *s)).unzip();
            bucket_msm(&[&bases], c, bits, &scalars)
        }
    }
}

/// `Σ sᵢ·Pᵢ` with windows covering only the bits the scalars need.
///
/// Picks a bit width `B` from the scalars' magnitudes: scalars longer than
/// `B` (the few random blinding values of a witness column) run as a
/// separate full-width part, the rest with `⌈(B+1)/c⌉` windows; each part
/// runs in place or gathered, whichever [`part_plan`] finds cheaper.
fn split_msm<C: SwCurve>(
    copies: &[&[Affine<C>]],
    fixed_c: Option<usize>,
    mut signed: Vec<SignedScalar<<C::Scalar as PrimeField>::Repr>>,
) -> Projective<C> {
    let n = signed.len();
    let add_cost = batch_add_cost::<C>();
    let full_bits = C::Scalar::NUM_BITS as usize;
    let mut histogram = vec![0usize; full_bits + 1];
    for s in &signed {
        histogram[usize::from(s.bits)] += 1;
    }
    let nonzero = n - histogram[0];
    if nonzero == 0 {
        return Projective::IDENTITY;
    }
    let plan = |k: usize, bits: usize| part_plan(k, n, bits, copies.len(), fixed_c, add_cost);
    // The best split: main width `bits`, scalars above it as outliers.
    let (mut best_bits, mut best_cost, mut above) = (full_bits, usize::MAX, 0usize);
    for bits in (0..=full_bits).rev() {
        if bits < full_bits {
            above += histogram[bits + 1];
        }
        if histogram[bits] == 0 && bits != full_bits {
            continue;
        }
        let main_points = nonzero - above;
        let main = match bits {
            0 => 0,
            1 => main_points * COST_MIXED_ADD,
            _ => plan(main_points, bits).0,
        };
        let outliers = if above == 0 { 0 } else { plan(above, full_bits).0 };
        if main + outliers < best_cost {
            (best_bits, best_cost) = (bits, main + outliers);
        }
    }
    let outlier_count = signed.iter().filter(|s| usize::from(s.bits) > best_bits).count();
    let outlier_sum = if outlier_count == 0 {
        Projective::IDENTITY
    } else {
        let zero = SignedScalar { magnitude: C::Scalar::ZERO.to_canonical(), negative: false, bits: 0 };
        // Moves each outlier out of `signed`, leaving zeros in both vectors' other places.
        let outliers: Vec<_> = signed
            .iter_mut()
            .map(|s| if usize::from(s.bits) > best_bits { std::mem::replace(s, zero) } else { zero })
            .collect();
        run_part(copies, full_bits, plan(outlier_count, full_bits).1, &outliers)
    };
    let main_sum = match best_bits {
        0 => Projective::IDENTITY,
        1 => signed_sum(copies[0], &signed),
        _ => run_part(copies, best_bits, plan(nonzero - outlier_count, best_bits).1, &signed),
    };
    main_sum.add(&outlier_sum)
}

/// Cost of a mixed Jacobian–affine addition, in tenths of a field multiplication.
const COST_MIXED_ADD: usize = 110;

/// `Σ ±Pᵢ` for scalars that are 0 or ±1 (selector and bit columns): one
/// group of batch-affine additions, no buckets.
fn signed_sum<C: SwCurve>(
    bases: &[Affine<C>],
    scalars: &[SignedScalar<<C::Scalar as PrimeField>::Repr>],
) -> Projective<C> {
    let points: Vec<(u32, Affine<C>)> = bases
        .iter()
        .zip(scalars)
        .filter(|(_, s)| s.bits > 0)
        .map(|(p, s)| (0, if s.negative { p.neg() } else { *p }))
        .collect();
    sum_groups(points, 1)[0].to_projective()
}

/// `Σ ±mᵢ·Pᵢ` over signed magnitudes of at most `bits` bits, with `c`-bit
/// windows, given `copies[j][i] = 2^(j·c)·Pᵢ` (`copies[0]` are the bases
/// themselves, each copy at least as long as the scalars): windows
/// `g·m + j` (`m` copies) share the bucket set of group `g`, and groups are
/// combined with doublings at the end. With one copy this is plain
/// Pippenger, one bucket set per window.
fn bucket_msm<C: SwCurve>(
    copies: &[&[Affine<C>]],
    c: usize,
    bits: usize,
    scalars: &[SignedScalar<<C::Scalar as PrimeField>::Repr>],
) -> Projective<C> {
    let n = scalars.len();
    if n == 0 {
        return Projective::IDENTITY;
    }
    let (windows, m, groups) = window_layout(bits, c, copies.len());
    let chunks = chunks_per_window(groups, n);
    let chunk_len = n.div_ceil(chunks);
    let partial: Vec<(usize, Projective<C>)> = (0..groups * chunks)
        .into_par_iter()
        .map(|task| {
            let (g, k) = (task / chunks, task % chunks);
            let range = k * chunk_len..((k + 1) * chunk_len).min(n);
            let top = windows - 1;
            let narrow_top = if top / m == g {
                narrow_window_sums(&copies[top % m][range.clone()], &scalars[range.clone()], top, c, bits)
            } else {
                None
            };
            let mut buckets = BucketSet::<C>::new(c);
            for (j, copy) in copies.iter().enumerate().take(windows - g * m) {
                let window = g * m + j;
                if window == top && narrow_top.is_some() {
                    continue;
                }
                for (base, s) in copy[range.clone()].iter().zip(&scalars[range.clone()]) {
                    let digit = booth_digit(s.magnitude.as_ref(), window, c);
                    buckets.add_digit(if s.negative { -digit } else { digit }, base);
                }
            }
            for (d, sum) in narrow_top.iter().flatten().enumerate() {
                buckets.add_digit(d as i64 + 1, sum);
            }
            (g, buckets.finish())
        })
        .collect();
    let mut sums = vec![Projective::IDENTITY; groups];
    for (g, p) in partial {
        sums[g] = sums[g].add(&p);
    }
    combine_windows(&sums, c * m)
}

/// Per digit `d ≥ 1`, the sum of the points whose digit in window `w` is
/// `±d` (signed), when that window's digits reach only a small part of a
/// `c`-bit bucket set; `None` when they do not.
///
/// The top window of `bits`-bit scalars holds `bits − w·c` bits, often only
/// a few (254-bit scalars, `c = 12`: two). Added into the shared bucket set,
/// all its points fall into those few buckets, nearly every addition meets
/// one already in the batch, and the additions end in the conflict queue and
/// the Jacobian overflow: measured, `c = 12` MSMs of 2^14 and 2^16 points
/// ran 1.3–1.4× slower than `c = 13`. Here each digit gets `replicas`
/// buckets (point `i` goes to replica `i mod replicas`), so batches rarely
/// conflict, and the replicas are summed at the end.
fn narrow_window_sums<C: SwCurve>(
    bases: &[Affine<C>],
    scalars: &[SignedScalar<<C::Scalar as PrimeField>::Repr>],
    w: usize,
    c: usize,
    bits: usize,
) -> Option<Vec<Affine<C>>> {
    // Digits of window `w` lie in `[0, 2^(bits − w·c)]` (bits above `bits` are zero).
    let used = 1usize << bits.saturating_sub(w * c);
    let full = 1usize << (c - 1);
    if 2 * used > full {
        return None;
    }
    // Enough buckets that a batch (a quarter of them) rarely conflicts, and
    // few enough that summing the replicas stays a small share.
    let spread = (bases.len() / 16).next_power_of_two().clamp(2 * used, full);
    let replicas = spread / used;
    // Digits rarely fill all of `used` (the top window's values stop at the
    // scalars' bound): a batch of an eighth keeps it under a quarter of the
    // buckets that do fill.
    let mut set = BucketSet::<C>::with_batch_size(spread.trailing_zeros() as usize + 1, (spread / 8).max(8));
    for (i, (base, s)) in bases.iter().zip(scalars).enumerate() {
        let digit = booth_digit(s.magnitude.as_ref(), w, c);
        if digit == 0 || base.is_identity() {
            continue;
        }
        let bucket = (i % replicas) * used + (digit.unsigned_abs() as usize - 1);
        set.add(bucket as u32, base, (digit < 0) != s.negative);
    }
    let (affine, overflow) = set.into_buckets();
    let mut sums = vec![Projective::IDENTITY; used];
    for (b, p) in affine.iter().enumerate() {
        sums[b % used] = sums[b % used].add_affine(p);
    }
    for (b, p) in overflow.iter().enumerate() {
        sums[b % used] = sums[b % used].add(p);
    }
    Some(zkaccel_core::batch_to_affine(&sums))
}

/// `Σ_w 2^(w·shift)·sums[w]`, from the top window down.
fn combine_windows<C: SwCurve>(sums: &[Projective<C>], shift: usize) -> Projective<C> {
    sums.iter().rev().fold(Projective::IDENTITY, |acc, w| {
        let mut acc = acc;
        for _ in 0..shift {
            acc = acc.double();
        }
        acc.add(w)
    })
}

/// An addition waiting for a batch: bucket, point, and whether to negate it.
type Pending<'a, C> = (u32, &'a Affine<C>, bool);

/// Affine buckets `1..=2^(c−1)` filled by batched affine additions.
pub(crate) struct BucketSet<'a, C: SwCurve> {
    /// Bucket `d − 1` holds the sum for digit `±d`; `(0, 0)` is empty.
    affine: Vec<Affine<C>>,
    /// Additions that neither fitted a batch nor the conflict queue.
    overflow: Vec<Projective<C>>,
    /// Whether the bucket already has an addition in the current batch.
    in_batch: Vec<bool>,
    batch: Vec<Pending<'a, C>>,
    queue: Vec<Pending<'a, C>>,
    batch_size: usize,
    /// Running products of the batch's denominators (Montgomery's trick).
    prefix: Vec<C::Base>,
    /// The IFMA batches' scratch space (BN254 G1 and G2 only).
    #[cfg(target_arch = "x86_64")]
    ifma_scratch: crate::msm_ifma::Scratch,
}

impl<'a, C: SwCurve> BucketSet<'a, C> {
    fn new(c: usize) -> Self {
        Self::with_batch_size(c, batch_size(c))
    }

    /// A set whose batches hold `batch_size` additions.
    fn with_batch_size(c: usize, batch_size: usize) -> Self {
        let buckets = 1usize << (c - 1);
        Self {
            affine: vec![Affine::IDENTITY; buckets],
            overflow: Vec::new(),
            in_batch: vec![false; buckets],
            batch: Vec::with_capacity(batch_size),
            queue: Vec::with_capacity(batch_size),
            batch_size,
            prefix: Vec::with_capacity(batch_size),
            #[cfg(target_arch = "x86_64")]
            ifma_scratch: Default::default(),
        }
    }

    /// Adds `digit·P` to the buckets: `P` or `−P` into bucket `|digit|`.
    #[inline]
    fn add_digit(&mut self, digit: i64, base: &'a Affine<C>) {
        if digit == 0 || base.is_identity() {
            return;
        }
        self.add((digit.unsigned_abs() - 1) as u32, base, digit < 0);
    }

    #[inline]
    fn add(&mut self, bucket: u32, p: &'a Affine<C>, negate: bool) {
        let b = bucket as usize;
        if self.in_batch[b] {
            if self.queue.len() < self.batch_size {
                self.queue.push((bucket, p, negate));
            } else {
                self.add_overflow(b, &if negate { p.neg() } else { *p });
            }
            return;
        }
        if self.affine[b].is_identity() {
            self.affine[b] = if negate { p.neg() } else { *p };
            return;
        }
        self.in_batch[b] = true;
        self.batch.push((bucket, p, negate));
        if self.batch.len() == self.batch_size {
            self.flush();
        }
    }

    fn add_overflow(&mut self, bucket: usize, p: &Affine<C>) {
        if self.overflow.is_empty() {
            self.overflow = vec![Projective::IDENTITY; self.affine.len()];
        }
        self.overflow[bucket] = self.overflow[bucket].add_affine(p);
    }

    /// The slope's denominator for adding `(px, py)` to bucket point `q`:
    /// `px − qx`, or `2·py` when doubling, or one when the sum is the
    /// identity (keeping the batch product invertible).
    #[inline(always)]
    pub(crate) fn denominator(q: &Affine<C>, px: C::Base, py: C::Base) -> C::Base {
        if q.x != px {
            px - q.x
        } else if q.y == py {
            // y ≠ 0: prime-order groups have no 2-torsion.
            py.double()
        } else {
            C::Base::ONE
        }
    }

    /// The slope denominator of a pending addition.
    #[inline(always)]
    fn batch_denominator(&self, &(b, p, negate): &Pending<'a, C>) -> C::Base {
        Self::denominator(&self.affine[b as usize], p.x, p.y.neg_if(negate))
    }

    /// Finishes batch entry `i` given `inv`, the inverse of its chain's
    /// product up to and including it; leaves `inv` for the entry before.
    #[inline(always)]
    fn complete(&mut self, i: usize, inv: &mut C::Base) {
        let (b, p, negate) = self.batch[i];
        let b = b as usize;
        let q = self.affine[b];
        let py = p.y.neg_if(negate);
        let den_inv = *inv * self.prefix[i];
        *inv *= Self::denominator(&q, p.x, py);
        self.in_batch[b] = false;
        self.affine[b] = Self::add_with_inverse(&q, p.x, py, den_inv);
    }

    /// `q + (px, py)`, neither the identity, given the inverse of
    /// [`Self::denominator`]`(q, px, py)` (curves with `a = 0`).
    #[inline(always)]
    pub(crate) fn add_with_inverse(q: &Affine<C>, px: C::Base, py: C::Base, den_inv: C::Base) -> Affine<C> {
        let num = if q.x != px {
            py - q.y
        } else if q.y == py {
            let xx = px.square();
            xx.double() + xx
        } else {
            return Affine::IDENTITY;
        };
        let lambda = num * den_inv;
        let x3 = lambda.square() - q.x - px;
        let y3 = lambda * (q.x - x3) - q.y;
        Affine::new_unchecked(x3, y3)
    }

    /// Performs the batched additions with one inversion, then retries the
    /// conflict queue.
    fn flush(&mut self) {
        if !self.add_batch_ifma() {
            self.add_batch_scalar();
        }
        self.batch.clear();
        let mut queued = std::mem::take(&mut self.queue);
        for &(b, p, negate) in &queued {
            self.add(b, p, negate);
        }
        // Keep the queue's allocation unless the retries re-queued.
        queued.clear();
        if self.queue.is_empty() {
            self.queue = queued;
        }
    }

    /// The batch on AVX-512 IFMA, eight additions at a time, where the
    /// curve is BN254 G1 or G2 and the CPU has IFMA; `false` if not done.
    #[cfg(target_arch = "x86_64")]
    fn add_batch_ifma(&mut self) -> bool {
        if !crate::msm_ifma::try_add_batch(&mut self.affine, &self.batch, &mut self.ifma_scratch) {
            return false;
        }
        for &(b, _, _) in &self.batch {
            self.in_batch[b as usize] = false;
        }
        true
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn add_batch_ifma(&mut self) -> bool {
        false
    }

    /// The batch in scalar code, with `LANES` interleaved product chains.
    /// Denominators are recomputed in the second pass rather than stored: a
    /// subtraction is cheaper than the memory traffic.
    fn add_batch_scalar(&mut self) {
        // Montgomery's trick over LANES interleaved product chains (entry i
        // in chain i % LANES) cuts the latency-bound dependency LANES-fold;
        // the chains share one inversion: 1/aₖ = (Π_{j≠k} aⱼ)/(Π aⱼ).
        self.prefix.clear();
        let mut acc = [C::Base::ONE; LANES];
        let mut groups = self.batch.chunks_exact(LANES);
        for group in &mut groups {
            let mut den = [C::Base::ONE; LANES];
            for (d, entry) in den.iter_mut().zip(group) {
                *d = self.batch_denominator(entry);
            }
            for k in 0..LANES {
                self.prefix.push(acc[k]);
                acc[k] *= den[k];
            }
        }
        for (k, entry) in groups.remainder().iter().enumerate() {
            let d = self.batch_denominator(entry);
            self.prefix.push(acc[k]);
            acc[k] *= d;
        }
        // Every denominator is non-zero, so every product is invertible.
        let mut inv = invert_lanes_vartime(acc);
        let n = self.batch.len();
        for i in (n - n % LANES..n).rev() {
            self.complete(i, &mut inv[i % LANES]);
        }
        for g in (0..n / LANES).rev() {
            for k in (0..LANES).rev() {
                self.complete(g * LANES + k, &mut inv[k]);
            }
        }
    }

    /// Completes pending additions and returns `Σ_d d·bucket_d`.
    fn finish(self) -> Projective<C> {
        let (affine, overflow) = self.into_buckets();
        let mut running = Projective::IDENTITY;
        let mut total = Projective::IDENTITY;
        for b in (0..affine.len()).rev() {
            running = running.add_affine(&affine[b]);
            if let Some(extra) = overflow.get(b) {
                running = running.add(extra);
            }
            total = total.add(&running);
        }
        total
    }

    /// Completes pending additions and returns the buckets: affine, and the
    /// Jacobian overflow (empty, or one per bucket).
    fn into_buckets(mut self) -> (Vec<Affine<C>>, Vec<Projective<C>>) {
        while !self.batch.is_empty() || !self.queue.is_empty() {
            self.flush();
        }
        (self.affine, self.overflow)
    }
}

/// Prepared bases: `shifted[j − 1][i] = 2^(j·c)·Pᵢ` for `1 ≤ j < m` (the
/// bases themselves are copy 0), so that windows `g·m + j` of every group
/// `g` accumulate into one bucket set.
pub(crate) struct ShiftedBases<C: SwCurve> {
    c: usize,
    shifted: Vec<Vec<Affine<C>>>,
}

impl<C: SwCurve> ShiftedBases<C> {
    fn new(bases: &[Affine<C>], max_copies: usize) -> Self {
        let n = bases.len().max(1);
        let scalar_bits = C::Scalar::NUM_BITS as usize;
        let c = best_window(n, scalar_bits, max_copies, batch_add_cost::<C>());
        let (_, copies, _) = window_layout(scalar_bits, c, max_copies);
        let mut shifted: Vec<Vec<Affine<C>>> = Vec::with_capacity(copies - 1);
        for _ in 1..copies {
            let prev = shifted.last().map_or(bases, Vec::as_slice);
            let next: Vec<Projective<C>> = prev
                .par_iter()
                .map(|p| {
                    let mut q = p.to_projective();
                    for _ in 0..c {
                        q = q.double();
                    }
                    q
                })
                .collect();
            shifted.push(batch_to_affine_parallel(&next));
        }
        Self { c, shifted }
    }

    /// `Σ sᵢ·Pᵢ` over the leading `scalars.len()` of `bases` (copy 0).
    fn msm(&self, bases: &[Affine<C>], scalars: &[C::Scalar]) -> Projective<C> {
        let copies: Vec<&[Affine<C>]> = std::iter::once(bases).chain(self.shifted.iter().map(Vec::as_slice)).collect();
        scalar_aware_msm(&copies, Some(self.c), scalars)
    }
}

/// [`zkaccel_core::batch_to_affine`] over parallel chunks.
fn batch_to_affine_parallel<C: SwCurve>(points: &[Projective<C>]) -> Vec<Affine<C>> {
    points.par_chunks(1 << 12).flat_map_iter(zkaccel_core::batch_to_affine).collect()
}

#[cfg(test)]
mod glv_tests {
    use zkaccel_core::testing::{random_points, random_scalars, rng};
    use zkaccel_core::{reference, Bn254, Field, Fr, G1Affine, PrimeField, SwCurve};

    /// The GLV path on its own, edge cases included, against naive MSMs.
    #[test]
    fn glv_msm_matches_naive() {
        let glv = Bn254::GLV.as_ref().expect("BN254 has GLV parameters");
        let lambda = Fr::from_canonical([0x8b17ea66b99c90dd, 0x5bfc41088d8daaa7, 0xb3c4d79d41a91758, 0]).unwrap();
        let pts = random_points(300, &mut rng(3));
        let p = pts[0];
        let cases: Vec<(&str, Vec<G1Affine>, Vec<Fr>)> = vec![
            ("random", pts.clone(), random_scalars(300, &mut rng(4))),
            ("zeros", pts[..10].to_vec(), vec![Fr::ZERO; 10]),
            ("r-1, λ, −λ, 1", pts[..4].to_vec(), vec![-Fr::ONE, lambda, -lambda, Fr::ONE]),
            ("identity bases", vec![G1Affine::IDENTITY, p, G1Affine::IDENTITY], random_scalars(3, &mut rng(5))),
            ("same point", vec![p; 200], random_scalars(200, &mut rng(6))),
            ("P and −P", vec![p, p.neg(), p], vec![lambda, lambda, Fr::from_u64(2)]),
            ("small", pts[..50].to_vec(), (0..50).map(Fr::from_u64).collect()),
        ];
        for (name, bases, scalars) in cases {
            assert_eq!(super::glv_msm(glv, &bases, &scalars), reference::msm(&bases, &scalars), "{name}");
        }
        assert!(super::glv_pays(1 << 12, 254, super::COST_BATCH_ADD), "GLV is used where it was measured to pay");
        assert!(!super::glv_pays(1 << 18, 254, super::COST_BATCH_ADD));
    }
}

#[cfg(test)]
mod window_tests {
    use zkaccel_core::testing::{random_points, random_scalars, rng};
    use zkaccel_core::{reference, Bn254, Field, Fr, G1Affine, PrimeField, Projective};

    use super::{bucket_msm, signed_scalars, MAX_WINDOW_BITS};

    /// Bases with the awkward cases: the identity, a point and its negation,
    /// a repeated point.
    fn awkward_bases(n: usize) -> Vec<G1Affine> {
        let mut bases = random_points(n, &mut rng(7));
        bases[5] = G1Affine::IDENTITY;
        bases[6] = bases[7].neg();
        bases[9] = bases[8];
        bases[10] = bases[8];
        bases
    }

    /// `copies[j] = 2^(j·c)·bases`.
    fn shifted(bases: &[G1Affine], c: usize, copies: usize) -> Vec<Vec<G1Affine>> {
        let mut out = vec![bases.to_vec()];
        for _ in 1..copies {
            let next: Vec<Projective<Bn254>> =
                out.last().unwrap().iter().map(|p| (0..c).fold(p.to_projective(), |q, _| q.double())).collect();
            out.push(zkaccel_core::batch_to_affine(&next));
        }
        out
    }

    /// Every window width, with and without shifted copies, over full-width
    /// and short scalars: the top window then holds anywhere from one bit to
    /// a full window, which decides whether it runs in the shared bucket set
    /// or in its own replicated buckets (`narrow_window_sums`).
    #[test]
    fn every_window_layout_matches_naive() {
        let n = 3000;
        let bases = awkward_bases(n);
        let mut full = random_scalars(n, &mut rng(8));
        full[0] = -Fr::ONE;
        full[1] = Fr::ZERO;
        full[8] = full[9];
        let short = |bits: u32, seed: u64| -> Vec<Fr> {
            random_scalars(n, &mut rng(seed))
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let v = Fr::from_u64(s.to_canonical().as_ref()[0] >> (64 - bits));
                    if i % 3 == 0 {
                        -v
                    } else {
                        v
                    }
                })
                .collect()
        };
        let mut cases = vec![("full", full)];
        for bits in [1, 5, 17, 40] {
            cases.push(("short", short(bits, u64::from(bits))));
        }
        for (name, scalars) in &cases {
            let expected = reference::msm(&bases, scalars);
            let signed = signed_scalars(scalars);
            let bits = signed.iter().map(|s| usize::from(s.bits)).max().unwrap();
            for c in 2..=MAX_WINDOW_BITS {
                assert_eq!(bucket_msm(&[&bases], c, bits, &signed), expected, "{name} {bits} bits, c = {c}");
            }
            for (c, copies) in [(5, 3), (11, 8), (12, 8), (13, 8), (14, 2)] {
                let table = shifted(&bases, c, copies);
                let refs: Vec<&[G1Affine]> = table.iter().map(Vec::as_slice).collect();
                assert_eq!(
                    bucket_msm(&refs, c, bits, &signed),
                    expected,
                    "{name} {bits} bits, c = {c}, {copies} copies"
                );
            }
        }
    }
}
