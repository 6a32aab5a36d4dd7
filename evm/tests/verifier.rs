//! Verifier contracts accept proofs made on the Accelerator and reject
//! tampered ones, in revm.

use std::sync::Arc;

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::plonk::Circuit;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkaccel_evm::{calldata, deploy_and_verify, prove_evm, verifier_contract, verify_evm_native, EvmError};
use zkaccel_frontend_halo2::examples::FibonacciCircuit;
use zkaccel_frontend_halo2::{keygen, AcceleratedParams};

/// Deploys and verifies (an error is returned as it is), then checks that a
/// changed instance and a flipped proof byte revert; returns the gas.
fn check_on_chain(
    name: &str,
    contract: &zkaccel_evm::VerifierContract,
    instances: &[&[Fr]],
    proof: &[u8],
) -> Result<u64, EvmError> {
    let run = deploy_and_verify(&contract.deployment_code, &calldata(instances, proof))?;
    eprintln!(
        "{name}: deployment {} bytes (runtime {} bytes, {} gas), verification {} gas",
        run.deployment_size, run.runtime_size, run.deployment_gas, run.verification_gas
    );
    assert!(run.runtime_size <= 24_576, "{name}: runtime code beyond EIP-170");

    // A changed instance and a flipped proof byte revert.
    let mut wrong: Vec<Vec<Fr>> = instances.iter().map(|column| column.to_vec()).collect();
    wrong[0][0] += Fr::one();
    let wrong: Vec<&[Fr]> = wrong.iter().map(Vec::as_slice).collect();
    assert!(matches!(
        deploy_and_verify(&contract.deployment_code, &calldata(&wrong, proof)),
        Err(EvmError::Rejected(_))
    ));
    let mut bad = proof.to_vec();
    bad[proof.len() / 2] ^= 1;
    assert!(matches!(
        deploy_and_verify(&contract.deployment_code, &calldata(instances, &bad)),
        Err(EvmError::Rejected(_))
    ));
    Ok(run.verification_gas)
}

#[test]
fn fibonacci_verifier_contract() {
    let accelerator = zkaccel::Accelerator::cpu_only();
    let circuit = FibonacciCircuit::new(50);
    let srs = halo2_axiom::poly::kzg::commitment::ParamsKZG::setup(8, ChaCha20Rng::seed_from_u64(1));
    let params = AcceleratedParams::new(srs, &accelerator).unwrap();
    let pk = keygen(&params, &circuit.without_witnesses()).unwrap();
    let public = circuit.public_inputs();
    let instances = [public.as_slice()];
    let contract = verifier_contract(params.verifier_srs(), pk.get_vk(), vec![instances[0].len()]).unwrap();
    assert!(contract.solidity.contains("contract"));
    let proof = prove_evm(&params, &pk, &circuit, &instances, ChaCha20Rng::seed_from_u64(2)).unwrap();
    verify_evm_native(params.verifier_srs(), pk.get_vk(), &instances, &proof).unwrap();
    let longer = [proof.as_slice(), &[0]].concat();
    assert!(
        verify_evm_native(params.verifier_srs(), pk.get_vk(), &instances, &longer).is_err(),
        "a trailing byte accepted"
    );
    check_on_chain("fibonacci", &contract, &instances, &proof).unwrap();
}

/// The on-chain issue's target for the shipped model's verification.
const GAS_TARGET: u64 = 350_000;

/// The shipped model with a private input (its 10 outputs public), compiled
/// with one product per row: within EIP-170 and the gas target.
#[test]
fn shipped_zkml_model_verifier_contract() {
    let gas = shipped_model(zkaccel_zkml::Visibility::new(false, false)).unwrap();
    assert!(gas <= GAS_TARGET, "verification costs {gas} gas, the target is {GAS_TARGET}");
}

/// With its 64 inputs public too (74 instances) the verifier still fits
/// EIP-170 and accepts the proof; each instance costs calldata and a
/// Lagrange term, so the gas is above the private-input figure.
#[test]
fn shipped_zkml_model_with_public_input_verifier_contract() {
    let gas = shipped_model(zkaccel_zkml::Visibility::new(true, false)).unwrap();
    assert!(gas > 0);
}

/// Runtime code beyond EIP-170 is a clear deployment error, not a panic:
/// init code that returns 24 577 zero bytes.
#[test]
fn runtime_code_beyond_eip170_is_a_deployment_error() {
    // PUSH2 0x6001 (size), PUSH1 0 (offset), RETURN.
    let init = [0x61, 0x60, 0x01, 0x60, 0x00, 0xf3];
    match zkaccel_evm::deploy_and_verify(&init, &[]) {
        Err(EvmError::Deployment(msg)) => assert!(msg.contains("EIP-170"), "{msg}"),
        other => panic!("expected a deployment error, got {other:?}"),
    }
}

fn shipped_model(visibility: zkaccel_zkml::Visibility) -> Result<u64, EvmError> {
    use zkaccel_zkml as zkml;
    let accelerator = zkaccel::Accelerator::cpu_only();
    let program = zkml::onnx::load_bytes(zkml::shipped::MODEL_ONNX).unwrap();
    let calibration = zkml::parse_inputs(zkml::shipped::CALIBRATION_JSON).unwrap();
    let input = zkml::parse_inputs(zkml::shipped::INPUT_JSON).unwrap().remove(0);
    let options = zkml::CompileOptions { visibility, max_lanes: 1, ..Default::default() };
    let model = Arc::new(zkml::compile(program, &calibration, &options).unwrap());
    let keys = zkml::setup(&model, zkml::local_srs(model.k, 3), &accelerator).unwrap();
    let (circuit, public) = zkml::witness(&model, &input).unwrap();
    let instance = public.instance(&model.settings()).unwrap();
    let instances = [instance.as_slice()];
    let contract = verifier_contract(keys.params.verifier_srs(), keys.pk.get_vk(), vec![instances[0].len()]).unwrap();
    eprintln!(
        "{visibility:?}: {} instances, deployment code {} bytes",
        instances[0].len(),
        contract.deployment_code.len()
    );
    let proof = prove_evm(&keys.params, &keys.pk, &circuit, &instances, ChaCha20Rng::seed_from_u64(4)).unwrap();
    verify_evm_native(keys.params.verifier_srs(), keys.pk.get_vk(), &instances, &proof).unwrap();
    check_on_chain(&format!("digits_mlp {visibility:?}"), &contract, &instances, &proof)
}

/// With the input and the model private, the Solidity verifier and the
/// calldata hold no input value, weight or salt: the contract searched for
/// each value's 32-byte hex form (both signs), the calldata
/// for their 32-byte big-endian encodings. Values below 256 are left out
/// (their forms are mostly zeros), as are those that are public outputs.
#[test]
fn a_private_model_verifier_and_calldata_hold_no_private_value() {
    use halo2_axiom::halo2curves::ff::PrimeField;
    use zkaccel_zkml as zkml;
    let accelerator = zkaccel::Accelerator::cpu_only();
    let program = zkml::onnx::load_bytes(zkml::shipped::MODEL_ONNX).unwrap();
    let calibration = zkml::parse_inputs(zkml::shipped::CALIBRATION_JSON).unwrap();
    let input = zkml::parse_inputs(zkml::shipped::INPUT_JSON).unwrap().remove(0);
    let options = zkml::CompileOptions { visibility: zkml::Visibility::new(false, true), ..Default::default() };
    let model = Arc::new(zkml::compile(program, &calibration, &options).unwrap());
    let keys = zkml::setup(&model, zkml::local_srs(model.k, 3), &accelerator).unwrap();
    let (circuit, public) = zkml::witness(&model, &input).unwrap();
    let instance = public.instance(&model.published_settings()).unwrap();
    let instances = [instance.as_slice()];
    let contract = verifier_contract(keys.params.verifier_srs(), keys.pk.get_vk(), vec![instance.len()]).unwrap();
    let proof = prove_evm(&keys.params, &keys.pk, &circuit, &instances, ChaCha20Rng::seed_from_u64(4)).unwrap();
    verify_evm_native(keys.params.verifier_srs(), keys.pk.get_vk(), &instances, &proof).unwrap();
    let calldata = calldata(&instances, &proof);

    let trace = model.run(&input).unwrap();
    let mut secrets: Vec<i128> = trace.values[..model.program.num_inputs()].iter().map(|&v| v as i128).collect();
    secrets.extend(model.params.params.iter().map(|&w| w as i128));
    secrets.retain(|v| v.unsigned_abs() >= 256 && !public.outputs.contains(&(*v as i64)));
    assert!(secrets.len() > 500, "{} values to search", secrets.len());
    let salt = Fr::from_str_vartime(model.commitment_salt.as_deref().unwrap()).unwrap();
    let forms = |f: Fr| {
        let mut big_endian = f.to_repr();
        big_endian.as_mut().reverse();
        big_endian
    };
    let mut encodings: Vec<(String, [u8; 32])> = vec![("the salt".into(), forms(salt))];
    for &v in &secrets {
        let magnitude = Fr::from_u128(v.unsigned_abs());
        encodings.push((format!("{v}"), forms(magnitude)));
        encodings.push((format!("{v}"), forms(-magnitude)));
    }
    // snark-verifier writes the key's points and the field constants as
    // 0x-prefixed 32-byte hex (its short hex and decimals are memory offsets).
    let solidity = contract.solidity.to_lowercase();
    let full_width = solidity
        .match_indices("0x")
        .filter(|(at, _)| solidity[at + 2..].chars().take_while(char::is_ascii_hexdigit).count() == 64)
        .count();
    assert!(full_width > 20, "{full_width} 32-byte constants in the verifier");
    for (what, bytes) in &encodings {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!solidity.contains(&hex), "the verifier holds {what}");
        assert!(!calldata.windows(32).any(|w| w == bytes), "the calldata holds {what}");
    }
}
