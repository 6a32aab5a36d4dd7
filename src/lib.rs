//! zkaccel: fast MSM, NTT and lookup-argument kernels for zero-knowledge
//! provers, on whatever hardware the machine has.
//!
//! Link this crate, create an [`Accelerator`] once, and hand it the heavy
//! kernels of your prover. It finds the backends that can run here, holds
//! each by the operations it implements, routes each call to the one a
//! measured cost model predicts fastest (splitting large MSMs and batched
//! NTTs across backends when that pays; [`costs`]), and when a device fails
//! it logs a warning and redoes the call on the CPU, so the caller gets the
//! right answer either way.
//!
//! ```
//! use zkaccel::{Accelerator, Bn254, Field, Fr, Msm, Ntt, NttConfig, SwCurve};
//!
//! # fn main() -> zkaccel::Result<()> {
//! let acc = Accelerator::auto()?; // honours ZKACCEL_BACKEND=cpu|cuda|fpga|fpga-sim|auto
//!
//! // A commitment-style MSM: Σ sᵢ·Pᵢ.
//! let g = Bn254::GENERATOR;
//! let bases = vec![g, g.mul(&Fr::from_u64(2)).to_affine(), g.mul(&Fr::from_u64(3)).to_affine()];
//! let scalars = vec![Fr::from_u64(10), Fr::from_u64(20), Fr::from_u64(30)];
//! let commitment = acc.msm(&bases, &scalars)?;
//! assert_eq!(commitment, g.mul(&Fr::from_u64(10 + 40 + 90)));
//!
//! // Coefficients to evaluations on a coset of the size-8 subgroup, and back.
//! let coeffs: Vec<Fr> = (1..=8).map(Fr::from_u64).collect();
//! let mut evals = coeffs.clone();
//! let shift = Fr::from_u64(7);
//! acc.ntt(&mut evals, NttConfig::forward().on_coset(shift))?;
//! acc.ntt(&mut evals, NttConfig::inverse().on_coset(shift))?;
//! assert_eq!(evals, coeffs);
//!
//! // Bad input is an error, never a panic.
//! assert!(acc.ntt(&mut evals[..6], NttConfig::forward()).is_err());
//! # Ok(())
//! # }
//! ```
//!
//! Which backends exist and why one is unavailable: [`backend_reports`]
//! (and `zkaccel info` on the command line).

pub mod costs;
pub mod selftest;
mod split;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

pub use costs::{CostCurve, CostModel};
pub use zkaccel_backend_cpu::CpuBackend;
pub use zkaccel_core::{
    batch_to_affine, cast, constraints, field_ops, reference, validate, Affine, Availability, Backend, BatchInverse,
    Bn254, Bn254G2, Capabilities, ConstraintEvaluation, ConstraintProgram, CosetRows, CurveBackend, CurveField,
    DeviceInfo, Error, Field, Fp, FpParams, Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective, HeldBackend,
    IntoHeld, LookupKernels, Msm, Multiplicities, Ntt, NttConfig, NttDirection, Operation, PermuteLookup,
    PermutedLookup, PointError, PrefixProduct, PreparedBases, PrimeField, Projective, Result, SwCurve, TwoAdicField,
};

/// A backend for BN254, held by the operation traits it implements.
pub type DynBackend = HeldBackend<Bn254>;

/// The environment variable that forces a backend choice.
pub const BACKEND_ENV: &str = "ZKACCEL_BACKEND";

/// Which backends an [`Accelerator`] may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// Every available backend (each GPU, the FPGA card, the CPU), each call
    /// routed to the one predicted fastest by measured costs.
    #[default]
    Auto,
    /// The CPU only.
    Cpu,
    /// The CUDA GPU (must be available), falling back to the CPU on device errors.
    Cuda,
    /// The FPGA (must be available), falling back to the CPU on device errors.
    Fpga,
    /// The FPGA kernel's RTL in Verilator (feature `fpga-sim`): for checking
    /// the hardware design end to end, never chosen by `Auto`.
    FpgaSim,
}

impl BackendChoice {
    /// The choice named by `ZKACCEL_BACKEND`, `Auto` when it is unset or empty.
    pub fn from_env() -> Result<Self> {
        match std::env::var(BACKEND_ENV) {
            Ok(v) => v.parse(),
            Err(std::env::VarError::NotPresent) => Ok(Self::Auto),
            Err(e) => Err(Error::InvalidConfig(format!("{BACKEND_ENV}: {e}"))),
        }
    }
}

impl FromStr for BackendChoice {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "auto" => Ok(Self::Auto),
            "cpu" => Ok(Self::Cpu),
            "cuda" | "gpu" => Ok(Self::Cuda),
            "fpga" => Ok(Self::Fpga),
            "fpga-sim" => Ok(Self::FpgaSim),
            other => Err(Error::InvalidConfig(format!(
                "{BACKEND_ENV}={other:?} is not one of cpu, cuda, fpga, fpga-sim, auto"
            ))),
        }
    }
}

impl fmt::Display for BackendChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::Cuda => "cuda",
            Self::Fpga => "fpga",
            Self::FpgaSim => "fpga-sim",
        })
    }
}

/// One backend as discovery sees it.
#[derive(Debug, Clone)]
pub struct BackendReport {
    /// Its name.
    pub name: &'static str,
    /// Whether it can run here, with device details or the reason it cannot.
    pub availability: Availability,
    /// What it offers (the operation traits it implements, with their size
    /// limits), when available.
    pub capabilities: Option<Capabilities>,
}

/// Every backend zkaccel knows, available or not (devices, the FPGA
/// simulation, which is only used when asked for, and the CPU).
pub fn backend_reports() -> Vec<BackendReport> {
    let report = |name, availability: Availability| {
        let capabilities =
            if availability.is_available() { open_devices(name).first().map(|d| d.capabilities()) } else { None };
        BackendReport { name, availability, capabilities }
    };
    vec![
        report(zkaccel_backend_cuda::NAME, zkaccel_backend_cuda::availability()),
        report(zkaccel_backend_fpga::NAME, zkaccel_backend_fpga::availability()),
        report(zkaccel_backend_fpga::SIM_NAME, zkaccel_backend_fpga::sim_availability()),
        BackendReport {
            name: "cpu",
            availability: CpuBackend::new().availability(),
            capabilities: Some(HeldBackend::<Bn254>::every(Arc::new(CpuBackend::new())).capabilities()),
        },
    ]
}

/// Every usable device of the kind `name` (each GPU is one), or why none is.
fn open_device_kind(name: &'static str) -> Result<Vec<DynBackend>> {
    match name {
        zkaccel_backend_fpga::NAME => Ok(vec![zkaccel_backend_fpga::open()?.into_held()]),
        zkaccel_backend_fpga::SIM_NAME => Ok(vec![zkaccel_backend_fpga::open_sim()?]),
        zkaccel_backend_cuda::NAME => {
            let first = zkaccel_backend_cuda::open()?;
            let others = (1..zkaccel_backend_cuda::device_count()).filter_map(|ordinal| {
                zkaccel_backend_cuda::open_ordinal(ordinal)
                    .map_err(|e| tracing::warn!("GPU {ordinal} is not used: {e}"))
                    .ok()
                    .map(zkaccel_backend_cuda::CudaBackend::into_held)
            });
            Ok(std::iter::once(first.into_held()).chain(others).collect())
        }
        _ => Err(Error::Unavailable { backend: name, reason: "unknown backend".into() }),
    }
}

/// [`open_device_kind`], its error logged and dropped.
fn open_devices(name: &'static str) -> Vec<DynBackend> {
    open_device_kind(name).unwrap_or_else(|e| {
        tracing::debug!("{e}");
        Vec::new()
    })
}

/// Every available device backend, the FPGA simulation included (what
/// `zkaccel calibrate` measures); `Auto` leaves the simulation out.
pub fn available_devices(with_simulation: bool) -> Vec<DynBackend> {
    let mut kinds = vec![zkaccel_backend_cuda::NAME, zkaccel_backend_fpga::NAME];
    if with_simulation {
        kinds.push(zkaccel_backend_fpga::SIM_NAME);
    }
    kinds.into_iter().flat_map(open_devices).collect()
}

/// How an [`Accelerator`] picks a backend for a call.
#[derive(Debug)]
enum Routing {
    /// The first device that supports the call, else the CPU: what a forced
    /// choice and [`Accelerator::with_devices`] use.
    Priority,
    /// The backend predicted fastest; large MSMs and batched NTTs are split
    /// across backends when that is predicted faster.
    Measured(CostModel),
}

/// Routes each operation to the backend that should run it fastest, splits
/// large MSMs and batched NTTs across backends, and redoes failed device
/// calls on the CPU.
///
/// It implements the same traits as a full backend ([`Msm`], [`Ntt`], the
/// lookup kernels and [`ConstraintEvaluation`]), so code written against them
/// takes an `Accelerator` or a single backend alike. It holds each backend by
/// the operation traits that backend implements ([`HeldBackend`]); an
/// operation goes only to backends that implement it, and the CPU, which
/// implements all, is always there.
///
/// An `Accelerator` is a handle: clones share the same backends, the same
/// device-resident state, cost model and fallback counter, so a prover can
/// keep one in its parameters and still hand it around cheaply.
#[derive(Clone)]
pub struct Accelerator {
    shared: Arc<Shared>,
}

struct Shared {
    /// Every backend: devices in priority order, the CPU last.
    backends: Vec<DynBackend>,
    /// The CPU backend (also the last of `backends`), for fallbacks.
    cpu: Arc<CpuBackend>,
    routing: Routing,
    fallbacks: AtomicU64,
}

impl fmt::Debug for Accelerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accelerator")
            .field("backends", &self.backend_names())
            .field("measured_routing", &self.cost_model().is_some())
            .field("fallbacks", &self.fallback_count())
            .finish()
    }
}

/// Bases prepared in parts, each on the backend that takes that share of
/// the MSMs over them.
struct SplitBases {
    parts: Vec<(u64, Range<usize>, PreparedBases<Bn254>)>,
}

/// The kernel a routed backend implements (routing only picks backends that
/// implement the operation, so the error is a bug's, not a user's).
fn implemented<'a, T: ?Sized>(kernel: Option<&'a T>, backend: &DynBackend, op: Operation) -> Result<&'a T> {
    kernel.ok_or_else(|| Error::Unsupported {
        backend: backend.name(),
        operation: op,
        reason: "not implemented".into(),
    })
}

/// How much faster a split must be predicted than the best single backend
/// to be worth its extra transfers and host additions.
const SPLIT_GAIN: f64 = 0.85;

impl Accelerator {
    /// Every available backend, or the one `ZKACCEL_BACKEND` names.
    ///
    /// With devices present and no choice forced, calls are routed by a cost
    /// model measured at first use and cached on disk
    /// ([`costs::default_path`]). Errors if the variable is not understood or
    /// names a backend that is not available here (with the reason).
    pub fn auto() -> Result<Self> {
        Self::with_choice(BackendChoice::from_env()?)
    }

    /// The backends `choice` allows.
    pub fn with_choice(choice: BackendChoice) -> Result<Self> {
        let forced = |name| open_device_kind(name).map(Self::with_devices);
        match choice {
            BackendChoice::Cpu => Ok(Self::cpu_only()),
            BackendChoice::Cuda => forced(zkaccel_backend_cuda::NAME),
            BackendChoice::Fpga => forced(zkaccel_backend_fpga::NAME),
            BackendChoice::FpgaSim => forced(zkaccel_backend_fpga::SIM_NAME),
            BackendChoice::Auto => {
                let devices = available_devices(false);
                if devices.is_empty() {
                    Ok(Self::cpu_only())
                } else {
                    Ok(Self::with_cost_model(devices, CpuBackend::new(), CostModel::from_cache()))
                }
            }
        }
    }

    /// The CPU backend alone.
    pub fn cpu_only() -> Self {
        Self::with_devices(Vec::new())
    }

    /// The given device backends in priority order, then the CPU: each call
    /// goes to the first device that implements it at that size.
    ///
    /// This is how a prover plugs in a backend of its own; devices that
    /// report themselves unavailable are dropped.
    pub fn with_devices(devices: Vec<DynBackend>) -> Self {
        Self::with_backends(devices, CpuBackend::new())
    }

    /// The given device backends in priority order, then `cpu` — a CPU
    /// backend with settings of the caller's, such as fewer prepared copies
    /// of MSM bases (`CpuBackend::with_prepared_copies`) to trade MSM speed
    /// for memory.
    pub fn with_backends(devices: Vec<DynBackend>, cpu: CpuBackend) -> Self {
        Self::build(devices, cpu, Routing::Priority)
    }

    /// The given device backends and `cpu`, each call routed to the backend
    /// that `costs` predicts fastest (measuring what it lacks at first use),
    /// large MSMs and batched NTTs split across backends in proportion to
    /// their measured speed.
    pub fn with_cost_model(devices: Vec<DynBackend>, cpu: CpuBackend, costs: CostModel) -> Self {
        Self::build(devices, cpu, Routing::Measured(costs))
    }

    fn build(devices: Vec<DynBackend>, cpu: CpuBackend, routing: Routing) -> Self {
        let cpu = Arc::new(cpu);
        let backends: Vec<DynBackend> = devices
            .into_iter()
            .filter(|d| match d.availability() {
                Availability::Available(_) => true,
                Availability::Unavailable(reason) => {
                    tracing::warn!("backend {} is unavailable: {reason}", d.name());
                    false
                }
            })
            .chain([HeldBackend::every(cpu.clone())])
            .collect();
        let shared = Shared { backends, cpu, routing, fallbacks: AtomicU64::new(0) };
        Self { shared: Arc::new(shared) }
    }

    /// Whether `self` and `other` are handles to the same accelerator.
    pub fn same_as(&self, other: &Accelerator) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Names of the backends in use, devices first (the CPU last).
    pub fn backend_names(&self) -> Vec<&'static str> {
        self.backends().iter().map(|b| b.name()).collect()
    }

    /// The backends in use, devices first (the CPU last).
    pub fn backends(&self) -> &[DynBackend] {
        &self.shared.backends
    }

    /// The cost model calls are routed by; `None` under priority routing.
    pub fn cost_model(&self) -> Option<&CostModel> {
        match &self.shared.routing {
            Routing::Measured(model) => Some(model),
            Routing::Priority => None,
        }
    }

    /// How many calls failed on a device and were redone on the CPU.
    pub fn fallback_count(&self) -> u64 {
        self.shared.fallbacks.load(Ordering::Relaxed)
    }

    /// The name of the backend that `op` on inputs of `size` is routed to
    /// (as a whole; see [`Self::msm_split`] and [`Self::ntt_split`]).
    pub fn route(&self, op: Operation, size: usize) -> &'static str {
        self.shared.backends[self.choose(op, size)].name()
    }

    /// How an MSM of `points` points (`op`: `Msm` or `MsmPrepared`) is
    /// split: each backend's name and share of the points; one entry when it
    /// is not split.
    pub fn msm_split(&self, op: Operation, points: usize) -> Vec<(&'static str, usize)> {
        self.named_parts(self.plan_points(op, points), || (self.route(op, points), points))
    }

    /// How a batch of `columns` NTT columns of `column_len` is split: each
    /// backend's name and number of columns; one entry when it is not split.
    pub fn ntt_split(&self, columns: usize, column_len: usize) -> Vec<(&'static str, usize)> {
        let parts = self.plan(Operation::Ntt, columns, Some(column_len));
        self.named_parts(parts, || (self.route(Operation::Ntt, column_len), columns))
    }

    fn named_parts(
        &self,
        parts: Option<Vec<(usize, Range<usize>)>>,
        whole: impl FnOnce() -> (&'static str, usize),
    ) -> Vec<(&'static str, usize)> {
        match parts {
            Some(parts) => parts.into_iter().map(|(i, r)| (self.shared.backends[i].name(), r.len())).collect(),
            None => vec![whole()],
        }
    }

    fn cpu_index(&self) -> usize {
        self.shared.backends.len() - 1
    }

    fn cpu_held(&self) -> &DynBackend {
        &self.shared.backends[self.cpu_index()]
    }

    /// Indices of the backends that run `op` at `size` (the CPU always).
    fn candidates(&self, op: Operation, size: usize) -> Vec<usize> {
        (0..self.shared.backends.len()).filter(|&i| self.shared.backends[i].supports(op, size)).collect()
    }

    /// The backend `op` at `size` goes to.
    fn choose(&self, op: Operation, size: usize) -> usize {
        let candidates = self.candidates(op, size);
        let first = candidates.first().copied().unwrap_or(self.cpu_index());
        let Routing::Measured(model) = &self.shared.routing else { return first };
        if candidates.len() < 2 {
            return first;
        }
        let predicted: Vec<(usize, f64)> =
            candidates.iter().map(|&i| (i, model.predict(&self.shared.backends[i], op, size))).collect();
        let (best, seconds) = predicted.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap_or((first, 0.0));
        if tracing::enabled!(tracing::Level::DEBUG) {
            let others: Vec<String> = predicted
                .iter()
                .filter(|(i, _)| *i != best)
                .map(|(i, t)| format!("{} {:.3} ms", self.shared.backends[*i].name(), t * 1e3))
                .collect();
            tracing::debug!(
                "{op} of {size} -> {} (predicted {:.3} ms; {})",
                self.shared.backends[best].name(),
                seconds * 1e3,
                others.join(", ")
            );
        }
        best
    }

    /// The split of `units` of `op` across backends — points, or with
    /// `column_len` columns of that length — when measured routing predicts
    /// it [`SPLIT_GAIN`] faster than the best single backend.
    fn plan(&self, op: Operation, units: usize, column_len: Option<usize>) -> Option<Vec<(usize, Range<usize>)>> {
        let Routing::Measured(model) = &self.shared.routing else { return None };
        let size = column_len.unwrap_or(units);
        let candidates = self.candidates(op, size);
        if candidates.len() < 2 || units < 2 {
            return None;
        }
        let backends = &self.shared.backends;
        let curves: Vec<CostCurve> = candidates
            .iter()
            .map(|&i| {
                model.predict(&backends[i], op, size);
                model.curve(&backends[i], op).unwrap_or_else(|| CostCurve::new(Vec::new()))
            })
            .collect();
        // A backend's time for `n` units: its curve at `n` points, or `n` columns.
        let cost = |k: usize, n: usize| match (n, column_len) {
            (0, _) => 0.0,
            (n, Some(len)) => curves[k].predict(len) * n as f64,
            (n, None) => curves[k].predict(n),
        };
        let single = (0..candidates.len()).map(|k| cost(k, units)).fold(f64::INFINITY, f64::min);
        let (shares, makespan) = split::balance(units, candidates.len(), cost);
        // (A NaN or infinite prediction splits nothing.)
        if makespan.partial_cmp(&(SPLIT_GAIN * single)) != Some(std::cmp::Ordering::Less) {
            return None;
        }
        let mut start = 0;
        let parts: Vec<(usize, Range<usize>)> = candidates
            .iter()
            .zip(shares)
            .filter(|(_, share)| *share > 0)
            .map(|(&i, share)| {
                start += share;
                (i, start - share..start)
            })
            .collect();
        if parts.len() < 2 {
            return None;
        }
        tracing::debug!(
            "{op} of {units} (column length {column_len:?}) split: {} (predicted {:.3} ms; best single {:.3} ms)",
            parts.iter().map(|(i, r)| format!("{} {}", backends[*i].name(), r.len())).collect::<Vec<_>>().join(", "),
            makespan * 1e3,
            single * 1e3
        );
        Some(parts)
    }

    /// [`Self::plan`] for MSM points.
    fn plan_points(&self, op: Operation, points: usize) -> Option<Vec<(usize, Range<usize>)>> {
        self.plan(op, points, None)
    }

    fn note_fallback(&self, backend: &str, op: Operation, error: &Error) {
        self.shared.fallbacks.fetch_add(1, Ordering::Relaxed);
        tracing::warn!("{op} failed on {backend} ({error}); redoing it on the CPU");
    }

    /// Runs `call` on backend `i`, redoing it on the CPU after a device failure.
    fn run_on<T>(&self, i: usize, op: Operation, size: usize, call: impl Fn(&DynBackend) -> Result<T>) -> Result<T> {
        let backend = &self.shared.backends[i];
        let start = Instant::now();
        let result = call(backend);
        tracing::debug!("{op} of {size} on {}: {:.3} ms", backend.name(), start.elapsed().as_secs_f64() * 1e3);
        if i == self.cpu_index() {
            return result;
        }
        match result {
            Err(e) if e.is_device_failure() => {
                self.note_fallback(backend.name(), op, &e);
                call(self.cpu_held())
            }
            result => result,
        }
    }

    /// Runs `call` on the routed backend, redoing it on the CPU after a device failure.
    fn run<T>(&self, op: Operation, size: usize, call: impl Fn(&DynBackend) -> Result<T>) -> Result<T> {
        self.run_on(self.choose(op, size), op, size, call)
    }

    /// [`Self::run`] for calls that modify `data`: a device gets its own copy
    /// so that a failure part-way cannot corrupt the caller's buffer.
    fn run_in_place<F: Copy>(
        &self,
        op: Operation,
        size: usize,
        data: &mut [F],
        call: impl Fn(&DynBackend, &mut [F]) -> Result<()>,
    ) -> Result<()> {
        let i = self.choose(op, size);
        if i == self.cpu_index() {
            return call(self.cpu_held(), data);
        }
        let device = &self.shared.backends[i];
        let mut scratch = data.to_vec();
        let start = Instant::now();
        let result = call(device, &mut scratch);
        tracing::debug!("{op} of {size} on {}: {:.3} ms", device.name(), start.elapsed().as_secs_f64() * 1e3);
        match result {
            Ok(()) => {
                data.copy_from_slice(&scratch);
                Ok(())
            }
            Err(e) if e.is_device_failure() => {
                self.note_fallback(device.name(), op, &e);
                call(self.cpu_held(), data)
            }
            Err(e) => Err(e),
        }
    }

    /// MSMs split by `parts` (backend, range of points), each part on its
    /// backend in its own thread (a failed device part redone on the CPU),
    /// the partial sums added here.
    fn msm_parts(
        &self,
        op: Operation,
        batch: usize,
        parts: &[(usize, Range<usize>)],
        part: impl Fn(&DynBackend, &Range<usize>) -> Result<Vec<G1Projective>> + Sync,
    ) -> Result<Vec<G1Projective>> {
        let results: Vec<Result<Vec<G1Projective>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|(i, range)| {
                    let part = &part;
                    scope.spawn(move || self.run_on(*i, op, range.len(), |b| part(b, range)))
                })
                .collect();
            handles.into_iter().map(join_part).collect()
        });
        add_parts(op, batch, results)
    }

    /// Prepares `bases` where MSMs over them will run: on one backend, or in
    /// parts when MSMs of their size are split (each part then keeps its own
    /// host copy of its bases besides the handle's).
    fn prepare_with(
        &self,
        bases: &[G1Affine],
        prepare: impl Fn(&dyn Msm<Bn254>, &[G1Affine]) -> Result<PreparedBases<Bn254>>,
    ) -> Result<PreparedBases<Bn254>> {
        let op = Operation::MsmPrepared;
        let prepare_on = |i: usize, range: Range<usize>| {
            self.run_on(i, op, range.len(), |b| {
                prepare(implemented(b.as_msm(), b, op)?, &bases[range.clone()]).map(|p| p.with_owner(b.id()))
            })
        };
        let Some(parts) = self.plan_points(op, bases.len()) else {
            return prepare_on(self.choose(op, bases.len()), 0..bases.len());
        };
        validate::points(bases)?;
        let parts = parts
            .into_iter()
            .map(|(i, range)| prepare_on(i, range.clone()).map(|p| (p.owner(), range, p)))
            .collect::<Result<Vec<_>>>()?;
        let bytes = parts.iter().map(|(_, _, p)| p.memory_bytes()).sum();
        Ok(PreparedBases::new("accelerator", Arc::from(bases), Box::new(SplitBases { parts }), bytes))
    }

    /// The device holding the state of `bases`, if it is one of this
    /// Accelerator's: by the holding that prepared them, or for a handle a
    /// device prepared outside any Accelerator, by its backend's name.
    fn owner_of(&self, bases: &PreparedBases<Bn254>) -> Option<usize> {
        let owner = bases.owner();
        (0..self.cpu_index()).find(|&i| {
            let b = &self.shared.backends[i];
            if owner != 0 {
                b.id() == owner
            } else {
                b.name() == bases.backend()
            }
        })
    }

    /// MSMs over prepared `bases` on the device holding them (redone on the
    /// CPU, from the handle's host bases, if it fails) or on the CPU.
    fn msm_prepared_on_owner(&self, bases: &PreparedBases<Bn254>, scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        let op = Operation::MsmPrepared;
        match self.owner_of(bases) {
            Some(i) => {
                self.run_on(i, op, bases.len(), |b| implemented(b.as_msm(), b, op)?.msm_prepared_batch(bases, scalars))
            }
            None => self.shared.cpu.msm_prepared_batch(bases, scalars),
        }
    }
}

/// Where one operation goes at every size, as the cost model predicts.
#[derive(Debug, Clone)]
pub struct RoutingReport {
    /// The operation.
    pub operation: Operation,
    /// `(first size, backend)`: from that size on (powers of two up to
    /// 2^[`ROUTING_REPORT_MAX_LOG`]) the backend takes the call, smallest first.
    pub segments: Vec<(usize, &'static str)>,
    /// Each backend's measured `(size, seconds)`, or why it has none.
    pub backends: Vec<(&'static str, Measured)>,
    /// Why the segments are what they are, in words.
    pub reason: String,
}

/// A backend's measured `(size, seconds)`, or why it has none.
pub type Measured = std::result::Result<Vec<(usize, f64)>, String>;

/// The largest size, as a power of two, a [`RoutingReport`] covers.
pub const ROUTING_REPORT_MAX_LOG: u32 = 26;

/// `2^k` when `n` is one, else `n`.
fn size_name(n: usize) -> String {
    if n.is_power_of_two() {
        format!("2^{}", n.trailing_zeros())
    } else {
        n.to_string()
    }
}

impl Accelerator {
    /// Measures every operation on every backend that implements it, again,
    /// replacing the cached costs (what `zkaccel calibrate` runs); then the
    /// routing that follows. Priority routing measures nothing.
    pub fn calibrate(&self) -> Vec<RoutingReport> {
        if let Some(model) = self.cost_model() {
            for op in Operation::ALL {
                for b in self.backends().iter().filter(|b| b.implements(op)) {
                    model.calibrate(b, op);
                }
            }
        }
        self.routing_report()
    }

    /// Where each operation goes at each size, from the costs measured so
    /// far (nothing is measured here; an operation with a backend not yet
    /// measured says so).
    pub fn routing_report(&self) -> Vec<RoutingReport> {
        Operation::ALL.iter().map(|&op| self.route_report(op)).collect()
    }

    fn route_report(&self, op: Operation) -> RoutingReport {
        let implementing: Vec<&DynBackend> = self.backends().iter().filter(|b| b.implements(op)).collect();
        let curve = |b: &DynBackend| self.cost_model().and_then(|m| m.curve(b, op));
        let backends = implementing
            .iter()
            .map(|b| {
                let measured = match (self.cost_model(), curve(b)) {
                    (None, _) => Err("priority routing: not measured".to_string()),
                    (Some(_), None) => Err("not calibrated yet".to_string()),
                    (Some(_), Some(c)) if c.points().is_empty() => Err("its calibration failed".to_string()),
                    (Some(_), Some(c)) => Ok(c.points().to_vec()),
                };
                (b.name(), measured)
            })
            .collect();
        let mut segments: Vec<(usize, &'static str)> = Vec::new();
        let mut unknown = false;
        for log in 0..=ROUTING_REPORT_MAX_LOG {
            let size = 1usize << log;
            let candidates: Vec<&DynBackend> = implementing.iter().copied().filter(|b| b.supports(op, size)).collect();
            let chosen = match (&self.shared.routing, candidates.as_slice()) {
                (_, []) => continue,
                (_, [only]) | (Routing::Priority, [only, ..]) => only.name(),
                (Routing::Measured(_), many) => {
                    let predicted: Option<Vec<(f64, &'static str)>> =
                        many.iter().map(|b| curve(b).map(|c| (c.predict(size), b.name()))).collect();
                    match predicted {
                        Some(p) => p.into_iter().min_by(|a, b| a.0.total_cmp(&b.0)).map_or("cpu", |(_, name)| name),
                        None => {
                            unknown = true;
                            continue;
                        }
                    }
                }
            };
            if segments.last().is_none_or(|&(_, name)| name != chosen) {
                segments.push((size, chosen));
            }
        }
        let at = |size: usize| {
            implementing
                .iter()
                .filter(|b| b.supports(op, size))
                .filter_map(|b| curve(b).map(|c| format!("{} {:.3} ms", b.name(), c.predict(size) * 1e3)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let reason = if implementing.len() == 1 {
            format!("only {} offers it here", implementing[0].name())
        } else if self.cost_model().is_none() {
            "priority routing: the first device that implements it".to_string()
        } else if unknown {
            "not every backend is calibrated: run `zkaccel calibrate`".to_string()
        } else if segments.len() == 1 {
            // The largest calibrated size every implementing backend takes.
            let probe = costs::CALIBRATION_SIZES
                .iter()
                .rev()
                .copied()
                .find(|&n| implementing.iter().all(|b| b.supports(op, n)))
                .unwrap_or(costs::CALIBRATION_SIZES[0]);
            format!("{} is predicted fastest at every size (at {}: {})", segments[0].1, size_name(probe), at(probe))
        } else {
            let crossovers: Vec<String> = segments[1..]
                .iter()
                .map(|&(size, name)| format!("{name} from {} ({})", size_name(size), at(size)))
                .collect();
            format!("{} below; {}", segments[0].1, crossovers.join("; "))
        };
        RoutingReport { operation: op, segments, backends, reason }
    }
}

impl Backend for Accelerator {
    fn name(&self) -> &'static str {
        "accelerator"
    }

    fn availability(&self) -> Availability {
        self.shared.backends[0].availability()
    }
}

impl Msm<Bn254> for Accelerator {
    fn msm_batch(&self, bases: &[G1Affine], scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        let op = Operation::Msm;
        let Some(parts) = self.plan_points(op, bases.len()) else {
            return self.run(op, bases.len(), |b| implemented(b.as_msm(), b, op)?.msm_batch(bases, scalars));
        };
        // Validated whole, so an error names the caller's index, not a part's.
        validate::points(bases)?;
        validate::msm_scalars(bases.len(), scalars)?;
        self.msm_parts(op, scalars.len(), &parts, |b, range| {
            let sub: Vec<&[Fr]> = scalars.iter().map(|s| &s[range.clone()]).collect();
            implemented(b.as_msm(), b, op)?.msm_batch(&bases[range.clone()], &sub)
        })
    }

    fn prepare_bases(&self, bases: &[G1Affine]) -> Result<PreparedBases<Bn254>> {
        self.prepare_with(bases, |b, part| b.prepare_bases(part))
    }

    fn prepare_bases_with_budget(&self, bases: &[G1Affine], extra_bytes: usize) -> Result<PreparedBases<Bn254>> {
        let total = bases.len().max(1);
        // A part's budget is its share of the caller's.
        self.prepare_with(bases, |b, part| {
            b.prepare_bases_with_budget(part, (extra_bytes as u128 * part.len() as u128 / total as u128) as usize)
        })
    }

    /// Runs on the backends that prepared the bases; a part whose device
    /// fails, or bases prepared by a backend that is not part of this
    /// Accelerator, run on the CPU from the handle's host copy of the bases.
    fn msm_prepared_batch(&self, bases: &PreparedBases<Bn254>, scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        let Some(split) = bases.state::<SplitBases>() else {
            return self.msm_prepared_on_owner(bases, scalars);
        };
        validate::msm_prepared_scalars(bases.len(), scalars)?;
        let op = Operation::MsmPrepared;
        // Scalars shorter than the bases use the leading bases: each part
        // takes the scalars that fall in its range (parts past them, none).
        let parts: Vec<(usize, Range<usize>)> = split
            .parts
            .iter()
            .enumerate()
            .filter(|(_, (_, range, _))| scalars.iter().any(|s| s.len() > range.start))
            .map(|(k, (_, range, _))| (k, range.clone()))
            .collect();
        let results: Vec<Result<Vec<G1Projective>>> = std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .iter()
                .map(|(k, range)| {
                    let handle = &split.parts[*k].2;
                    scope.spawn(move || {
                        let sub: Vec<&[Fr]> =
                            scalars.iter().map(|s| &s[range.start.min(s.len())..range.end.min(s.len())]).collect();
                        self.msm_prepared_on_owner(handle, &sub)
                    })
                })
                .collect();
            handles.into_iter().map(join_part).collect()
        });
        add_parts(op, scalars.len(), results)
    }
}

/// A part's result; a panicked part is a device failure of the router's.
fn join_part<T>(handle: std::thread::ScopedJoinHandle<'_, Result<T>>) -> Result<T> {
    handle.join().unwrap_or_else(|_| Err(Error::Device { backend: "accelerator", msg: "a split part panicked".into() }))
}

/// The sums of each part's MSMs, MSM by MSM.
fn add_parts(op: Operation, batch: usize, results: Vec<Result<Vec<G1Projective>>>) -> Result<Vec<G1Projective>> {
    let mut sums = vec![G1Projective::IDENTITY; batch];
    for result in results {
        let partial = result?;
        if partial.len() != batch {
            let msg = format!("a part of a split {op} returned {} results for a batch of {batch}", partial.len());
            return Err(Error::Device { backend: "accelerator", msg });
        }
        for (sum, p) in sums.iter_mut().zip(partial) {
            *sum = sum.add(&p);
        }
    }
    Ok(sums)
}

impl Ntt<Fr> for Accelerator {
    fn ntt_batch(&self, data: &mut [Fr], column_len: usize, config: NttConfig<Fr>) -> Result<()> {
        let op = Operation::Ntt;
        let columns = data.len().checked_div(column_len).unwrap_or(0);
        let Some(parts) = self.plan(op, columns, Some(column_len)).filter(|_| column_len * columns == data.len())
        else {
            return self.run_in_place(op, column_len, data, |b, d| {
                implemented(b.as_ntt(), b, op)?.ntt_batch(d, column_len, config)
            });
        };
        // Checked whole, so a part's error cannot leave other parts transformed.
        validate::ntt_shape::<Fr>(data.len(), column_len)?;
        validate::field_elements("data", data)?;
        let mut work = data.to_vec();
        let mut chunks = Vec::with_capacity(parts.len());
        let mut rest = work.as_mut_slice();
        for (i, range) in &parts {
            let (chunk, tail) = rest.split_at_mut(range.len() * column_len);
            chunks.push((*i, range.start * column_len, chunk));
            rest = tail;
        }
        let original: &[Fr] = data;
        let results: Vec<Result<()>> = std::thread::scope(|scope| {
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|(i, offset, chunk)| {
                    scope.spawn(move || {
                        let len = chunk.len();
                        self.run_on(i, op, column_len, |b| {
                            // A redo on the CPU starts again from the caller's values.
                            let mut local = original[offset..offset + len].to_vec();
                            implemented(b.as_ntt(), b, op)?.ntt_batch(&mut local, column_len, config)?;
                            Ok(local)
                        })
                        .map(|local| chunk.copy_from_slice(&local))
                    })
                })
                .collect();
            handles.into_iter().map(join_part).collect()
        });
        results.into_iter().collect::<Result<Vec<()>>>()?;
        data.copy_from_slice(&work);
        Ok(())
    }

    fn lde_batch(&self, evals: &[Fr], column_len: usize, log_blowup: u32, shift: Fr) -> Result<Vec<Fr>> {
        let op = Operation::Lde;
        let extended = column_len.checked_shl(log_blowup).unwrap_or(usize::MAX);
        self.run(op, extended, |b| implemented(b.as_ntt(), b, op)?.lde_batch(evals, column_len, log_blowup, shift))
    }
}

impl Multiplicities<Fr> for Accelerator {
    fn multiplicities(&self, table: &[Fr], inputs: &[&[Fr]]) -> Result<Vec<u64>> {
        let op = Operation::Multiplicities;
        let size = inputs.iter().map(|i| i.len()).sum::<usize>().max(table.len());
        self.run(op, size, |b| implemented(b.as_multiplicities(), b, op)?.multiplicities(table, inputs))
    }
}

impl BatchInverse<Fr> for Accelerator {
    fn batch_inverse(&self, values: &mut [Fr]) -> Result<()> {
        let op = Operation::BatchInverse;
        self.run_in_place(op, values.len(), values, |b, v| implemented(b.as_batch_inverse(), b, op)?.batch_inverse(v))
    }

    fn inverse_of_sums(&self, beta: Fr, values: &[Fr]) -> Result<Vec<Fr>> {
        let op = Operation::InverseOfSums;
        self.run(op, values.len(), |b| implemented(b.as_batch_inverse(), b, op)?.inverse_of_sums(beta, values))
    }
}

impl PrefixProduct<Fr> for Accelerator {
    fn prefix_product(&self, values: &[Fr]) -> Result<Vec<Fr>> {
        let op = Operation::PrefixProduct;
        self.run(op, values.len(), |b| implemented(b.as_prefix_product(), b, op)?.prefix_product(values))
    }
}

impl PermuteLookup<Fr> for Accelerator {
    fn permute_lookup(&self, input: &[Fr], table: &[Fr]) -> Result<PermutedLookup<Fr>> {
        let op = Operation::PermuteLookup;
        self.run(op, input.len(), |b| implemented(b.as_permute_lookup(), b, op)?.permute_lookup(input, table))
    }
}

impl ConstraintEvaluation<Fr> for Accelerator {
    fn evaluate_constraints(
        &self,
        program: &ConstraintProgram,
        columns: &[&[Fr]],
        constants: &[Fr],
        rows: CosetRows<Fr>,
        y: Fr,
    ) -> Result<Vec<Fr>> {
        let op = Operation::ConstraintEvaluation;
        self.run(op, rows.len, |b| {
            implemented(b.as_constraints(), b, op)?.evaluate_constraints(program, columns, constants, rows, y)
        })
    }
}

/// The README's Rust examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
