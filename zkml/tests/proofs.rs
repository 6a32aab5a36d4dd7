//! End to end: compile, setup, prove, verify; tampering is rejected.

mod common;

use std::sync::Arc;

use zkaccel_zkml::{compile, local_srs, onnx, prove, setup, verify, CompileOptions, Visibility, ZkmlError};

fn accelerator() -> zkaccel::Accelerator {
    zkaccel::Accelerator::cpu_only()
}

/// The shipped model compiled with `visibility` and set up (SRS seed 7).
fn shipped_with_keys(visibility: Visibility) -> (Arc<zkaccel_zkml::CompiledModel>, zkaccel_zkml::Keys) {
    let name = "digits_mlp";
    let program = onnx::load(&common::model_path(name)).unwrap();
    let options = CompileOptions { visibility, ..Default::default() };
    let model = Arc::new(compile(program, &common::inputs(name, "calibration"), &options).unwrap());
    let keys = setup(&model, local_srs(model.k, 7), &accelerator()).unwrap();
    (model, keys)
}

fn prove_and_check(name: &str, visibility: Visibility) {
    let program = onnx::load(&common::model_path(name)).unwrap();
    let calibration = common::inputs(name, "calibration");
    let options = CompileOptions { visibility, ..Default::default() };
    let model = Arc::new(compile(program, &calibration, &options).unwrap());
    eprintln!(
        "{name} {visibility:?}: k = {}, lanes = {}, layout {:?}, report {:?}",
        model.k, model.shape.lanes, model.layout, model.report
    );
    let acc = accelerator();
    let start = std::time::Instant::now();
    let keys = setup(&model, local_srs(model.k, 7), &acc).unwrap();
    eprintln!("setup {:?}", start.elapsed());
    let input = &common::inputs(name, "input")[0];
    let start = std::time::Instant::now();
    let proof = prove(&model, &keys, input).unwrap();
    eprintln!("prove {:?}", start.elapsed());
    let settings = model.published_settings();
    let vk = keys.pk.get_vk();
    verify(&settings, keys.params.verifier_srs(), vk, &proof.public, &proof.proof).unwrap();

    // What is public is exactly what the visibility says, and it is right:
    // the quantized input, the commitment to the quantized weights, and
    // outputs close to float inference.
    let expected_input: Vec<i64> = input.iter().map(|&x| zkaccel_zkml::quantize::quantize(x, 14)).collect();
    assert_eq!(proof.public.inputs, visibility.public_input.then_some(expected_input));
    assert_eq!(proof.public.model_commitment, visibility.private_model.then(|| zkaccel_zkml::model_commitment(&model)));
    let proved = proof.public.outputs_f64();
    for (a, b) in proved.iter().zip(&proof.float_outputs) {
        assert!((a - b).abs() < 0.02, "{name}: proved {a} vs float {b}");
    }
    let argmax = |v: &[f64]| (0..v.len()).max_by(|&i, &j| v[i].total_cmp(&v[j])).unwrap();
    assert_eq!(argmax(&proved), argmax(&proof.float_outputs));
    if let Some(commitment) = &proof.public.model_commitment {
        // Another commitment (other weights) is rejected.
        let mut public = proof.public.clone();
        let last = if commitment.ends_with('1') { '2' } else { '1' };
        public.model_commitment = Some(format!("{}{last}", &commitment[..commitment.len() - 1]));
        assert!(verify(&settings, keys.params.verifier_srs(), vk, &public, &proof.proof).is_err());
    }

    // A changed output, input or proof byte is rejected.
    let mut public = proof.public.clone();
    public.outputs[0] += 1;
    assert!(matches!(
        verify(&settings, keys.params.verifier_srs(), vk, &public, &proof.proof),
        Err(ZkmlError::Verification(_))
    ));
    if let Some(inputs) = &proof.public.inputs {
        let mut public = proof.public.clone();
        let mut changed = inputs.clone();
        changed[10] += 1;
        public.inputs = Some(changed);
        assert!(verify(&settings, keys.params.verifier_srs(), vk, &public, &proof.proof).is_err());
    }
    let mut bytes = proof.proof.clone();
    bytes[100] ^= 1;
    assert!(verify(&settings, keys.params.verifier_srs(), vk, &proof.public, &bytes).is_err());
}

// The four privacy cases on the shipped model.

#[test]
fn shipped_model_public_input_fixed_model() {
    prove_and_check("digits_mlp", Visibility::new(true, false));
}

#[test]
fn shipped_model_private_input_fixed_model() {
    prove_and_check("digits_mlp", Visibility::new(false, false));
}

#[test]
fn shipped_model_public_input_private_model() {
    prove_and_check("digits_mlp", Visibility::new(true, true));
}

#[test]
fn shipped_model_private_input_private_model() {
    prove_and_check("digits_mlp", Visibility::new(false, true));
}

// Two more models from scripts/zkml/make_models.py.

#[test]
fn conv_model_public_input_fixed_model() {
    prove_and_check("digits_conv", Visibility::new(true, false));
}

#[test]
fn conv_model_private_input_private_model() {
    prove_and_check("digits_conv", Visibility::new(false, true));
}

#[test]
fn sigmoid_model_public_input_fixed_model() {
    prove_and_check("digits_sigmoid", Visibility::new(true, false));
}

/// A private model's verifier holds the commitment its owner published
/// (`published_settings`), and the verifying key binds those settings: a
/// proof made with other weights — same circuit, same keys, since the
/// weights are advice — is refused against the published settings, and
/// settings with the other commitment (or none) do not match the key. Our
/// `prove` refuses to make it at all (its own check).
#[test]
fn a_private_model_proof_must_carry_the_published_commitment() {
    let name = "digits_mlp";
    let program = onnx::load(&common::model_path(name)).unwrap();
    let calibration = common::inputs(name, "calibration");
    let options = CompileOptions { visibility: Visibility::new(true, true), ..Default::default() };
    let honest = Arc::new(compile(program, &calibration, &options).unwrap());
    let mut other = (*honest).clone();
    other.params.params[0] += 1;
    let other = Arc::new(other);
    let keys = setup(&honest, local_srs(honest.k, 7), &accelerator()).unwrap();
    let input = &common::inputs(name, "input")[0];
    let (published, bare) = (honest.published_settings(), honest.settings());
    assert_eq!(published.model_commitment, Some(zkaccel_zkml::model_commitment(&honest)));
    assert_eq!(bare.model_commitment, None);
    let (srs, vk) = (keys.params.verifier_srs(), keys.pk.get_vk());
    let proof = prove(&honest, &keys, input).unwrap();
    verify(&published, srs, vk, &proof.public, &proof.proof).unwrap();
    match prove(&other, &keys, input) {
        Err(ZkmlError::Verification(m)) => assert!(m.contains("do not belong together"), "{m}"),
        other => panic!("a proof with weights other than the keys' was made: {other:?}"),
    }
    // The forgery, made past that check.
    let (circuit, forged_public) = zkaccel_zkml::witness(&other, input).unwrap();
    let instance = forged_public.instance(&other.published_settings()).unwrap();
    let rng = <rand_chacha::ChaCha20Rng as rand_core::SeedableRng>::seed_from_u64(3);
    let forged = zkaccel_frontend_halo2::prove(&keys.params, &keys.pk, &circuit, &[&instance], rng).unwrap();
    assert_ne!(forged_public.model_commitment, proof.public.model_commitment);
    match verify(&published, srs, vk, &forged_public, &forged) {
        Err(ZkmlError::Verification(m)) => assert!(m.contains("published"), "{m}"),
        other => panic!("a proof about other weights was not refused: {other:?}"),
    }
    for settings in [bare, other.published_settings()] {
        match verify(&settings, srs, vk, &forged_public, &forged) {
            Err(ZkmlError::Verification(m)) => assert!(m.contains("do not match the verifying key"), "{m}"),
            other => panic!("settings the key was not made for were accepted: {other:?}"),
        }
    }
    // Published settings survive their JSON round trip; a public model's have no commitment.
    let text = serde_json::to_string(&published).unwrap();
    assert_eq!(serde_json::from_str::<zkaccel_zkml::ModelSettings>(&text).unwrap(), published);
    let public_model = CompileOptions::default();
    let program = onnx::load(&common::model_path(name)).unwrap();
    assert_eq!(compile(program, &calibration, &public_model).unwrap().published_settings().model_commitment, None);
}

/// Settings and compiled models from files are checked before anything is
/// sized or indexed by them: each tampering is an error that says the file
/// is invalid, never a panic or an allocation abort; the honest ones pass,
/// and survive the JSON round trip through the checked readers.
#[test]
fn tampered_settings_and_compiled_models_are_refused() {
    use zkaccel_zkml::program::{Activation, Weight};
    use zkaccel_zkml::CompiledModel;
    let name = "digits_mlp";
    let program = onnx::load(&common::model_path(name)).unwrap();
    let model = compile(program, &common::inputs(name, "calibration"), &CompileOptions::default()).unwrap();
    model.check().unwrap();
    let dir = std::env::temp_dir().join(format!("zkaccel-tampered-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    zkaccel_zkml::write_json(&model, &dir.join("compiled.json")).unwrap();
    zkaccel_zkml::write_json(&model.published_settings(), &dir.join("settings.json")).unwrap();
    // Floats parse to the numbers written (serde_json's float_roundtrip).
    let read = zkaccel_zkml::read_compiled(&dir.join("compiled.json")).unwrap();
    assert!(read == model, "compiled.json round trip");
    assert!(zkaccel_zkml::read_settings(&dir.join("settings.json")).unwrap() == model.published_settings());

    type Tamper = fn(&mut CompiledModel);
    let tampered: [(&str, Tamper); 12] = [
        ("k = 40", |m| m.k = 40),
        ("a 2^70 table", |m| m.layout.hi_bits = 70),
        ("scale 2^60", |m| {
            m.layout.scale_bits = 60;
            m.shape.scale_bits = 60;
        }),
        ("3 lanes", |m| m.shape.lanes = 3),
        ("5-bit limbs at 2^14", |m| m.shape.limb_bits = 5),
        ("a 2^32 × 2^32 input", |m| m.program.input_shapes = vec![vec![1 << 32, 1 << 32]]),
        ("a 2^30-value output", |m| m.program.output_shapes = vec![vec![1 << 30]]),
        ("a parameter too few", |m| {
            m.params.params.pop();
        }),
        ("a term reading a later value", |m| m.program.layers[0].neurons[0].terms[0].0 = 1_000_000),
        ("a weight of no parameter", |m| m.program.layers[0].neurons[0].terms[0].1 = Weight::Param(u32::MAX)),
        ("a gather table that is not there", |m| m.program.layers[0].activation = Activation::Select { table: 3 }),
        ("an output that is never computed", |m| m.program.outputs[0] = u32::MAX),
    ];
    for (what, tamper) in tampered {
        let mut bad = model.clone();
        tamper(&mut bad);
        match bad.check() {
            Err(ZkmlError::Model(m)) => assert!(m.contains("invalid"), "{what}: {m}"),
            other => panic!("{what}: not refused: {other:?}"),
        }
        let path = dir.join("compiled.json");
        zkaccel_zkml::write_json(&bad, &path).unwrap();
        assert!(zkaccel_zkml::read_compiled(&path).is_err(), "{what}: read_compiled accepted it");
        let settings_path = dir.join("settings.json");
        zkaccel_zkml::write_json(&bad.settings(), &settings_path).unwrap();
        let settings_only = !what.contains("parameter")
            && !what.contains("term")
            && !what.contains("gather")
            && !what.contains("never computed");
        assert_eq!(zkaccel_zkml::read_settings(&settings_path).is_err(), settings_only, "{what}: settings");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The verifying key binds the settings a verifier reads: moving four input
/// values into the outputs (settings and public values edited together),
/// another scale, or another visibility makes settings the key was not made
/// for, refused before the proof is read; the honest ones verify. The key's
/// settings column holds the digest in row 0 and nothing else.
#[test]
fn settings_the_key_was_not_made_for_are_refused() {
    let name = "digits_mlp";
    let (model, keys) = shipped_with_keys(Visibility::default());
    let settings = model.published_settings();
    let column = &keys.pk.fixed_values()[zkaccel_zkml::circuit::settings_column(model.shape)];
    assert_eq!(column[0], settings.digest());
    assert!(column.iter().skip(1).all(|v| *v == Default::default()));
    let proof = prove(&model, &keys, &common::inputs(name, "input")[0]).unwrap();
    let (srs, vk) = (keys.params.verifier_srs(), keys.pk.get_vk());
    verify(&settings, srs, vk, &proof.public, &proof.proof).unwrap();

    // Four input values moved into the outputs: the same instance column.
    let mut moved = settings.clone();
    moved.input_shapes = vec![vec![1, 60]];
    moved.output_shapes = vec![vec![1, 14]];
    let mut public = proof.public.clone();
    let inputs = public.inputs.as_mut().unwrap();
    let tail = inputs.split_off(60);
    public.outputs = [tail, public.outputs.clone()].concat();
    assert_eq!(public.instance(&moved).unwrap(), proof.public.instance(&settings).unwrap());
    let mut rescaled = settings.clone();
    rescaled.layout.scale_bits += 1;
    rescaled.shape.scale_bits += 1;
    let mut hidden = settings.clone();
    hidden.visibility.public_input = false;
    for (what, edited, public) in [
        ("inputs moved to outputs", moved, public),
        ("scale", rescaled, proof.public.clone()),
        ("visibility", hidden, {
            let mut p = proof.public.clone();
            p.inputs = None;
            p
        }),
    ] {
        match verify(&edited, srs, vk, &public, &proof.proof) {
            Err(ZkmlError::Verification(m)) => assert!(m.contains("do not match the verifying key"), "{what}: {m}"),
            other => panic!("{what}: settings the key was not made for were accepted: {other:?}"),
        }
    }
}

/// A private model's commitment is salted: two compilations of the same
/// weights publish unrelated commitments (a guessed model cannot be tested
/// against one), each binding its own salt and weights; the salt is in no
/// file the verifier reads; a private model without one is refused.
#[test]
fn private_model_commitments_are_salted() {
    let name = "digits_mlp";
    let options = CompileOptions { visibility: Visibility::new(true, true), ..Default::default() };
    let calibration = common::inputs(name, "calibration");
    let compiled = || compile(onnx::load(&common::model_path(name)).unwrap(), &calibration, &options).unwrap();
    let (a, b) = (compiled(), compiled());
    assert_eq!(a.params, b.params);
    let (salt_a, salt_b) = (a.commitment_salt.clone().unwrap(), b.commitment_salt.clone().unwrap());
    assert_ne!(salt_a, salt_b);
    let (ca, cb) = (zkaccel_zkml::model_commitment(&a), zkaccel_zkml::model_commitment(&b));
    assert_ne!(ca, cb);
    let mut unsalted = a.clone();
    unsalted.commitment_salt = None;
    assert!(matches!(unsalted.check(), Err(ZkmlError::Model(m)) if m.contains("salt")));
    let mut other_weights = a.clone();
    other_weights.params.params[1] += 1;
    assert_ne!(zkaccel_zkml::model_commitment(&other_weights), ca);
    let settings = serde_json::to_string(&a.published_settings()).unwrap();
    assert!(settings.contains(&ca) && !settings.contains(&salt_a), "{settings}");
    let mut public_model =
        compile(onnx::load(&common::model_path(name)).unwrap(), &calibration, &Default::default()).unwrap();
    assert_eq!(public_model.commitment_salt, None);
    public_model.commitment_salt = Some(salt_a);
    assert!(public_model.check().is_err());
}

/// With the input and the model private, nothing a verifier reads holds an
/// input value, a weight or the commitment's salt: the published settings
/// and the public values (searched for each value's decimal, as a JSON
/// number or string), and the verifying key and the proof (searched for each
/// value's field encoding, both signs). Values below 256 are left out (their
/// encodings are mostly zero bytes and their decimals are everywhere), as
/// are values that are also public outputs.
#[test]
fn private_inputs_and_weights_appear_in_no_verifier_file() {
    use zkaccel_zkml::halo2_axiom::halo2curves::bn256::Fr;
    use zkaccel_zkml::halo2_axiom::halo2curves::ff::PrimeField;
    let name = "digits_mlp";
    let (model, keys) = shipped_with_keys(Visibility::new(false, true));
    let input = &common::inputs(name, "input")[0];
    let proof = prove(&model, &keys, input).unwrap();
    assert_eq!(proof.public.inputs, None);

    let mut vk = Vec::new();
    keys.pk.get_vk().write(&mut vk, zkaccel_zkml::halo2_axiom::SerdeFormat::RawBytes).unwrap();
    let texts = [
        ("settings.json", serde_json::to_string_pretty(&model.published_settings()).unwrap()),
        ("public.json", serde_json::to_string_pretty(&proof.public).unwrap()),
    ];
    let binaries = [("vk.bin", vk), ("proof.bin", proof.proof.clone())];
    let trace = model.run(input).unwrap();
    let outputs: std::collections::HashSet<i64> = proof.public.outputs.iter().copied().collect();
    let mut secrets: Vec<(String, i128)> = Vec::new();
    secrets.extend(trace.values[..model.program.num_inputs()].iter().map(|&v| ("input".to_string(), v as i128)));
    secrets.extend(model.params.params.iter().map(|&w| ("weight".to_string(), w as i128)));
    secrets.retain(|(_, v)| v.unsigned_abs() >= 256 && !outputs.contains(&(*v as i64)));
    let weights = secrets.iter().filter(|(what, _)| what == "weight").count();
    let inputs = secrets.len() - weights;
    assert!(weights > 500 && inputs > 10, "too few values to search: {weights} weights, {inputs} inputs");
    let salt = model.commitment_salt.clone().unwrap();

    /// Whether `text` holds `token` not inside a longer number.
    fn holds_number(text: &str, token: &str) -> bool {
        text.match_indices(token).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + token.len()..].chars().next();
            !before.is_some_and(|c| c.is_ascii_digit() || c == '-') && !after.is_some_and(|c| c.is_ascii_digit())
        })
    }
    for (file, text) in &texts {
        assert!(!text.contains(&salt), "{file} holds the commitment salt");
        for (what, v) in &secrets {
            assert!(!holds_number(text, &v.to_string()), "{file} holds {what} value {v}");
        }
    }
    let encoding = |v: i128| {
        let magnitude = Fr::from_u128(v.unsigned_abs());
        [magnitude.to_repr(), (-magnitude).to_repr()]
    };
    let salt_bytes = Fr::from_str_vartime(&salt).unwrap().to_repr();
    for (file, bytes) in &binaries {
        let holds = |pattern: &[u8]| bytes.windows(pattern.len()).any(|w| w == pattern);
        assert!(!holds(salt_bytes.as_ref()), "{file} holds the commitment salt");
        for (what, v) in &secrets {
            for form in encoding(*v) {
                assert!(!holds(form.as_ref()), "{file} holds {what} value {v}");
            }
        }
    }
}

/// A verifying key is exactly its bytes: with any one byte changed (every
/// position, one bit), or a byte more or less, it either does not parse or
/// verifies nothing; the honest key verifies the proof.
#[test]
fn every_changed_byte_of_the_verifying_key_is_refused() {
    let name = "digits_mlp";
    let (model, keys) = shipped_with_keys(Visibility::default());
    let proof = prove(&model, &keys, &common::inputs(name, "input")[0]).unwrap();
    let settings = model.published_settings();
    let mut bytes = Vec::new();
    keys.pk.get_vk().write(&mut bytes, zkaccel_zkml::halo2_axiom::SerdeFormat::RawBytes).unwrap();
    let path = std::path::Path::new("vk.bin");
    let accepts = |bytes: &[u8]| {
        zkaccel_zkml::parse_vk(path, bytes, &settings)
            .is_ok_and(|vk| verify(&settings, keys.params.verifier_srs(), &vk, &proof.public, &proof.proof).is_ok())
    };
    assert!(accepts(&bytes));
    let mut parsed = 0;
    for i in 0..bytes.len() {
        for bit in [0, 7] {
            let mut changed = bytes.clone();
            changed[i] ^= 1 << bit;
            parsed += usize::from(zkaccel_zkml::parse_vk(path, &changed, &settings).is_ok());
            assert!(!accepts(&changed), "byte {i} bit {bit} of {} changed, and the key still verifies", bytes.len());
        }
    }
    assert!(!accepts(&bytes[..bytes.len() - 1]) && !accepts(&[bytes.as_slice(), &[0]].concat()));
    // The first fixed commitment's y (after the 10-byte header and its x) moved off the curve.
    let mut off_curve = bytes.clone();
    off_curve[10 + 32] ^= 1;
    match zkaccel_zkml::parse_vk(path, &off_curve, &settings) {
        Err(e) => assert!(e.to_string().contains("not on the curve"), "{e}"),
        Ok(_) => panic!("a key with a commitment off the curve parsed"),
    }
    eprintln!("{} bytes, {parsed} of {} one-bit changes parse", bytes.len(), 2 * bytes.len());
}

/// `prove` checks its own proof: a public model whose weights changed after
/// setup (its keys fix the old ones) is an error that says the model and
/// the keys do not belong together, not a proof reported as made.
#[test]
fn a_model_changed_after_setup_does_not_prove() {
    let name = "digits_mlp";
    let (model, keys) = shipped_with_keys(Visibility::default());
    let input = &common::inputs(name, "input")[0];
    prove(&model, &keys, input).unwrap();
    let mut changed = (*model).clone();
    changed.params.params[3] += 1;
    match prove(&Arc::new(changed), &keys, input) {
        Err(ZkmlError::Verification(m)) => assert!(m.contains("do not belong together"), "{m}"),
        other => panic!("a model changed after setup proved: {other:?}"),
    }
}
