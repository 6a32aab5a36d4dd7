//! The conformance suite every backend runs (feature `testing`).
//!
//! Each check takes the backend under test as a trait object and compares
//! it with the naive algorithms of [`crate::reference`] or with independent
//! identities (an MSM over bases in arithmetic progression collapses to one
//! scalar multiplication), covering the edge cases of the design notes.
//! A check returns [`CheckResult`]: `Err` says what differed, so the same
//! checks serve two callers. [`conformance_suite!`](crate::conformance_suite)
//! instantiates one `#[test]` per check and asserts it; `zkaccel selftest`
//! runs [`CHECKS`] on every usable backend and reports each outcome. A
//! second backend given as `reference` (the CPU backend, for device
//! backends) is additionally compared output for output
//! ([`matches_reference_backend`]).

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::backend::{
    Availability, Backend, BatchInverse, Capabilities, CurveBackend, DeviceInfo, Msm, Multiplicities, Ntt, NttConfig,
    Operation, PermuteLookup, PermutedLookup, PrefixProduct, PreparedBases,
};
use crate::bn254::{Bn254, Fq, Fr, G1Affine, G1Projective};
use crate::constraints::{ConstraintProgram, CosetRows, Node};
use crate::curve::{batch_to_affine, PointError, SwCurve};
use crate::error::Error;
use crate::field::{Field, PrimeField, TwoAdicField};
use crate::held::{HeldBackend, IntoHeld};
use crate::reference;

/// The backend under test, held by the operation traits it implements.
pub type Dut<'a> = &'a HeldBackend<Bn254>;

/// The trait object a check needs; a backend without it fails the check
/// (which [`Check::applies_to`] keeps from being run on it).
fn offered<'a, T: ?Sized>(kernel: Option<&'a T>, check: &str) -> Result<&'a T, CheckFailure> {
    kernel.ok_or_else(|| CheckFailure(format!("{check}: the backend does not implement the operation")))
}

/// `backend` held for the suite: one already held as it is, a backend with
/// every operation trait as such.
pub fn held(backend: impl IntoHeld<Bn254>) -> HeldBackend<Bn254> {
    backend.into_held()
}

/// What a check found: `Err` with the reason when the backend got something wrong.
pub type CheckResult = Result<(), CheckFailure>;

/// Why a check failed: the first difference it found, or the error a
/// backend returned where it should have computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure(pub String);

impl std::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CheckFailure {}

/// A backend that returned an error where a result was due fails the check.
impl From<Error> for CheckFailure {
    fn from(e: Error) -> Self {
        Self(format!("unexpected error: {e}"))
    }
}

/// `assert!` for checks: returns a [`CheckFailure`] instead of panicking.
macro_rules! ensure {
    ($cond:expr $(,)?) => {
        if !$cond {
            return Err(CheckFailure(format!("{} is false", stringify!($cond))));
        }
    };
    ($cond:expr, $($what:tt)+) => {
        if !$cond {
            return Err(CheckFailure(format!("{} ({} is false)", format!($($what)+), stringify!($cond))));
        }
    };
}

/// `assert_eq!` for checks: returns a [`CheckFailure`] naming both sides.
macro_rules! ensure_eq {
    ($got:expr, $expected:expr $(,)?) => {
        ensure_eq!($got, $expected, "{}", stringify!($got))
    };
    ($got:expr, $expected:expr, $($what:tt)+) => {
        match (&$got, &$expected) {
            (got, expected) => {
                if got != expected {
                    return Err(CheckFailure(format!(
                        "{}: got {}, expected {}",
                        format!($($what)+),
                        brief(got),
                        brief(expected)
                    )));
                }
            }
        }
    };
}

/// `value`'s `Debug` form, cut to a readable length (a failing check may
/// compare vectors of 2^16 elements).
fn brief<T: std::fmt::Debug + ?Sized>(value: &T) -> String {
    const MAX: usize = 300;
    let text = format!("{value:?}");
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}… ({} chars)", &text[..cut], text.chars().count()),
        None => text,
    }
}

/// One check of the suite, as `zkaccel selftest` runs it.
#[derive(Clone, Copy)]
pub struct Check {
    /// The check's name (its function's).
    pub name: &'static str,
    /// The operations it calls.
    pub operations: &'static [Operation],
    /// The largest input it gives any of them (points, column length or elements).
    pub largest_input: usize,
    /// The check.
    pub run: fn(Dut) -> CheckResult,
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Check").field("name", &self.name).field("operations", &self.operations).finish()
    }
}

impl Check {
    /// Whether a backend with `capabilities` offers every operation the check
    /// calls at the sizes it uses (what it does not offer, an Accelerator
    /// gives to the CPU, so it is not the backend's to pass).
    pub fn applies_to(&self, capabilities: &Capabilities) -> bool {
        self.operations.iter().all(|&op| capabilities.supports(op, self.largest_input))
    }
}

/// Every check of the suite but [`matches_reference_backend`] (which needs a
/// second backend), in the order [`conformance_suite!`](crate::conformance_suite) runs them.
pub const CHECKS: &[Check] = {
    use Operation::*;
    /// `check!(function, [operations], largest input)`: the name is the function's.
    macro_rules! check {
        ($run:ident, [$($operation:ident),*], $largest_input:expr) => {
            Check { name: stringify!($run), operations: &[$($operation),*], largest_input: $largest_input, run: $run }
        };
    }
    &[
        check!(msm_sizes, [Msm], 1 << 16),
        check!(msm_edge_cases, [Msm], 300),
        check!(msm_witness_like_scalars, [Msm, MsmPrepared], 5000),
        check!(msm_repeated_scalars, [Msm, MsmPrepared], 5000),
        check!(msm_batch_and_prepared, [Msm, MsmPrepared], 300),
        check!(msm_rejects_bad_input, [Msm, MsmPrepared], 10),
        check!(ntt_against_naive_dft, [Ntt], 1 << 13),
        check!(ntt_round_trips, [Ntt], 1 << 16),
        check!(ntt_batch_columns, [Ntt], 1 << 13),
        check!(lde, [Lde], 1 << 13),
        check!(ntt_rejects_bad_input, [Ntt, Lde], 1000),
        check!(lookup_multiplicities, [Multiplicities], 20_000),
        check!(lookup_batch_inverse, [BatchInverse], 20_000),
        check!(lookup_inverse_of_sums, [InverseOfSums], 5000),
        check!(lookup_prefix_product, [PrefixProduct], 30_000),
        check!(lookup_permute, [PermuteLookup], 5000),
        check!(constraint_programs, [ConstraintEvaluation], 4096),
    ]
};

/// A deterministic generator, so a failure reproduces.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// `n` random scalars.
pub fn random_scalars(n: usize, rng: &mut impl RngCore) -> Vec<Fr> {
    (0..n).map(|_| Fr::random(rng)).collect()
}

/// `n` independent random points `kᵢ·G` (one scalar multiplication each).
pub fn random_points(n: usize, rng: &mut impl RngCore) -> Vec<G1Affine> {
    let g = Bn254::GENERATOR;
    let pts: Vec<G1Projective> = (0..n).map(|_| g.mul(&Fr::random(rng))).collect();
    batch_to_affine(&pts)
}

/// Bases in arithmetic progression of discrete logs ([`reference::progression_bases`]).
pub fn progression_points(n: usize, rng: &mut impl RngCore) -> (Vec<G1Affine>, Vec<Fr>) {
    reference::progression_bases::<Bn254>(n, Fr::random(rng), Fr::random(rng))
}

/// MSM sizes 0, 1, 2, 3 and 1000 against the naive sum; 2^12 + 7 and 2^16
/// against the progression identity.
pub fn msm_sizes(b: Dut) -> CheckResult {
    let b = offered(b.as_msm(), "msm_sizes")?;
    let mut rng = rng(10);
    for n in [0usize, 1, 2, 3, 1000] {
        let bases = random_points(n, &mut rng);
        let scalars = random_scalars(n, &mut rng);
        ensure_eq!(b.msm(&bases, &scalars)?, reference::msm(&bases, &scalars), "msm of size {n}");
    }
    for n in [(1usize << 12) + 7, 1 << 16] {
        let (bases, logs) = progression_points(n, &mut rng);
        let scalars = random_scalars(n, &mut rng);
        ensure_eq!(b.msm(&bases, &scalars)?, reference::msm_by_logs(&logs, &scalars), "msm of size {n}");
    }
    Ok(())
}

/// Zero scalars, `r − 1`, identity bases, one point many times (bucket
/// doubling), `P` beside `−P`, and scalars with only high or low bits.
pub fn msm_edge_cases(b: Dut) -> CheckResult {
    let b = offered(b.as_msm(), "msm_edge_cases")?;
    let mut rng = rng(11);
    let pts = random_points(40, &mut rng);
    let p = pts[0];
    let minus_one = -Fr::ONE;
    let high = Fr::from_canonical([0, 0, 0, 1 << 61]).expect("below r");
    let cases: Vec<(&str, Vec<G1Affine>, Vec<Fr>)> = vec![
        ("all-zero scalars", pts.clone(), vec![Fr::ZERO; 40]),
        (
            "some zero scalars",
            pts.clone(),
            (0..40).map(|i| if i % 3 == 0 { Fr::ZERO } else { Fr::from_u64(i) }).collect(),
        ),
        ("scalar r-1", pts[..5].to_vec(), vec![minus_one; 5]),
        ("identity bases", vec![G1Affine::IDENTITY, p, G1Affine::IDENTITY], random_scalars(3, &mut rng)),
        ("only identity bases", vec![G1Affine::IDENTITY; 7], random_scalars(7, &mut rng)),
        ("same point, same scalar", vec![p; 64], vec![Fr::from_u64(5); 64]),
        ("same point, random scalars", vec![p; 300], random_scalars(300, &mut rng)),
        ("P and -P, same scalar", vec![p, p.neg(), pts[1], pts[1].neg()], vec![Fr::from_u64(77); 4]),
        ("P and -P, random scalars", vec![p, p.neg(), pts[2]], random_scalars(3, &mut rng)),
        ("high-bit scalars", pts[..8].to_vec(), vec![high; 8]),
        ("small scalars", pts.clone(), (1..=40).map(Fr::from_u64).collect()),
        ("r-1 with P and -P", vec![p, p.neg()], vec![minus_one, Fr::ONE]),
    ];
    for (name, bases, scalars) in cases {
        ensure_eq!(b.msm(&bases, &scalars)?, reference::msm(&bases, &scalars), "{name}");
    }
    // r−1 times P plus P is the identity.
    ensure!(b.msm(&[p, p], &[minus_one, Fr::ONE])?.is_identity());
    Ok(())
}

/// Scalars like a witness column's: small integers, small negatives
/// (`r − x`), zeros, a few random blinding values, and the values around
/// `(r − 1)/2` where a signed magnitude flips sign — on plain and prepared
/// bases. Backends that size windows by the scalars' bit lengths must still
/// get every one of these right.
pub fn msm_witness_like_scalars(b: Dut) -> CheckResult {
    let b = offered(b.as_msm(), "msm_witness_like_scalars")?;
    let mut rng = rng(16);
    let n = 5000;
    let (bases, logs) = progression_points(n, &mut rng);
    let half = Fr::from_canonical(shifted_modulus_half()).expect("below r");
    let small = |rng: &mut ChaCha20Rng, bits: u32| Fr::from_u64(rng.next_u64() & ((1u64 << bits) - 1));
    let mut cases: Vec<(&str, Vec<Fr>)> = Vec::new();
    cases.push(("13-bit values", (0..n).map(|_| small(&mut rng, 13)).collect()));
    cases.push(("small negatives", (0..n).map(|_| -small(&mut rng, 20)).collect()));
    let mut column: Vec<Fr> = (0..n)
        .map(|i| match i % 4 {
            0 => small(&mut rng, 8),
            1 => -small(&mut rng, 8),
            2 => Fr::ZERO,
            _ => small(&mut rng, 40),
        })
        .collect();
    // Blinding rows at the end, as halo2 fills them.
    for x in &mut column[n - 6..] {
        *x = Fr::random(&mut rng);
    }
    cases.push(("mixed column with blinding rows", column));
    cases.push(("around (r-1)/2", (0..n).map(|i| [half, half + Fr::ONE, half - Fr::ONE, -half][i % 4]).collect()));
    let mut one_big = vec![Fr::ONE; n];
    one_big[n / 2] = Fr::random(&mut rng);
    cases.push(("ones and one random", one_big));
    cases.push(("one nonzero", (0..n).map(|i| if i == 17 { -Fr::from_u64(3) } else { Fr::ZERO }).collect()));
    cases.push((
        "bits, minus ones and repeats of one point's sign",
        (0..n).map(|i| [Fr::ONE, Fr::ZERO, -Fr::ONE, Fr::ONE][i % 4]).collect(),
    ));
    let mut bits_and_blinding: Vec<Fr> = (0..n).map(|i| Fr::from_u64((i % 2) as u64)).collect();
    bits_and_blinding[n - 1] = Fr::random(&mut rng);
    bits_and_blinding[n - 2] = Fr::random(&mut rng);
    cases.push(("a bit column with blinding rows", bits_and_blinding));
    msm_columns_on_progression(b, &bases, &logs, &cases)?;
    Ok(())
}

/// Columns that repeat values, as grand products (constant over untouched
/// rows, in long runs and in pairs), permuted lookup tables (a padding row
/// many times) and quantised columns do — with a value beside its negation,
/// repeats among zeros, and repeats on `P` and `−P` that cancel. Backends
/// that sum the points of a repeated scalar first must still get every one
/// of these right, on plain and prepared bases.
pub fn msm_repeated_scalars(b: Dut) -> CheckResult {
    let b = offered(b.as_msm(), "msm_repeated_scalars")?;
    let mut rng = rng(17);
    let n = 5000;
    let (bases, logs) = progression_points(n, &mut rng);
    let values = random_scalars(64, &mut rng);
    let mut cases: Vec<(&str, Vec<Fr>)> = Vec::new();
    let mut runs = Vec::with_capacity(n);
    while runs.len() < n {
        let (value, length) = (Fr::random(&mut rng), 1 + (rng.next_u32() % 60) as usize);
        runs.extend(std::iter::repeat_n(value, length.min(n - runs.len())));
    }
    cases.push(("runs of one wide value", runs));
    cases.push(("adjacent pairs", (0..n).map(|i| values[(i / 2) % 64]).collect()));
    cases.push((
        "a value and its negation",
        (0..n).map(|i| [values[0], -values[0], values[1 + i % 63]][i % 3]).collect(),
    ));
    let mut product: Vec<Fr> = (0..n).map(|i| if i < 500 { Fr::random(&mut rng) } else { values[2] }).collect();
    for x in &mut product[n - 6..] {
        *x = Fr::random(&mut rng);
    }
    cases.push(("constant after the used rows, blinding at the end", product));
    cases.push(("repeats among zeros", (0..n).map(|i| if i % 2 == 0 { values[3] } else { Fr::ZERO }).collect()));
    let narrow: Vec<Fr> = (0..50).map(|_| Fr::from_u64(rng.next_u64() & 0xf_ffff)).collect();
    cases.push(("50 distinct 20-bit values", (0..n).map(|i| narrow[i * 7 % 50]).collect()));
    cases.push(("64 distinct wide values, spread", (0..n).map(|i| values[i * 13 % 64]).collect()));
    cases.push(("one value everywhere", vec![values[4]; n]));
    msm_columns_on_progression(b, &bases, &logs, &cases)?;
    // One scalar on P, −P and Q (the P terms cancel in every group sum),
    // and on identity bases.
    let pts = random_points(2, &mut rng);
    let (p, q) = (pts[0], pts[1]);
    let cancelling: Vec<G1Affine> = (0..1500).map(|i| [p, p.neg(), q, G1Affine::IDENTITY][i % 4]).collect();
    let scalars = vec![values[5]; 1500];
    ensure_eq!(
        b.msm(&cancelling, &scalars)?,
        reference::msm(&cancelling, &scalars),
        "P, -P, Q and identities, one scalar"
    );
    Ok(())
}

/// Each named column of scalars on progression bases (discrete logs
/// `logs`): plain, prepared, and prepared with a third of the scalars.
fn msm_columns_on_progression(
    b: &dyn Msm<Bn254>,
    bases: &[G1Affine],
    logs: &[Fr],
    cases: &[(&str, Vec<Fr>)],
) -> CheckResult {
    let prepared = b.prepare_bases(bases)?;
    for (name, scalars) in cases {
        let expected = reference::msm_by_logs(logs, scalars);
        ensure_eq!(b.msm(bases, scalars)?, expected, "{name}");
        ensure_eq!(b.msm_prepared(&prepared, scalars)?, expected, "{name}, prepared");
        let third = scalars.len() / 3;
        let short = &scalars[..third];
        ensure_eq!(
            b.msm_prepared(&prepared, short)?,
            reference::msm_by_logs(&logs[..third], short),
            "{name}, prepared, shorter"
        );
    }
    Ok(())
}

/// `(r − 1) / 2` as canonical limbs.
fn shifted_modulus_half() -> [u64; 4] {
    let r = Fr::MODULUS;
    let mut half = [0u64; 4];
    for i in 0..4 {
        half[i] = (r[i] >> 1) | if i + 1 < 4 { r[i + 1] << 63 } else { 0 };
    }
    half
}

/// Batched MSMs and MSMs over prepared bases agree with single MSMs.
pub fn msm_batch_and_prepared(b: Dut) -> CheckResult {
    let b = offered(b.as_msm(), "msm_batch_and_prepared")?;
    let mut rng = rng(12);
    let bases = random_points(300, &mut rng);
    let sets: Vec<Vec<Fr>> = (0..3).map(|_| random_scalars(300, &mut rng)).collect();
    let refs: Vec<&[Fr]> = sets.iter().map(Vec::as_slice).collect();
    let expected: Vec<G1Projective> = sets.iter().map(|s| reference::msm(&bases, s)).collect();
    ensure_eq!(b.msm_batch(&bases, &refs)?, expected);
    ensure_eq!(b.msm_batch(&bases, &[])?, Vec::<G1Projective>::new());

    let prepared = b.prepare_bases(&bases)?;
    ensure_eq!(prepared.len(), 300);
    ensure_eq!(b.msm_prepared(&prepared, &sets[0])?, expected[0]);
    ensure_eq!(b.msm_prepared_batch(&prepared, &refs)?, expected);
    // A shorter scalar vector uses the leading bases.
    let short = &sets[1][..123];
    ensure_eq!(b.msm_prepared(&prepared, short)?, reference::msm(&bases[..123], short));
    ensure!(b.msm_prepared(&prepared, &[])?.is_identity());
    let empty = b.prepare_bases(&[])?;
    ensure!(b.msm_prepared(&empty, &[])?.is_identity());
    Ok(())
}

/// Length mismatches, invalid points and unreduced scalars are errors.
pub fn msm_rejects_bad_input(b: Dut) -> CheckResult {
    let b = offered(b.as_msm(), "msm_rejects_bad_input")?;
    let mut rng = rng(13);
    let mut bases = random_points(10, &mut rng);
    let scalars = random_scalars(10, &mut rng);
    ensure!(matches!(b.msm(&bases, &scalars[..9]), Err(Error::LengthMismatch { expected: 10, actual: 9, .. })));
    ensure!(matches!(
        b.msm_batch(&bases, &[&scalars, &scalars[..3]]),
        Err(Error::LengthMismatch { expected: 10, actual: 3, .. })
    ));

    let mut bad_scalars = scalars.clone();
    bad_scalars[4] = Fr::from_montgomery_limbs_unchecked(Fr::MODULUS);
    ensure_eq!(b.msm(&bases, &bad_scalars), Err(Error::InvalidFieldElement { what: "scalars", index: 4 }));

    let good = bases[7];
    bases[7] = G1Affine::new_unchecked(good.x, good.y + Fq::ONE);
    ensure_eq!(b.msm(&bases, &scalars), Err(Error::InvalidPoint { index: 7, reason: PointError::NotOnCurve }));
    ensure_eq!(b.prepare_bases(&bases).err(), Some(Error::InvalidPoint { index: 7, reason: PointError::NotOnCurve }));
    // The same point with x + p in place of x: on the curve modulo p, but not reduced.
    let unreduced_x = Fq::from_montgomery_limbs_unchecked(add_modulus(good.x.montgomery_limbs(), Fq::MODULUS));
    bases[7] = G1Affine::new_unchecked(unreduced_x, good.y);
    ensure_eq!(
        b.msm(&bases, &scalars),
        Err(Error::InvalidPoint { index: 7, reason: PointError::CoordinateNotReduced })
    );

    bases[7] = good;
    let prepared = b.prepare_bases(&bases[..5])?;
    ensure!(matches!(b.msm_prepared(&prepared, &scalars), Err(Error::LengthMismatch { expected: 5, actual: 10, .. })));
    Ok(())
}

/// `a + m` as 256-bit integers when it fits (the result is then an unreduced
/// representation of `a`); otherwise `m` itself.
fn add_modulus(a: [u64; 4], m: [u64; 4]) -> [u64; 4] {
    let mut out = [0u64; 4];
    let mut carry = 0u128;
    for i in 0..4 {
        let t = a[i] as u128 + m[i] as u128 + carry;
        out[i] = t as u64;
        carry = t >> 64;
    }
    if carry == 0 {
        out
    } else {
        m
    }
}

/// Forward, inverse and coset NTTs of sizes 2^0..2^10 against the naive DFT.
pub fn ntt_against_naive_dft(b: Dut) -> CheckResult {
    let b = offered(b.as_ntt(), "ntt_against_naive_dft")?;
    let mut rng = rng(20);
    let shift = Fr::multiplicative_generator();
    for log_n in 0..=10 {
        let n = 1usize << log_n;
        let input = random_scalars(n, &mut rng);
        for (config, inverse, coset) in [
            (NttConfig::forward(), false, None),
            (NttConfig::inverse(), true, None),
            (NttConfig::forward().on_coset(shift), false, Some(shift)),
            (NttConfig::inverse().on_coset(shift), true, Some(shift)),
        ] {
            let mut data = input.clone();
            b.ntt(&mut data, config)?;
            ensure_eq!(data, reference::dft(&input, inverse, coset)?, "size 2^{log_n}, {config:?}");
        }
    }
    // Two sizes past a cache-sized block (where implementations change
    // strategy), checked in full.
    for (log_n, config, inverse, coset) in
        [(12, NttConfig::forward(), false, None), (13, NttConfig::inverse().on_coset(shift), true, Some(shift))]
    {
        let input = random_scalars(1 << log_n, &mut rng);
        let mut data = input.clone();
        b.ntt(&mut data, config)?;
        ensure_eq!(data, reference::dft(&input, inverse, coset)?, "size 2^{log_n}, {config:?}");
    }
    Ok(())
}

/// Round trips (plain and coset) of sizes 2^0..2^16, with spot evaluations
/// of the forward transform by Horner's rule at sizes beyond the naive DFT.
pub fn ntt_round_trips(b: Dut) -> CheckResult {
    let b = offered(b.as_ntt(), "ntt_round_trips")?;
    let mut rng = rng(21);
    let shift = Fr::from_u64(5);
    for log_n in 0..=16 {
        let n = 1usize << log_n;
        let coeffs = random_scalars(n, &mut rng);
        let mut data = coeffs.clone();
        b.ntt(&mut data, NttConfig::forward())?;
        let omega = Fr::two_adic_generator(log_n).expect("within the two-adicity");
        let spots = (0..16).map(|_| rng.next_u32() as usize % n);
        for i in [0, n / 3, n - 1].into_iter().chain(spots) {
            let x = omega.pow(&[i as u64]);
            ensure_eq!(data[i], coeffs.iter().rev().fold(Fr::ZERO, |acc, &c| acc * x + c), "2^{log_n} at {i}");
        }
        b.ntt(&mut data, NttConfig::inverse())?;
        ensure_eq!(data, coeffs, "round trip 2^{log_n}");

        b.ntt(&mut data, NttConfig::forward().on_coset(shift))?;
        let x = shift * omega.pow(&[(n / 2) as u64]);
        ensure_eq!(data[n / 2], coeffs.iter().rev().fold(Fr::ZERO, |acc, &c| acc * x + c), "coset 2^{log_n}");
        b.ntt(&mut data, NttConfig::inverse().on_coset(shift))?;
        ensure_eq!(data, coeffs, "coset round trip 2^{log_n}");
    }
    Ok(())
}

/// Batched columns equal column-by-column transforms; empty batches are fine.
pub fn ntt_batch_columns(b: Dut) -> CheckResult {
    let b = offered(b.as_ntt(), "ntt_batch_columns")?;
    let mut rng = rng(22);
    for (columns, log_n) in [(4usize, 8u32), (3, 13), (16, 1)] {
        let n = 1usize << log_n;
        let input = random_scalars(columns * n, &mut rng);
        for config in [NttConfig::forward(), NttConfig::inverse().on_coset(Fr::from_u64(3))] {
            let mut batched = input.clone();
            b.ntt_batch(&mut batched, n, config)?;
            let mut single = input.clone();
            for column in single.chunks_mut(n) {
                b.ntt(column, config)?;
            }
            ensure_eq!(batched, single, "{columns} columns of 2^{log_n}");
        }
    }
    let mut empty: Vec<Fr> = Vec::new();
    b.ntt_batch(&mut empty, 8, NttConfig::forward())?;
    Ok(())
}

/// Low-degree extensions evaluate the interpolated polynomial on the larger coset.
pub fn lde(b: Dut) -> CheckResult {
    let b = offered(b.as_ntt(), "lde")?;
    let mut rng = rng(23);
    let shift = Fr::multiplicative_generator();
    for (columns, log_n, log_blowup) in [(1usize, 0u32, 1u32), (2, 4, 2), (3, 7, 1), (1, 10, 3)] {
        let n = 1usize << log_n;
        let evals = random_scalars(columns * n, &mut rng);
        let out = b.lde_batch(&evals, n, log_blowup, shift)?;
        let big_n = n << log_blowup;
        ensure_eq!(out.len(), columns * big_n);
        for (column, extended) in evals.chunks(n).zip(out.chunks(big_n)) {
            let mut coeffs = reference::dft(column, true, None)?;
            coeffs.resize(big_n, Fr::ZERO);
            ensure_eq!(extended, reference::dft(&coeffs, false, Some(shift))?, "lde 2^{log_n} x{log_blowup}");
        }
    }
    Ok(())
}

/// Non-power-of-two sizes, ragged batches, unreduced inputs, zero coset
/// shifts and oversize domains are errors and leave the data unchanged.
pub fn ntt_rejects_bad_input(b: Dut) -> CheckResult {
    let b = offered(b.as_ntt(), "ntt_rejects_bad_input")?;
    let mut rng = rng(24);
    for n in [3usize, 6, 1000] {
        let original = random_scalars(n, &mut rng);
        let mut data = original.clone();
        ensure_eq!(b.ntt(&mut data, NttConfig::forward()), Err(Error::NotPowerOfTwo { size: n }));
        ensure_eq!(data, original);
    }
    let mut empty: Vec<Fr> = Vec::new();
    ensure_eq!(b.ntt(&mut empty, NttConfig::forward()), Err(Error::NotPowerOfTwo { size: 0 }));

    let original = random_scalars(24, &mut rng);
    let mut data = original.clone();
    ensure!(matches!(b.ntt_batch(&mut data, 16, NttConfig::forward()), Err(Error::InvalidShape { .. })));
    ensure_eq!(b.ntt_batch(&mut data, 12, NttConfig::forward()), Err(Error::NotPowerOfTwo { size: 12 }));
    ensure_eq!(data, original);

    let mut data = original[..16].to_vec();
    data[9] = Fr::from_montgomery_limbs_unchecked([u64::MAX; 4]);
    let before = data.clone();
    ensure_eq!(b.ntt(&mut data, NttConfig::inverse()), Err(Error::InvalidFieldElement { what: "ntt input", index: 9 }));
    ensure_eq!(data, before);

    let mut data = original[..16].to_vec();
    ensure!(matches!(b.ntt(&mut data, NttConfig::forward().on_coset(Fr::ZERO)), Err(Error::InvalidConfig(_))));
    ensure_eq!(data, original[..16]);

    let max = 1usize << Fr::TWO_ADICITY;
    ensure_eq!(b.ntt_batch(&mut [], max * 2, NttConfig::forward()), Err(Error::SizeTooLarge { size: max * 2, max }));
    ensure!(matches!(b.lde_batch(&original[..16], 16, Fr::TWO_ADICITY, Fr::ONE), Err(Error::SizeTooLarge { .. })));
    ensure_eq!(b.lde_batch(&original[..12], 12, 1, Fr::ONE), Err(Error::NotPowerOfTwo { size: 12 }));
    Ok(())
}

/// Multiplicities over several input columns, with duplicate table rows and
/// a missing input reported by column and row.
pub fn lookup_multiplicities(b: Dut) -> CheckResult {
    let b = offered(b.as_multiplicities(), "lookup_multiplicities")?;
    let mut rng = rng(30);
    let mut table = random_scalars(500, &mut rng);
    table[10] = table[3]; // a duplicate row: counts go to row 3
    let pick = |rng: &mut ChaCha20Rng, n: usize| -> Vec<Fr> {
        (0..n).map(|_| table[(rng.next_u32() % 500) as usize]).collect()
    };
    let columns = [pick(&mut rng, 3000), pick(&mut rng, 10_000), Vec::new()];
    let inputs: Vec<&[Fr]> = columns.iter().map(Vec::as_slice).collect();
    let counts = b.multiplicities(&table, &inputs)?;
    ensure_eq!(counts, reference::multiplicities(&table, &inputs)?);
    ensure_eq!(counts.iter().sum::<u64>(), 13_000);
    ensure_eq!(counts[10], 0);
    ensure_eq!(b.multiplicities(&table, &[])?, vec![0; 500]);
    ensure_eq!(b.multiplicities(&[], &[])?, Vec::<u64>::new());

    let mut missing = columns[1].clone();
    missing[777] = Fr::random(&mut rng);
    missing[5000] = Fr::random(&mut rng);
    ensure_eq!(b.multiplicities(&table, &[&columns[0], &missing]), Err(Error::NotInTable { column: 1, row: 777 }));
    ensure_eq!(b.multiplicities(&[], &[&columns[0]]), Err(Error::NotInTable { column: 0, row: 0 }));

    // A range table of small integers (shuffled, one duplicate), as range checks use.
    let mut range: Vec<Fr> = (0..1000u64).map(|i| Fr::from_u64((i * 617) % 1000)).collect();
    range[999] = range[5];
    let values: Vec<Fr> = (0..20_000).map(|_| range[(rng.next_u32() % 1000) as usize]).collect();
    let counts = b.multiplicities(&range, &[&values])?;
    ensure_eq!(counts, reference::multiplicities(&range, &[&values])?);
    for (row, outside) in [(3usize, Fr::from_u64(range_missing(&range))), (11, Fr::from_u64(5000)), (17, -Fr::ONE)] {
        let mut bad = values.clone();
        bad[row] = outside;
        ensure_eq!(b.multiplicities(&range, &[&bad]), Err(Error::NotInTable { column: 0, row }), "{outside:?}");
    }
    Ok(())
}

/// A small integer missing from `table` (it has one duplicate, so some value below its length is absent).
fn range_missing(table: &[Fr]) -> u64 {
    (0..table.len() as u64).find(|&v| !table.contains(&Fr::from_u64(v))).unwrap_or(u64::MAX)
}

/// Batch inversion of sizes 0, 1 and many chunks; a zero is an error that
/// leaves the input unchanged.
pub fn lookup_batch_inverse(b: Dut) -> CheckResult {
    let b = offered(b.as_batch_inverse(), "lookup_batch_inverse")?;
    let mut rng = rng(31);
    for n in [0usize, 1, 2, 4097, 20_000] {
        let input = random_scalars(n, &mut rng);
        let mut data = input.clone();
        b.batch_inverse(&mut data)?;
        ensure_eq!(data, reference::batch_inverse(&input)?, "size {n}");
    }
    let mut input = random_scalars(9000, &mut rng);
    input[8000] = Fr::ZERO;
    input[8500] = Fr::ZERO;
    let mut data = input.clone();
    ensure_eq!(b.batch_inverse(&mut data), Err(Error::NotInvertible { index: 8000 }));
    ensure_eq!(data, input);
    Ok(())
}

/// `1/(β + x)` against the naive inverse; `β + x = 0` is an error.
pub fn lookup_inverse_of_sums(b: Dut) -> CheckResult {
    let b = offered(b.as_batch_inverse(), "lookup_inverse_of_sums")?;
    let mut rng = rng(32);
    let beta = Fr::random(&mut rng);
    let values = random_scalars(5000, &mut rng);
    let expected: Vec<Fr> = values.iter().map(|&x| (beta + x).inverse().expect("random values miss -beta")).collect();
    ensure_eq!(b.inverse_of_sums(beta, &values)?, expected);
    ensure_eq!(b.inverse_of_sums(beta, &[])?, Vec::<Fr>::new());
    let mut values = values;
    values[42] = -beta;
    ensure_eq!(b.inverse_of_sums(beta, &values), Err(Error::NotInvertible { index: 42 }));
    Ok(())
}

/// Prefix and grand products of sizes 0, 1 and many chunks, zeros included.
pub fn lookup_prefix_product(b: Dut) -> CheckResult {
    let b = offered(b.as_prefix_product(), "lookup_prefix_product")?;
    let mut rng = rng(33);
    for n in [0usize, 1, 2, 4096, 4097, 30_000] {
        let mut values = random_scalars(n, &mut rng);
        if n > 100 {
            values[n - 50] = Fr::ZERO;
        }
        let expected = reference::prefix_product(&values);
        ensure_eq!(b.prefix_product(&values)?, expected, "size {n}");
        ensure_eq!(b.grand_product(&values)?, expected[n], "size {n}");
    }
    let bad = [Fr::ONE, Fr::from_montgomery_limbs_unchecked(Fr::MODULUS)];
    ensure_eq!(b.prefix_product(&bad), Err(Error::InvalidFieldElement { what: "values", index: 1 }));
    Ok(())
}

/// halo2's `(A', S')` satisfies the permutation argument's constraints;
/// a missing input and unequal lengths are errors.
pub fn lookup_permute(b: Dut) -> CheckResult {
    let b = offered(b.as_permute_lookup(), "lookup_permute")?;
    let mut rng = rng(34);
    for n in [1usize, 2, 17, 1024, 5000] {
        let mut table = random_scalars(n, &mut rng);
        if n > 4 {
            table[n - 1] = table[0]; // duplicated table rows are allowed
        }
        let input: Vec<Fr> = (0..n).map(|_| table[(rng.next_u32() as usize) % n.min(n / 2 + 1)]).collect();
        let permuted = b.permute_lookup(&input, &table)?;
        ensure!(reference::check_permuted_lookup(&input, &table, &permuted), "size {n}");
        let mut sorted = input.clone();
        sorted.sort();
        ensure_eq!(permuted.input, sorted, "A' is sorted by value");
    }
    ensure_eq!(b.permute_lookup(&[], &[])?, PermutedLookup { input: vec![], table: vec![] });

    let table = random_scalars(64, &mut rng);
    let mut input = table.clone();
    input[33] = Fr::random(&mut rng);
    ensure_eq!(b.permute_lookup(&input, &table), Err(Error::NotInTable { column: 0, row: 33 }));
    ensure!(matches!(b.permute_lookup(&table[..10], &table), Err(Error::LengthMismatch { .. })));
    Ok(())
}

/// Every operation `b` offers, on random inputs, gives exactly the
/// reference backend's output (what `b` does not offer, an Accelerator
/// gives to the CPU: not compared).
pub fn matches_reference_backend(held: Dut, r: &dyn CurveBackend<Bn254>) -> CheckResult {
    let offers = |op: Operation, size: usize| held.supports(op, size);
    let mut rng = rng(40);
    let (bases, _) = progression_points(5000, &mut rng);
    let sets: Vec<Vec<Fr>> = (0..2).map(|_| random_scalars(5000, &mut rng)).collect();
    let refs: Vec<&[Fr]> = sets.iter().map(Vec::as_slice).collect();
    if let Some(b) = held.as_msm().filter(|_| offers(Operation::Msm, 5000)) {
        ensure_eq!(b.msm_batch(&bases, &refs)?, r.msm_batch(&bases, &refs)?, "msm_batch");
    }
    if let Some(b) = held.as_msm().filter(|_| offers(Operation::MsmPrepared, 5000)) {
        let pb = b.prepare_bases(&bases)?;
        let pr = r.prepare_bases(&bases)?;
        ensure_eq!(b.msm_prepared_batch(&pb, &refs)?, r.msm_prepared_batch(&pr, &refs)?, "msm_prepared_batch");
    }

    let input = random_scalars(4 << 12, &mut rng);
    if let Some(b) = held.as_ntt().filter(|_| offers(Operation::Ntt, 1 << 12)) {
        for config in [NttConfig::forward(), NttConfig::inverse(), NttConfig::forward().on_coset(Fr::from_u64(7))] {
            let (mut x, mut y) = (input.clone(), input.clone());
            b.ntt_batch(&mut x, 1 << 12, config)?;
            r.ntt_batch(&mut y, 1 << 12, config)?;
            ensure_eq!(x, y, "ntt_batch {config:?}");
        }
    }
    let shift = Fr::multiplicative_generator();
    if let Some(b) = held.as_ntt().filter(|_| offers(Operation::Lde, 1 << 14)) {
        ensure_eq!(b.lde_batch(&input, 1 << 12, 2, shift)?, r.lde_batch(&input, 1 << 12, 2, shift)?, "lde_batch");
    }

    let table = random_scalars(1 << 10, &mut rng);
    let lookups: Vec<Fr> = (0..1 << 12).map(|_| table[(rng.next_u32() as usize) % table.len()]).collect();
    if let Some(b) = held.as_multiplicities().filter(|_| offers(Operation::Multiplicities, 1 << 12)) {
        ensure_eq!(b.multiplicities(&table, &[&lookups])?, r.multiplicities(&table, &[&lookups])?, "multiplicities");
    }
    if let Some(b) = held.as_batch_inverse().filter(|_| offers(Operation::BatchInverse, input.len())) {
        let (mut x, mut y) = (input.clone(), input.clone());
        b.batch_inverse(&mut x)?;
        r.batch_inverse(&mut y)?;
        ensure_eq!(x, y, "batch_inverse");
    }
    if let Some(b) = held.as_batch_inverse().filter(|_| offers(Operation::InverseOfSums, input.len())) {
        ensure_eq!(b.inverse_of_sums(shift, &input)?, r.inverse_of_sums(shift, &input)?, "inverse_of_sums");
    }
    if let Some(b) = held.as_prefix_product().filter(|_| offers(Operation::PrefixProduct, input.len())) {
        ensure_eq!(b.prefix_product(&input)?, r.prefix_product(&input)?, "prefix_product");
    }
    if let Some(b) = held.as_permute_lookup().filter(|_| offers(Operation::PermuteLookup, lookups.len())) {
        let permuted = b.permute_lookup(&lookups, &lookups)?;
        ensure!(reference::check_permuted_lookup(&lookups, &lookups, &permuted), "permute_lookup");
    }
    if let Some(b) = held.as_constraints().filter(|_| offers(Operation::ConstraintEvaluation, 1 << 12)) {
        let program = random_constraint_program(6, 3, 60, &mut rng);
        let columns: Vec<Vec<Fr>> = (0..6).map(|_| random_scalars(1 << 12, &mut rng)).collect();
        let columns: Vec<&[Fr]> = columns.iter().map(Vec::as_slice).collect();
        let constants = random_scalars(3, &mut rng);
        let rows = CosetRows { len: 1 << 12, shift, omega: Fr::two_adic_generator(12).unwrap_or(Fr::ONE) };
        let y = Fr::random(&mut rng);
        ensure_eq!(
            b.evaluate_constraints(&program, &columns, &constants, rows, y)?,
            r.evaluate_constraints(&program, &columns, &constants, rows, y)?,
            "evaluate_constraints"
        );
    }
    Ok(())
}

/// A random program over `columns` columns and `constants` constants with
/// `nodes` operations: every kind of node, rotations that wrap both ways,
/// and about a quarter of the nodes as constraints.
pub fn random_constraint_program(
    columns: u32,
    constants: u32,
    nodes: usize,
    rng: &mut impl RngCore,
) -> ConstraintProgram {
    let mut list = vec![Node::Point];
    for c in 0..columns {
        for rotation in [0, 1, -1, 5, -7] {
            list.push(Node::Column { column: c, rotation });
        }
    }
    list.extend((0..constants).map(Node::Constant));
    for _ in 0..nodes {
        let k = list.len() as u32;
        let (a, b) = (rng.next_u32() % k, rng.next_u32() % k);
        list.push(match rng.next_u32() % 7 {
            0 => Node::Neg(a),
            1 | 2 => Node::Add(a, b),
            3 => Node::Sub(a, b),
            _ => Node::Mul(a, b),
        });
    }
    let constraints = (0..list.len() as u32).filter(|_| rng.next_u32().is_multiple_of(4)).collect();
    ConstraintProgram::new(list, constraints, columns as usize, constants as usize)
        .unwrap_or_else(|e| unreachable!("a well-formed program: {e}"))
}

/// Constraint programs against their row-by-row definition
/// ([`ConstraintProgram::evaluate_at`]) on a coset, for lengths from one row
/// up; a program with no constraints gives zeros; wrong shapes and unreduced
/// values are errors.
pub fn constraint_programs(b: Dut) -> CheckResult {
    let b = offered(b.as_constraints(), "constraint_programs")?;
    let mut rng = rng(35);
    for (log_n, nodes) in [(0u32, 10usize), (1, 30), (6, 80), (10, 200), (12, 40)] {
        let n = 1usize << log_n;
        let program = random_constraint_program(4, 3, nodes, &mut rng);
        let columns: Vec<Vec<Fr>> = (0..4).map(|_| random_scalars(n, &mut rng)).collect();
        let views: Vec<&[Fr]> = columns.iter().map(Vec::as_slice).collect();
        let constants = random_scalars(3, &mut rng);
        let omega = Fr::two_adic_generator(log_n).unwrap_or(Fr::ONE);
        let rows = CosetRows { len: n, shift: Fr::multiplicative_generator(), omega };
        let y = Fr::random(&mut rng);
        let out = b.evaluate_constraints(&program, &views, &constants, rows, y)?;
        ensure_eq!(out.len(), n, "rows of 2^{log_n}");
        let mut point = rows.shift;
        for (i, value) in out.iter().enumerate() {
            let column = |c: u32, rotation: i32| {
                columns[c as usize][(i as i64 + i64::from(rotation)).rem_euclid(n as i64) as usize]
            };
            let expected = program.evaluate_at(column, &constants, point, y);
            ensure_eq!(*value, expected, "row {i} of 2^{log_n}");
            point *= omega;
        }
    }
    let none = ConstraintProgram::new(vec![Node::Point], vec![], 0, 0).unwrap_or_else(|e| unreachable!("{e}"));
    let rows = CosetRows { len: 8, shift: Fr::ONE, omega: Fr::two_adic_generator(3).unwrap_or(Fr::ONE) };
    ensure_eq!(b.evaluate_constraints(&none, &[], &[], rows, Fr::ONE)?, vec![Fr::ZERO; 8], "no constraints");

    let program = random_constraint_program(2, 1, 10, &mut rng);
    let column = random_scalars(8, &mut rng);
    let short = random_scalars(4, &mut rng);
    let one = [Fr::ONE];
    let is_shape =
        |r: Result<Vec<Fr>, Error>| matches!(r, Err(Error::InvalidShape { .. } | Error::LengthMismatch { .. }));
    ensure!(is_shape(b.evaluate_constraints(&program, &[&column], &one, rows, Fr::ONE)), "one column of two");
    ensure!(is_shape(b.evaluate_constraints(&program, &[&column, &short], &one, rows, Fr::ONE)), "unequal columns");
    ensure!(is_shape(b.evaluate_constraints(&program, &[&column, &column], &[], rows, Fr::ONE)), "no constant");
    let mut unreduced = column.clone();
    unreduced[3] = Fr::from_montgomery_limbs_unchecked(Fr::MODULUS);
    ensure!(
        matches!(
            b.evaluate_constraints(&program, &[&column, &unreduced], &one, rows, Fr::ONE),
            Err(Error::InvalidFieldElement { .. })
        ),
        "an unreduced value"
    );
    Ok(())
}

/// Instantiates the conformance suite as `#[test]` functions in a module
/// named `conformance`.
///
/// `conformance_suite!(make_backend())` checks against naive references;
/// `conformance_suite!(make_backend(), reference: make_cpu())` also compares
/// every operation with a reference backend. The expressions are evaluated
/// in each test.
#[macro_export]
macro_rules! conformance_suite {
    ($backend:expr $(, reference: $reference:expr)?) => {
        mod conformance {
            #[allow(unused_imports)]
            use super::*;
            use $crate::testing as suite;

            $crate::conformance_suite!(@suite $backend;
                msm_sizes, msm_edge_cases, msm_witness_like_scalars, msm_repeated_scalars, msm_batch_and_prepared,
                msm_rejects_bad_input,
                ntt_against_naive_dft, ntt_round_trips, ntt_batch_columns, lde, ntt_rejects_bad_input,
                lookup_multiplicities, lookup_batch_inverse, lookup_inverse_of_sums,
                lookup_prefix_product, lookup_permute, constraint_programs);

            $(
                #[test]
                fn matches_reference_backend() {
                    if let Err(failure) = suite::matches_reference_backend(&suite::held($backend), &$reference) {
                        panic!("matches_reference_backend: {failure}");
                    }
                }
            )?
        }
    };
    (@suite $backend:expr; $($name:ident),*) => {
        $crate::conformance_suite!(@tests $backend; $($name),*);

        /// The checks above are `testing::CHECKS` (what `zkaccel selftest` runs), in order.
        #[test]
        fn the_suite_is_the_selftest() {
            let names: Vec<&str> = suite::CHECKS.iter().map(|c| c.name).collect();
            assert_eq!(names, [$(stringify!($name)),*]);
        }
    };
    (@tests $backend:expr; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                if let Err(failure) = suite::$name(&suite::held($backend)) {
                    panic!("{}: {failure}", stringify!($name));
                }
            }
        )*
    };
}

/// A device that accepts `prepare_bases` and fails every computation with
/// its error, after scribbling over any buffer it was given: what the
/// Accelerator's fallback and every frontend's fallback path are tested with.
pub struct FailingBackend {
    error: Error,
    calls: AtomicUsize,
    max_size: usize,
    available: bool,
}

impl FailingBackend {
    /// A device that fails every call with `error`.
    pub fn new(error: Error) -> Self {
        Self { error, calls: AtomicUsize::new(0), max_size: usize::MAX, available: true }
    }

    /// A device that fails every call with a device error (so the
    /// Accelerator falls back to the CPU).
    pub fn device_failure() -> Self {
        Self::new(Error::Device { backend: "failing", msg: "injected failure".into() })
    }

    /// Claims support only up to `max_size` elements.
    pub fn with_max_size(self, max_size: usize) -> Self {
        Self { max_size, ..self }
    }

    /// Reports itself unavailable.
    pub fn unavailable(self) -> Self {
        Self { available: false, ..self }
    }

    /// How many computations it was asked for (and failed).
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::Relaxed)
    }

    fn fail<T>(&self) -> Result<T, Error> {
        self.calls.fetch_add(1, Ordering::Relaxed);
        Err(self.error.clone())
    }
}

impl Backend for FailingBackend {
    fn name(&self) -> &'static str {
        "failing"
    }
    fn availability(&self) -> Availability {
        if self.available {
            Availability::Available(DeviceInfo { name: "test device that always fails".into(), ..Default::default() })
        } else {
            Availability::Unavailable("switched off for the test".into())
        }
    }
    fn max_size(&self, _: Operation) -> usize {
        self.max_size
    }
}

impl Msm<Bn254> for FailingBackend {
    fn msm_batch(&self, _: &[G1Affine], _: &[&[Fr]]) -> Result<Vec<G1Projective>, Error> {
        self.fail()
    }
    fn prepare_bases(&self, bases: &[G1Affine]) -> Result<PreparedBases<Bn254>, Error> {
        crate::validate::points(bases)?;
        Ok(PreparedBases::new(self.name(), Arc::from(bases), Box::new(()), 0))
    }
    fn msm_prepared_batch(&self, _: &PreparedBases<Bn254>, _: &[&[Fr]]) -> Result<Vec<G1Projective>, Error> {
        self.fail()
    }
}

impl Ntt<Fr> for FailingBackend {
    fn ntt_batch(&self, data: &mut [Fr], _: usize, _: NttConfig<Fr>) -> Result<(), Error> {
        data.iter_mut().for_each(|x| *x = Fr::ZERO);
        self.fail()
    }
    fn lde_batch(&self, _: &[Fr], _: usize, _: u32, _: Fr) -> Result<Vec<Fr>, Error> {
        self.fail()
    }
}

impl crate::backend::ConstraintEvaluation<Fr> for FailingBackend {
    fn evaluate_constraints(
        &self,
        _: &crate::constraints::ConstraintProgram,
        _: &[&[Fr]],
        _: &[Fr],
        _: crate::constraints::CosetRows<Fr>,
        _: Fr,
    ) -> Result<Vec<Fr>, Error> {
        self.fail()
    }
}

impl Multiplicities<Fr> for FailingBackend {
    fn multiplicities(&self, _: &[Fr], _: &[&[Fr]]) -> Result<Vec<u64>, Error> {
        self.fail()
    }
}

impl BatchInverse<Fr> for FailingBackend {
    fn batch_inverse(&self, values: &mut [Fr]) -> Result<(), Error> {
        values.iter_mut().for_each(|x| *x = Fr::ONE);
        self.fail()
    }
    fn inverse_of_sums(&self, _: Fr, _: &[Fr]) -> Result<Vec<Fr>, Error> {
        self.fail()
    }
}

impl PrefixProduct<Fr> for FailingBackend {
    fn prefix_product(&self, _: &[Fr]) -> Result<Vec<Fr>, Error> {
        self.fail()
    }
}

impl PermuteLookup<Fr> for FailingBackend {
    fn permute_lookup(&self, _: &[Fr], _: &[Fr]) -> Result<PermutedLookup<Fr>, Error> {
        self.fail()
    }
}
