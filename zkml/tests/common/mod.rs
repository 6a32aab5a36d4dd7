//! Shared helpers of the zkml tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub mod suite;

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

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
pub fn tract_forward(path: &Path, shapes: &[Vec<usize>], input: &[f64]) -> Vec<f64> {
    let mut model = tract_onnx::onnx().model_for_path(path).expect("tract reads the model");
    let mut types = Vec::new();
    for (i, shape) in shapes.iter().enumerate() {
        let dt = model.input_fact(i).expect("input fact").datum_type.concretize().unwrap_or(DatumType::F32);
        types.push(dt);
        model = model.with_input_fact(i, InferenceFact::dt_shape(dt, shape)).expect("input fact");
    }
    let model = model.into_optimized().and_then(|m| m.into_runnable()).expect("tract optimizes the model");
    let mut tensors = TVec::new();
    let mut offset = 0;
    for (shape, dt) in shapes.iter().zip(types) {
        let n: usize = shape.iter().product();
        let data: Vec<f32> = input[offset..offset + n].iter().map(|&x| x as f32).collect();
        offset += n;
        let tensor = tract_ndarray::ArrayD::from_shape_vec(shape.clone(), data).expect("shape").into_tensor();
        let tensor = if dt == DatumType::Bool {
            // f32 → bool is not a cast tract makes; x ≠ 0 is.
            let bools: Vec<bool> = tensor.as_slice::<f32>().expect("f32").iter().map(|&x| x != 0.0).collect();
            tract_ndarray::ArrayD::from_shape_vec(shape.clone(), bools).expect("shape").into_tensor()
        } else {
            tensor.cast_to_dt(dt).expect("input cast").into_owned()
        };
        tensors.push(tensor.into());
    }
    let out = model.run(tensors).expect("tract runs");
    out.iter()
        .flat_map(|t| {
            let t = t.cast_to::<f32>().expect("numeric output").into_owned();
            t.as_slice::<f32>().expect("f32 output").to_vec()
        })
        .map(|x| x as f64)
        .collect()
}
