//! The hardware-abstraction traits every backend implements.
//!
//! A backend is an object with `&self` methods that return [`Result`]. The
//! operations are grouped by the mathematics they serve — [`Msm`], [`Ntt`],
//! [`Multiplicities`], [`BatchInverse`], [`PrefixProduct`],
//! [`PermuteLookup`] and [`ConstraintEvaluation`] — each with one required
//! method (batched where batching is natural) and the rest provided on top.
//! A backend implements the traits of what it offers and no others; the
//! `Accelerator` holds it by them ([`crate::HeldBackend`]). [`CurveBackend`]
//! names a backend with all of them (the CPU's, the oracle for the others).
//!
//! Contract shared by all methods:
//! - inputs are validated (lengths, sizes, reduced field elements, points on
//!   the curve) and rejected with the matching [`Error`];
//! - on `Err`, buffers passed by `&mut` are left unchanged;
//! - results are bit-for-bit those of the CPU backend (field elements are
//!   canonical, points are compared as group elements).

use core::any::Any;
use core::fmt;
use std::sync::Arc;

use crate::constraints::{ConstraintProgram, CosetRows};
use crate::curve::{Affine, Projective, SwCurve};
use crate::error::{Error, Result};
use crate::field::{PrimeField, TwoAdicField};

/// Every operation a backend may offer, for capability queries and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operation {
    /// Multi-scalar multiplication over caller-provided bases.
    Msm,
    /// Multi-scalar multiplication over prepared (resident, precomputed) bases.
    MsmPrepared,
    /// Forward and inverse NTTs, on the subgroup or a coset, batched over columns.
    Ntt,
    /// Low-degree extension: iNTT, then a coset NTT on a larger domain.
    Lde,
    /// logUp multiplicities: how often each table row occurs in the inputs.
    Multiplicities,
    /// Inversion of many field elements.
    BatchInverse,
    /// `1 / (beta + x)` for every `x`.
    InverseOfSums,
    /// Running (prefix) products and the grand product.
    PrefixProduct,
    /// halo2's permuted input and table columns `(A', S')`.
    PermuteLookup,
    /// A constraint program over the rows of a coset (a PLONK quotient's numerator).
    ConstraintEvaluation,
}

impl Operation {
    /// All operations, in a stable order.
    pub const ALL: [Operation; 10] = [
        Self::Msm,
        Self::MsmPrepared,
        Self::Ntt,
        Self::Lde,
        Self::Multiplicities,
        Self::BatchInverse,
        Self::InverseOfSums,
        Self::PrefixProduct,
        Self::PermuteLookup,
        Self::ConstraintEvaluation,
    ];

    /// A short lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Msm => "msm",
            Self::MsmPrepared => "msm-prepared",
            Self::Ntt => "ntt",
            Self::Lde => "lde",
            Self::Multiplicities => "multiplicities",
            Self::BatchInverse => "batch-inverse",
            Self::InverseOfSums => "inverse-of-sums",
            Self::PrefixProduct => "prefix-product",
            Self::PermuteLookup => "permute-lookup",
            Self::ConstraintEvaluation => "constraints",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a backend can run: operations with their size limits, and curves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Names of the curves supported (see [`SwCurve::NAME`]).
    pub curves: Vec<&'static str>,
    /// Supported operations with the largest input size each accepts
    /// (points for MSMs, column length for NTTs, elements otherwise).
    pub operations: Vec<(Operation, usize)>,
}

impl Capabilities {
    /// Every operation up to `max_size`, on the given curves.
    pub fn all(curves: Vec<&'static str>, max_size: usize) -> Self {
        Self { curves, operations: Operation::ALL.iter().map(|&op| (op, max_size)).collect() }
    }

    /// Whether `op` on inputs of `size` is supported.
    pub fn supports(&self, op: Operation, size: usize) -> bool {
        self.operations.iter().any(|&(o, max)| o == op && size <= max)
    }

    /// Whether the named curve is supported.
    pub fn supports_curve(&self, curve: &str) -> bool {
        self.curves.contains(&curve)
    }
}

/// What is known about the hardware behind a backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceInfo {
    /// A human-readable device name ("AMD EPYC …", "NVIDIA H100 …").
    pub name: String,
    /// Memory available to the backend, in bytes, when known.
    pub memory_bytes: Option<u64>,
    /// Parallel units (CPU threads, GPU SMs, FPGA kernel instances), when known.
    pub compute_units: Option<u32>,
    /// The driver or runtime and its version ("CUDA driver 12040"), when
    /// there is one: measured speeds are only valid for the same driver.
    pub driver: Option<String>,
}

/// Whether a backend can run on this machine, and why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Ready to use.
    Available(DeviceInfo),
    /// Not usable here; the reason names what is missing.
    Unavailable(String),
}

impl Availability {
    /// Whether the backend is usable.
    pub fn is_available(&self) -> bool {
        matches!(self, Self::Available(_))
    }
}

/// Identity and health of a backend.
pub trait Backend: Send + Sync {
    /// A short stable name: `cpu`, `cuda`, `fpga`, ….
    fn name(&self) -> &'static str;
    /// Whether it can run here, with device information or the reason it cannot.
    fn availability(&self) -> Availability;
    /// The largest input of `op` it takes (points for MSMs, column length
    /// for NTTs, extended length for LDEs, elements otherwise). Which
    /// operations it offers at all is which traits it implements.
    fn max_size(&self, op: Operation) -> usize {
        let _ = op;
        usize::MAX
    }
}

/// Bases prepared once by a backend for many MSMs (e.g. a KZG SRS).
///
/// The backend's own state (device buffers, precomputed multiples) lives in
/// an opaque part that is freed when the handle drops. The handle also
/// keeps the validated host bases, so that a failed device call can be redone
/// on the CPU without asking the caller for the bases again.
pub struct PreparedBases<C: SwCurve> {
    backend: &'static str,
    host: Arc<[Affine<C>]>,
    state: Box<dyn Any + Send + Sync>,
    state_bytes: usize,
    owner: u64,
}

impl<C: SwCurve> PreparedBases<C> {
    /// A handle for `backend` over already validated `host` bases with the
    /// backend's own `state`, which occupies `state_bytes` (host or device
    /// memory). Backends call this from `prepare_bases`.
    pub fn new(
        backend: &'static str,
        host: Arc<[Affine<C>]>,
        state: Box<dyn Any + Send + Sync>,
        state_bytes: usize,
    ) -> Self {
        Self { backend, host, state, state_bytes, owner: 0 }
    }

    /// The same handle marked as prepared by the holding `id`
    /// ([`crate::HeldBackend::id`]): how a router that holds two devices of
    /// one kind sends each MSM to the device with the state.
    pub fn with_owner(self, id: u64) -> Self {
        Self { owner: id, ..self }
    }

    /// The holding that prepared it (0 when none was recorded).
    pub fn owner(&self) -> u64 {
        self.owner
    }

    /// Memory held by the handle: the host bases plus the backend's state.
    pub fn memory_bytes(&self) -> usize {
        core::mem::size_of_val::<[Affine<C>]>(&self.host) + self.state_bytes
    }

    /// The backend that prepared these bases.
    pub fn backend(&self) -> &'static str {
        self.backend
    }

    /// The number of bases.
    pub fn len(&self) -> usize {
        self.host.len()
    }

    /// Whether there are no bases.
    pub fn is_empty(&self) -> bool {
        self.host.is_empty()
    }

    /// The validated bases in host memory.
    pub fn host_bases(&self) -> &Arc<[Affine<C>]> {
        &self.host
    }

    /// The backend's own state, if it is of type `T`.
    pub fn state<T: 'static>(&self) -> Option<&T> {
        self.state.downcast_ref()
    }
}

impl<C: SwCurve> fmt::Debug for PreparedBases<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedBases").field("backend", &self.backend).field("len", &self.len()).finish()
    }
}

/// Multi-scalar multiplication `Σ sᵢ·Pᵢ` on one curve.
pub trait Msm<C: SwCurve>: Backend {
    /// One MSM per scalar vector, all over the same `bases`.
    ///
    /// Every scalar vector must have exactly `bases.len()` elements; an empty
    /// MSM is the identity.
    fn msm_batch(&self, bases: &[Affine<C>], scalars: &[&[C::Scalar]]) -> Result<Vec<Projective<C>>>;

    /// Prepares `bases` for repeated MSMs: validates them once and keeps
    /// them (and whatever the backend precomputes) resident.
    fn prepare_bases(&self, bases: &[Affine<C>]) -> Result<PreparedBases<C>>;

    /// [`Self::prepare_bases`] keeping at most `extra_bytes` of host memory
    /// beyond the bases for precomputed data, for a caller that must bound
    /// its memory (a prover not to exceed a peer's peak). Backends whose
    /// precomputation lives elsewhere, or that precompute nothing, keep the
    /// default, which is `prepare_bases`.
    fn prepare_bases_with_budget(&self, bases: &[Affine<C>], extra_bytes: usize) -> Result<PreparedBases<C>> {
        let _ = extra_bytes;
        self.prepare_bases(bases)
    }

    /// One MSM per scalar vector over prepared bases. A scalar vector may be
    /// shorter than the base set; it then uses the leading bases (as a KZG
    /// commitment to a short polynomial does).
    fn msm_prepared_batch(&self, bases: &PreparedBases<C>, scalars: &[&[C::Scalar]]) -> Result<Vec<Projective<C>>>;

    /// `Σ scalars[i]·bases[i]`.
    fn msm(&self, bases: &[Affine<C>], scalars: &[C::Scalar]) -> Result<Projective<C>> {
        single(self.name(), self.msm_batch(bases, &[scalars])?)
    }

    /// `Σ scalars[i]·bases[i]` over prepared bases.
    fn msm_prepared(&self, bases: &PreparedBases<C>, scalars: &[C::Scalar]) -> Result<Projective<C>> {
        single(self.name(), self.msm_prepared_batch(bases, &[scalars])?)
    }
}

/// The one result of a batch of one; a backend that returns another count
/// has failed, which is a device error rather than a panic.
fn single<T>(backend: &'static str, results: Vec<T>) -> Result<T> {
    let count = results.len();
    let mut results = results.into_iter();
    match (results.next(), count) {
        (Some(r), 1) => Ok(r),
        _ => Err(Error::Device { backend, msg: format!("a batch of one MSM returned {count} results") }),
    }
}

/// Direction of a transform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NttDirection {
    /// Coefficients to evaluations.
    Forward,
    /// Evaluations to coefficients (including the `1/n` factor).
    Inverse,
}

/// How to run an NTT. Input and output are always in natural order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NttConfig<F> {
    /// Forward or inverse.
    pub direction: NttDirection,
    /// Evaluate on the coset `shift·H` instead of the subgroup `H`.
    ///
    /// Forward: `out[i] = Σ_j a_j (shift·ωⁱ)^j`. Inverse: the coefficients of
    /// the polynomial whose evaluations on `shift·H` are the input.
    pub coset_shift: Option<F>,
}

impl<F> NttConfig<F> {
    /// Forward on the subgroup.
    pub fn forward() -> Self {
        Self { direction: NttDirection::Forward, coset_shift: None }
    }
    /// Inverse on the subgroup.
    pub fn inverse() -> Self {
        Self { direction: NttDirection::Inverse, coset_shift: None }
    }
    /// The same transform on the coset `shift·H`.
    pub fn on_coset(self, shift: F) -> Self {
        Self { coset_shift: Some(shift), ..self }
    }
}

/// Number-theoretic transforms over a two-adic field.
pub trait Ntt<F: TwoAdicField>: Backend {
    /// Transforms each column of `data` in place. `data` holds
    /// `data.len() / column_len` columns one after another; `column_len`
    /// must be a power of two no larger than `2^F::TWO_ADICITY`.
    fn ntt_batch(&self, data: &mut [F], column_len: usize, config: NttConfig<F>) -> Result<()>;

    /// Transforms all of `data` as one column.
    fn ntt(&self, data: &mut [F], config: NttConfig<F>) -> Result<()> {
        self.ntt_batch(data, data.len(), config)
    }

    /// Low-degree extension of each column of `evals` (evaluations on the
    /// subgroup of size `column_len`): the evaluations of the same
    /// polynomials on the coset `shift·H'` with `|H'| = column_len·2^log_blowup`.
    /// Columns are returned one after another.
    fn lde_batch(&self, evals: &[F], column_len: usize, log_blowup: u32, shift: F) -> Result<Vec<F>> {
        crate::validate::ntt_shape::<F>(evals.len(), column_len)?;
        let extended = crate::validate::lde_len::<F>(column_len, log_blowup)?;
        if evals.is_empty() {
            return Ok(Vec::new());
        }
        let mut coeffs = evals.to_vec();
        self.ntt_batch(&mut coeffs, column_len, NttConfig::inverse())?;
        let mut out = vec![F::ZERO; coeffs.len() << log_blowup];
        for (src, dst) in coeffs.chunks(column_len).zip(out.chunks_mut(extended)) {
            dst[..column_len].copy_from_slice(src);
        }
        self.ntt_batch(&mut out, extended, NttConfig::forward().on_coset(shift))?;
        Ok(out)
    }
}

/// halo2's permuted lookup columns: `A'` (the input, sorted so equal values
/// are adjacent) and `S'` (the table, permuted so that `S'[i] = A'[i]`
/// wherever `A'[i]` starts a run of equal values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermutedLookup<F> {
    /// `A'`.
    pub input: Vec<F>,
    /// `S'`.
    pub table: Vec<F>,
}

/// logUp multiplicities.
pub trait Multiplicities<F: PrimeField>: Backend {
    /// For each table row, how many input values (over all `inputs` columns)
    /// equal it. A value that occurs in several table rows is counted at the
    /// first; an input not in the table is [`Error::NotInTable`].
    fn multiplicities(&self, table: &[F], inputs: &[&[F]]) -> Result<Vec<u64>>;
}

/// Inversion of many field elements at once (Montgomery's trick).
pub trait BatchInverse<F: PrimeField>: Backend {
    /// Replaces every element by its inverse; a zero is [`Error::NotInvertible`]
    /// and leaves `values` unchanged.
    fn batch_inverse(&self, values: &mut [F]) -> Result<()>;

    /// `out[i] = 1 / (beta + values[i])`, the logUp denominators.
    fn inverse_of_sums(&self, beta: F, values: &[F]) -> Result<Vec<F>> {
        crate::validate::field_elements("values", values)?;
        crate::validate::field_elements("beta", &[beta])?;
        let mut out: Vec<F> = values.iter().map(|&x| beta + x).collect();
        self.batch_inverse(&mut out)?;
        Ok(out)
    }
}

/// Running products: the grand products of permutation and lookup arguments.
pub trait PrefixProduct<F: PrimeField>: Backend {
    /// Running products with a leading one: `out[0] = 1`,
    /// `out[i + 1] = out[i]·values[i]`; `n + 1` elements. `out[..n]` is a
    /// halo2 grand-product column, `out[1..]` the inclusive scan.
    fn prefix_product(&self, values: &[F]) -> Result<Vec<F>>;

    /// `Π values[i]` (one for an empty input).
    fn grand_product(&self, values: &[F]) -> Result<F> {
        self.prefix_product(values)?
            .last()
            .copied()
            .ok_or_else(|| Error::Device { backend: self.name(), msg: "prefix_product returned no elements".into() })
    }
}

/// halo2's permuted lookup columns (a sort with data-dependent output).
pub trait PermuteLookup<F: PrimeField>: Backend {
    /// halo2's `(A', S')` for an input column and a table column of equal
    /// length. Every input value must occur in the table.
    fn permute_lookup(&self, input: &[F], table: &[F]) -> Result<PermutedLookup<F>>;
}

/// Every kernel of lookup arguments (logUp and halo2's plookup variant):
/// [`Multiplicities`], [`BatchInverse`], [`PrefixProduct`] and
/// [`PermuteLookup`] together.
pub trait LookupKernels<F: PrimeField>:
    Multiplicities<F> + BatchInverse<F> + PrefixProduct<F> + PermuteLookup<F>
{
}
impl<F: PrimeField, T: Multiplicities<F> + BatchInverse<F> + PrefixProduct<F> + PermuteLookup<F> + ?Sized>
    LookupKernels<F> for T
{
}

/// Constraint programs over the rows of a coset: a PLONK prover's quotient
/// numerator (see [`crate::constraints`]).
pub trait ConstraintEvaluation<F: PrimeField>: Backend {
    /// `out[i] = Σ_j y^(m−1−j)·c_j(i)` for every row `i < rows.len` (a power
    /// of two), where row `i` is the point `rows.shift·rows.omegaⁱ`; `columns`
    /// (one per column of `program`, each `rows.len` long) are read with
    /// offsets wrapping around the rows, `constants` bind the program's.
    fn evaluate_constraints(
        &self,
        program: &ConstraintProgram,
        columns: &[&[F]],
        constants: &[F],
        rows: CosetRows<F>,
        y: F,
    ) -> Result<Vec<F>>;
}

/// A backend with every operation on curve `C`: what the `Accelerator` routes to.
pub trait CurveBackend<C: SwCurve>:
    Msm<C> + Ntt<C::Scalar> + LookupKernels<C::Scalar> + ConstraintEvaluation<C::Scalar>
{
}
impl<C: SwCurve, T: Msm<C> + Ntt<C::Scalar> + LookupKernels<C::Scalar> + ConstraintEvaluation<C::Scalar>>
    CurveBackend<C> for T
{
}

/// An error for an operation a backend does not offer.
pub fn unsupported(backend: &'static str, operation: Operation, reason: impl Into<String>) -> Error {
    Error::Unsupported { backend, operation, reason: reason.into() }
}
