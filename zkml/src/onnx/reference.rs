//! tract's float inference of an ONNX file: the independent reference the
//! compile report checks the lowering and the quantized model against.

use tract_onnx::prelude::*;
use tract_onnx::tract_hir::infer::Factoid;

/// Every output of tract's inference of `onnx` on each sample (each sample
/// every model input flattened, in order), or why tract cannot run it.
pub fn tract_outputs(onnx: &[u8], input_shapes: &[Vec<usize>], samples: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, String> {
    // tract panics on some malformed graphs; a reference that cannot run is a reason, not a crash.
    std::panic::catch_unwind(|| run(onnx, input_shapes, samples))
        .unwrap_or_else(|_| Err("tract panicked on this model".into()))
}

fn run(onnx: &[u8], input_shapes: &[Vec<usize>], samples: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, String> {
    let text = |e: TractError| format!("{e}");
    let mut model = tract_onnx::onnx().model_for_read(&mut &onnx[..]).map_err(text)?;
    let mut types = Vec::with_capacity(input_shapes.len());
    for (i, shape) in input_shapes.iter().enumerate() {
        let dt = model.input_fact(i).map_err(text)?.datum_type.concretize().unwrap_or(DatumType::F32);
        model = model.with_input_fact(i, InferenceFact::dt_shape(dt, shape)).map_err(text)?;
        types.push(dt);
    }
    let model = model.into_optimized().and_then(|m| m.into_runnable()).map_err(text)?;
    samples
        .iter()
        .map(|sample| {
            let mut inputs = TVec::new();
            let mut offset = 0;
            for (shape, &dt) in input_shapes.iter().zip(&types) {
                let n: usize = shape.iter().product();
                let values = sample.get(offset..offset + n).ok_or("a sample is shorter than the model's inputs")?;
                offset += n;
                let tensor = if dt == DatumType::Bool {
                    let bools: Vec<bool> = values.iter().map(|&x| x != 0.0).collect();
                    tract_ndarray::ArrayD::from_shape_vec(shape.clone(), bools)
                        .map_err(|e| e.to_string())?
                        .into_tensor()
                } else {
                    let floats: Vec<f64> = values.to_vec();
                    let tensor = tract_ndarray::ArrayD::from_shape_vec(shape.clone(), floats)
                        .map_err(|e| e.to_string())?
                        .into_tensor();
                    tensor.cast_to_dt(dt).map_err(text)?.into_owned()
                };
                inputs.push(tensor.into());
            }
            let outputs = model.run(inputs).map_err(text)?;
            let mut flat = Vec::new();
            for t in outputs.iter() {
                let t = t.cast_to::<f64>().map_err(text)?;
                flat.extend_from_slice(t.as_slice::<f64>().map_err(text)?);
            }
            Ok(flat)
        })
        .collect()
}
