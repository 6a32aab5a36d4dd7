//! `zkaccel demo | compile | setup | prove | verify` end to end.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn zkaccel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkaccel"))
        .args(args)
        .env("ZKACCEL_BACKEND", "cpu")
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn models() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../zkml/models")
}

/// `zkaccel compile` of `model` with its calibration inputs into `out`.
fn compile(model: &Path, calibration: &Path, out: &str, flags: &[&str]) -> Output {
    let mut args = vec!["compile", "--model", model.to_str().unwrap(), "--calibration", calibration.to_str().unwrap()];
    args.extend(["--out", out]);
    args.extend(flags);
    zkaccel(&args)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zkaccel-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn demo_proves_verifies_and_rejects_a_forgery() {
    let dir = scratch("demo");
    let out = zkaccel(&["demo", "--dir", dir.to_str().unwrap()]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    for expected in [
        "argmax agrees on 32/32",
        "against tract's float inference",
        "INSECURE",
        "argmax 2",
        "verified in",
        "rejected as it should be",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in:\n{t}");
    }
    for file in ["compiled.json", "settings.json", "srs.bin", "pk.bin", "vk.bin", "proof.bin", "public.json"] {
        assert!(dir.join(file).exists(), "{file}");
    }
    // The verifier's settings carry no weights.
    let settings = std::fs::read_to_string(dir.join("settings.json")).unwrap();
    assert!(!settings.contains("params") && !settings.contains("program"), "{settings}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compile_setup_prove_verify_a_conv_model_with_private_input() {
    let dir = scratch("conv");
    let d = dir.to_str().unwrap();
    let model = models().join("digits_conv.onnx");
    let calibration = models().join("digits_conv.calibration.json");
    let input = models().join("digits_conv.input.json");
    let out = compile(&model, &calibration, d, &["--private-input"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Conv + Relu"), "{}", text(&out));
    let out = zkaccel(&["setup", "--dir", d]);
    assert!(out.status.success(), "{}", text(&out));
    let out = zkaccel(&["prove", "--dir", d, "--input", input.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out));
    let public = std::fs::read_to_string(dir.join("public.json")).unwrap();
    assert!(public.contains("\"inputs\": null"), "the input must stay private: {public}");
    let out = zkaccel(&["verify", "--dir", d]);
    assert!(out.status.success() && text(&out).contains("input private"), "{}", text(&out));

    // A corrupted proof fails verification with a clear message and status.
    let mut proof = std::fs::read(dir.join("proof.bin")).unwrap();
    proof[64] ^= 0x10;
    let bad = dir.join("bad-proof.bin");
    std::fs::write(&bad, proof).unwrap();
    let out = zkaccel(&["verify", "--dir", d, "--proof", bad.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("verification failed"), "{}", text(&out));

    // A proof is exactly its bytes: one byte more, or the proof twice, is rejected.
    let proof = std::fs::read(dir.join("proof.bin")).unwrap();
    for longer in [[proof.as_slice(), &[0]].concat(), [proof.as_slice(), proof.as_slice()].concat()] {
        std::fs::write(&bad, longer).unwrap();
        let out = zkaccel(&["verify", "--dir", d, "--proof", bad.to_str().unwrap()]);
        assert!(!out.status.success() && text(&out).contains("follow the proof"), "{}", text(&out));
    }

    // Truncated or extended key and SRS files are errors naming the file, never panics (exit 101).
    for (file, command, what) in [
        ("srs.bin", "verify", "not an SRS"),
        ("srs.bin", "prove", "not an SRS"),
        ("vk.bin", "verify", "not a verifying key"),
        ("pk.bin", "prove", "not a proving key"),
    ] {
        let path = dir.join(file);
        let original = std::fs::read(&path).unwrap();
        for damaged in [original[..original.len() / 2].to_vec(), [original.as_slice(), &[7]].concat()] {
            std::fs::write(&path, damaged).unwrap();
            let out = match command {
                "verify" => zkaccel(&["verify", "--dir", d]),
                _ => zkaccel(&["prove", "--dir", d, "--input", input.to_str().unwrap()]),
            };
            assert!(!out.status.success() && out.status.code() != Some(101), "{file}, {command}: {}", text(&out));
            assert!(text(&out).contains(what) && text(&out).contains(file), "{file}, {command}: {}", text(&out));
        }
        std::fs::write(&path, original).unwrap();
    }
    let out = zkaccel(&["verify", "--dir", d]);
    assert!(out.status.success(), "{}", text(&out));

    // Verifying uses no backend: one this machine may lack does not stop it.
    let out = Command::new(env!("CARGO_BIN_EXE_zkaccel"))
        .args(["verify", "--dir", d])
        .env("ZKACCEL_BACKEND", "cuda")
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "{}", text(&out));

    // An input of the wrong shape is an error naming the expected size.
    let wrong = dir.join("wrong.json");
    std::fs::write(&wrong, "{\"input_data\": [[0.5, 0.25]]}").unwrap();
    let out = zkaccel(&["prove", "--dir", d, "--input", wrong.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(text(&out).contains("takes 64 input values"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_model_is_a_clear_error() {
    let dir = scratch("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("garbage.onnx");
    std::fs::write(&garbage, b"definitely not protobuf").unwrap();
    let calibration = models().join("digits_mlp.calibration.json");
    let out = compile(&garbage, &calibration, dir.to_str().unwrap(), &[]);
    assert!(!out.status.success());
    assert!(text(&out).contains("error: model:"), "{}", text(&out));
    let out = zkaccel(&["setup", "--dir", dir.join("missing").to_str().unwrap()]);
    assert!(!out.status.success() && text(&out).contains("compiled.json"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg(feature = "evm")]
fn evm_verifier_accepts_the_shipped_model_proof() {
    let dir = scratch("evm");
    let d = dir.to_str().unwrap();
    let model = models().join("digits_mlp.onnx");
    let calibration = models().join("digits_mlp.calibration.json");
    let input = models().join("digits_mlp.input.json");
    let out = compile(&model, &calibration, d, &["--private-input", "--max-lanes", "1"]);
    assert!(out.status.success(), "{}", text(&out));
    let out = zkaccel(&["setup", "--dir", d]);
    assert!(out.status.success(), "{}", text(&out));
    let out = zkaccel(&["evm", "--dir", d, "--input", input.to_str().unwrap()]);
    let t = text(&out);
    assert!(out.status.success(), "{t}");
    assert!(t.contains("verification accepted for") && t.contains("a changed output is rejected"), "{t}");
    for file in ["Verifier.sol", "verifier.bin", "calldata.bin", "public-evm.json"] {
        assert!(dir.join(file).exists(), "{file}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[cfg(not(feature = "evm"))]
fn evm_without_the_feature_says_how_to_build_it() {
    let out = zkaccel(&["evm", "--dir", "."]);
    assert!(!out.status.success());
    assert!(text(&out).contains("--features evm"), "{}", text(&out));
}

#[test]
fn each_input_and_output_has_its_own_visibility() {
    // The suite's two-input, two-output model: input 1 and output 0 private.
    let dir = scratch("visibility");
    let d = dir.to_str().unwrap();
    let suite = models().join("suite");
    let model = suite.join("two_inputs_two_outputs.onnx");
    let calibration = suite.join("two_inputs_two_outputs.calibration.json");
    let input = suite.join("two_inputs_two_outputs.input.json");
    let out = compile(&model, &calibration, d, &["--private-inputs", "1", "--private-outputs", "0"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("inputs 0 public, the rest private, outputs 1 public"), "{}", text(&out));
    for args in [
        vec!["setup", "--dir", d],
        vec!["prove", "--dir", d, "--input", input.to_str().unwrap()],
        vec!["verify", "--dir", d],
    ] {
        let out = zkaccel(&args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
    }
    let public: zkaccel_zkml::PublicValues = zkaccel_zkml::read_json(&dir.join("public.json")).unwrap();
    assert_eq!(public.inputs.as_ref().map(Vec::len), Some(8), "{public:?}");
    assert_eq!(public.outputs.len(), 2, "{public:?}");
    let out = compile(&model, &calibration, d, &["--private-inputs", "2"]);
    assert!(!out.status.success(), "a third input does not exist: {}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}
