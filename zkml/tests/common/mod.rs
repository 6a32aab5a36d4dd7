//! Shared helpers of the zkml tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub mod graph;
pub mod suite;

pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

pub fn model_path(name: &str) -> PathBuf {
    models_dir().join(format!("{name}.onnx"))
}

pub fn inputs(name: &str, kind: &str) -> Vec<Vec<f64>> {
    zkaccel_zkml::read_inputs(&models_dir().join(format!("{name}.{kind}.json"))).expect("sample inputs")
}

/// Float inference by tract, independent of our lowering: `input` is every
/// model input flattened, in order; the result every output, in order.
/// (`onnx::tract_outputs` only runs tract; it shares nothing with the lowering.)
pub fn tract_forward(path: &Path, shapes: &[Vec<usize>], input: &[f64]) -> Vec<f64> {
    let bytes = std::fs::read(path).expect("the model file");
    let mut outputs =
        zkaccel_zkml::onnx::tract_outputs(&bytes, shapes, &[input.to_vec()]).expect("tract runs the model");
    outputs.remove(0)
}
