//! `zkaccel compile | setup | prove | verify | demo`: an ONNX model to a
//! verified proof. Files in a model directory:
//!
//! - `compiled.json`: the quantized model with its weights (prover only),
//! - `settings.json`: what a verifier needs (no weights),
//! - `srs.bin`, `pk.bin`, `vk.bin`: the SRS and the keys,
//! - `proof.bin`, `public.json`: a proof and its public values,
//! - `manifest.json`: the hash of every file above but the proof's, which
//!   commands check before they trust a file (see [`zkml::ModelDir`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use zkaccel::Accelerator;
use zkaccel_zkml::{
    self as zkml, Access, CompileOptions, CompiledModel, ModelDir, PublicValues, Visibility, ZkmlError,
};

/// The SRS seed of `setup` without `--srs`: the SRS is reproducible and so
/// insecure, which is said wherever it is used.
const LOCAL_SRS_SEED: u64 = 0x7a6b_6163_6365_6c00;

fn spinner(message: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"));
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(100));
    bar
}

fn timed<T, E>(message: &str, f: impl FnOnce() -> Result<T, E>) -> Result<(T, Duration), E> {
    let bar = spinner(message);
    let start = Instant::now();
    let result = f();
    bar.finish_and_clear();
    result.map(|r| (r, start.elapsed()))
}

/// `compile`: lower, quantize, calibrate; write `compiled.json` and `settings.json`.
pub fn compile(
    model: &Path,
    calibration: &Path,
    dir: &Path,
    scale_bits: u32,
    visibility: Visibility,
    max_lanes: usize,
) -> Result<Arc<CompiledModel>, ZkmlError> {
    let onnx = zkml::read_bounded(model, zkml::MAX_ONNX_FILE)?;
    let samples = zkml::read_inputs(calibration)?;
    compile_program(&onnx, &samples, dir, CompileOptions { scale_bits, visibility, max_lanes })
}

fn compile_program(
    onnx: &[u8],
    samples: &[Vec<f64>],
    dir: &Path,
    options: CompileOptions,
) -> Result<Arc<CompiledModel>, ZkmlError> {
    let mut model_dir = ModelDir::open(dir, Access::Write)?;
    let (compiled, _) = timed("calibrating", || zkml::compile_onnx(onnx, samples, &options))?;
    model_dir.write_json(zkml::COMPILED, &compiled)?;
    model_dir.write_json(zkml::SETTINGS, &compiled.published_settings())?;
    // Keys of an earlier compile do not fit this one.
    model_dir.forget(&[zkml::SRS, zkml::PK, zkml::VK]);
    model_dir.commit()?;
    let p = &compiled.program;
    println!(
        "compiled: {} layers, {} parameters, {} multiply-adds; inputs {:?}, outputs {:?}",
        p.layers.len(),
        p.params.len(),
        p.num_terms(),
        p.input_shapes,
        p.output_shapes
    );
    for (i, layer) in p.layers.iter().enumerate() {
        println!("  layer {i}: {} → {} values, {:?}", layer.source, layer.neurons.len(), layer.activation);
    }
    println!(
        "circuit: 2^{} rows, {} products per row, scale 2^{}, range limbs of {} bits, {}, model {}",
        compiled.k,
        compiled.shape.lanes,
        compiled.layout.scale_bits,
        compiled.shape.limb_bits,
        describe_visibility(&compiled),
        if compiled.visibility.private_model { "private (Poseidon commitment public)" } else { "fixed in the circuit" },
    );
    let r = &compiled.report;
    println!(
        "calibration on {} inputs: max |quantized − float| = {:.6}, argmax agrees on {}/{}",
        r.samples, r.max_abs_error, r.argmax_agreement, r.samples
    );
    for t in &r.tables {
        println!(
            "  table {:?}: inputs in ±{} at steps of {}, max |table − f| = {:.6}",
            t.function, t.range, t.step, t.max_abs_error
        );
    }
    match &r.tract {
        Some(zkml::TractCheck::Ran { max_abs_error, argmax_agreement, lowering_difference }) => println!(
            "against tract's float inference of the file: max |quantized − tract| = {max_abs_error:.6}, argmax agrees on \
             {argmax_agreement}/{}; our float lowering within {lowering_difference:.2e} of tract",
            r.samples
        ),
        Some(zkml::TractCheck::NotCompared(reason)) => {
            println!("not checked against tract ({reason}); checked against our float lowering only")
        }
        None => {}
    }
    println!("wrote {}/compiled.json (prover) and settings.json (verifier)", dir.display());
    Ok(Arc::new(compiled))
}

/// `setup`: keys (and a local SRS unless one is given).
pub fn setup(dir: &Path, srs: Option<&Path>, accelerator: &Accelerator) -> Result<(), ZkmlError> {
    let mut model_dir = ModelDir::open(dir, Access::Write)?;
    let model: Arc<CompiledModel> = Arc::new(model_dir.compiled()?);
    let srs = match srs {
        Some(path) => zkml::read_srs(path)?,
        None => {
            eprintln!(
                "warning: no --srs given: generating a local SRS from a fixed seed; it is INSECURE (its trapdoor is \
                 reproducible), for tests and demos only"
            );
            timed("generating SRS", || Ok::<_, ZkmlError>(zkml::local_srs(model.k, LOCAL_SRS_SEED)))?.0
        }
    };
    let (keys, time) = timed("generating keys", || zkml::setup(&model, srs, accelerator))?;
    model_dir.write_srs(keys.params.srs())?;
    model_dir.write_pk(&keys.pk)?;
    model_dir.write_vk(keys.pk.get_vk())?;
    model_dir.commit()?;
    println!("setup: 2^{} rows, keys in {:.2} s; wrote srs.bin, pk.bin, vk.bin", model.k, time.as_secs_f64());
    Ok(())
}

/// `prove`: one input to a proof and its public values.
pub fn prove(
    dir: &Path,
    input: &Path,
    proof_path: &Path,
    public_path: &Path,
    accelerator: &Accelerator,
) -> Result<(), ZkmlError> {
    let model_dir = ModelDir::open(dir, Access::Write)?;
    let model: Arc<CompiledModel> = Arc::new(model_dir.compiled()?);
    let settings = model.settings();
    let sample = read_one_input(input)?;
    let (keys, _) = timed("loading keys", || {
        let params = model_dir.accelerated_srs(accelerator)?;
        let pk = model_dir.pk(&settings)?;
        Ok::<_, ZkmlError>(zkml::Keys { params, pk })
    })?;
    let (mut proof, time) = timed("proving", || zkml::prove(&model, &keys, &sample))?;
    // The proof first: public values left beside another proof by an
    // interrupted run name the proof they belong to, and are refused.
    zkml::write_file(proof_path, &proof.proof)?;
    proof.public.proof_digest = Some(zkml::digest_hex(&proof.proof));
    zkml::write_json(&proof.public, public_path)?;
    report_outputs(&proof);
    println!(
        "proved in {:.3} s ({} bytes, MSMs {:.0} ms on {}); wrote {} and {}",
        time.as_secs_f64(),
        proof.proof.len(),
        proof.stats.commits.msm_time.as_secs_f64() * 1e3,
        accelerator.backend_names().join(", "),
        proof_path.display(),
        public_path.display()
    );
    Ok(())
}

/// The one input in `path` (`{"input_data": [[...]]}`).
fn read_one_input(path: &Path) -> Result<Vec<f64>, ZkmlError> {
    let mut inputs = zkml::read_inputs(path)?;
    if inputs.len() != 1 {
        return Err(ZkmlError::Input(format!("{}: expected exactly one input, got {}", path.display(), inputs.len())));
    }
    Ok(inputs.remove(0))
}

fn report_outputs(proof: &zkml::ModelProof) {
    let quantized = proof.public.outputs_f64();
    let fmt = |v: &[f64]| v.iter().map(|x| format!("{x:.4}")).collect::<Vec<_>>().join(", ");
    println!("output (proved):  [{}]", fmt(&quantized));
    println!("output (float):   [{}]", fmt(&proof.float_outputs));
    println!(
        "argmax {} (float argmax {}), max |error| {:.6}",
        zkml::argmax(&quantized),
        zkml::argmax(&proof.float_outputs),
        proof.max_abs_error()
    );
}

/// `verify`: the stock halo2 verifier on a proof and its public values.
pub fn verify(dir: &Path, proof_path: &Path, public_path: &Path) -> Result<(), ZkmlError> {
    let model_dir = ModelDir::open(dir, Access::Read)?;
    let settings = model_dir.settings()?;
    let srs = model_dir.srs()?;
    let vk = model_dir.vk(&settings)?;
    let public: PublicValues = zkml::read_json(public_path)?;
    let proof = zkml::read_bounded(proof_path, zkml::MAX_TEXT_FILE)?;
    let start = Instant::now();
    zkml::verify(&settings, &srs, &vk, &public, &proof)?;
    let shown =
        |v: &Option<Vec<i64>>| v.as_ref().map_or("private".to_string(), |v| format!("{} values, public", v.len()));
    println!(
        "verified in {:.1} ms: input {}, model {}, output {} values (argmax {})",
        start.elapsed().as_secs_f64() * 1e3,
        shown(&public.inputs),
        public
            .model_commitment
            .as_ref()
            .map_or("fixed in the verifying key".to_string(), |c| format!("committed ({c})")),
        public.outputs.len(),
        zkml::argmax(&public.outputs_f64())
    );
    Ok(())
}

/// `demo`: compile → setup → prove → verify on the shipped digits model,
/// then shows that a changed output is rejected.
pub fn demo(dir: Option<PathBuf>, accelerator: &Accelerator) -> Result<(), ZkmlError> {
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join(format!("zkaccel-demo-{}", std::process::id())));
    std::fs::create_dir_all(&dir).map_err(ZkmlError::io(&dir))?;
    let input = dir.join("input.json");
    zkml::write_file(&input, zkml::shipped::INPUT_JSON.as_bytes())?;
    println!(
        "zkaccel demo: a digits classifier (ONNX MLP 64 → 16 ReLU → 10) proved on {}",
        accelerator.backend_names().join(", ")
    );
    println!("working directory {}", dir.display());
    println!("\n== compile");
    let samples = zkml::parse_inputs(zkml::shipped::CALIBRATION_JSON).map_err(ZkmlError::Input)?;
    compile_program(zkml::shipped::MODEL_ONNX, &samples, &dir, CompileOptions::default())?;
    println!("\n== setup");
    setup(&dir, None, accelerator)?;
    println!("\n== prove");
    let (proof, public) = (dir.join("proof.bin"), dir.join("public.json"));
    prove(&dir, &input, &proof, &public, accelerator)?;
    println!("\n== verify");
    verify(&dir, &proof, &public)?;
    println!("\n== verify a changed output (must fail)");
    let mut forged: PublicValues = zkml::read_json(&public)?;
    forged.outputs[0] += 1;
    let forged_path = dir.join("public-forged.json");
    zkml::write_json(&forged, &forged_path)?;
    match verify(&dir, &proof, &forged_path) {
        Err(ZkmlError::Verification(e)) => println!("rejected as it should be: {e}"),
        Err(e) => return Err(e),
        Ok(()) => return Err(ZkmlError::Verification("a changed output was accepted".into())),
    }
    Ok(())
}

/// `evm` without the feature: the EVM toolchain is not linked.
#[cfg(not(feature = "evm"))]
pub fn evm(_: &Path, _: Option<&Path>, _: &Accelerator) -> Result<(), Box<dyn std::error::Error>> {
    Err(crate::not_built("evm").into())
}

/// `evm`: the model's Solidity verifier (and, with an input, an EVM proof,
/// its calldata, and a run in an embedded EVM with its gas).
#[cfg(feature = "evm")]
pub fn evm(dir: &Path, input: Option<&Path>, accelerator: &Accelerator) -> Result<(), Box<dyn std::error::Error>> {
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    let model_dir = ModelDir::open(dir, Access::Write)?;
    let model: Arc<CompiledModel> = Arc::new(model_dir.compiled()?);
    let settings = model.settings();
    // The SRS on the Accelerator only when there is something to prove.
    let params = input.map(|_| model_dir.accelerated_srs(accelerator)).transpose()?;
    let checked_srs;
    let srs = match &params {
        Some(params) => params.verifier_srs(),
        None => {
            checked_srs = model_dir.srs()?;
            &checked_srs
        }
    };
    let pk = model_dir.pk(&settings)?;
    let num_instance = vec![settings.instance_layout().len()];
    let (contract, time) = timed("generating and compiling the verifier", || {
        zkaccel_evm::verifier_contract(srs, pk.get_vk(), num_instance)
    })?;
    let write = |name: &str, bytes: &[u8]| zkml::write_file(&dir.join(name), bytes);
    write("Verifier.sol", contract.solidity.as_bytes())?;
    write("verifier.bin", hex_string(&contract.deployment_code).as_bytes())?;
    println!(
        "verifier: {} bytes of Solidity, {} bytes of deployment code ({:.1} s, solc {}); wrote Verifier.sol, verifier.bin",
        contract.solidity.len(),
        contract.deployment_code.len(),
        time.as_secs_f64(),
        zkaccel_evm::solc_command().display()
    );
    let (Some(input), Some(params)) = (input, params) else { return Ok(()) };
    let sample = read_one_input(input)?;
    let (circuit, public) = zkml::witness(&model, &sample)?;
    let instance = public.instance(&settings)?;
    let instances = [instance.as_slice()];
    let (proof, time) = timed("proving (Keccak transcript)", || {
        zkaccel_evm::prove_evm(&params, &pk, &circuit, &instances, ChaCha20Rng::from_entropy())
    })?;
    zkaccel_evm::verify_evm_native(params.verifier_srs(), pk.get_vk(), &instances, &proof)?;
    let calldata = zkaccel_evm::calldata(&instances, &proof);
    write("calldata.bin", &calldata)?;
    zkml::write_json(&public, &dir.join("public-evm.json"))?;
    println!(
        "proved in {:.3} s; wrote calldata.bin ({} bytes) and public-evm.json",
        time.as_secs_f64(),
        calldata.len()
    );
    let run = zkaccel_evm::deploy_and_verify(&contract.deployment_code, &calldata)?;
    println!(
        "EVM (revm, mainnet rules): deployed {} bytes of runtime code for {} gas; verification accepted for {} gas",
        run.runtime_size, run.deployment_gas, run.verification_gas
    );
    let mut forged = instance.clone();
    let last = forged.len() - 1;
    forged[last] += zkml::halo2_axiom::halo2curves::bn256::Fr::one();
    match zkaccel_evm::deploy_and_verify(&contract.deployment_code, &zkaccel_evm::calldata(&[&forged], &proof)) {
        Err(zkaccel_evm::EvmError::Rejected(why)) => println!("a changed output is rejected by the contract ({why})"),
        other => return Err(format!("a changed output was not rejected: {other:?}").into()),
    }
    Ok(())
}

#[cfg(feature = "evm")]
fn hex_string(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// "input public", "input private", or which inputs and outputs are public.
fn describe_visibility(model: &CompiledModel) -> String {
    let p = &model.program;
    let v = model.visibility;
    let list = |n: usize, public: &dyn Fn(usize) -> bool| -> (usize, String) {
        let on: Vec<String> = (0..n).filter(|&i| public(i)).map(|i| i.to_string()).collect();
        (on.len(), on.join(","))
    };
    let (ins, in_list) = list(p.input_shapes.len(), &|i| v.input_is_public(i));
    let (outs, out_list) = list(p.output_shapes.len(), &|i| v.output_is_public(i));
    let inputs = match ins {
        0 => "input private".to_string(),
        n if n == p.input_shapes.len() => "input public".to_string(),
        _ => format!("inputs {in_list} public, the rest private"),
    };
    if outs == p.output_shapes.len() {
        inputs
    } else {
        format!("{inputs}, outputs {} public", if outs == 0 { "none".to_string() } else { out_list })
    }
}
