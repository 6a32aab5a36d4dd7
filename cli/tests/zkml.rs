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

    // A proof is exactly its bytes: one byte more, or the proof twice, is rejected — by the
    // digest public.json keeps of its proof, and without one by the proof's reader.
    let mut public: zkaccel_zkml::PublicValues = zkaccel_zkml::read_json(&dir.join("public.json")).unwrap();
    assert!(public.proof_digest.is_some());
    public.proof_digest = None;
    let undigested = dir.join("public-undigested.json");
    zkaccel_zkml::write_json(&public, &undigested).unwrap();
    let proof = std::fs::read(dir.join("proof.bin")).unwrap();
    for longer in [[proof.as_slice(), &[0]].concat(), [proof.as_slice(), proof.as_slice()].concat()] {
        std::fs::write(&bad, longer).unwrap();
        let out = zkaccel(&["verify", "--dir", d, "--proof", bad.to_str().unwrap()]);
        assert!(!out.status.success() && text(&out).contains("belong to another proof"), "{}", text(&out));
        let out = zkaccel(&[
            "verify",
            "--dir",
            d,
            "--proof",
            bad.to_str().unwrap(),
            "--public",
            undigested.to_str().unwrap(),
        ]);
        assert!(!out.status.success() && text(&out).contains("follow the proof"), "{}", text(&out));
    }

    // Truncated or extended key and SRS files are errors naming the file, never panics (exit 101):
    // refused by the manifest, and, without one, by their parsers.
    let manifest = std::fs::read(dir.join("manifest.json")).unwrap();
    for with_manifest in [true, false] {
        if !with_manifest {
            std::fs::remove_file(dir.join("manifest.json")).unwrap();
        }
        for (file, command, what) in [
            ("srs.bin", "verify", "not an SRS"),
            ("srs.bin", "prove", "not an SRS"),
            ("vk.bin", "verify", "not a verifying key"),
            ("pk.bin", "prove", "not a proving key"),
            ("settings.json", "verify", "invalid settings"),
            ("compiled.json", "prove", "invalid settings"),
        ] {
            let path = dir.join(file);
            let original = std::fs::read(&path).unwrap();
            let damaged: Vec<Vec<u8>> = if file.ends_with(".json") {
                // Valid JSON that claims 2^40 rows.
                let text = String::from_utf8(original.clone()).unwrap();
                let k = text.find("\"k\": ").expect("a k field");
                let end = k + text[k..].find([',', '\n']).unwrap();
                vec![format!("{}\"k\": 40{}", &text[..k], &text[end..]).into_bytes()]
            } else {
                vec![original[..original.len() / 2].to_vec(), [original.as_slice(), &[7]].concat()]
            };
            for damaged in damaged {
                std::fs::write(&path, damaged).unwrap();
                let out = match command {
                    "verify" => zkaccel(&["verify", "--dir", d]),
                    _ => zkaccel(&["prove", "--dir", d, "--input", input.to_str().unwrap()]),
                };
                let t = text(&out);
                assert!(!out.status.success() && out.status.code() != Some(101), "{file}, {command}: {t}");
                let expected = if with_manifest { "other than recorded in manifest.json" } else { what };
                assert!(t.contains(expected) && t.contains(file), "{file}, {command}, manifest {with_manifest}: {t}");
                if !with_manifest {
                    assert!(t.contains("has no manifest.json"), "{t}");
                }
            }
            std::fs::write(&path, original).unwrap();
        }
    }
    std::fs::write(dir.join("manifest.json"), manifest).unwrap();
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

/// A directory with a compiled, set-up and proved shipped model, and the
/// times `setup` and `prove` took.
fn proved_directory(name: &str) -> (PathBuf, PathBuf, std::time::Duration, std::time::Duration) {
    let dir = scratch(name);
    let d = dir.to_str().unwrap();
    let out = compile(&models().join("digits_mlp.onnx"), &models().join("digits_mlp.calibration.json"), d, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let input = models().join("digits_mlp.input.json");
    let start = std::time::Instant::now();
    let out = zkaccel(&["setup", "--dir", d]);
    let setup_time = start.elapsed();
    assert!(out.status.success(), "{}", text(&out));
    let start = std::time::Instant::now();
    let out = zkaccel(&["prove", "--dir", d, "--input", input.to_str().unwrap()]);
    let prove_time = start.elapsed();
    assert!(out.status.success(), "{}", text(&out));
    (dir, input, setup_time, prove_time)
}

/// Runs `args`, killed (SIGKILL) after `after`.
fn killed_after(args: &[&str], after: std::time::Duration) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkaccel"))
        .args(args)
        .env("ZKACCEL_BACKEND", "cpu")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary runs");
    std::thread::sleep(after);
    let _ = child.kill();
    child.wait().unwrap();
}

/// Succeeded, or failed with a clear error (exit 1, not a panic's 101) that
/// says one of `reasons`.
fn succeeded_or_refused(out: &Output, reasons: &[&str], what: &str) -> bool {
    if out.status.success() {
        return true;
    }
    let t = text(out);
    assert_eq!(out.status.code(), Some(1), "{what}: {t}");
    assert!(reasons.iter().any(|r| t.contains(r)), "{what}: not a clear refusal: {t}");
    false
}

/// A `setup` (after a new compile) or a `prove` killed at points spread
/// over its run leaves a directory where the next command finds good files
/// (and proves, or verifies) or refuses with a clear error — never a partial
/// or stale key trusted, never public values verified against another run's
/// proof. The
/// state a kill between `prove`'s two writes leaves (a new proof beside the
/// old public values) is made by hand too, since a timed kill rarely hits it.
#[test]
fn interrupted_setup_and_prove_leave_good_files_or_a_clear_error() {
    let (dir, input, setup_time, prove_time) = proved_directory("killed");
    let d = dir.to_str().unwrap();
    let input = input.to_str().unwrap();
    let stale = ["manifest.json", "not listed", "other than recorded"];
    // Every 5 % of a run (the writes are its last few percent), and past its end.
    let points: Vec<u32> = (1..=24).map(|i| 5 * i).collect();
    let mut refused = [0, 0];
    let (model, calibration) = (models().join("digits_mlp.onnx"), models().join("digits_mlp.calibration.json"));
    for &percent in &points {
        // A fresh compile first: the keys on disk no longer fit, and the killed setup's are new.
        assert!(compile(&model, &calibration, d, &[]).status.success());
        killed_after(&["setup", "--dir", d], setup_time * percent / 100);
        let out = zkaccel(&["prove", "--dir", d, "--input", input]);
        if succeeded_or_refused(&out, &stale, &format!("prove after setup killed at {percent}%")) {
            let out = zkaccel(&["verify", "--dir", d]);
            assert!(out.status.success(), "verify after setup killed at {percent}%: {}", text(&out));
        } else {
            refused[0] += 1;
            let out = zkaccel(&["setup", "--dir", d]);
            assert!(out.status.success(), "{}", text(&out));
        }
    }
    for &percent in &points {
        killed_after(&["prove", "--dir", d, "--input", input], prove_time * percent / 100);
        let out = zkaccel(&["verify", "--dir", d]);
        let what = format!("verify after prove killed at {percent}%");
        if !succeeded_or_refused(&out, &["belong to another proof"], &what) {
            refused[1] += 1;
            let out = zkaccel(&["prove", "--dir", d, "--input", input]);
            assert!(out.status.success(), "{}", text(&out));
        }
    }
    eprintln!(
        "kills refused by the next command: {} of {} setups, {} of {} proves",
        refused[0],
        points.len(),
        refused[1],
        points.len()
    );
    // A new proof beside the old public values.
    let old_public = std::fs::read(dir.join("public.json")).unwrap();
    let out = zkaccel(&["prove", "--dir", d, "--input", input]);
    assert!(out.status.success(), "{}", text(&out));
    std::fs::write(dir.join("public.json"), old_public).unwrap();
    let out = zkaccel(&["verify", "--dir", d]);
    assert!(!out.status.success() && text(&out).contains("belong to another proof"), "{}", text(&out));

    // A compile makes the keys stale: prove refuses them until setup runs again.
    let out = compile(&models().join("digits_mlp.onnx"), &models().join("digits_mlp.calibration.json"), d, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let out = zkaccel(&["prove", "--dir", d, "--input", input]);
    assert!(!out.status.success() && text(&out).contains("not listed in manifest.json"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two `prove` runs into one directory at once: each proves or is refused
/// because the other holds the directory, at least one proves, and what is
/// left verifies. While a `prove` runs, a `verify` of the same directory is
/// refused the same way rather than reading half of its output.
#[test]
fn concurrent_proves_into_one_directory_do_not_mix() {
    let (dir, input, _, _) = proved_directory("concurrent");
    let d = dir.to_str().unwrap();
    let input = input.to_str().unwrap();
    let busy = ["in use by another zkaccel command"];
    for round in 0..3 {
        let spawn = || {
            Command::new(env!("CARGO_BIN_EXE_zkaccel"))
                .args(["prove", "--dir", d, "--input", input])
                .env("ZKACCEL_BACKEND", "cpu")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("the binary runs")
        };
        let (first, second) = (spawn(), spawn());
        std::thread::sleep(std::time::Duration::from_millis(50));
        let verify_meanwhile = zkaccel(&["verify", "--dir", d]);
        succeeded_or_refused(&verify_meanwhile, &busy, "verify during proves");
        let outcomes = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
        let proved = outcomes.iter().filter(|o| succeeded_or_refused(o, &busy, &format!("round {round}"))).count();
        assert!(proved >= 1, "round {round}: neither proved");
        let out = zkaccel(&["verify", "--dir", d]);
        assert!(out.status.success(), "round {round}: {}", text(&out));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
