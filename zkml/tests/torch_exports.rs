//! Models exported by PyTorch itself (`scripts/zkml/export_torch.py`, run where
//! torch is installed; `exports.json` records the torch version and what each
//! exporter wrote): torch.onnx.export's TorchScript exporter (opset 14) and its
//! dynamo exporter (opset 18), on nanoGPT (explicit attention and the
//! `scaled_dot_product_attention` path), an LSTM and a two-layer GRU; and
//! hummingbird's conversions of a gradient-boosted ensemble (24 trees) and a
//! random forest (20 trees), trained by scikit-learn, in each of its three
//! tree implementations (GEMM, tree traversal, perfect tree traversal). These
//! are the files as users bring them; `make_suite.py`'s models are written
//! node by node. Each lowers to onnxruntime's outputs (stored with the input)
//! and tract's, compiles within the proof tolerance with every calibration
//! argmax kept; the recurrent and tree models prove here, a nanoGPT decoder
//! (2^19 rows) in `suite_large.rs`.
//!
//! hummingbird's tree traversals gather node fields at computed indices on
//! every level: by table lookup they take 2^15 rows (as one-hot selections
//! over every node of every tree they took 2^19 and 2^20).

mod common;

use common::suite::*;
use serde_json::Value;

/// The exported models that the exporter wrote (`ok` in exports.json).
fn exports() -> Vec<String> {
    let text = std::fs::read_to_string(torch_dir().join("exports.json")).expect("exports.json");
    let report: Value = serde_json::from_str(&text).expect("exports.json parses");
    report["models"]
        .as_array()
        .expect("models")
        .iter()
        .filter(|m| m["ok"].as_bool() == Some(true))
        .map(|m| m["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn every_exporter_wrote_every_model() {
    let names = exports();
    let torch = ["torch_nanogpt", "torch_nanogpt_sdpa", "torch_lstm", "torch_gru"]
        .into_iter()
        .flat_map(|network| [network.to_string(), format!("{network}_dynamo")]);
    let hummingbird = ["gbdt", "forest"]
        .into_iter()
        .flat_map(|model| ["gemm", "tree_trav", "perf_tree_trav"].map(|tree| format!("hb_{model}_{tree}")));
    for name in torch.chain(hummingbird) {
        assert!(names.contains(&name), "{name} is missing");
        assert!(torch_dir().join(format!("{name}.onnx")).exists(), "{name}.onnx is missing");
    }
}

#[test]
fn every_export_lowers_to_onnxruntime_and_tract() {
    let failures: Vec<String> =
        exports().iter().filter_map(|name| lowering_matches_references(&torch_dir(), name, true).err()).collect();
    assert!(failures.is_empty(), "{} exports fail:\n{}", failures.len(), failures.join("\n"));
}

/// The compile report's check against tract, on all 16 calibration inputs:
/// quantized outputs within the tolerance and the same argmax on every one.
#[test]
fn every_export_compiles_within_the_tolerance() {
    use zkaccel_zkml::{compile_onnx, CompileOptions, TractCheck};
    let mut failures = Vec::new();
    for name in exports() {
        let bytes = std::fs::read(torch_dir().join(format!("{name}.onnx"))).unwrap();
        let calibration = calibration_in(&torch_dir(), &name);
        let model = match compile_onnx(&bytes, &calibration, &CompileOptions::default()) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if let Err(e) = model.check() {
            failures.push(format!("{name}: the compiler's own output fails its check: {e}"));
        }
        let scale = calibration.iter().flat_map(|s| model.program.forward(s)).fold(1.0f64, |m, x| m.max(x.abs()));
        match &model.report.tract {
            Some(TractCheck::Ran { lowering_difference, max_abs_error, argmax_agreement })
                if *lowering_difference <= 1e-4 * scale
                    && *max_abs_error <= TOLERANCE * scale
                    && *argmax_agreement == calibration.len() => {}
            other => failures.push(format!("{name}: {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn recurrent_and_tree_exports_prove_and_verify() {
    let mut failures = Vec::new();
    for name in exports().iter().filter(|n| !n.contains("nanogpt")) {
        match prove_model_outputs(&torch_dir(), name) {
            Ok(proved) if proved.error <= TOLERANCE => {}
            Ok(proved) => failures.push(format!("{name}: proved outputs off by {}", proved.error)),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
