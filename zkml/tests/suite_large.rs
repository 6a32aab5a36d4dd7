//! The suite's largest named models (LeNet-5 with BatchNormalization and
//! MaxPool on 28×28, an MLP 784-256-128-10), proved like the rest of the
//! suite in `suite.rs`, and nanoGPT (2 layers, 2 heads, width 64, context 16)
//! as torch.onnx.export writes it (`torch_exports.rs`); a CI step of their
//! own. The suite's own nanoGPT-style decoder (`make_suite.py`, the same
//! architecture written node by node, and the one `bench --ops zkml` runs
//! beside EZKL) is checked here against tract without a second 2^19 proof.

mod common;

use common::suite::*;
use zkaccel_zkml::{compile_onnx, CompileOptions, TractCheck};

#[test]
fn the_largest_suite_models_prove_and_verify() {
    for name in LARGE.iter().filter(|n| !n.contains("decoder")) {
        let proved = prove_suite_model_outputs(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(proved.error <= TOLERANCE, "{name}: proved outputs off by {}", proved.error);
    }
}

/// The suite's decoder compiles within the tolerance of tract's float
/// inference, with the float model's next token at every position of every
/// calibration input; its circuit is the exported nanoGPT's (proved below).
#[test]
fn the_suite_decoder_compiles_with_the_same_next_tokens() {
    let name = "nanogpt_decoder";
    let bytes = std::fs::read(suite_dir().join(format!("{name}.onnx"))).unwrap();
    let samples = calibration(name);
    let model = compile_onnx(&bytes, &samples, &CompileOptions::default()).unwrap();
    assert_eq!(model.k, 19);
    // TOLERANCE is relative to the outputs' magnitude (at least 1).
    let scale = samples.iter().flat_map(|s| model.program.forward(s)).fold(1.0f64, |m, x| m.max(x.abs()));
    match model.report.tract {
        Some(TractCheck::Ran { max_abs_error, argmax_agreement, .. }) => {
            assert!(max_abs_error <= TOLERANCE * scale, "{name}: quantized off tract by {max_abs_error}");
            assert_eq!(argmax_agreement, model.report.samples, "{name}: an argmax differs from tract's");
        }
        other => panic!("{name}: no comparison with tract: {other:?}"),
    }
    let (input, reference) = sample(name);
    let vocab = *model.program.output_shapes[0].last().expect("logits have a vocabulary axis");
    let quantized: Vec<f64> =
        model.run(&input).unwrap().outputs.iter().map(|&v| v as f64 / model.layout.scale() as f64).collect();
    assert_eq!(row_argmax(&quantized, vocab), row_argmax(&reference, vocab), "{name}: next-token argmax differs");
}

/// nanoGPT (2 layers, 2 heads, width 64, context 16, trained briefly on this
/// repository's prose) as PyTorch's default exporter (dynamo, since torch 2.9)
/// writes its `scaled_dot_product_attention` path. The other three exports
/// compile-check in `torch_exports.rs` (the TorchScript one's operators are
/// those of the suite's `torch_gpt_block`, which proves in `suite.rs`).
#[test]
fn torch_exported_nanogpt_proves_with_the_same_next_tokens() {
    let name = "torch_nanogpt_sdpa_dynamo";
    let proved = prove_model_outputs(&torch_dir(), name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(proved.error <= TOLERANCE, "{name}: proved outputs off by {}", proved.error);
    let vocab = *proved.output_shapes[0].last().expect("logits have a vocabulary axis");
    let (ours, reference) = (row_argmax(&proved.outputs, vocab), row_argmax(&proved.reference, vocab));
    assert_eq!(ours, reference, "{name}: next-token argmax differs");
}
