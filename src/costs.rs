//! What each backend costs, measured: the cost model the Accelerator routes by.
//!
//! For each (backend, operation) a short calibration times the operation at
//! a few sizes ([`CALIBRATION_SIZES`], stopping early on a slow backend),
//! transfers included, since it calls the backend as a prover would. A
//! prediction between two measured sizes interpolates on log–log axes (MSM
//! and NTT times are near power laws in the size); beyond the largest it
//! grows along the last two points' slope (so a device's fixed cost is not
//! scaled up with the size), below the smallest it stays at the smallest's
//! time (a call's fixed cost).
//!
//! Measurements are cached on disk (one text file, [`default_path`]) keyed
//! by backend, device, driver and zkaccel version, so a process that finds
//! them calibrates nothing. A file that cannot be parsed, or was written by
//! another zkaccel version, is ignored with a warning and rewritten.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use zkaccel_core::testing::{progression_points, random_constraint_program, random_scalars, rng};
use zkaccel_core::{
    Availability, Bn254, ConstraintProgram, CosetRows, Error, Field, Fr, HeldBackend, NttConfig, Operation, Result,
    TwoAdicField,
};

/// The sizes a calibration measures, smallest first.
pub const CALIBRATION_SIZES: [usize; 3] = [1 << 8, 1 << 12, 1 << 16];

/// A measurement over this stops the calibration of that operation: larger
/// sizes are predicted from it (keeps a slow backend, such as the FPGA
/// simulation, to seconds).
const SLOW_CALL: Duration = Duration::from_millis(300);

/// The first line of a cost file: format and the zkaccel version that wrote it.
fn header() -> String {
    format!("zkaccel cost model 1, zkaccel {}", env!("CARGO_PKG_VERSION"))
}

/// `ZKACCEL_CACHE/costs.txt`, else `$XDG_CACHE_HOME/zkaccel/costs.txt`, else
/// `~/.cache/zkaccel/costs.txt`; `None` without any of them.
pub fn default_path() -> Option<PathBuf> {
    let dir = std::env::var_os("ZKACCEL_CACHE").filter(|d| !d.is_empty()).map(PathBuf::from).or_else(|| {
        std::env::var_os("XDG_CACHE_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|d| d.join("zkaccel"))
    })?;
    Some(dir.join("costs.txt"))
}

/// What identifies a backend's speed: its name, device and driver (the
/// version is in the file's header).
pub fn backend_key(held: &HeldBackend<Bn254>) -> String {
    let (device, driver) = match held.availability() {
        Availability::Available(info) => (info.name, info.driver.unwrap_or_else(|| "-".into())),
        Availability::Unavailable(_) => ("unavailable".into(), "-".into()),
    };
    clean(&format!("{} | {device} | {driver}", held.name()))
}

/// Tabs and line breaks would break the file's lines.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c == '\t' || c == '\n' || c == '\r' { ' ' } else { c }).collect()
}

/// Measured seconds at sizes, smallest first; an empty curve means the
/// backend failed its calibration (never chosen while another can run).
#[derive(Debug, Clone, PartialEq)]
pub struct CostCurve {
    points: Vec<(usize, f64)>,
}

impl CostCurve {
    /// A curve through `points` (size, seconds); sorted here. A call is
    /// never cheaper than a smaller one, so a point above a larger size's
    /// (a small call that met a busy machine) is lowered to it.
    pub fn new(mut points: Vec<(usize, f64)>) -> Self {
        points.retain(|&(n, t)| n > 0 && t.is_finite() && t >= 0.0);
        points.sort_by_key(|&(n, _)| n);
        points.dedup_by_key(|p| p.0);
        for i in (1..points.len()).rev() {
            points[i - 1].1 = points[i - 1].1.min(points[i].1);
        }
        Self { points }
    }

    /// The measured points.
    pub fn points(&self) -> &[(usize, f64)] {
        &self.points
    }

    /// Seconds per element beyond the largest measured size: the slope of
    /// the last two points (a fixed cost, such as a device's launch and
    /// transfer setup, then does not grow with the size), or the largest
    /// point's average when there is one point or the slope is not positive.
    fn marginal(&self) -> f64 {
        let average = |(n, t): (usize, f64)| t / n as f64;
        match self.points.as_slice() {
            [.., (n0, t0), (n1, t1)] if t1 > t0 => (t1 - t0) / (n1 - n0) as f64,
            [.., last] => average(*last),
            [] => f64::INFINITY,
        }
    }

    /// Predicted seconds for `size` (infinite for a failed calibration; 0 for
    /// nothing to do).
    pub fn predict(&self, size: usize) -> f64 {
        if size == 0 {
            return 0.0;
        }
        let (Some(&first), Some(&last)) = (self.points.first(), self.points.last()) else {
            return f64::INFINITY;
        };
        if size <= first.0 {
            return first.1;
        }
        if size >= last.0 {
            return last.1 + self.marginal() * (size - last.0) as f64;
        }
        let i = self.points.partition_point(|&(n, _)| n < size);
        let ((n0, t0), (n1, t1)) = (self.points[i - 1], self.points[i]);
        if t0 <= 0.0 || t1 <= 0.0 {
            return t0 + (t1 - t0) * (size - n0) as f64 / (n1 - n0) as f64;
        }
        let x = ((size as f64).ln() - (n0 as f64).ln()) / ((n1 as f64).ln() - (n0 as f64).ln());
        (t0.ln() + x * (t1.ln() - t0.ln())).exp()
    }
}

/// The cost model: measured curves per (backend key, operation), cached on disk.
#[derive(Debug)]
pub struct CostModel {
    path: Option<PathBuf>,
    curves: Mutex<HashMap<(String, Operation), CostCurve>>,
    /// One calibration at a time (two threads routing the same new
    /// operation would otherwise both measure it, and disturb each other).
    calibrating: Mutex<()>,
}

impl CostModel {
    /// The model cached at `path` (none read or written when `None`). A
    /// missing file is an empty model; a corrupt or stale one is ignored with
    /// a warning, and rewritten at the next calibration.
    pub fn load(path: Option<PathBuf>) -> Self {
        let curves = path.as_deref().map(read_file).unwrap_or_default();
        Self { path, curves: Mutex::new(curves), calibrating: Mutex::new(()) }
    }

    /// The model at [`default_path`].
    pub fn from_cache() -> Self {
        Self::load(default_path())
    }

    /// A model that keeps its measurements in memory only.
    pub fn in_memory() -> Self {
        Self::load(None)
    }

    /// The file it reads and writes.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The curve of `op` on `held`, if measured.
    pub fn curve(&self, held: &HeldBackend<Bn254>, op: Operation) -> Option<CostCurve> {
        self.lock().get(&(backend_key(held), op)).cloned()
    }

    /// Sets the curve of `op` on the backend with `key` (and saves the file).
    pub fn set(&self, key: &str, op: Operation, curve: CostCurve) {
        self.lock().insert((clean(key), op), curve);
        self.save();
    }

    /// Predicted seconds of `op` at `size` on `held`, calibrating it first
    /// when it has no curve yet.
    pub fn predict(&self, held: &HeldBackend<Bn254>, op: Operation, size: usize) -> f64 {
        if let Some(curve) = self.curve(held, op) {
            return curve.predict(size);
        }
        let _one_at_a_time = self.calibrating.lock().unwrap_or_else(|p| p.into_inner());
        // Another thread may have measured it while this one waited.
        if let Some(curve) = self.curve(held, op) {
            return curve.predict(size);
        }
        self.calibrate(held, op).predict(size)
    }

    /// Measures `op` on `held` now, replacing any cached curve, and saves.
    /// A backend that fails gets an empty curve, with a warning.
    pub fn calibrate(&self, held: &HeldBackend<Bn254>, op: Operation) -> CostCurve {
        let curve = match measure(held, op) {
            Ok(points) => CostCurve::new(points),
            Err(e) => {
                tracing::warn!("calibrating {op} on {} failed ({e}); it will not be routed there", held.name());
                CostCurve::new(Vec::new())
            }
        };
        tracing::debug!("calibrated {op} on {}: {:?}", held.name(), curve.points());
        self.lock().insert((backend_key(held), op), curve.clone());
        self.save();
        curve
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Operation), CostCurve>> {
        self.curves.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the file; a cache that cannot be written only costs a
    /// calibration in the next process.
    fn save(&self) {
        let Some(path) = &self.path else { return };
        let text = {
            let curves = self.lock();
            let mut entries: Vec<_> = curves.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let mut text = header() + "\n";
            for ((key, op), curve) in entries {
                let points: Vec<String> = curve.points.iter().map(|(n, t)| format!("{n}:{t:e}")).collect();
                let _ = writeln!(text, "{key}\t{op}\t{}", points.join(" "));
            }
            text
        };
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path.with_extension("tmp"), text))
            .and_then(|()| std::fs::rename(path.with_extension("tmp"), path));
        if let Err(e) = written {
            tracing::debug!("cannot write the cost model to {}: {e}", path.display());
        }
    }
}

/// The curves in the file at `path`; empty, with a warning, when it is
/// corrupt or stale.
fn read_file(path: &Path) -> HashMap<(String, Operation), CostCurve> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return HashMap::new(),
        Err(e) => {
            tracing::warn!("ignoring the cost model at {}: {e}; it will be measured again", path.display());
            return HashMap::new();
        }
    };
    match parse(&text) {
        Ok(curves) => curves,
        Err(why) => {
            tracing::warn!("ignoring the cost model at {}: {why}; it will be measured again", path.display());
            HashMap::new()
        }
    }
}

/// The curves of a cost file, or why it is not one of this version's.
pub fn parse(text: &str) -> std::result::Result<HashMap<(String, Operation), CostCurve>, String> {
    let mut lines = text.lines();
    match lines.next() {
        Some(first) if first == header() => {}
        Some(first) if first.starts_with("zkaccel cost model") => return Err(format!("stale ({first:?})")),
        _ => return Err("corrupt (no header)".into()),
    }
    let mut curves = HashMap::new();
    for (number, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let corrupt = |what: &str| format!("corrupt (line {}: {what})", number + 2);
        let mut fields = line.split('\t');
        let (Some(key), Some(op), Some(points), None) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(corrupt("not three fields"));
        };
        let op = Operation::ALL.into_iter().find(|o| o.name() == op).ok_or_else(|| corrupt("unknown operation"))?;
        let points = points
            .split_whitespace()
            .map(|p| {
                let (n, t) = p.split_once(':')?;
                let (n, t) = (n.parse::<usize>().ok()?, t.parse::<f64>().ok()?);
                (n > 0 && t.is_finite() && t >= 0.0).then_some((n, t))
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| corrupt("a bad point"))?;
        curves.insert((key.to_string(), op), CostCurve::new(points));
    }
    Ok(curves)
}

/// Timed calls of one size: at most this many, and no more once they add
/// up to [`ENOUGH_TIMING`] (a machine shared with other work delays some
/// calls; the fastest of several is the backend's own time).
const MAX_TIMED_CALLS: usize = 7;
const ENOUGH_TIMING: Duration = Duration::from_millis(60);

/// Times `op` on `held` at each calibration size it supports: one warm-up
/// call, then the fastest of up to [`MAX_TIMED_CALLS`] timed calls (a call
/// that alone takes over [`SLOW_CALL`] is timed once and ends the
/// calibration).
fn measure(held: &HeldBackend<Bn254>, op: Operation) -> Result<Vec<(usize, f64)>> {
    let mut points = Vec::new();
    for &size in CALIBRATION_SIZES.iter().filter(|&&n| held.supports(op, n)) {
        let input = Input::new(op, size);
        let first = input.time(held, op)?;
        if first > SLOW_CALL {
            points.push((size, first.as_secs_f64()));
            break;
        }
        let (mut best, mut spent) = (Duration::MAX, Duration::ZERO);
        for _ in 0..MAX_TIMED_CALLS {
            let t = input.time(held, op)?;
            best = best.min(t);
            spent += t;
            if spent >= ENOUGH_TIMING {
                break;
            }
        }
        points.push((size, best.as_secs_f64()));
    }
    Ok(points)
}

/// Inputs for one calibration call.
struct Input {
    size: usize,
    scalars: Vec<Fr>,
    bases: Vec<zkaccel_core::G1Affine>,
    program: Option<ConstraintProgram>,
}

impl Input {
    fn new(op: Operation, size: usize) -> Self {
        let mut r = rng(size as u64);
        let bases = if matches!(op, Operation::Msm | Operation::MsmPrepared) {
            progression_points(size, &mut r).0
        } else {
            Vec::new()
        };
        let scalars = match op {
            // Lookup inputs are small table values, as in a range check.
            Operation::Multiplicities | Operation::PermuteLookup => {
                (0..size as u64).map(|i| Fr::from_u64(i * 7 % size as u64)).collect()
            }
            _ => random_scalars(size, &mut r),
        };
        let program = (op == Operation::ConstraintEvaluation).then(|| random_constraint_program(4, 2, 24, &mut r));
        Self { size, scalars, bases, program }
    }

    /// One call of `op` on `held`, timed.
    fn time(&self, held: &HeldBackend<Bn254>, op: Operation) -> Result<Duration> {
        let missing = || Error::Unsupported { backend: held.name(), operation: op, reason: "not implemented".into() };
        let start = Instant::now();
        match op {
            Operation::Msm => {
                held.as_msm().ok_or_else(missing)?.msm(&self.bases, &self.scalars)?;
            }
            Operation::MsmPrepared => {
                let msm = held.as_msm().ok_or_else(missing)?;
                let prepared = msm.prepare_bases(&self.bases)?;
                let start = Instant::now();
                msm.msm_prepared(&prepared, &self.scalars)?;
                return Ok(start.elapsed());
            }
            Operation::Ntt => {
                let mut data = self.scalars.clone();
                let start = Instant::now();
                held.as_ntt().ok_or_else(missing)?.ntt(&mut data, NttConfig::forward())?;
                return Ok(start.elapsed());
            }
            Operation::Lde => {
                held.as_ntt().ok_or_else(missing)?.lde_batch(
                    &self.scalars[..self.size / 4],
                    self.size / 4,
                    2,
                    Fr::multiplicative_generator(),
                )?;
            }
            Operation::Multiplicities => {
                let table: Vec<Fr> = (0..self.size as u64).map(Fr::from_u64).collect();
                let start = Instant::now();
                held.as_multiplicities().ok_or_else(missing)?.multiplicities(&table, &[&self.scalars])?;
                return Ok(start.elapsed());
            }
            Operation::BatchInverse => {
                let mut data = self.scalars.clone();
                let start = Instant::now();
                held.as_batch_inverse().ok_or_else(missing)?.batch_inverse(&mut data)?;
                return Ok(start.elapsed());
            }
            Operation::InverseOfSums => {
                held.as_batch_inverse().ok_or_else(missing)?.inverse_of_sums(Fr::from_u64(3), &self.scalars)?;
            }
            Operation::PrefixProduct => {
                held.as_prefix_product().ok_or_else(missing)?.prefix_product(&self.scalars)?;
            }
            Operation::PermuteLookup => {
                let table: Vec<Fr> = (0..self.size as u64).map(Fr::from_u64).collect();
                let start = Instant::now();
                held.as_permute_lookup().ok_or_else(missing)?.permute_lookup(&self.scalars, &table)?;
                return Ok(start.elapsed());
            }
            Operation::ConstraintEvaluation => {
                let program = self.program.as_ref().ok_or_else(missing)?;
                let columns: Vec<&[Fr]> = (0..program.columns()).map(|_| self.scalars.as_slice()).collect();
                let constants = vec![Fr::from_u64(5); program.constants()];
                let log = self.size.trailing_zeros();
                let rows = CosetRows {
                    len: self.size,
                    shift: Fr::multiplicative_generator(),
                    omega: Fr::two_adic_generator(log).unwrap_or(Fr::ONE),
                };
                let start = Instant::now();
                held.as_constraints().ok_or_else(missing)?.evaluate_constraints(
                    program,
                    &columns,
                    &constants,
                    rows,
                    Fr::from_u64(11),
                )?;
                return Ok(start.elapsed());
            }
            _ => return Err(missing()),
        }
        Ok(start.elapsed())
    }
}
