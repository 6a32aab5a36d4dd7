//! zkaccel: fast MSM, NTT and lookup-argument kernels for zero-knowledge
//! provers, on whatever hardware the machine has.
//!
//! Link this crate, create an [`Accelerator`] once, and hand it the heavy
//! kernels of your prover. It finds the backends that can run here, routes
//! each call to the first one that supports the operation at that size, and
//! when a device fails it logs a warning and redoes the call on the CPU, so
//! the caller gets the right answer either way.
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

pub mod selftest;

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use zkaccel_backend_cpu::CpuBackend;
pub use zkaccel_core::{
    batch_to_affine, cast, constraints, field_ops, reference, validate, Affine, Availability, Backend, Bn254, Bn254G2,
    Capabilities, ConstraintEvaluation, ConstraintProgram, CosetRows, CurveBackend, CurveField, DeviceInfo, Error,
    Field, Fp, FpParams, Fq, Fq2, Fr, G1Affine, G1Projective, G2Affine, G2Projective, LookupKernels, Msm, Ntt,
    NttConfig, NttDirection, Operation, PermutedLookup, PointError, PreparedBases, PrimeField, Projective, Result,
    SwCurve, TwoAdicField,
};

/// A backend for BN254 as a shareable trait object.
pub type DynBackend = Arc<dyn CurveBackend<Bn254>>;

/// The environment variable that forces a backend choice.
pub const BACKEND_ENV: &str = "ZKACCEL_BACKEND";

/// Which backends an [`Accelerator`] may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendChoice {
    /// Every available backend, devices first, the CPU last.
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
    /// What it supports, when available.
    pub capabilities: Option<Capabilities>,
}

/// Every backend zkaccel knows, available or not, in routing priority order
/// (devices before the CPU; the FPGA simulation, which is only used when
/// asked for, before the CPU too).
pub fn backend_reports() -> Vec<BackendReport> {
    let cpu = CpuBackend::new();
    let report = |name, availability: Availability, capabilities: Option<Capabilities>| BackendReport {
        name,
        capabilities: capabilities.filter(|_| availability.is_available()),
        availability,
    };
    let sim = zkaccel_backend_fpga::open_sim().ok();
    vec![
        report(
            zkaccel_backend_cuda::NAME,
            zkaccel_backend_cuda::availability(),
            Some(zkaccel_backend_cuda::capabilities()),
        ),
        report(
            zkaccel_backend_fpga::NAME,
            zkaccel_backend_fpga::availability(),
            Some(zkaccel_backend_fpga::msm_capabilities(zkaccel_backend_fpga::xrt::MAX_POINTS)),
        ),
        report(zkaccel_backend_fpga::SIM_NAME, zkaccel_backend_fpga::sim_availability(), sim.map(|s| s.capabilities())),
        report(cpu.name(), cpu.availability(), Some(cpu.capabilities())),
    ]
}

/// The usable device backend called `name`, or why it is not usable.
fn open_device(name: &'static str) -> Result<DynBackend> {
    match name {
        zkaccel_backend_fpga::NAME => Ok(zkaccel_backend_fpga::open()?.into_dyn()),
        zkaccel_backend_fpga::SIM_NAME => zkaccel_backend_fpga::open_sim(),
        zkaccel_backend_cuda::NAME => Ok(zkaccel_backend_cuda::open()?.into_dyn()),
        _ => Err(Error::Unavailable { backend: name, reason: "unknown backend".into() }),
    }
}

/// Routes each operation to the best backend that supports it and redoes
/// failed device calls on the CPU.
///
/// It implements the same traits as the backends ([`Msm`], [`Ntt`],
/// [`LookupKernels`]), so code written against them takes an `Accelerator`
/// or a single backend alike.
///
/// An `Accelerator` is a handle: clones share the same backends, the same
/// device-resident state and the same fallback counter, so a prover can keep
/// one in its parameters and still hand it around cheaply.
#[derive(Clone)]
pub struct Accelerator {
    shared: Arc<Shared>,
}

struct Shared {
    /// Device backends in priority order; the CPU is always last, implicitly.
    devices: Vec<DynBackend>,
    /// Each device's capabilities, asked once so routing a call allocates nothing.
    device_capabilities: Vec<Capabilities>,
    cpu: CpuBackend,
    fallbacks: AtomicU64,
}

impl fmt::Debug for Accelerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accelerator")
            .field("backends", &self.backend_names())
            .field("fallbacks", &self.fallback_count())
            .finish()
    }
}

impl Accelerator {
    /// Every available backend, or the one `ZKACCEL_BACKEND` names.
    ///
    /// Errors if the variable is not understood or names a backend that is
    /// not available here (with the reason).
    pub fn auto() -> Result<Self> {
        Self::with_choice(BackendChoice::from_env()?)
    }

    /// The backends `choice` allows.
    pub fn with_choice(choice: BackendChoice) -> Result<Self> {
        let devices = match choice {
            BackendChoice::Cpu => Vec::new(),
            BackendChoice::Cuda => vec![open_device(zkaccel_backend_cuda::NAME)?],
            BackendChoice::Fpga => vec![open_device(zkaccel_backend_fpga::NAME)?],
            BackendChoice::FpgaSim => vec![open_device(zkaccel_backend_fpga::SIM_NAME)?],
            BackendChoice::Auto => [zkaccel_backend_cuda::NAME, zkaccel_backend_fpga::NAME]
                .into_iter()
                .filter_map(|name| match open_device(name) {
                    Ok(device) => Some(device),
                    Err(e) => {
                        tracing::debug!("{e}");
                        None
                    }
                })
                .collect(),
        };
        Ok(Self::with_devices(devices))
    }

    /// The CPU backend alone.
    pub fn cpu_only() -> Self {
        Self::with_devices(Vec::new())
    }

    /// The given device backends in priority order, then the CPU.
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
        let devices: Vec<DynBackend> = devices
            .into_iter()
            .filter(|d| match d.availability() {
                Availability::Available(_) => true,
                Availability::Unavailable(reason) => {
                    tracing::warn!("backend {} is unavailable: {reason}", d.name());
                    false
                }
            })
            .collect();
        let device_capabilities = devices.iter().map(|d| d.capabilities()).collect();
        let shared = Shared { devices, device_capabilities, cpu, fallbacks: AtomicU64::new(0) };
        Self { shared: Arc::new(shared) }
    }

    /// Whether `self` and `other` are handles to the same accelerator.
    pub fn same_as(&self, other: &Accelerator) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// Names of the backends in use, in routing order (the CPU last).
    pub fn backend_names(&self) -> Vec<&'static str> {
        self.backends().iter().map(|b| b.name()).collect()
    }

    /// The backends in use, in routing order (the CPU last).
    pub fn backends(&self) -> Vec<&dyn CurveBackend<Bn254>> {
        self.shared.devices.iter().map(|d| d.as_ref()).chain([&self.shared.cpu as &dyn CurveBackend<Bn254>]).collect()
    }

    /// How many calls failed on a device and were redone on the CPU.
    pub fn fallback_count(&self) -> u64 {
        self.shared.fallbacks.load(Ordering::Relaxed)
    }

    /// The name of the backend that `op` on inputs of `size` is routed to first.
    pub fn route(&self, op: Operation, size: usize) -> &'static str {
        self.route_device(op, size).map_or(self.shared.cpu.name(), |d| d.name())
    }

    /// The first device that supports `op` at `size`; `None` means the CPU.
    fn route_device(&self, op: Operation, size: usize) -> Option<&DynBackend> {
        self.shared
            .devices
            .iter()
            .zip(&self.shared.device_capabilities)
            .find(|(_, caps)| caps.supports_curve(Bn254::NAME) && caps.supports(op, size))
            .map(|(d, _)| d)
    }

    fn note_fallback(&self, backend: &str, op: Operation, error: &Error) {
        self.shared.fallbacks.fetch_add(1, Ordering::Relaxed);
        tracing::warn!("{op} failed on {backend} ({error}); redoing it on the CPU");
    }

    /// Runs `call` on the routed backend, redoing it on the CPU after a device failure.
    fn run<T>(&self, op: Operation, size: usize, call: impl Fn(&dyn CurveBackend<Bn254>) -> Result<T>) -> Result<T> {
        let Some(device) = self.route_device(op, size) else {
            return call(&self.shared.cpu);
        };
        match call(device.as_ref()) {
            Err(e) if e.is_device_failure() => {
                self.note_fallback(device.name(), op, &e);
                call(&self.shared.cpu)
            }
            result => result,
        }
    }

    /// [`Self::run`] for calls that modify `data`: a device gets its own copy
    /// so that a failure part-way cannot corrupt the caller's buffer.
    fn run_in_place<F: Copy>(
        &self,
        op: Operation,
        size: usize,
        data: &mut [F],
        call: impl Fn(&dyn CurveBackend<Bn254>, &mut [F]) -> Result<()>,
    ) -> Result<()> {
        let Some(device) = self.route_device(op, size) else {
            return call(&self.shared.cpu, data);
        };
        let mut scratch = data.to_vec();
        match call(device.as_ref(), &mut scratch) {
            Ok(()) => {
                data.copy_from_slice(&scratch);
                Ok(())
            }
            Err(e) if e.is_device_failure() => {
                self.note_fallback(device.name(), op, &e);
                call(&self.shared.cpu, data)
            }
            Err(e) => Err(e),
        }
    }
}

impl Backend for Accelerator {
    fn name(&self) -> &'static str {
        "accelerator"
    }

    fn availability(&self) -> Availability {
        self.shared.devices.first().map_or_else(|| self.shared.cpu.availability(), |d| d.availability())
    }

    /// The CPU supports everything, so the Accelerator does too.
    fn capabilities(&self) -> Capabilities {
        self.shared.cpu.capabilities()
    }
}

impl Msm<Bn254> for Accelerator {
    fn msm_batch(&self, bases: &[G1Affine], scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        self.run(Operation::Msm, bases.len(), |b| b.msm_batch(bases, scalars))
    }

    fn prepare_bases(&self, bases: &[G1Affine]) -> Result<PreparedBases<Bn254>> {
        self.run(Operation::MsmPrepared, bases.len(), |b| b.prepare_bases(bases))
    }

    fn prepare_bases_with_budget(&self, bases: &[G1Affine], extra_bytes: usize) -> Result<PreparedBases<Bn254>> {
        self.run(Operation::MsmPrepared, bases.len(), |b| b.prepare_bases_with_budget(bases, extra_bytes))
    }

    /// Runs on the backend that prepared the bases; if that fails, or that
    /// backend is not part of this Accelerator, the CPU uses the handle's
    /// host copy of the bases.
    fn msm_prepared_batch(&self, bases: &PreparedBases<Bn254>, scalars: &[&[Fr]]) -> Result<Vec<G1Projective>> {
        let owner = self.shared.devices.iter().find(|d| d.name() == bases.backend());
        match owner {
            Some(device) => match device.msm_prepared_batch(bases, scalars) {
                Err(e) if e.is_device_failure() => {
                    self.note_fallback(device.name(), Operation::MsmPrepared, &e);
                    self.shared.cpu.msm_prepared_batch(bases, scalars)
                }
                result => result,
            },
            None => self.shared.cpu.msm_prepared_batch(bases, scalars),
        }
    }
}

impl Ntt<Fr> for Accelerator {
    fn ntt_batch(&self, data: &mut [Fr], column_len: usize, config: NttConfig<Fr>) -> Result<()> {
        self.run_in_place(Operation::Ntt, column_len, data, |b, d| b.ntt_batch(d, column_len, config))
    }

    fn lde_batch(&self, evals: &[Fr], column_len: usize, log_blowup: u32, shift: Fr) -> Result<Vec<Fr>> {
        let extended = column_len.checked_shl(log_blowup).unwrap_or(usize::MAX);
        self.run(Operation::Lde, extended, |b| b.lde_batch(evals, column_len, log_blowup, shift))
    }
}

impl LookupKernels<Fr> for Accelerator {
    fn multiplicities(&self, table: &[Fr], inputs: &[&[Fr]]) -> Result<Vec<u64>> {
        let size = inputs.iter().map(|i| i.len()).sum::<usize>().max(table.len());
        self.run(Operation::Multiplicities, size, |b| b.multiplicities(table, inputs))
    }

    fn batch_inverse(&self, values: &mut [Fr]) -> Result<()> {
        self.run_in_place(Operation::BatchInverse, values.len(), values, |b, v| b.batch_inverse(v))
    }

    fn inverse_of_sums(&self, beta: Fr, values: &[Fr]) -> Result<Vec<Fr>> {
        self.run(Operation::InverseOfSums, values.len(), |b| b.inverse_of_sums(beta, values))
    }

    fn prefix_product(&self, values: &[Fr]) -> Result<Vec<Fr>> {
        self.run(Operation::PrefixProduct, values.len(), |b| b.prefix_product(values))
    }

    fn permute_lookup(&self, input: &[Fr], table: &[Fr]) -> Result<PermutedLookup<Fr>> {
        self.run(Operation::PermuteLookup, input.len(), |b| b.permute_lookup(input, table))
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
        self.run(Operation::ConstraintEvaluation, rows.len, |b| {
            b.evaluate_constraints(program, columns, constants, rows, y)
        })
    }
}

/// The README's Rust examples, compiled as doc tests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
