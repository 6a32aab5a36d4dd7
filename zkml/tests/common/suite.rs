//! Helpers of the operator suite's tests (`suite.rs`, `suite_large.rs`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use zkaccel_zkml::{compile, local_srs, onnx, prove, setup, verify, CompileOptions, ZkmlError};

pub fn suite_dir() -> PathBuf {
    super::models_dir().join("suite")
}

/// The suite's model names.
pub fn suite_models() -> Vec<String> {
    let text = std::fs::read_to_string(suite_dir().join("suite.json")).expect("suite.json");
    let suite: Value = serde_json::from_str(&text).expect("suite.json parses");
    suite["models"].as_array().expect("models").iter().map(|m| m["name"].as_str().expect("name").to_string()).collect()
}

/// The models exported by PyTorch and hummingbird themselves
/// (`scripts/zkml/export_torch.py`).
pub fn torch_dir() -> PathBuf {
    super::models_dir().join("torch")
}

/// `(input, onnxruntime's outputs)` of a suite model's sample.
pub fn sample(name: &str) -> (Vec<f64>, Vec<f64>) {
    sample_in(&suite_dir(), name)
}

/// [`sample`] of the model `name` in `dir`.
pub fn sample_in(dir: &Path, name: &str) -> (Vec<f64>, Vec<f64>) {
    let text = std::fs::read_to_string(dir.join(format!("{name}.input.json"))).expect("input");
    let v: Value = serde_json::from_str(&text).expect("input parses");
    let floats = |v: &Value| v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect();
    (floats(&v["input_data"][0]), floats(&v["reference"]))
}

pub fn calibration(name: &str) -> Vec<Vec<f64>> {
    calibration_in(&suite_dir(), name)
}

/// [`calibration`] of the model `name` in `dir`.
pub fn calibration_in(dir: &Path, name: &str) -> Vec<Vec<f64>> {
    zkaccel_zkml::read_inputs(&dir.join(format!("{name}.calibration.json"))).expect("calibration")
}

/// The largest models, proved in `suite_large.rs`.
pub const LARGE: &[&str] = &["lenet5", "mlp784", "nanogpt_decoder", "nanogpt_decoder_finite_mask"];

/// Our float lowering of the model `name` in `dir`, on its sample, against
/// onnxruntime's stored outputs and, with `tract`, tract's run of the same
/// file; `Err` says which differs.
pub fn lowering_matches_references(dir: &Path, name: &str, tract: bool) -> Result<(), String> {
    let path = dir.join(format!("{name}.onnx"));
    let program = onnx::load(&path).map_err(|e| format!("{name}: {e}"))?;
    let (input, reference) = sample_in(dir, name);
    let ours = program.forward(&input);
    if ours.len() != reference.len() || relative_error(&ours, &reference) > 1e-4 {
        return Err(format!("{name}: ours {ours:?} vs onnxruntime {reference:?}"));
    }
    if tract {
        let tract = super::tract_forward(&path, &program.input_shapes, &input);
        if relative_error(&ours, &tract) > 1e-4 {
            return Err(format!("{name}: ours {ours:?} vs tract {tract:?}"));
        }
    }
    Ok(())
}

/// The index of the largest of each row of `width` values.
pub fn row_argmax(values: &[f64], width: usize) -> Vec<usize> {
    values
        .chunks(width)
        .map(|row| (0..row.len()).fold(0, |best, i| if row[i] > row[best] { i } else { best }))
        .collect()
}

/// `max |a − b| / max(1, max |b|)`.
pub fn relative_error(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(1.0f64, |m, x| m.max(x.abs()));
    a.iter().zip(b).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max) / scale
}

/// Compiles, proves and verifies `name`; a changed output is rejected.
/// Returns the quantized outputs' error against onnxruntime.
pub fn prove_suite_model(name: &str) -> Result<f64, String> {
    prove_suite_model_outputs(name).map(|proved| proved.error)
}

/// What a suite model's proof says, beside onnxruntime's float outputs.
pub struct Proved {
    /// `relative_error(outputs, reference)`.
    pub error: f64,
    /// The proved outputs, every output flattened in order.
    pub outputs: Vec<f64>,
    /// onnxruntime's outputs on the same input.
    pub reference: Vec<f64>,
    /// The model's output shapes.
    pub output_shapes: Vec<Vec<usize>>,
}

/// [`prove_suite_model`], returning the proved and the reference outputs.
pub fn prove_suite_model_outputs(name: &str) -> Result<Proved, String> {
    prove_model_outputs(&suite_dir(), name)
}

/// [`prove_suite_model_outputs`] of the model `name` in `dir`.
pub fn prove_model_outputs(dir: &Path, name: &str) -> Result<Proved, String> {
    let path = dir.join(format!("{name}.onnx"));
    let program = onnx::load(&path).map_err(|e| e.to_string())?;
    let model =
        Arc::new(compile(program, &calibration_in(dir, name), &CompileOptions::default()).map_err(|e| e.to_string())?);
    model.check().map_err(|e| format!("the compiler's own output fails its check: {e}"))?;
    let acc = zkaccel::Accelerator::cpu_only();
    let keys = setup(&model, local_srs(model.k, 11), &acc).map_err(|e| e.to_string())?;
    let (input, reference) = sample_in(dir, name);
    let proof = prove(&model, &keys, &input).map_err(|e| e.to_string())?;
    let settings = model.published_settings();
    let vk = keys.pk.get_vk();
    verify(&settings, keys.params.verifier_srs(), vk, &proof.public, &proof.proof)
        .map_err(|e| format!("does not verify: {e}"))?;
    let mut public = proof.public.clone();
    public.outputs[0] += 1;
    match verify(&settings, keys.params.verifier_srs(), vk, &public, &proof.proof) {
        Err(ZkmlError::Verification(_)) => {}
        other => return Err(format!("a changed output is not rejected: {other:?}")),
    }
    let error = relative_error(&proof.public.outputs_f64(), &reference);
    eprintln!(
        "{name}: k = {}, lanes = {}, {} layout, {} layers, report {:?}, proved output error {error:.5}",
        model.k,
        model.shape.lanes,
        if model.shape.general { "general" } else { "compact" },
        model.program.layers.len(),
        model.report
    );
    Ok(Proved {
        error,
        outputs: proof.public.outputs_f64(),
        reference,
        output_shapes: model.program.output_shapes.clone(),
    })
}

/// The tolerance of every proved output against float inference, relative to
/// `max(1, max |output|)`: exact operators lose only rounding at `2^-14`,
/// table functions also their chords' error (`|f''|·h²/8` per table, see
/// `quantize`). Measured at most 0.0014 (the decoders, whose Softmax
/// chains three tables).
pub const TOLERANCE: f64 = 0.005;
