//! A KZG commitment scheme whose commitments are MSMs on the Accelerator.
//!
//! [`AcceleratedKzg`] is a halo2 `CommitmentScheme` over BN254. Its prover
//! parameters, [`AcceleratedParams`], wrap a stock `ParamsKZG<Bn256>` (the
//! SRS) and keep its monomial and Lagrange bases *prepared* on an
//! [`Accelerator`], so a device holds them resident across every commitment
//! of every proof. The prepared bases' host copy is then the only full copy
//! of the SRS these parameters keep; its verifier parameters are a stock
//! `ParamsKZG` with what the verifier reads (`[1]₁`, `[1]₂`, `[τ]₂`, and
//! `[L_0(τ)]₁` for zkML's settings binding). The multi-open prover
//! [`AcceleratedShplonk`] is stock SHPLONK over the whole stock SRS, rebuilt
//! once on first use, so proofs are byte-for-byte what the stock verifier
//! expects.

use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use halo2_axiom::halo2curves::bn256::{self as h, Bn256};
use halo2_axiom::halo2curves::group::{prime::PrimeCurveAffine, Curve, Group};
use halo2_axiom::halo2curves::serde::SerdeObject;
use halo2_axiom::poly::commitment::{Blind, CommitmentScheme, Params, ParamsProver, Prover};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::msm::MSMKZG;
use halo2_axiom::poly::kzg::multiopen::ProverSHPLONK;
use halo2_axiom::poly::ProverQuery;
use halo2_axiom::poly::{Coeff, LagrangeCoeff, Polynomial};
use halo2_axiom::transcript::{EncodedChallenge, TranscriptWrite};
use halo2_axiom::SerdeFormat;
use rand_core::RngCore;
use zkaccel::{Accelerator, Bn254, Error, G1Affine, Msm, PreparedBases};

use crate::convert::{points_from_halo2, points_to_halo2, projective_to_halo2, scalars_from_halo2};
use crate::prover::KeyCosetCache;

/// The accelerated KZG commitment scheme on BN254 (see the module docs).
#[derive(Debug)]
pub struct AcceleratedKzg;

impl CommitmentScheme for AcceleratedKzg {
    type Scalar = h::Fr;
    type Curve = h::G1Affine;
    type ParamsProver = AcceleratedParams;
    type ParamsVerifier = ParamsKZG<Bn256>;

    fn new_params(k: u32) -> Self::ParamsProver {
        <AcceleratedParams as ParamsProver<'_, h::G1Affine>>::new(k)
    }

    fn read_params<R: io::Read>(reader: &mut R) -> io::Result<Self::ParamsProver> {
        <AcceleratedParams as Params<'_, h::G1Affine>>::read(reader)
    }
}

/// Which SRS bases a commitment is taken against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SrsBasis {
    /// `[sⁱ]G`: the vector holds coefficients.
    Monomial,
    /// `[Lᵢ(s)]G`: the vector holds evaluations on the domain.
    Lagrange,
}

/// The SRS bases as the Accelerator holds them.
struct ResidentSrs {
    /// `[sⁱ]G`, for commitments to coefficient vectors.
    monomial: PreparedBases<Bn254>,
    /// `[Lᵢ(s)]G`, for commitments to evaluation vectors.
    lagrange: PreparedBases<Bn254>,
}

impl ResidentSrs {
    fn prepare(srs: &ParamsKZG<Bn256>, accelerator: &Accelerator) -> Result<Self, Error> {
        let lagrange = lagrange_bases(srs).map_err(|e| Error::InvalidConfig(format!("reading the SRS: {e}")))?;
        Self::prepare_points(points_from_halo2(srs.get_g()), points_from_halo2(&lagrange), accelerator)
    }

    fn prepare_points(monomial: &[G1Affine], lagrange: &[G1Affine], accelerator: &Accelerator) -> Result<Self, Error> {
        Ok(Self {
            monomial: accelerator.prepare_bases_with_budget(monomial, srs_copy_budget(monomial))?,
            // Commitments in Lagrange form are mostly of witness columns, whose
            // small values leave few windows for copies to save (measured: the
            // copy on this set alone gained 1.03×, on the monomial one 1.10×).
            lagrange: accelerator.prepare_bases_with_budget(lagrange, 0)?,
        })
    }
}

/// Host memory the monomial SRS bases may spend on precomputed multiples:
/// one copy while that costs at most 8 MiB (2^17 points), none beyond.
///
/// A proof's peak memory is about 3 KiB per row for stock halo2 and ours
/// alike, and ours is a few percent lower. The CPU backend's default of up
/// to 8 copies per set put us above stock (measured 2026-12-06 on an AMD
/// EPYC, docs/bench/halo2-prover-2026-12-06-epyc*: 13/38/34 MiB above at
/// 2^14/16/18); one copy of both sets was level with it at 2^14 (57 against
/// 58 MiB, then 58 against 57). The copy saves bucket reductions, which
/// weigh on MSMs of full-width scalars — the quotient pieces and SHPLONK's,
/// committed with the monomial bases — and on small MSMs (2 copies against
/// 1: 3.73× against 3.51× stock at 2^16, nothing measurable at 2^18), so
/// only the monomial set keeps one, and only while it is small.
fn srs_copy_budget(bases: &[G1Affine]) -> usize {
    let size = core::mem::size_of_val(bases);
    if size <= 8 << 20 {
        size
    } else {
        0
    }
}

/// MSM statistics and the first failure of one proof (or keygen).
///
/// halo2's `commit` returns a point, not a `Result`, so a failed MSM is
/// remembered here and the caller turns the whole proof into an error.
#[derive(Default)]
struct CommitMonitor {
    calls: AtomicU64,
    points: AtomicU64,
    busy: BusyClock,
    failure: Mutex<Option<Error>>,
}

/// Wall-clock time during which at least one tracked call was running.
///
/// halo2 commits to several columns in parallel, so summing each call's
/// duration would overstate the time spent in MSMs; this clock counts
/// overlapping calls once.
#[derive(Debug, Default)]
pub struct BusyClock {
    state: Mutex<BusyState>,
}

#[derive(Debug, Default)]
struct BusyState {
    running: usize,
    since: Option<Instant>,
    total: Duration,
}

/// Marks a tracked call as running until it is dropped.
#[derive(Debug)]
pub struct BusyGuard<'a> {
    clock: &'a BusyClock,
}

impl BusyClock {
    fn state(&self) -> std::sync::MutexGuard<'_, BusyState> {
        self.state.lock().unwrap_or_else(|poison| poison.into_inner())
    }

    /// Starts tracking a call; it ends when the guard drops.
    pub fn enter(&self) -> BusyGuard<'_> {
        let mut state = self.state();
        if state.running == 0 {
            state.since = Some(Instant::now());
        }
        state.running += 1;
        BusyGuard { clock: self }
    }

    /// Busy time so far (finished stretches only).
    pub fn total(&self) -> Duration {
        self.state().total
    }
}

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.clock.state();
        state.running -= 1;
        if state.running == 0 {
            if let Some(since) = state.since.take() {
                state.total += since.elapsed();
            }
        }
    }
}

impl CommitMonitor {
    fn fail(&self, error: Error) {
        let mut slot = self.failure.lock().unwrap_or_else(|poison| poison.into_inner());
        slot.get_or_insert(error);
    }
}

/// What the Accelerator did during one proof or keygen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommitStats {
    /// Commitment MSMs run (`commit` and `commit_lagrange` calls).
    pub msm_calls: u64,
    /// Scalars in those MSMs, summed.
    pub msm_points: u64,
    /// Wall-clock time during which at least one of them was running
    /// (halo2 commits to several columns in parallel; overlaps count once).
    pub msm_time: Duration,
}

/// Prover parameters of [`AcceleratedKzg`]: a stock KZG SRS plus its bases
/// resident on an [`Accelerator`].
///
/// Cloning is cheap: clones share the SRS and the resident bases.
///
/// Memory: the Accelerator keeps its own copy of both base sets (plus
/// whatever its backend precomputes; the CPU backend's prepared-copies
/// setting decides that, see `CpuBackend::with_prepared_copies`), beside the
/// two sets inside `ParamsKZG`.
#[derive(Clone)]
pub struct AcceleratedParams {
    srs: Arc<SrsStore>,
    accelerator: Accelerator,
    resident: Result<Arc<ResidentSrs>, Error>,
    monitor: Arc<CommitMonitor>,
    /// The last key's columns on the extended coset, when kept.
    key_cosets: Arc<KeyCosetCache>,
}

impl fmt::Debug for AcceleratedParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcceleratedParams")
            .field("k", &self.srs.verifier.k())
            .field("accelerator", &self.accelerator)
            .field("resident", &self.resident.as_ref().map(|r| r.monomial.memory_bytes() + r.lagrange.memory_bytes()))
            .finish()
    }
}

/// The Accelerator that parameters made through halo2's own constructors
/// (`new`, `read`) use: `Accelerator::auto()`, or the CPU when
/// `ZKACCEL_BACKEND` cannot be honoured.
pub fn default_accelerator() -> Accelerator {
    static DEFAULT: OnceLock<Accelerator> = OnceLock::new();
    DEFAULT
        .get_or_init(|| {
            Accelerator::auto().unwrap_or_else(|e| {
                tracing::warn!("{e}; halo2 parameters use the CPU backend");
                Accelerator::cpu_only()
            })
        })
        .clone()
}

impl AcceleratedParams {
    /// Puts the bases of `srs` on `accelerator`.
    ///
    /// Errors if a base is not a valid point or the Accelerator cannot hold
    /// them.
    ///
    /// Every point is checked, once: the G1 bases by the Accelerator as it
    /// prepares them (the `Msm::prepare_bases` contract), `[1]₂` and `[τ]₂`
    /// here. An SRS read from outside can come here unchecked.
    pub fn new(srs: ParamsKZG<Bn256>, accelerator: &Accelerator) -> Result<Self, Error> {
        use halo2_axiom::halo2curves::CurveAffine;
        if !(bool::from(srs.g2().is_on_curve()) && bool::from(srs.s_g2().is_on_curve())) {
            return Err(Error::InvalidShape { reason: "the SRS's G2 points are not on the curve".into() });
        }
        Self::prepared(&srs, accelerator)
    }

    /// `srs`'s bases prepared on `accelerator`, with only what the verifier
    /// reads kept beside them (see [`SrsStore`]).
    fn prepared(srs: &ParamsKZG<Bn256>, accelerator: &Accelerator) -> Result<Self, Error> {
        let resident = ResidentSrs::prepare(srs, accelerator)?;
        Ok(Self {
            srs: Arc::new(SrsStore::slim(srs, &resident.lagrange.host_bases()[0])),
            accelerator: accelerator.clone(),
            resident: Ok(Arc::new(resident)),
            monitor: Arc::default(),
            key_cosets: Arc::default(),
        })
    }

    /// These parameters keeping, between proofs, the proving key's own
    /// columns (fixed, permutation σ, first/last/active rows) on the
    /// quotient's coset parts, up to `budget_bytes`: every later proof with
    /// the same key skips those columns' coset NTTs (for a zkML circuit more
    /// than half of them). The first proof with a key keeps what it computes
    /// anyway; a new key replaces the old one's. PSE's halo2 keeps them in
    /// its proving key; stock halo2-axiom does not, for memory, and neither
    /// do parameters without this call.
    pub fn keep_key_cosets(&self, budget_bytes: usize) -> Self {
        Self { key_cosets: Arc::new(KeyCosetCache::with_budget(budget_bytes)), ..self.clone() }
    }

    /// Bytes of key cosets these parameters hold (see [`Self::keep_key_cosets`]).
    pub fn key_cosets_bytes(&self) -> usize {
        self.key_cosets.bytes()
    }

    /// The kept key cosets and their budget.
    pub(crate) fn key_cosets(&self) -> &KeyCosetCache {
        &self.key_cosets
    }

    /// The whole SRS as stock halo2 holds it, for stock code that proves
    /// with it (`create_proof` over `KZGCommitmentScheme`, stock SHPLONK).
    ///
    /// Once the bases are prepared the Accelerator's host copy is the only
    /// one these parameters keep, so the first call rebuilds this from it
    /// (the SRS's size again, kept until the last clone drops). To verify,
    /// [`Self::verifier_srs`] is enough and costs nothing.
    pub fn srs(&self) -> &ParamsKZG<Bn256> {
        match &self.resident {
            Ok(resident) => self.srs.full.get_or_init(|| {
                let verifier = &self.srs.verifier;
                let g = points_to_halo2(resident.monomial.host_bases()).to_vec();
                let lagrange = points_to_halo2(resident.lagrange.host_bases()).to_vec();
                verifier.from_parts(verifier.k(), g, Some(lagrange), verifier.g2(), verifier.s_g2())
            }),
            Err(_) => &self.srs.verifier,
        }
    }

    /// What halo2's verifier reads of the SRS (`[1]₁`, `[1]₂`, `[τ]₂`, `k`):
    /// the parameters for `verify_proof` and the EVM verifier generator.
    pub fn verifier_srs(&self) -> &ParamsKZG<Bn256> {
        &self.srs.verifier
    }

    /// The Accelerator the bases are resident on.
    pub fn accelerator(&self) -> &Accelerator {
        &self.accelerator
    }

    /// `n`, the SRS's size.
    pub(crate) fn srs_n(&self) -> usize {
        self.srs.verifier.n() as usize
    }

    /// `k = log2 n`.
    pub(crate) fn srs_k(&self) -> u32 {
        self.srs.verifier.k()
    }

    /// Bytes the Accelerator holds for both base sets.
    pub fn resident_bytes(&self) -> usize {
        self.resident.as_ref().map_or(0, |r| r.monomial.memory_bytes() + r.lagrange.memory_bytes())
    }

    /// These parameters on `accelerator`: a cheap clone when it is the one
    /// they are resident on, otherwise the bases are prepared there anew.
    pub fn on(&self, accelerator: &Accelerator) -> Result<Self, Error> {
        if self.accelerator.same_as(accelerator) {
            return Ok(self.clone());
        }
        let resident = match &self.resident {
            Ok(resident) => ResidentSrs::prepare_points(
                resident.monomial.host_bases(),
                resident.lagrange.host_bases(),
                accelerator,
            )?,
            Err(_) => ResidentSrs::prepare(&self.srs.verifier, accelerator)?,
        };
        Ok(Self {
            srs: self.srs.clone(),
            accelerator: accelerator.clone(),
            resident: Ok(Arc::new(resident)),
            monitor: Arc::default(),
            key_cosets: self.key_cosets.clone(),
        })
    }

    /// A clone with its own statistics and failure slot, for one proof.
    pub(crate) fn session(&self) -> Self {
        Self { monitor: Arc::default(), ..self.clone() }
    }

    /// Statistics so far and the first MSM failure, if any.
    pub(crate) fn finish(&self) -> Result<CommitStats, Error> {
        let failure = self.monitor.failure.lock().unwrap_or_else(|poison| poison.into_inner()).take();
        match failure {
            Some(error) => Err(error),
            None => Ok(CommitStats {
                msm_calls: self.monitor.calls.load(Ordering::Relaxed),
                msm_points: self.monitor.points.load(Ordering::Relaxed),
                msm_time: self.monitor.busy.total(),
            }),
        }
    }

    fn commit_on(&self, bases: impl Fn(&ResidentSrs) -> &PreparedBases<Bn254>, scalars: &[h::Fr]) -> h::G1 {
        let resident = match &self.resident {
            Ok(resident) => resident,
            Err(e) => {
                self.monitor.fail(e.clone());
                return h::G1::identity();
            }
        };
        let start = Instant::now();
        let result = {
            let _busy = self.monitor.busy.enter();
            self.accelerator.msm_prepared(bases(resident), scalars_from_halo2(scalars))
        };
        tracing::debug!(points = scalars.len(), ms = start.elapsed().as_secs_f64() * 1e3, "commitment MSM");
        self.monitor.calls.fetch_add(1, Ordering::Relaxed);
        self.monitor.points.fetch_add(scalars.len() as u64, Ordering::Relaxed);
        match result {
            Ok(point) => projective_to_halo2(&point),
            Err(e) => {
                self.monitor.fail(e);
                h::G1::identity()
            }
        }
    }

    /// `[L_i(τ)]₁` ([`lagrange_basis_point`]), from the prepared Lagrange
    /// bases rather than the SRS's serialization.
    pub fn lagrange_basis_point(&self, i: usize) -> Result<h::G1Affine, Error> {
        match &self.resident {
            Ok(resident) => {
                let bases = resident.lagrange.host_bases();
                let point = bases.get(i).ok_or_else(|| Error::InvalidShape {
                    reason: format!("row {i} of an SRS of {} rows", bases.len()),
                })?;
                Ok(points_to_halo2(std::slice::from_ref(point))[0])
            }
            Err(_) => {
                lagrange_basis_point(&self.srs.verifier, i).map_err(|e| Error::InvalidShape { reason: e.to_string() })
            }
        }
    }

    /// Commitments to `polys` in one batch on the Accelerator: coefficient
    /// vectors against the monomial bases, or evaluation vectors against the
    /// Lagrange bases. A vector may be shorter than the SRS.
    pub(crate) fn commit_batch(&self, basis: SrsBasis, polys: &[&[h::Fr]]) -> Result<Vec<h::G1Affine>, Error> {
        let resident = self.resident.as_ref().map_err(Clone::clone)?;
        let bases = match basis {
            SrsBasis::Monomial => &resident.monomial,
            SrsBasis::Lagrange => &resident.lagrange,
        };
        let scalars: Vec<&[zkaccel::Fr]> = polys.iter().map(|p| scalars_from_halo2(p)).collect();
        let points = {
            let _busy = self.monitor.busy.enter();
            self.accelerator.msm_prepared_batch(bases, &scalars)?
        };
        self.monitor.calls.fetch_add(polys.len() as u64, Ordering::Relaxed);
        self.monitor.points.fetch_add(polys.iter().map(|p| p.len() as u64).sum(), Ordering::Relaxed);
        let projective: Vec<h::G1> = points.iter().map(projective_to_halo2).collect();
        let mut affine = vec![h::G1Affine::identity(); projective.len()];
        h::G1::batch_normalize(&projective, &mut affine);
        Ok(affine)
    }

    fn rebuilt(srs: ParamsKZG<Bn256>, accelerator: Accelerator) -> Self {
        Self::prepared(&srs, &accelerator).unwrap_or_else(|e| {
            tracing::warn!("could not put the SRS on the Accelerator: {e}");
            Self {
                srs: Arc::new(SrsStore::whole(srs)),
                accelerator,
                resident: Err(e),
                monitor: Arc::default(),
                key_cosets: Arc::default(),
            }
        })
    }

    /// The SRS in halo2's serialization (`Params::write`), from whichever
    /// copy these parameters hold.
    fn write_srs<W: io::Write>(&self, writer: &mut W) -> io::Result<()> {
        let resident = match &self.resident {
            Ok(resident) => resident,
            Err(_) => return self.srs.verifier.write(writer),
        };
        let verifier = &self.srs.verifier;
        writer.write_all(&verifier.k().to_le_bytes())?;
        for bases in [&resident.monomial, &resident.lagrange] {
            for point in points_to_halo2(bases.host_bases()) {
                point.write_raw(writer)?;
            }
        }
        // Stock writes raw Montgomery coordinates (`SerdeFormat::RawBytesUnchecked`).
        verifier.g2().write_raw(writer)?;
        verifier.s_g2().write_raw(writer)
    }
}

/// The SRS as [`AcceleratedParams`] keeps it beside the prepared bases.
///
/// Once the Accelerator holds the bases (with their validated host copy),
/// a second host copy in a `ParamsKZG` would double the SRS's memory, so
/// only what the verifier reads stays here; the whole stock SRS is
/// rebuilt from the host copy only if stock code asks for it.
#[derive(Debug)]
struct SrsStore {
    /// `[1]₁`, `[1]₂`, `[τ]₂` and `k` — or the whole SRS while no bases
    /// are prepared.
    verifier: ParamsKZG<Bn256>,
    /// The whole SRS, rebuilt on demand ([`AcceleratedParams::srs`]).
    full: OnceLock<ParamsKZG<Bn256>>,
}

impl SrsStore {
    /// What the verifier needs of `srs`, and `[L_0(τ)]₁` (`first_lagrange`),
    /// which binds a zkML model's settings to its key.
    fn slim(srs: &ParamsKZG<Bn256>, first_lagrange: &G1Affine) -> Self {
        let first = srs.get_g()[..1].to_vec();
        let lagrange = points_to_halo2(std::slice::from_ref(first_lagrange)).to_vec();
        let verifier = srs.from_parts(srs.k(), first, Some(lagrange), srs.g2(), srs.s_g2());
        Self { verifier, full: OnceLock::new() }
    }

    /// The whole of `srs` (no prepared bases to stand for it).
    fn whole(srs: ParamsKZG<Bn256>) -> Self {
        Self { verifier: srs, full: OnceLock::new() }
    }
}

/// The Lagrange bases of `srs`.
///
/// `ParamsKZG` keeps them private, and recomputing them is an FFT over the
/// group (`n log n` scalar multiplications), so they are read back from the
/// stock serialization instead: `k`, then `n` monomial points, then the `n`
/// Lagrange points, each as raw Montgomery limbs.
fn lagrange_bases(srs: &ParamsKZG<Bn256>) -> io::Result<Vec<h::G1Affine>> {
    lagrange_points(srs, 0..srs.n() as usize)
}

/// Whether every point of `srs` (monomial and Lagrange bases, `[1]₂`,
/// `[τ]₂`) is on its curve: halo2's readers take raw coordinates as they
/// come, and an SRS from a file is outside data. The index of the first bad
/// G1 point (Lagrange bases after the `n` monomial ones), or `n·2` for G2.
pub fn srs_points_off_curve(srs: &ParamsKZG<Bn256>) -> io::Result<Option<usize>> {
    use halo2_axiom::halo2curves::CurveAffine;
    let lagrange = lagrange_bases(srs)?;
    let n = srs.n() as usize;
    let first_bad = |points: &[h::G1Affine]| -> Option<usize> {
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        let chunk = points.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let found: Vec<_> = points
                .chunks(chunk)
                .enumerate()
                .map(|(c, part)| {
                    scope.spawn(move || part.iter().position(|p| !bool::from(p.is_on_curve())).map(|i| c * chunk + i))
                })
                .collect();
            found.into_iter().filter_map(|t| t.join().ok().flatten()).min()
        })
    };
    if let Some(i) = first_bad(srs.get_g()) {
        return Ok(Some(i));
    }
    if let Some(i) = first_bad(&lagrange) {
        return Ok(Some(n + i));
    }
    let g2_ok = bool::from(srs.g2().is_on_curve()) && bool::from(srs.s_g2().is_on_curve());
    Ok((!g2_ok).then_some(2 * n))
}

/// `[L_i(τ)]₁`, the commitment to the column that is 1 in row `i` and 0
/// elsewhere (read back from the SRS serialization, as the prepared Lagrange bases are).
pub fn lagrange_basis_point(srs: &ParamsKZG<Bn256>, i: usize) -> io::Result<h::G1Affine> {
    if i >= srs.n() as usize {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("row {i} of a 2^{} SRS", srs.k())));
    }
    Ok(lagrange_points(srs, i..i + 1)?[0])
}

/// The Lagrange bases `rows` of `srs`, from its stock serialization.
fn lagrange_points(srs: &ParamsKZG<Bn256>, rows: std::ops::Range<usize>) -> io::Result<Vec<h::G1Affine>> {
    const POINT_BYTES: usize = 64;
    // The monomial bases as stored: `n` of them, or one in the verifier's
    // slim parameters (whose Lagrange bases then hold row 0 only).
    let stored = srs.get_g().len();
    let keep = rows.len() * POINT_BYTES;
    let mut sink = ByteWindow { skip: 4 + (stored + rows.start) * POINT_BYTES, keep, kept: Vec::new(), seen: 0 };
    sink.kept.reserve_exact(keep);
    srs.write_custom(&mut sink, SerdeFormat::RawBytes)?;
    // `k`, the G1 bases, then `[1]₂` and `[τ]₂` (128 bytes each).
    let lagrange_stored = sink.seen.saturating_sub(4 + 2 * 128) / POINT_BYTES - stored;
    if rows.end > lagrange_stored {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("these SRS parameters hold {lagrange_stored} of its Lagrange bases, not row {}", rows.end - 1),
        ));
    }
    if sink.kept.len() != keep {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "SRS serialization is shorter than expected"));
    }
    Ok(sink.kept.chunks_exact(POINT_BYTES).map(h::G1Affine::from_raw_bytes_unchecked).collect())
}

/// An `io::Write` that keeps bytes `skip .. skip + keep` of what it is given.
struct ByteWindow {
    skip: usize,
    keep: usize,
    kept: Vec<u8>,
    /// Bytes written in all.
    seen: usize,
}

impl io::Write for ByteWindow {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.seen += buf.len();
        let skipped = buf.len().min(self.skip);
        self.skip -= skipped;
        let rest = &buf[skipped..];
        let room = self.keep - self.kept.len();
        self.kept.extend_from_slice(&rest[..rest.len().min(room)]);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'params> Params<'params, h::G1Affine> for AcceleratedParams {
    type MSM = MSMKZG<Bn256>;

    fn k(&self) -> u32 {
        self.srs.verifier.k()
    }

    fn n(&self) -> u64 {
        self.srs.verifier.n()
    }

    fn downsize(&mut self, k: u32) {
        let mut srs = self.srs().clone();
        srs.downsize(k);
        *self = Self::rebuilt(srs, self.accelerator.clone());
    }

    fn empty_msm(&'params self) -> Self::MSM {
        MSMKZG::new()
    }

    fn commit_lagrange(&self, poly: &Polynomial<h::Fr, LagrangeCoeff>, _: Blind<h::Fr>) -> h::G1 {
        // KZG commitments are not blinded (the blind is ignored, as in stock).
        self.commit_on(|r| &r.lagrange, poly)
    }

    fn write<W: io::Write>(&self, writer: &mut W) -> io::Result<()> {
        self.write_srs(writer)
    }

    fn read<R: io::Read>(reader: &mut R) -> io::Result<Self> {
        let srs = ParamsKZG::<Bn256>::read(reader)?;
        Self::prepared(&srs, &default_accelerator())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))
    }
}

impl<'params> ParamsProver<'params, h::G1Affine> for AcceleratedParams {
    type ParamsVerifier = ParamsKZG<Bn256>;

    /// A fresh insecure SRS (a random toxic secret, as stock `new` makes)
    /// on [`default_accelerator`]. For tests only.
    fn new(k: u32) -> Self {
        Self::rebuilt(<ParamsKZG<Bn256> as ParamsProver<'_, h::G1Affine>>::new(k), default_accelerator())
    }

    fn commit(&self, poly: &Polynomial<h::Fr, Coeff>, _: Blind<h::Fr>) -> h::G1 {
        self.commit_on(|r| &r.monomial, poly)
    }

    fn get_g(&self) -> &[h::G1Affine] {
        match &self.resident {
            Ok(resident) => points_to_halo2(resident.monomial.host_bases()),
            Err(_) => self.srs.verifier.get_g(),
        }
    }

    fn verifier_params(&'params self) -> &'params Self::ParamsVerifier {
        &self.srs.verifier
    }
}

/// SHPLONK multi-opening for [`AcceleratedKzg`]: stock SHPLONK over the
/// wrapped SRS, so its two commitment MSMs run in halo2 (they cannot be
/// hooked from outside), and its transcript is exactly the stock one.
#[derive(Debug)]
pub struct AcceleratedShplonk<'params> {
    inner: ProverSHPLONK<'params, Bn256>,
}

type StockShplonk<'params> = ProverSHPLONK<'params, Bn256>;

impl<'params> Prover<'params, AcceleratedKzg> for AcceleratedShplonk<'params> {
    const QUERY_INSTANCE: bool = <StockShplonk<'params> as Prover<'params, KZGCommitmentScheme<Bn256>>>::QUERY_INSTANCE;

    fn new(params: &'params AcceleratedParams) -> Self {
        Self { inner: <StockShplonk<'params> as Prover<'params, KZGCommitmentScheme<Bn256>>>::new(params.srs()) }
    }

    fn create_proof<'com, E: EncodedChallenge<h::G1Affine>, T: TranscriptWrite<h::G1Affine, E>, R, I>(
        &self,
        rng: R,
        transcript: &mut T,
        queries: I,
    ) -> io::Result<()>
    where
        I: IntoIterator<Item = ProverQuery<'com, h::G1Affine>> + Clone,
        R: RngCore,
    {
        self.inner.create_proof(rng, transcript, queries)
    }
}
