//! Shared helpers of the zkml tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use tract_onnx::prelude::*;

pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

pub fn model_path(name: &str) -> PathBuf {
    models_dir().join(format!("{name}.onnx"))
}

pub fn inputs(name: &str, kind: &str) -> Vec<Vec<f64>> {
    zkaccel_zkml::read_inputs(&models_dir().join(format!("{name}.{kind}.json"))).expect("sample inputs")
}

/// Float inference by tract, independent of our lowering.
pub fn tract_forward(path: &Path, shape: &[usize], input: &[f64]) -> Vec<f64> {
    let model = tract_onnx::onnx()
        .model_for_path(path)
        .and_then(|m| m.into_optimized())
        .and_then(|m| m.into_runnable())
        .expect("tract loads the model");
    let data: Vec<f32> = input.iter().map(|&x| x as f32).collect();
    let tensor = tract_ndarray::ArrayD::from_shape_vec(shape.to_vec(), data).expect("shape").into_tensor();
    let out = model.run(tvec!(tensor.into())).expect("tract runs");
    out[0].as_slice::<f32>().expect("f32 output").iter().map(|&x| x as f64).collect()
}
