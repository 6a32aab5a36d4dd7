//! Proving a model on an input, and verifying the proof.

use std::sync::Arc;

use halo2_axiom::halo2curves::bn256::{Bn256, G1Affine};
use halo2_axiom::plonk::VerifyingKey;
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use rand_chacha::rand_core::SeedableRng;
use zkaccel_frontend_halo2::Halo2Error;

use crate::circuit::ModelCircuit;
use crate::{max_abs_difference, model_commitment, CompiledModel, Keys, ModelSettings, PublicValues, ZkmlError};

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
    let trace = model.run(input)?;
    let settings = model.settings();
    let public_inputs = settings.public_inputs();
    let public = PublicValues {
        inputs: (!public_inputs.is_empty()).then(|| public_inputs.iter().map(|&v| trace.values[v]).collect()),
        model_commitment: model.visibility.private_model.then(|| model_commitment(model)),
        outputs: settings.public_outputs().iter().map(|&o| trace.outputs[o]).collect(),
        scale_bits: model.layout.scale_bits,
    };
    Ok((ModelCircuit::new(model.clone(), Some(Arc::new(trace))), public))
}

/// Proves that `model` maps `input` to its quantized output, on the
/// Accelerator that `keys.params` hold.
pub fn prove(model: &Arc<CompiledModel>, keys: &Keys, input: &[f64]) -> Result<ModelProof, ZkmlError> {
    let (circuit, public) = witness(model, input)?;
    let instance = public.instance(&model.settings())?;
    let (proof, stats) = zkaccel_frontend_halo2::prove_with_stats(
        &keys.params,
        &keys.pk,
        &circuit,
        &[&instance],
        rand_chacha::ChaCha20Rng::from_entropy(),
    )?;
    let float = model.program.forward(input);
    let float_outputs = model.settings().public_outputs().iter().map(|&o| float[o]).collect();
    Ok(ModelProof { proof, public, float_outputs, stats })
}

/// Checks `proof` with the stock halo2 verifier.
pub fn verify(
    settings: &ModelSettings,
    srs: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    public: &PublicValues,
    proof: &[u8],
) -> Result<(), ZkmlError> {
    let instance = public.instance(settings)?;
    zkaccel_frontend_halo2::verify(srs, vk, &[&instance], proof).map_err(|e| match e {
        Halo2Error::Plonk(e) => ZkmlError::Verification(format!("the proof does not verify ({e})")),
        other => other.into(),
    })
}
