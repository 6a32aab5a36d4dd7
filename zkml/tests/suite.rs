//! The operator suite (`scripts/zkml/make_suite.py`, `zkml/models/suite/`):
//! every model lowers to a program that matches two independent float
//! references (onnxruntime's outputs, stored with the input, and tract), then
//! compiles, proves, verifies with the stock verifier, and a changed output is
//! rejected. The two largest named models (LeNet-5, the 784 MLP) prove in
//! `suite_large.rs`, a CI step of their own.

mod common;

use common::suite::*;
use serde_json::Value;
use zkaccel_zkml::onnx;

/// Models where tract 0.21 is no reference, and why: onnxruntime (whose
/// outputs every model is checked against) is theirs.
const TRACT_DIFFERS: &[(&str, &str)] = &[
    ("mish_opset18", "tract has no Mish"),
    ("maxpool_padding_ceil", "tract ignores MaxPool's dilations (its output has the undilated shape)"),
    ("elu_selu_celu", "tract's Celu differs from the ONNX definition on negative inputs; onnxruntime and ours agree"),
    ("upsample_opset9", "tract has no Upsample"),
    ("gelu_opset20", "tract has no Gelu"),
    (
        "rnn_bidirectional",
        "tract's reverse direction is not the Relu the node names for it (it outputs negatives); onnxruntime and ours agree",
    ),
    ("gradient_boosting_binary", "tract cannot translate this TreeEnsembleClassifier (the binary case)"),
    ("gradient_boosting_regressor", "tract has no TreeEnsembleRegressor"),
];

#[test]
fn the_suite_has_the_named_models_and_covers_the_operators() {
    let models = suite_models();
    assert!(models.len() >= 70, "{} models", models.len());
    for named in [
        "lenet5",
        "resnet_basic_block",
        "mobilenet_block",
        "mlp784",
        "self_attention_block",
        "nanogpt_decoder",
        "lstm_16_steps",
        "gru_16_steps",
        "random_forest_classifier",
        "gradient_boosting_binary",
        "gradient_boosting_regressor",
        "hummingbird_gemm_boosting",
        "hummingbird_perfect_tree_boosting",
        "hummingbird_traversal_forest",
        "torch_gpt_block",
    ] {
        assert!(models.iter().any(|m| m == named), "{named} is missing");
    }
    let text = std::fs::read_to_string(suite_dir().join("suite.json")).unwrap();
    let suite: Value = serde_json::from_str(&text).unwrap();
    let used: std::collections::BTreeSet<&str> = suite["models"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["operators"].as_array().unwrap())
        .map(|o| o.as_str().unwrap())
        .collect();
    // Every operator the lowering accepts is in some model.
    let untested: Vec<&&str> = onnx::SUPPORTED_OPERATORS.iter().filter(|op| !used.contains(**op)).collect();
    assert!(untested.is_empty(), "operators no suite model uses: {untested:?}");
}

#[test]
fn every_suite_model_lowers_to_both_float_references() {
    let failures: Vec<String> = suite_models()
        .iter()
        .filter_map(|name| {
            let tract = !TRACT_DIFFERS.iter().any(|(n, _)| n == name);
            lowering_matches_references(&suite_dir(), name, tract).err()
        })
        .collect();
    assert!(failures.is_empty(), "{} models fail:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn tract_disagrees_where_we_say_it_does() {
    // Each exception stays true: if tract is fixed, the exception goes.
    for (name, why) in TRACT_DIFFERS {
        let path = suite_dir().join(format!("{name}.onnx"));
        let program = onnx::load(&path).unwrap();
        let (input, reference) = sample(name);
        let runs = std::panic::catch_unwind(|| common::tract_forward(&path, &program.input_shapes, &input));
        if let Ok(tract) = runs {
            assert!(
                tract.len() != reference.len() || relative_error(&tract, &reference) > 1e-3,
                "{name}: tract now agrees with onnxruntime ({why})"
            );
        }
    }
}

#[test]
fn every_suite_model_proves_and_verifies() {
    let mut failures = Vec::new();
    for name in suite_models().iter().filter(|n| !LARGE.contains(&n.as_str())) {
        match prove_suite_model(name) {
            Ok(error) if error <= TOLERANCE => {}
            Ok(error) => failures.push(format!("{name}: proved outputs off by {error} (tolerance {TOLERANCE})")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{} models fail:\n{}", failures.len(), failures.join("\n"));
}

/// Two inputs and two outputs, each with its own visibility: input 1 private
/// (range-checked, not shown), output 0 private (proved, not shown).
#[test]
fn inputs_and_outputs_each_have_their_own_visibility() {
    use std::sync::Arc;
    use zkaccel_zkml::{compile, local_srs, prove, setup, verify, CompileOptions, Visibility};
    let name = "two_inputs_two_outputs";
    let program = onnx::load(&suite_dir().join(format!("{name}.onnx"))).unwrap();
    assert_eq!((program.input_shapes.len(), program.output_shapes.len()), (2, 2));
    let visibility = Visibility { private_inputs: 0b10, private_outputs: 0b01, ..Visibility::default() };
    let options = CompileOptions { visibility, ..Default::default() };
    let model = Arc::new(compile(program.clone(), &calibration(name), &options).unwrap());
    let keys = setup(&model, local_srs(model.k, 5), &zkaccel::Accelerator::cpu_only()).unwrap();
    let (input, reference) = sample(name);
    let proof = prove(&model, &keys, &input).unwrap();
    let settings = model.published_settings();
    verify(&settings, keys.params.verifier_srs(), keys.pk.get_vk(), &proof.public, &proof.proof).unwrap();
    // Only input 0's 8 values and output 1's 2 values are public, and right.
    let scale = (1u64 << 14) as f64;
    let inputs = proof.public.inputs.clone().unwrap();
    assert_eq!(inputs.len(), 8);
    for (q, x) in inputs.iter().zip(&input[..8]) {
        assert!((*q as f64 / scale - x).abs() < 1e-4);
    }
    assert_eq!(proof.public.outputs.len(), 2);
    assert!(
        relative_error(&proof.public.outputs_f64(), &reference[3..]) < 0.005,
        "{:?} vs {:?}",
        proof.public,
        &reference[3..]
    );
    // A changed public input or output is rejected.
    for change in [0usize, 1] {
        let mut public = proof.public.clone();
        if change == 0 {
            public.inputs.as_mut().unwrap()[3] += 1;
        } else {
            public.outputs[1] += 1;
        }
        assert!(verify(&settings, keys.params.verifier_srs(), keys.pk.get_vk(), &public, &proof.proof).is_err());
    }
    // A visibility naming an input the model does not have is an error.
    let bad = CompileOptions {
        visibility: Visibility { private_inputs: 0b100, ..Visibility::default() },
        ..Default::default()
    };
    assert!(compile(program, &calibration(name), &bad).is_err());
}

/// `compile_onnx` checks every model against tract's float inference of the
/// file: our float lowering agrees with it to float rounding, the quantized
/// model within the proof tolerance; where tract is no reference the report
/// says why.
#[test]
fn compile_checks_every_model_against_tract() {
    use zkaccel_zkml::{compile_onnx, CompileOptions, TractCheck};
    let mut failures = Vec::new();
    for name in suite_models() {
        let bytes = std::fs::read(suite_dir().join(format!("{name}.onnx"))).unwrap();
        let model = compile_onnx(&bytes, &calibration(&name), &CompileOptions::default()).unwrap();
        let scale =
            calibration(&name).iter().flat_map(|s| model.program.forward(s)).fold(1.0f64, |m, x| m.max(x.abs()));
        let exception = TRACT_DIFFERS.iter().any(|(n, _)| *n == name);
        match (&model.report.tract, exception) {
            (Some(TractCheck::Ran { lowering_difference, max_abs_error, .. }), false) => {
                if *lowering_difference > 1e-4 * scale || *max_abs_error > TOLERANCE * scale {
                    failures.push(format!("{name}: {:?}", model.report));
                }
            }
            (Some(TractCheck::Ran { lowering_difference, .. }), true) if *lowering_difference > 1e-3 * scale => {}
            (Some(TractCheck::NotCompared(_)), true) => {}
            (other, _) => failures.push(format!("{name}: {other:?}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
