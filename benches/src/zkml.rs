//! The zkML proof of the shipped digits model, zkaccel beside EZKL.
//!
//! EZKL (PyPI `ezkl`) runs in a Python child process through
//! `scripts/zkml/ezkl_prove.py` on the same ONNX file and input, with its own
//! calibrated settings (public input, fixed parameters, public output — the
//! same visibility as ours). Our proofs are timed before and after EZKL's, so
//! both sides see the same machine state; EZKL's key generation is not timed
//! and neither is ours.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use zkaccel::Accelerator;
use zkaccel_zkml as zkml;

/// One side of the comparison.
#[derive(Clone, Debug)]
pub struct ZkmlSide {
    /// `zkaccel` or `ezkl`.
    pub implementation: &'static str,
    /// Prove times.
    pub samples_ms: Vec<f64>,
    /// Rows of the circuit, log2.
    pub k: u32,
    /// `max |proved output − float output|` on the input.
    pub max_abs_error: f64,
    /// Settings and versions, for the record.
    pub notes: String,
}

/// Why EZKL was not measured, or its result.
pub type PeerResult = Result<ZkmlSide, String>;

/// The shipped model's files on disk (EZKL reads files).
fn write_shipped(dir: &Path) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let model = dir.join("digits_mlp.onnx");
    let input = dir.join("input.json");
    let calibration = dir.join("calibration.json");
    std::fs::write(&model, zkml::shipped::MODEL_ONNX).map_err(|e| e.to_string())?;
    std::fs::write(&input, zkml::shipped::INPUT_JSON).map_err(|e| e.to_string())?;
    std::fs::write(&calibration, zkml::shipped::CALIBRATION_JSON).map_err(|e| e.to_string())?;
    Ok((model, input, calibration))
}

fn python() -> String {
    std::env::var("ZKACCEL_PYTHON").unwrap_or_else(|_| "python3".into())
}

fn ezkl(dir: &Path, files: &(PathBuf, PathBuf, PathBuf), reps: usize) -> PeerResult {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/zkml/ezkl_prove.py");
    let probe = Command::new(python()).args(["-c", "import ezkl, onnxruntime"]).output();
    match probe {
        Ok(o) if o.status.success() => {}
        Ok(o) => {
            return Err(format!(
                "{} cannot import ezkl and onnxruntime ({}); pip install ezkl onnxruntime, or set ZKACCEL_PYTHON",
                python(),
                String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("").trim()
            ))
        }
        Err(e) => return Err(format!("cannot run {}: {e}", python())),
    }
    let out = Command::new(python())
        .arg(&script)
        .args([&files.0, &files.1, &files.2])
        .arg(dir.join("ezkl"))
        .args(["--reps", &reps.to_string()])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = stdout.lines().rev().find(|l| l.starts_with('{'));
    let (true, Some(json)) = (out.status.success(), json) else {
        return Err(format!(
            "ezkl_prove.py failed: {}",
            String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("")
        ));
    };
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("ezkl_prove.py output: {e}"))?;
    if v["verified"] != serde_json::Value::Bool(true) {
        return Err("EZKL's proof did not verify".into());
    }
    let samples_ms =
        v["prove_ms"].as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).collect()).unwrap_or_default();
    Ok(ZkmlSide {
        implementation: "ezkl",
        samples_ms,
        k: v["settings"]["logrows"].as_u64().unwrap_or(0) as u32,
        max_abs_error: v["max_abs_error"].as_f64().unwrap_or(f64::NAN),
        notes: format!("ezkl {} settings {}", v["ezkl_version"].as_str().unwrap_or("?"), v["settings"]),
    })
}

/// Proves the shipped model `reps` times on `accelerator` (half before EZKL's
/// run, half after) and runs EZKL's `reps` proofs in between.
pub fn compare(reps: usize, accelerator: &Accelerator) -> Result<(ZkmlSide, PeerResult), String> {
    let program = zkml::onnx::load_bytes(zkml::shipped::MODEL_ONNX).map_err(|e| e.to_string())?;
    let calibration = zkml::parse_inputs(zkml::shipped::CALIBRATION_JSON)?;
    let input = zkml::parse_inputs(zkml::shipped::INPUT_JSON)?.remove(0);
    let options = zkml::CompileOptions::default();
    let model = Arc::new(zkml::compile(program, &calibration, &options).map_err(|e| e.to_string())?);
    let keys = zkml::setup(&model, zkml::local_srs(model.k, 1), accelerator).map_err(|e| e.to_string())?;
    let mut samples_ms = Vec::with_capacity(reps);
    let mut last = None;
    let mut prove = |samples: &mut Vec<f64>| -> Result<(), String> {
        let start = Instant::now();
        let proof = zkml::prove(&model, &keys, &input).map_err(|e| e.to_string())?;
        samples.push(start.elapsed().as_secs_f64() * 1e3);
        last = Some(proof);
        Ok(())
    };
    for _ in 0..reps.div_ceil(2) {
        prove(&mut samples_ms)?;
    }
    let dir = std::env::temp_dir().join(format!("zkaccel-bench-zkml-{}", std::process::id()));
    let peer = write_shipped(&dir).and_then(|files| ezkl(&dir, &files, reps));
    let _ = std::fs::remove_dir_all(&dir);
    for _ in 0..reps / 2 {
        prove(&mut samples_ms)?;
    }
    let proof = last.expect("at least one proof");
    zkml::verify(&model.settings(), keys.params.srs(), keys.pk.get_vk(), &proof.public, &proof.proof)
        .map_err(|e| e.to_string())?;
    let max_abs_error = proof.max_abs_error();
    let ours = ZkmlSide {
        implementation: "zkaccel",
        samples_ms,
        k: model.k,
        max_abs_error,
        notes: format!(
            "scale 2^{}, 2^{} rows, {} products per row, range limbs of {} bits",
            model.layout.scale_bits, model.k, model.shape.lanes, model.shape.limb_bits
        ),
    };
    Ok((ours, peer))
}
