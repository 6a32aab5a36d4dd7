//! Whole halo2 proofs: stock `create_proof` against the same prover with its
//! commitment MSMs on the zkaccel Accelerator, on the same circuit, SRS, keys
//! and transcript.
//!
//! The stock prover runs twice per round: once exactly as shipped (its time
//! is the one compared), and once through [`TimedKzg`], a scheme that calls
//! the stock `ParamsKZG` commitments unchanged but clocks them, which is
//! where the stock MSM share comes from.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use halo2_axiom::halo2curves::bn256::{self as h, Bn256};
use halo2_axiom::plonk::{create_proof, keygen_pk, keygen_vk, synthesize_witness, Circuit, ProvingKey};
use halo2_axiom::poly::commitment::{Blind, CommitmentScheme, Params, ParamsProver, Prover};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::msm::MSMKZG;
use halo2_axiom::poly::kzg::multiopen::ProverSHPLONK;
use halo2_axiom::poly::{Coeff, LagrangeCoeff, Polynomial, ProverQuery};
use halo2_axiom::transcript::{Blake2bWrite, Challenge255, EncodedChallenge, TranscriptWrite, TranscriptWriterBuffer};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkaccel::Accelerator;
use zkaccel_frontend_halo2::examples::DotProductCircuit;
use zkaccel_frontend_halo2::{prove_with_stats, verify, AcceleratedParams, BusyClock, ProofStats};

/// Stock KZG with clocked commitments (see the module docs).
#[derive(Debug)]
pub struct TimedKzg;

/// `ParamsKZG` whose `commit` / `commit_lagrange` are clocked.
#[derive(Clone, Debug)]
pub struct TimedParams {
    inner: ParamsKZG<Bn256>,
    clock: Arc<BusyClock>,
}

impl TimedParams {
    /// Clocks the commitments of `inner`.
    pub fn new(inner: ParamsKZG<Bn256>) -> Self {
        Self { inner, clock: Arc::default() }
    }

    /// Time spent in commitments since the last reset.
    pub fn reset(&mut self) -> Duration {
        let total = self.clock.total();
        self.clock = Arc::default();
        total
    }
}

impl CommitmentScheme for TimedKzg {
    type Scalar = h::Fr;
    type Curve = h::G1Affine;
    type ParamsProver = TimedParams;
    type ParamsVerifier = ParamsKZG<Bn256>;

    fn new_params(k: u32) -> TimedParams {
        TimedParams::new(<ParamsKZG<Bn256> as ParamsProver<'_, h::G1Affine>>::new(k))
    }

    fn read_params<R: io::Read>(reader: &mut R) -> io::Result<TimedParams> {
        ParamsKZG::<Bn256>::read(reader).map(TimedParams::new)
    }
}

impl<'params> Params<'params, h::G1Affine> for TimedParams {
    type MSM = MSMKZG<Bn256>;

    fn k(&self) -> u32 {
        self.inner.k()
    }
    fn n(&self) -> u64 {
        self.inner.n()
    }
    fn downsize(&mut self, k: u32) {
        self.inner.downsize(k)
    }
    fn empty_msm(&'params self) -> MSMKZG<Bn256> {
        MSMKZG::new()
    }
    fn commit_lagrange(&self, poly: &Polynomial<h::Fr, LagrangeCoeff>, blind: Blind<h::Fr>) -> h::G1 {
        let _busy = self.clock.enter();
        self.inner.commit_lagrange(poly, blind)
    }
    fn write<W: io::Write>(&self, writer: &mut W) -> io::Result<()> {
        self.inner.write(writer)
    }
    fn read<R: io::Read>(reader: &mut R) -> io::Result<Self> {
        ParamsKZG::<Bn256>::read(reader).map(TimedParams::new)
    }
}

impl<'params> ParamsProver<'params, h::G1Affine> for TimedParams {
    type ParamsVerifier = ParamsKZG<Bn256>;

    fn new(k: u32) -> Self {
        TimedKzg::new_params(k)
    }
    fn commit(&self, poly: &Polynomial<h::Fr, Coeff>, blind: Blind<h::Fr>) -> h::G1 {
        let _busy = self.clock.enter();
        self.inner.commit(poly, blind)
    }
    fn get_g(&self) -> &[h::G1Affine] {
        self.inner.get_g()
    }
    fn verifier_params(&'params self) -> &'params ParamsKZG<Bn256> {
        &self.inner
    }
}

/// Stock SHPLONK over the SRS inside [`TimedParams`].
#[derive(Debug)]
pub struct TimedShplonk<'params>(ProverSHPLONK<'params, Bn256>);

type StockShplonk<'params> = ProverSHPLONK<'params, Bn256>;

impl<'params> Prover<'params, TimedKzg> for TimedShplonk<'params> {
    const QUERY_INSTANCE: bool = <StockShplonk<'params> as Prover<'params, KZGCommitmentScheme<Bn256>>>::QUERY_INSTANCE;

    fn new(params: &'params TimedParams) -> Self {
        Self(<StockShplonk<'params> as Prover<'params, KZGCommitmentScheme<Bn256>>>::new(&params.inner))
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
        self.0.create_proof(rng, transcript, queries)
    }
}

/// One proof with scheme `S` and multi-open prover `P`.
fn proof_with<'params, S, P, C>(
    params: &'params S::ParamsProver,
    pk: &ProvingKey<h::G1Affine>,
    circuit: &C,
    instance: &[&[h::Fr]],
    rng: &mut ChaCha20Rng,
) -> Vec<u8>
where
    S: CommitmentScheme<Scalar = h::Fr, Curve = h::G1Affine>,
    S::ParamsProver: Sync,
    P: Prover<'params, S>,
    C: Circuit<h::Fr>,
{
    let mut transcript = Blake2bWrite::<_, h::G1Affine, Challenge255<_>>::init(vec![]);
    create_proof::<S, P, _, _, _, _>(params, pk, std::slice::from_ref(circuit), &[instance], rng, &mut transcript)
        .expect("the stock prover accepts the example circuit");
    transcript.finalize()
}

/// A benchmark circuit of `2^k` rows with its keys, over one SRS.
pub struct Halo2Setup {
    /// The stock SRS.
    pub srs: ParamsKZG<Bn256>,
    /// The circuit (quantized dot product with a range lookup).
    pub circuit: DotProductCircuit,
    /// Its public inputs.
    pub public: Vec<Vec<h::Fr>>,
    /// The proving key (made by stock keygen).
    pub pk: ProvingKey<h::G1Affine>,
}

impl Halo2Setup {
    /// SRS, circuit and keys for `2^k` rows (insecure setup from a fixed seed).
    pub fn new(k: u32) -> Self {
        let srs = ParamsKZG::<Bn256>::setup(k, ChaCha20Rng::seed_from_u64(u64::from(k)));
        let circuit = DotProductCircuit::filling(k, u64::from(k));
        let public = circuit.public_inputs();
        let vk = keygen_vk(&srs, &circuit.without_witnesses()).expect("keygen");
        let pk = keygen_pk(&srs, vk, &circuit.without_witnesses()).expect("keygen");
        Self { srs, circuit, public, pk }
    }

    fn instance(&self) -> Vec<&[h::Fr]> {
        self.public.iter().map(Vec::as_slice).collect()
    }

    /// A stock proof (`KZGCommitmentScheme`, `ProverSHPLONK`).
    pub fn stock_proof(&self, rng: &mut ChaCha20Rng) -> Vec<u8> {
        proof_with::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _>(
            &self.srs,
            &self.pk,
            &self.circuit,
            &self.instance(),
            rng,
        )
    }

    /// A stock proof through [`TimedKzg`]; returns it with the time in commitments.
    pub fn timed_stock_proof(&self, params: &mut TimedParams, rng: &mut ChaCha20Rng) -> (Vec<u8>, Duration) {
        params.reset();
        let proof = proof_with::<TimedKzg, TimedShplonk<'_>, _>(params, &self.pk, &self.circuit, &self.instance(), rng);
        (proof, params.reset())
    }

    /// A proof by our prover through the Accelerator, with what it measured.
    pub fn accelerated_proof(&self, params: &AcceleratedParams, rng: &mut ChaCha20Rng) -> (Vec<u8>, ProofStats) {
        prove_with_stats(params, &self.pk, &self.circuit, &self.instance(), rng)
            .expect("the accelerated prover accepts the example circuit")
    }

    /// Stock's first phase alone — its own public `synthesize_witness`:
    /// synthesis, the advice's inversions, blinding and commitments, and the
    /// advice's iFFTs — timed.
    pub fn stock_phase_one(&self, rng: &mut ChaCha20Rng) -> Duration {
        let mut transcript = Blake2bWrite::<_, h::G1Affine, Challenge255<_>>::init(vec![]);
        let start = std::time::Instant::now();
        synthesize_witness::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
            &self.srs,
            &self.pk,
            std::slice::from_ref(&self.circuit),
            &[&self.instance()],
            rng,
            &mut transcript,
        )
        .expect("the stock prover accepts the example circuit");
        start.elapsed()
    }

    /// Whether the stock verifier accepts `proof`.
    pub fn verifies(&self, proof: &[u8]) -> bool {
        verify(&self.srs, self.pk.get_vk(), &self.instance(), proof).is_ok()
    }
}

/// Accelerated params for `setup` on `accelerator`.
pub fn accelerated_params(setup: &Halo2Setup, accelerator: &Accelerator) -> Result<AcceleratedParams, String> {
    AcceleratedParams::new(setup.srs.clone(), accelerator).map_err(|e| e.to_string())
}
