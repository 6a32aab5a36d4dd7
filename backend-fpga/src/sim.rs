//! The RTL of `hdl/`, verilated into this crate (feature `sim`).
//!
//! [`SimDevice`] runs `krnl_msm` cycle by cycle through its AXI ports against
//! a memory model, so MSMs go through exactly the logic a card would run.
//! It is for correctness (a few thousand points a second), never chosen for
//! speed. The module testbenches ([`mont_mul`], [`g1_add`], [`ntt`]) are
//! what `tests/rtl.rs` checks against zkaccel-core.

use std::sync::Mutex;

use zkaccel_core::{validate, Availability, Error, Fr, Result};

use crate::ntt::NttDevice;
use crate::products::ProductDevice;
use crate::{host, BucketDevice, SIM_NAME};

#[allow(non_camel_case_types, non_upper_case_globals, dead_code, missing_docs)]
mod ffi {
    include!(concat!(env!("OUT_DIR"), "/zk_sim.rs"));
}

/// Verilated models share Verilator's global state; one simulation at a time.
static SIMULATOR: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    // A panic elsewhere while holding the lock leaves no simulator state behind.
    SIMULATOR.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn hung(what: &str) -> Error {
    Error::Device { backend: SIM_NAME, msg: format!("the {what} simulation did not complete (an RTL fault)") }
}

/// Which verilated multiplier instance: modulus and word width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The base field (curve coordinates), 64-bit words.
    Fq,
    /// The scalar field (NTTs), 64-bit words.
    Fr,
    /// The base field with 32-bit words: the latency parameter at another value.
    FqWord32,
}

/// Montgomery limbs of one field element.
pub type Limbs = [u64; 4];

/// Streams `a[i]·b[i]/R` through `zk_mont_mul`, one per cycle; returns the
/// products and the pipeline latency in cycles. Fails if the products did
/// not leave one per cycle, in order.
pub fn mont_mul(field: Field, a: &[Limbs], b: &[Limbs]) -> Result<(Vec<Limbs>, u32)> {
    validate::same_length("multiplier operands", a.len(), b.len())?;
    let mut out = vec![[0u64; 4]; a.len()];
    let f = match field {
        Field::Fq => ffi::zk_field_ZK_FIELD_FQ,
        Field::Fr => ffi::zk_field_ZK_FIELD_FR,
        Field::FqWord32 => ffi::zk_field_ZK_FIELD_FQ_W32,
    };
    let _guard = lock();
    // SAFETY: a, b and out hold a.len() elements of 4 limbs each, as the C side reads and writes.
    let latency = unsafe {
        ffi::zk_sim_mont_mul(f as i32, a.as_ptr().cast(), b.as_ptr().cast(), out.as_mut_ptr().cast(), a.len())
    };
    u32::try_from(latency).map(|l| (out, l)).map_err(|_| hung("multiplier"))
}

/// A point as the adder sees it: X, Y, Z (homogeneous projective), Montgomery limbs.
pub type PointLimbs = [u64; 12];

/// Streams `p[i] + q[i]` through `zk_g1_add`, one per cycle; returns the sums
/// and the latency.
pub fn g1_add(p: &[PointLimbs], q: &[PointLimbs]) -> Result<(Vec<PointLimbs>, u32)> {
    validate::same_length("adder operands", p.len(), q.len())?;
    let mut out = vec![[0u64; 12]; p.len()];
    let _guard = lock();
    // SAFETY: p, q and out hold p.len() elements of 12 limbs each.
    let latency = unsafe { ffi::zk_sim_g1_add(p.as_ptr().cast(), q.as_ptr().cast(), out.as_mut_ptr().cast(), p.len()) };
    u32::try_from(latency).map(|l| (out, l)).map_err(|_| hung("point adder"))
}

/// log2 of the verilated `zk_ntt_stream`'s size.
pub fn ntt_log_n() -> u32 {
    // SAFETY: a constant getter.
    unsafe { ffi::zk_sim_ntt_log_n() }
}

/// Streams `input.len() / 2^log_n` transforms through `zk_ntt_stream`
/// (twiddles of every stage concatenated), an idle cycle after every
/// `gap_every` inputs; returns the bit-reversed outputs and the cycles from
/// first input to last output.
pub fn ntt(twiddles: &[Limbs], input: &[Limbs], gap_every: u32) -> Result<(Vec<Limbs>, u64)> {
    let n = 1usize << ntt_log_n();
    validate::same_length("twiddles (one per butterfly position of every stage)", n - 1, twiddles.len())?;
    if !input.len().is_multiple_of(n) {
        return Err(Error::InvalidShape {
            reason: format!("{} elements is not a whole number of {n}-point transforms", input.len()),
        });
    }
    let mut out = vec![[0u64; 4]; input.len()];
    let _guard = lock();
    // SAFETY: twiddles holds n-1 elements, input and out input.len() elements, of 4 limbs.
    let cycles = unsafe {
        ffi::zk_sim_ntt(
            twiddles.as_ptr().cast(),
            input.as_ptr().cast(),
            out.as_mut_ptr().cast(),
            input.len() / n,
            gap_every,
        )
    };
    u64::try_from(cycles).map(|c| (out, c)).map_err(|_| hung("NTT"))
}

/// `frames = input.len() / 2` transforms through the verilated 2-point
/// `zk_ntt_stream` (its one twiddle is 1; outputs in bit-reversed order,
/// which for two points is natural).
pub fn ntt2(input: &[Limbs]) -> Result<Vec<Limbs>> {
    if !input.len().is_multiple_of(2) {
        return Err(Error::InvalidShape { reason: format!("{} elements is not a whole number of pairs", input.len()) });
    }
    let twiddles = [<Fr as zkaccel_core::Field>::ONE.montgomery_limbs()];
    let mut out = vec![[0u64; 4]; input.len()];
    let _guard = lock();
    // SAFETY: one twiddle; input and out hold input.len() elements of 4 limbs.
    let cycles = unsafe {
        ffi::zk_sim_ntt2(twiddles.as_ptr().cast(), input.as_ptr().cast(), out.as_mut_ptr().cast(), input.len() / 2)
    };
    if cycles < 0 {
        return Err(hung("2-point NTT"));
    }
    Ok(out)
}

/// Inverts each element (Fr, Montgomery form) on the verilated
/// `zk_fr_inverse`, one after another; returns the inverses and the cycles.
pub fn fr_inverses(input: &[Limbs]) -> Result<(Vec<Limbs>, u64)> {
    let mut out = vec![[0u64; 4]; input.len()];
    let _guard = lock();
    // SAFETY: input and out hold input.len() elements of 4 limbs.
    let cycles = unsafe { ffi::zk_sim_fr_inverse(input.as_ptr().cast(), out.as_mut_ptr().cast(), input.len()) };
    u64::try_from(cycles).map(|c| (out, c)).map_err(|_| hung("Fr inversion"))
}

/// The lanes of the verilated `zk_lane_product`.
pub fn lane_product_lanes() -> usize {
    // SAFETY: a constant getter.
    unsafe { ffi::zk_sim_lane_product_lanes() as usize }
}

/// Streams `input` (Fr in Montgomery form) through `zk_lane_product`:
/// element `i` in lane `i mod lanes`, `first[i]` starting its lane's product
/// again, an idle cycle after every `gap_every` inputs. Returns each
/// element times the earlier elements of its lane, and the cycles from the
/// first input to the last output.
pub fn lane_products(input: &[Limbs], first: &[bool], gap_every: u32) -> Result<(Vec<Limbs>, u64)> {
    validate::same_length("lane starts", input.len(), first.len())?;
    let first: Vec<u8> = first.iter().map(|&f| u8::from(f)).collect();
    let mut out = vec![[0u64; 4]; input.len()];
    let _guard = lock();
    // SAFETY: input, first and out all hold input.len() elements (4 limbs, 1 byte, 4 limbs).
    let cycles = unsafe {
        ffi::zk_sim_lane_product(input.as_ptr().cast(), first.as_ptr(), out.as_mut_ptr().cast(), input.len(), gap_every)
    };
    u64::try_from(cycles).map(|c| (out, c)).map_err(|_| hung("lane product"))
}

/// One `krnl_msm` run in simulation.
#[derive(Debug, Clone)]
pub struct MsmRun {
    /// The buckets, [`host::BUCKET_WORDS`] words each.
    pub buckets: Vec<u64>,
    /// Cycles from ap_start to ap_done, as the kernel counted them.
    pub cycles: u64,
    /// The window size the kernel reported.
    pub window_bits: u32,
}

/// Runs `krnl_msm` over packed bases and scalars (one scalar per base),
/// with the memory model withholding `stall_percent` of its cycles on every
/// AXI channel.
pub fn msm(bases: &[u64], scalars: &[u64], stall_percent: u32) -> Result<MsmRun> {
    let n = scalars.len() / host::SCALAR_WORDS;
    if !scalars.len().is_multiple_of(host::SCALAR_WORDS) || bases.len() < n * host::BASE_WORDS {
        return Err(Error::InvalidShape { reason: "krnl_msm needs whole scalars and a base for each".into() });
    }
    // SAFETY: a constant getter.
    let bucket_count = unsafe { ffi::zk_sim_msm_bucket_count() } as usize;
    let mut buckets = vec![0u64; bucket_count * host::BUCKET_WORDS];
    let mut run = ffi::zk_msm_run::default();
    let _guard = lock();
    // SAFETY: bases holds n points of 8 limbs, scalars n of 4, buckets bucket_count of 12.
    let status = unsafe {
        ffi::zk_sim_msm(bases.as_ptr(), scalars.as_ptr(), n as u64, buckets.as_mut_ptr(), stall_percent, &mut run)
    };
    if status != 0 || run.bucket_count as usize != bucket_count {
        return Err(hung("krnl_msm"));
    }
    Ok(MsmRun { buckets, cycles: run.cycles, window_bits: run.window_bits })
}

/// `krnl_msm` in simulation, as a [`BucketDevice`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SimDevice;

impl SimDevice {
    /// MSMs above this go to the CPU: a simulated cycle costs microseconds.
    pub const MAX_POINTS: usize = 1 << 12;
    /// NTT columns above this go to the CPU (a 2^16 transform takes seconds of simulation).
    pub const MAX_NTT_LEN: usize = 1 << 16;
}

impl BucketDevice for SimDevice {
    type Bases = Vec<u64>;

    fn name(&self) -> &'static str {
        SIM_NAME
    }

    fn availability(&self) -> Availability {
        // Short enough for `zkaccel info`'s device column; it is for correctness only.
        Availability::Available(crate::device_info(format!(
            "krnl_msm in Verilator (C={}, {} buckets)",
            self.window_bits(),
            // SAFETY: a constant getter.
            unsafe { ffi::zk_sim_msm_bucket_count() }
        )))
    }

    fn window_bits(&self) -> u32 {
        // SAFETY: a constant getter.
        unsafe { ffi::zk_sim_msm_window_bits() }
    }

    fn max_points(&self) -> usize {
        Self::MAX_POINTS
    }

    fn max_ntt_len(&self) -> usize {
        Self::MAX_NTT_LEN
    }

    fn upload_bases(&self, words: &[u64]) -> Result<Vec<u64>> {
        Ok(words.to_vec())
    }

    fn accumulate(&self, bases: &Vec<u64>, scalars: &[u64]) -> Result<Vec<u64>> {
        Ok(msm(bases, scalars, 0)?.buckets)
    }
}

/// `zk_lane_product` and the Fr multiplier in simulation, as a [`ProductDevice`].
impl ProductDevice for SimDevice {
    fn lanes(&self) -> usize {
        lane_product_lanes()
    }

    fn lane_products(&self, input: &[Limbs], first: &[bool]) -> Result<Vec<Limbs>> {
        lane_products(input, first, 0).map(|(out, _)| out)
    }

    fn products(&self, a: &[Limbs], b: &[Limbs]) -> Result<Vec<Limbs>> {
        mont_mul(Field::Fr, a, b).map(|(out, _)| out)
    }

    fn inverses(&self, x: &[Limbs]) -> Result<Vec<Limbs>> {
        fr_inverses(x).map(|(out, _)| out)
    }
}

/// The two verilated `zk_ntt_stream`s (2 and 2^[`ntt_log_n`] points) as an [`NttDevice`].
impl NttDevice for SimDevice {
    fn ntt_core_logs(&self) -> Vec<u32> {
        vec![1, ntt_log_n()]
    }

    fn ntt_frames(&self, log_n: u32, twiddles: &[Limbs], input: &[Limbs]) -> Result<Vec<Limbs>> {
        match log_n {
            1 => ntt2(input),
            n if n == ntt_log_n() => ntt(twiddles, input, 0).map(|(out, _)| out),
            _ => Err(Error::InvalidShape { reason: format!("no verilated NTT core of 2^{log_n} points") }),
        }
    }
}
