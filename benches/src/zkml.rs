//! zkML proofs of real models, zkaccel beside EZKL: the shipped digits MLP
//! and the operator suite's named models (LeNet-5 with BatchNormalization and
//! MaxPool, the MLP 784-256-128-10, a ResNet basic block, a MobileNet
//! depthwise-separable block; `scripts/zkml/make_suite.py`).
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
    /// Proof bytes.
    pub proof_bytes: usize,
    /// One verification.
    pub verify_ms: f64,
    /// Proving and verifying keys as written to disk.
    pub pk_bytes: usize,
    /// The verifying key.
    pub vk_bytes: usize,
    /// Settings and versions, for the record.
    pub notes: String,
}

/// Why EZKL was not measured, or its result.
pub type PeerResult = Result<ZkmlSide, String>;

/// A model both provers prove: its ONNX bytes, one input, calibration inputs.
#[derive(Clone, Debug)]
pub struct BenchModel {
    /// A short name.
    pub name: String,
    /// The ONNX file's bytes.
    pub onnx: Vec<u8>,
    /// The proved input (every model input flattened, in order).
    pub input: Vec<f64>,
    /// Calibration inputs.
    pub calibration: Vec<Vec<f64>>,
}

/// The suite models the benchmark proves besides the shipped one.
pub const SUITE_MODELS: &[&str] = &[
    "lenet5",
    "mlp784",
    "resnet_basic_block",
    "mobilenet_block",
    "nanogpt_decoder",
    "nanogpt_decoder_finite_mask",
    "tiny_decoder",
    "tiny_decoder_finite_mask",
    "self_attention_block",
    "lstm_16_steps",
    "gru_16_steps",
    "random_forest_classifier",
    "gradient_boosting_binary",
    "hummingbird_gemm_boosting",
    "hummingbird_perfect_tree_boosting",
    "hummingbird_traversal_forest",
];

/// The benchmark's models: the shipped digits MLP, then [`SUITE_MODELS`]
/// from `zkml/models/suite` (the repository's). `only` keeps those named.
pub fn models(only: Option<&[String]>) -> Result<Vec<BenchModel>, String> {
    let keep = |name: &str| only.is_none_or(|o| o.iter().any(|n| n == name));
    let mut models = Vec::new();
    if keep("digits_mlp") {
        models.push(BenchModel {
            name: "digits_mlp".into(),
            onnx: zkml::shipped::MODEL_ONNX.to_vec(),
            input: zkml::parse_inputs(zkml::shipped::INPUT_JSON)?.remove(0),
            calibration: zkml::parse_inputs(zkml::shipped::CALIBRATION_JSON)?,
        });
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../zkml/models/suite");
    for name in SUITE_MODELS.iter().filter(|n| keep(n)) {
        let read = |file: String| {
            let path = dir.join(file);
            std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let text = |file: String| read(file).map(|b| String::from_utf8_lossy(&b).into_owned());
        models.push(BenchModel {
            name: name.to_string(),
            onnx: read(format!("{name}.onnx"))?,
            input: zkml::parse_inputs(&text(format!("{name}.input.json"))?)?.remove(0),
            calibration: zkml::parse_inputs(&text(format!("{name}.calibration.json"))?)?,
        });
    }
    if models.is_empty() {
        return Err(format!("no benchmark model is named {only:?}"));
    }
    Ok(models)
}

/// The model's files on disk in EZKL's formats (its input file holds one
/// list per model input; its calibration file the samples concatenated).
fn write_files(dir: &Path, model: &BenchModel) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let onnx = dir.join(format!("{}.onnx", model.name));
    let input = dir.join("input.json");
    let calibration = dir.join("calibration.json");
    let all: Vec<f64> = model.calibration.iter().flatten().copied().collect();
    std::fs::write(&onnx, &model.onnx).map_err(|e| e.to_string())?;
    std::fs::write(&input, serde_json::json!({ "input_data": [model.input] }).to_string())
        .map_err(|e| e.to_string())?;
    std::fs::write(&calibration, serde_json::json!({ "input_data": [all] }).to_string()).map_err(|e| e.to_string())?;
    Ok((onnx, input, calibration))
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
        return Err(format!("ezkl_prove.py failed: {}", failure(&out)));
    };
    let v: serde_json::Value = serde_json::from_str(json).map_err(|e| format!("ezkl_prove.py output: {e}"))?;
    if v["verified"] != serde_json::Value::Bool(true) {
        return Err("EZKL's proof did not verify".into());
    }
    let samples_ms =
        v["prove_ms"].as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).collect()).unwrap_or_default();
    let bytes = |key: &str| v[key].as_u64().unwrap_or(0) as usize;
    Ok(ZkmlSide {
        implementation: "ezkl",
        samples_ms,
        k: v["settings"]["logrows"].as_u64().unwrap_or(0) as u32,
        max_abs_error: v["max_abs_error"].as_f64().unwrap_or(f64::NAN),
        proof_bytes: bytes("proof_bytes"),
        verify_ms: v["verify_ms"].as_f64().unwrap_or(f64::NAN),
        pk_bytes: bytes("pk_bytes"),
        vk_bytes: bytes("vk_bytes"),
        notes: format!("ezkl {} settings {}", v["ezkl_version"].as_str().unwrap_or("?"), v["settings"]),
    })
}

/// Why a peer's process failed: the signal that killed it (SIGKILL is most
/// often the kernel's out-of-memory killer, whose stderr says nothing), else
/// its last line on stderr.
fn failure(out: &std::process::Output) -> String {
    #[cfg(unix)]
    if let Some(signal) = std::os::unix::process::ExitStatusExt::signal(&out.status) {
        let hint = if signal == 9 { " (SIGKILL: out of memory?)" } else { "" };
        return format!("killed by signal {signal}{hint}");
    }
    String::from_utf8_lossy(&out.stderr).lines().last().unwrap_or("").to_string()
}

/// Proves `bench` `reps` times on `accelerator` (half before EZKL's run, half
/// after) and runs EZKL's `reps` proofs in between.
pub fn compare(reps: usize, accelerator: &Accelerator, bench: &BenchModel) -> Result<(ZkmlSide, PeerResult), String> {
    let program = zkml::onnx::load_bytes(&bench.onnx).map_err(|e| e.to_string())?;
    let options = zkml::CompileOptions::default();
    let model = Arc::new(zkml::compile(program, &bench.calibration, &options).map_err(|e| e.to_string())?);
    let keys = zkml::setup(&model, zkml::local_srs(model.k, 1), accelerator).map_err(|e| e.to_string())?;
    let mut samples_ms = Vec::with_capacity(reps);
    let mut last = None;
    let mut prove = |samples: &mut Vec<f64>| -> Result<(), String> {
        let start = Instant::now();
        let proof = zkml::prove(&model, &keys, &bench.input).map_err(|e| e.to_string())?;
        samples.push(start.elapsed().as_secs_f64() * 1e3);
        last = Some(proof);
        Ok(())
    };
    for _ in 0..reps.div_ceil(2) {
        prove(&mut samples_ms)?;
    }
    let dir = std::env::temp_dir().join(format!("zkaccel-bench-zkml-{}-{}", std::process::id(), bench.name));
    let peer = write_files(&dir, bench).and_then(|files| ezkl(&dir, &files, reps));
    let _ = std::fs::remove_dir_all(&dir);
    for _ in 0..reps / 2 {
        prove(&mut samples_ms)?;
    }
    let proof = last.expect("at least one proof");
    let start = Instant::now();
    zkml::verify(
        &model.published_settings(),
        keys.params.verifier_srs(),
        keys.pk.get_vk(),
        &proof.public,
        &proof.proof,
    )
    .map_err(|e| e.to_string())?;
    let verify_ms = start.elapsed().as_secs_f64() * 1e3;
    let key_bytes = |write: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut buffer = Vec::new();
        write(&mut buffer).map(|_| buffer.len()).map_err(|e| e.to_string())
    };
    use zkml::halo2_axiom::SerdeFormat::RawBytes;
    let pk_bytes = key_bytes(&|b| keys.pk.write(b, RawBytes))?;
    let vk_bytes = key_bytes(&|b| keys.pk.get_vk().write(b, RawBytes))?;
    let ours = ZkmlSide {
        implementation: "zkaccel",
        samples_ms,
        k: model.k,
        max_abs_error: proof.max_abs_error(),
        proof_bytes: proof.proof.len(),
        verify_ms,
        pk_bytes,
        vk_bytes,
        notes: format!(
            "scale 2^{}, 2^{} rows, {} products per row, range limbs of {} bits, {} layout",
            model.layout.scale_bits,
            model.k,
            model.shape.lanes,
            model.shape.limb_bits,
            if model.shape.general { "general" } else { "compact" }
        ),
    };
    Ok((ours, peer))
}
