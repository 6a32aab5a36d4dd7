//! On-chain verification of halo2 proofs made with zkaccel.
//!
//! From a verifying key, [`verifier_contract`] writes a Solidity verifier
//! (snark-verifier's EVM loader, SHPLONK/KZG on BN254) and compiles it with
//! `solc`; [`prove_evm`] proves on the Accelerator with the Keccak transcript
//! that contract reads; [`deploy_and_verify`] deploys the contract in an
//! embedded EVM (revm) and sends it a proof, reporting code size and gas.
//!
//! `solc`: `$ZKACCEL_SOLC`, else the repository's solc-js wrapper
//! (`scripts/solc/solc`, installed by `scripts/install_solc.sh`), else `solc`
//! on `PATH`.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::rc::Rc;

use halo2_axiom::halo2curves::bn256::{Bn256, Fq, Fr, G1Affine};
use halo2_axiom::plonk::{verify_proof, Circuit, ProvingKey, VerifyingKey};
use halo2_axiom::poly::commitment::{Params, ParamsProver};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::VerifierSHPLONK;
use halo2_axiom::poly::kzg::strategy::SingleStrategy;
use halo2_axiom::transcript::{TranscriptReadBuffer, TranscriptWriterBuffer};
use rand_core::RngCore;
use revm::context::result::{ExecutionResult, Output};
use revm::context::TxEnv;
use revm::database::InMemoryDB;
use revm::primitives::TxKind;
use revm::{Context, ExecuteCommitEvm, MainBuilder, MainContext};
use snark_verifier::loader::evm::EvmLoader;
use snark_verifier::loader::native::NativeLoader;
use snark_verifier::pcs::kzg::{Bdfg21, KzgAs, KzgDecidingKey};
use snark_verifier::system::halo2::transcript::evm::EvmTranscript;
use snark_verifier::system::halo2::{compile, Config};
use snark_verifier::verifier::{plonk::PlonkVerifier, SnarkVerifier};
use zkaccel_frontend_halo2::{AcceleratedParams, Halo2Error};

/// SHPLONK (BDFG21) over KZG, the multi-open scheme zkaccel's prover uses.
type ShplonkVerifier = PlonkVerifier<KzgAs<Bn256, Bdfg21>>;

/// Why generating, compiling or running a verifier failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvmError {
    /// `solc` is missing or rejected the source.
    #[error("solc: {0}")]
    Solc(String),
    /// snark-verifier could not build the verifier for this key.
    #[error("verifier generation: {0}")]
    Generation(String),
    /// The contract could not be deployed (too large, out of gas).
    #[error("deployment failed: {0}")]
    Deployment(String),
    /// The verifier rejected the proof (the call reverted or halted).
    #[error("the verifier contract rejected the proof: {0}")]
    Rejected(String),
    /// Proving or native verification failed.
    #[error(transparent)]
    Halo2(#[from] Halo2Error),
}

/// A compiled verifier contract.
#[derive(Clone, Debug)]
pub struct VerifierContract {
    /// The Solidity source.
    pub solidity: String,
    /// Deployment bytecode.
    pub deployment_code: Vec<u8>,
    /// Instances per instance column the contract expects.
    pub num_instance: Vec<usize>,
}

/// The Solidity source of a verifier for `vk` with `num_instance` values
/// per instance column.
pub fn solidity_verifier(
    srs: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    num_instance: Vec<usize>,
) -> Result<String, EvmError> {
    if num_instance.len() != vk.cs().num_instance_columns() {
        return Err(EvmError::Generation(format!(
            "{} instance lengths for a circuit with {} instance columns",
            num_instance.len(),
            vk.cs().num_instance_columns()
        )));
    }
    let protocol = compile(srs, vk, Config::kzg().with_num_instance(num_instance.clone()));
    let deciding_key: KzgDecidingKey<Bn256> = (srs.get_g()[0], srs.g2(), srs.s_g2()).into();
    let loader = EvmLoader::new::<Fq, Fr>();
    let protocol = protocol.loaded(&loader);
    let mut transcript = EvmTranscript::<_, Rc<EvmLoader>, _, _>::new(&loader);
    let instances = transcript.load_instances(num_instance);
    let proof = ShplonkVerifier::read_proof(&deciding_key, &protocol, &instances, &mut transcript)
        .map_err(|e| EvmError::Generation(format!("{e:?}")))?;
    ShplonkVerifier::verify(&deciding_key, &protocol, &instances, &proof)
        .map_err(|e| EvmError::Generation(format!("{e:?}")))?;
    Ok(loader.solidity_code())
}

/// The `solc` this crate runs (see the crate docs).
pub fn solc_command() -> PathBuf {
    if let Some(path) = std::env::var_os("ZKACCEL_SOLC") {
        return PathBuf::from(path);
    }
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    if repo.join(".tools/solc/node_modules/solc").exists() {
        return repo.join("scripts/solc/solc");
    }
    PathBuf::from("solc")
}

/// Compiles Solidity to deployment bytecode with [`solc_command`]. The
/// optimizer stays off: snark-verifier's verifiers are inline assembly, and
/// with it solc 0.8.19 fails on them with "stack too deep".
pub fn compile_solidity(source: &str) -> Result<Vec<u8>, EvmError> {
    let solc = solc_command();
    let mut child = Command::new(&solc)
        .args(["--bin", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            EvmError::Solc(format!(
                "cannot run {} ({e}); run scripts/install_solc.sh or set ZKACCEL_SOLC",
                solc.display()
            ))
        })?;
    let mut stdin = child.stdin.take().ok_or_else(|| EvmError::Solc("no stdin".into()))?;
    stdin.write_all(source.as_bytes()).map_err(|e| EvmError::Solc(e.to_string()))?;
    drop(stdin);
    let out = child.wait_with_output().map_err(|e| EvmError::Solc(e.to_string()))?;
    if !out.status.success() {
        return Err(EvmError::Solc(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    // The last "Binary:" section (snark-verifier emits one contract).
    let hex_code = text
        .rsplit_once("Binary:")
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .ok_or_else(|| EvmError::Solc(format!("no bytecode in solc's output: {}", text.trim())))?;
    hex::decode(hex_code).map_err(|e| EvmError::Solc(format!("bytecode is not hex: {e}")))
}

/// [`solidity_verifier`] compiled.
pub fn verifier_contract(
    srs: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    num_instance: Vec<usize>,
) -> Result<VerifierContract, EvmError> {
    let solidity = solidity_verifier(srs, vk, num_instance.clone())?;
    let deployment_code = compile_solidity(&solidity)?;
    Ok(VerifierContract { solidity, deployment_code, num_instance })
}

/// A proof of `circuit` with public `instances` (`instances[column][row]`),
/// made on the Accelerator `params` hold with the Keccak transcript the
/// verifier contract reads.
pub fn prove_evm<C: Circuit<Fr>>(
    params: &AcceleratedParams,
    pk: &ProvingKey<G1Affine>,
    circuit: &C,
    instances: &[&[Fr]],
    rng: impl RngCore,
) -> Result<Vec<u8>, EvmError> {
    let mut transcript =
        <EvmTranscript<G1Affine, NativeLoader, Vec<u8>, Vec<u8>> as TranscriptWriterBuffer<_, _, _>>::init(Vec::new());
    zkaccel_frontend_halo2::prove_into_transcript(params, pk, circuit, instances, rng, &mut transcript)?;
    Ok(transcript.finalize())
}

/// Checks an EVM-transcript proof with the stock halo2 verifier (off chain).
pub fn verify_evm_native(
    srs: &ParamsKZG<Bn256>,
    vk: &VerifyingKey<G1Affine>,
    instances: &[&[Fr]],
    proof: &[u8],
) -> Result<(), EvmError> {
    zkaccel_frontend_halo2::check_instances(srs.k(), vk, instances)?;
    let mut unread = proof;
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        srs,
        vk,
        SingleStrategy::new(srs),
        &[instances],
        &mut <EvmTranscript<G1Affine, NativeLoader, _, Vec<u8>> as TranscriptReadBuffer<_, _, _>>::init(&mut unread),
    )
    .map_err(|e| EvmError::Halo2(Halo2Error::Plonk(e)))?;
    Ok(zkaccel_frontend_halo2::reject_trailing_bytes(unread)?)
}

/// The verifier's calldata: every instance as a 32-byte big-endian word, then the proof.
pub fn calldata(instances: &[&[Fr]], proof: &[u8]) -> Vec<u8> {
    let columns: Vec<Vec<Fr>> = instances.iter().map(|column| column.to_vec()).collect();
    snark_verifier::loader::evm::encode_calldata(&columns, proof)
}

/// What a deployment and one verification cost in the EVM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvmRun {
    /// Bytes of deployment code.
    pub deployment_size: usize,
    /// Bytes of runtime code (EIP-170 limits it to 24 576).
    pub runtime_size: usize,
    /// Gas of the deployment transaction.
    pub deployment_gas: u64,
    /// Gas of the verification transaction (intrinsic and calldata costs included).
    pub verification_gas: u64,
}

/// Deploys `deployment_code` in a fresh in-memory EVM (mainnet rules) and
/// calls it with `calldata`. A reverted or halted call is [`EvmError::Rejected`].
pub fn deploy_and_verify(deployment_code: &[u8], calldata: &[u8]) -> Result<EvmRun, EvmError> {
    let mut evm = Context::mainnet().with_db(InMemoryDB::default()).build_mainnet();
    let deploy = TxEnv {
        gas_limit: 30_000_000,
        kind: TxKind::Create,
        data: deployment_code.to_vec().into(),
        ..Default::default()
    };
    let result = evm.transact_commit(deploy).map_err(|e| EvmError::Deployment(format!("{e:?}")))?;
    let (contract, runtime_size, deployment_gas) = match result {
        ExecutionResult::Success { output: Output::Create(code, Some(address)), gas_used, .. } => {
            (address, code.len(), gas_used)
        }
        ExecutionResult::Halt { reason: revm::context::result::HaltReason::CreateContractSizeLimit, .. } => {
            return Err(EvmError::Deployment(format!(
                "the verifier's runtime code is beyond EIP-170's 24 576 bytes (deployment code {} bytes); \
                 fewer instances (a private input) or fewer columns (compile with --max-lanes 1) make it smaller",
                deployment_code.len()
            )))
        }
        other => return Err(EvmError::Deployment(describe(&other))),
    };
    let call = TxEnv {
        gas_limit: 30_000_000,
        kind: TxKind::Call(contract),
        data: calldata.to_vec().into(),
        nonce: 1,
        ..Default::default()
    };
    let result = evm.transact_commit(call).map_err(|e| EvmError::Rejected(format!("{e:?}")))?;
    match result {
        ExecutionResult::Success { gas_used, .. } => Ok(EvmRun {
            deployment_size: deployment_code.len(),
            runtime_size,
            deployment_gas,
            verification_gas: gas_used,
        }),
        other => Err(EvmError::Rejected(describe(&other))),
    }
}

fn describe(result: &ExecutionResult) -> String {
    match result {
        ExecutionResult::Success { gas_used, .. } => format!("succeeded without a contract ({gas_used} gas)"),
        ExecutionResult::Revert { gas_used, .. } => format!("reverted after {gas_used} gas"),
        ExecutionResult::Halt { reason, gas_used } => format!("halted ({reason:?}) after {gas_used} gas"),
    }
}
