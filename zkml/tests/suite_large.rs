//! The suite's largest named models (LeNet-5 with BatchNormalization and
//! MaxPool on 28×28, an MLP 784-256-128-10), proved like the rest of the
//! suite in `suite.rs`; a CI step of their own.

mod common;

use common::suite::{prove_suite_model, tolerance, LARGE};

#[test]
fn the_largest_suite_models_prove_and_verify() {
    for name in LARGE {
        let error = prove_suite_model(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(error <= tolerance(name), "{name}: proved outputs off by {error}");
    }
}
