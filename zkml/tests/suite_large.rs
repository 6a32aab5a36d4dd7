//! The suite's largest named models (LeNet-5 with BatchNormalization and
//! MaxPool on 28×28, an MLP 784-256-128-10, a nanoGPT-style decoder of 2
//! layers, 2 heads, width 64 and context 16), proved like the rest of the
//! suite in `suite.rs`; a CI step of their own.

mod common;

use common::suite::{prove_suite_model_outputs, LARGE, TOLERANCE};

/// The index of the largest of each row of `width` values.
fn row_argmax(values: &[f64], width: usize) -> Vec<usize> {
    values
        .chunks(width)
        .map(|row| (0..row.len()).fold(0, |best, i| if row[i] > row[best] { i } else { best }))
        .collect()
}

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
