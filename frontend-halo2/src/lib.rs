//! halo2 circuits (halo2-axiom 0.5, KZG on BN254) proved with the zkaccel
//! [`Accelerator`](zkaccel::Accelerator); the proofs are checked by the stock halo2 verifier.
//!
//! ```no_run
//! # use zkaccel_frontend_halo2::{examples::FibonacciCircuit, keygen, prove, verify, AcceleratedParams};
//! # use halo2_axiom::{plonk::Circuit, poly::kzg::commitment::ParamsKZG};
//! # use rand_core::OsRng;
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let accelerator = zkaccel::Accelerator::auto()?;
//! let params = AcceleratedParams::new(ParamsKZG::setup(10, OsRng), &accelerator)?;
//! let circuit = FibonacciCircuit::new(100);
//! let pk = keygen(&params, &circuit.without_witnesses())?;
//! let public = circuit.public_inputs();
//! let proof = prove(&params, &pk, &circuit, &[&public], OsRng)?; // on the params' Accelerator
//! verify(params.verifier_srs(), pk.get_vk(), &[&public], &proof)?;
//! # Ok(()) }
//! ```
//!
//! # What runs on the Accelerator
//!
//! [`prove`] runs our own prover ([`prover`]): the whole proof — every
//! commitment (the SRS prepared once, in [`AcceleratedParams`]), every
//! transform to and from the extended domain, the lookup permutations and
//! grand products, the quotient numerator (a [`prover::QuotientProgram`]
//! compiled from the constraint system, run as the Accelerator's
//! `ConstraintEvaluation`) and SHPLONK with its MSMs. Witness generation
//! (`Circuit::synthesize`, through our `Assignment`) and the transcript's
//! hashing run on the CPU.
//!
//! Proofs are in halo2-axiom's format and transcript order, so the stock
//! `verify_proof` + `VerifierSHPLONK` (and an EVM verifier generated for the
//! key) accepts them. Keygen goes through [`AcceleratedParams`] (its
//! commitment MSMs on the Accelerator) and produces the same keys as stock.
//! [`prove_with_stock_prover`] is halo2-axiom's own `create_proof` with only
//! its commitments on the Accelerator: the reference our prover is measured
//! against.
//!
//! Limits, as halo2-axiom's: one circuit per proof; KZG on BN254 with
//! SHPLONK; up to three phases. halo2-axiom 0.5 has no shuffle argument (its
//! module is compiled out), so neither do we.

pub mod convert;
pub mod examples;
pub mod prover;
mod scheme;

use std::time::{Duration, Instant};

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::plonk::{self, create_proof, keygen_pk, keygen_vk, verify_proof, Circuit, ProvingKey, VerifyingKey};
use halo2_axiom::poly::commitment::Params;
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::VerifierSHPLONK;
use halo2_axiom::poly::kzg::strategy::SingleStrategy;
use halo2_axiom::transcript::{
    Blake2bRead, Blake2bWrite, Challenge255, EncodedChallenge, TranscriptReadBuffer, TranscriptWrite,
    TranscriptWriterBuffer,
};
use rand_core::RngCore;

pub use halo2_axiom;
pub use prover::StageTimes;
pub use scheme::{
    default_accelerator, lagrange_basis_point, srs_points_off_curve, AcceleratedKzg, AcceleratedParams,
    AcceleratedShplonk, BusyClock, BusyGuard, CommitStats,
};

/// Why a keygen, proof or verification failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Halo2Error {
    /// The Accelerator failed (after its own CPU fallback) or rejected input.
    #[error("accelerator: {0}")]
    Accelerator(#[from] zkaccel::Error),
    /// halo2 rejected the circuit, the key or the proof.
    #[error("halo2: {0}")]
    Plonk(#[from] plonk::Error),
    /// The inputs do not fit the key or the parameters.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The circuit uses a feature our prover does not handle (named).
    #[error("not supported by the zkaccel prover: {0}")]
    Unsupported(String),
    /// Writing the transcript failed.
    #[error("transcript: {0}")]
    Transcript(#[from] std::io::Error),
}

/// Keygen through the accelerated parameters: the verifying and proving key
/// of `circuit` (its witness values are not used).
///
/// The verifying key equals stock `keygen_vk` over `params.srs()`.
pub fn keygen<C: Circuit<Fr>>(params: &AcceleratedParams, circuit: &C) -> Result<ProvingKey<G1Affine>, Halo2Error> {
    let session = params.session();
    let vk = keygen_vk(&session, circuit)?;
    let pk = keygen_pk(&session, vk, circuit)?;
    session.finish()?;
    Ok(pk)
}

/// A proof that `circuit` is satisfied with public `instances`
/// (`instances[column][row]`), made with the Blake2b transcript and SHPLONK
/// on the Accelerator that `params` hold.
///
/// One circuit per proof, as halo2-axiom 0.5's verifier checks them (its
/// prover's multi-circuit proofs absorb the instances in another order than
/// its verifier and never verify). A circuit whose witness does not satisfy
/// its constraints yields a proof that does not verify; a failed MSM yields
/// an error, never a wrong proof.
pub fn prove<C: Circuit<Fr>>(
    params: &AcceleratedParams,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[&[Fr]],
    rng: impl RngCore,
) -> Result<Vec<u8>, Halo2Error> {
    prove_with_stats(params, pk, circuit, instances, rng).map(|(proof, _)| proof)
}

/// What [`prove_with_stats`] measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct ProofStats {
    /// The commitment MSMs run on the Accelerator.
    pub commits: CommitStats,
    /// Each stage of the proof (all zero for [`prove_with_stock_prover`],
    /// whose stages run inside halo2).
    pub stages: StageTimes,
    /// The whole proof, wall clock.
    pub total_time: Duration,
}

/// [`prove`], also returning what each stage took.
pub fn prove_with_stats<C: Circuit<Fr>>(
    params: &AcceleratedParams,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[&[Fr]],
    mut rng: impl RngCore,
) -> Result<(Vec<u8>, ProofStats), Halo2Error> {
    let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
    let stats = prove_into_transcript(params, pk, circuit, instances, &mut rng, &mut transcript)?;
    Ok((transcript.finalize(), stats))
}

/// [`prove_with_stats`] writing into the caller's transcript: another hash
/// (an EVM verifier needs Keccak, e.g. snark-verifier's `EvmTranscript`), the
/// same checks and the same Accelerator routing.
pub fn prove_into_transcript<C, E, T>(
    params: &AcceleratedParams,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[&[Fr]],
    mut rng: impl RngCore,
    transcript: &mut T,
) -> Result<ProofStats, Halo2Error>
where
    C: Circuit<Fr>,
    E: EncodedChallenge<G1Affine>,
    T: TranscriptWrite<G1Affine, E>,
{
    in_session(params, pk, instances, |session| {
        prover::create_proof(session, pk, circuit, instances, &mut rng, transcript)
    })
}

/// Checks `instances`, then runs `prove` on a session of `params` (its own
/// MSM statistics and failure slot) and times it.
fn in_session(
    params: &AcceleratedParams,
    pk: &ProvingKey<G1Affine>,
    instances: &[&[Fr]],
    prove: impl FnOnce(&AcceleratedParams) -> Result<StageTimes, Halo2Error>,
) -> Result<ProofStats, Halo2Error> {
    check_instances(params.k(), pk.get_vk(), instances)?;
    let start = Instant::now();
    let session = params.session();
    let stages = prove(&session)?;
    let commits = session.finish()?;
    Ok(ProofStats { commits, stages, total_time: start.elapsed() })
}

/// The same proof made by halo2-axiom's own `create_proof`, with only its
/// commitment MSMs on the Accelerator (through [`AcceleratedKzg`]): the path
/// before our prover, kept as the reference it is measured against.
pub fn prove_with_stock_prover<C, E, T>(
    params: &AcceleratedParams,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[&[Fr]],
    mut rng: impl RngCore,
    transcript: &mut T,
) -> Result<ProofStats, Halo2Error>
where
    C: Circuit<Fr>,
    E: EncodedChallenge<G1Affine>,
    T: TranscriptWrite<G1Affine, E>,
{
    in_session(params, pk, instances, |session| {
        create_proof::<AcceleratedKzg, AcceleratedShplonk<'_>, _, _, _, _>(
            session,
            pk,
            std::slice::from_ref(circuit),
            &[instances],
            &mut rng,
            transcript,
        )?;
        // halo2 runs its stages inside; only the whole is timed.
        Ok(StageTimes::default())
    })
}

/// Checks `proof` with the stock halo2 verifier (SHPLONK, Blake2b
/// transcript) against `vk` and `instances`.
pub fn verify(
    params: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    instances: &[&[Fr]],
    proof: &[u8],
) -> Result<(), Halo2Error> {
    check_instances(params.k(), vk, instances)?;
    let mut unread = proof;
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        params,
        vk,
        SingleStrategy::new(params),
        &[instances],
        &mut Blake2bRead::<_, G1Affine, Challenge255<_>>::init(&mut unread),
    )?;
    reject_trailing_bytes(unread)
}

/// A proof is exactly what the verifier read: bytes after it would make
/// one proof verify under many encodings.
pub fn reject_trailing_bytes(unread: &[u8]) -> Result<(), Halo2Error> {
    if unread.is_empty() {
        Ok(())
    } else {
        Err(Halo2Error::InvalidInput(format!("{} bytes follow the proof", unread.len())))
    }
}

/// Rejects instances halo2 would panic on: the wrong number of columns, a
/// column longer than the usable rows, or a key for another `k`.
/// [`prove`] and [`verify`] call it; call it before a verifier of your own.
pub fn check_instances(params_k: u32, vk: &VerifyingKey<G1Affine>, instances: &[&[Fr]]) -> Result<(), Halo2Error> {
    let k = vk.get_domain().k();
    if k != params_k {
        return Err(Halo2Error::InvalidInput(format!(
            "the key is for k = {k} but the parameters are for k = {params_k}"
        )));
    }
    let cs = vk.cs();
    if instances.len() != cs.num_instance_columns() {
        return Err(Halo2Error::InvalidInput(format!(
            "{} instance columns given, the circuit has {}",
            instances.len(),
            cs.num_instance_columns()
        )));
    }
    let usable = (1usize << k) - (cs.blinding_factors() + 1);
    for (column, values) in instances.iter().enumerate() {
        if values.len() > usable {
            return Err(Halo2Error::InvalidInput(format!(
                "instance column {column} has {} values, at most {usable} fit",
                values.len()
            )));
        }
    }
    Ok(())
}
