//! Proving a model on an input, and verifying the proof.

use std::sync::Arc;

use halo2_axiom::halo2curves::bn256::{Bn256, G1Affine};
use halo2_axiom::plonk::VerifyingKey;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use rand_chacha::rand_core::SeedableRng;
use zkaccel_frontend_halo2::{lagrange_basis_point, Halo2Error};

use crate::circuit::{settings_column, ModelCircuit};
use crate::{max_abs_difference, CompiledModel, Keys, ModelSettings, PublicValues, ZkmlError};

/// A proof with its public values and what proving it took.
#[derive(Clone, Debug)]
pub struct ModelProof {
    /// halo2 proof bytes (SHPLONK, Blake2b transcript).
    pub proof: Vec<u8>,
    /// The instance.
    pub public: PublicValues,
    /// Float inference on the same input, for comparison: the public outputs.
    pub float_outputs: Vec<f64>,
    /// Proving statistics (MSM time on the Accelerator, total).
    pub stats: zkaccel_frontend_halo2::ProofStats,
}

impl ModelProof {
    /// `max |proved output − float output|`.
    pub fn max_abs_error(&self) -> f64 {
        max_abs_difference(&self.public.outputs_f64(), &self.float_outputs)
    }
}

/// The circuit that proves `model` on `input`, with its public values: for
/// provers with a transcript of their own (an EVM verifier's, say).
pub fn witness(model: &Arc<CompiledModel>, input: &[f64]) -> Result<(ModelCircuit, PublicValues), ZkmlError> {
    let (circuit, public, _) = witness_and_settings(model, input)?;
    Ok((circuit, public))
}

/// [`witness`], and the published settings it is bound to.
fn witness_and_settings(
    model: &Arc<CompiledModel>,
    input: &[f64],
) -> Result<(ModelCircuit, PublicValues, ModelSettings), ZkmlError> {
    let trace = model.run(input)?;
    let settings = model.published_settings();
    let public_inputs = settings.public_inputs();
    let public = PublicValues {
        inputs: (!public_inputs.is_empty()).then(|| public_inputs.iter().map(|&v| trace.values[v]).collect()),
        model_commitment: settings.model_commitment.clone(),
        outputs: settings.public_outputs().iter().map(|&o| trace.outputs[o]).collect(),
        scale_bits: model.layout.scale_bits,
        proof_digest: None,
    };
    let circuit = ModelCircuit::with_settings(model.clone(), Some(Arc::new(trace)), &settings);
    Ok((circuit, public, settings))
}

/// Proves that `model` maps `input` to its quantized output, on the
/// Accelerator that `keys.params` hold, and checks the proof with the stock
/// verifier before returning it: a model and keys that do not belong
/// together (weights changed since setup, say) are an error, not a proof.
pub fn prove(model: &Arc<CompiledModel>, keys: &Keys, input: &[f64]) -> Result<ModelProof, ZkmlError> {
    let (circuit, public, settings) = witness_and_settings(model, input)?;
    let instance = public.instance(&settings)?;
    let (proof, stats) = zkaccel_frontend_halo2::prove_with_stats(
        &keys.params,
        &keys.pk,
        &circuit,
        &[&instance],
        rand_chacha::ChaCha20Rng::from_entropy(),
    )?;
    // The settings column's point from the prepared bases: no second pass over the SRS.
    let row0 = keys.params.lagrange_basis_point(0)?;
    verify_with_row0(&settings, keys.params.verifier_srs(), row0, keys.pk.get_vk(), &public, &proof).map_err(|e| {
        ZkmlError::Verification(format!(
            "the new proof does not verify with the prover's own keys, so the model and the keys do not belong \
             together (weights or settings changed since setup?): {e}"
        ))
    })?;
    let float = model.program.forward(input);
    let float_outputs = settings.public_outputs().iter().map(|&o| float[o]).collect();
    Ok(ModelProof { proof, public, float_outputs, stats })
}

/// Checks `proof` with the stock halo2 verifier, after checking that
/// `settings` are those `vk` was made for ([`check_settings_bound`]).
pub fn verify(
    settings: &ModelSettings,
    srs: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    public: &PublicValues,
    proof: &[u8],
) -> Result<(), ZkmlError> {
    verify_with_row0(settings, srs, row0_point(srs)?, vk, public, proof)
}

/// `[L_0(τ)]₁` of `srs`.
fn row0_point(srs: &ParamsKZG<Bn256>) -> Result<G1Affine, ZkmlError> {
    lagrange_basis_point(srs, 0).map_err(|e| ZkmlError::Verification(format!("the SRS: {e}")))
}

/// [`verify`] given `row0`, the SRS's `[L_0(τ)]₁`.
fn verify_with_row0(
    settings: &ModelSettings,
    srs: &ParamsKZG<Bn256>,
    row0: G1Affine,
    vk: &VerifyingKey<G1Affine>,
    public: &PublicValues,
    proof: &[u8],
) -> Result<(), ZkmlError> {
    settings_bound_by(settings, row0, vk)?;
    if public.proof_digest.as_ref().is_some_and(|d| *d != crate::digest_hex(proof)) {
        return Err(ZkmlError::Verification(
            "the public values belong to another proof (written by another, or an interrupted, prove)".into(),
        ));
    }
    let instance = public.instance(settings)?;
    zkaccel_frontend_halo2::verify(srs, vk, &[&instance], proof).map_err(|e| match e {
        Halo2Error::Plonk(e) => ZkmlError::Verification(format!("the proof does not verify ({e})")),
        other => other.into(),
    })
}

/// Whether `vk` was made for `settings`: its settings column (see
/// [`crate::circuit`]) must commit to `settings.digest()` in row 0, so a
/// settings file with another input/output split, scale, shape or weight
/// commitment than the key's is refused before anything is read by it.
pub fn check_settings_bound(
    settings: &ModelSettings,
    srs: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
) -> Result<(), ZkmlError> {
    settings_bound_by(settings, row0_point(srs)?, vk)
}

/// [`check_settings_bound`] given the SRS's `[L_0(τ)]₁`.
fn settings_bound_by(settings: &ModelSettings, row0: G1Affine, vk: &VerifyingKey<G1Affine>) -> Result<(), ZkmlError> {
    let column = settings_column(settings.shape);
    let committed = vk.fixed_commitments().get(column).copied();
    let expected: G1Affine = (row0 * settings.digest()).into();
    if committed != Some(expected) {
        let hint = if settings.visibility.private_model && settings.model_commitment.is_none() {
            " (a private model's settings must carry its published weight commitment)"
        } else {
            ""
        };
        return Err(ZkmlError::Verification(format!(
            "the settings do not match the verifying key: it was made for another input/output layout, scale, shape \
             or weight commitment{hint}"
        )));
    }
    Ok(())
}
