//! The suite's largest named models (LeNet-5 with BatchNormalization and
//! MaxPool on 28×28, an MLP 784-256-128-10, a nanoGPT-style decoder of 2
//! layers, 2 heads, width 64 and context 16), proved like the rest of the
//! suite in `suite.rs`, and nanoGPT as torch.onnx.export writes it
//! (`torch_exports.rs`); a CI step of their own.

mod common;

use common::suite::{prove_model_outputs, prove_suite_model_outputs, row_argmax, torch_dir, LARGE, TOLERANCE};

#[test]
fn the_largest_suite_models_prove_and_verify() {
    for name in LARGE {
        let proved = prove_suite_model_outputs(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(proved.error <= TOLERANCE, "{name}: proved outputs off by {}", proved.error);
        if name.contains("decoder") {
            // A language model's proof must name the same next token at every position.
            let vocab = *proved.output_shapes[0].last().expect("logits have a vocabulary axis");
            let (ours, reference) = (row_argmax(&proved.outputs, vocab), row_argmax(&proved.reference, vocab));
            assert_eq!(ours, reference, "{name}: next-token argmax differs");
        }
    }
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
