//! Groth16 proofs made on the Accelerator, checked by stock ark-groth16.

use std::sync::Arc;

use ark_bn254::{Bn254, Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
use ark_ff::UniformRand;
use ark_groth16::{Groth16, Proof, ProvingKey, VerifyingKey};
use ark_relations::r1cs::ConstraintSynthesizer;
use ark_snark::SNARK;
use ark_std::rand::rngs::StdRng;
use ark_std::rand::SeedableRng;
use zkaccel::{Accelerator, HeldBackend};
use zkaccel_core::testing::FailingBackend;
use zkaccel_frontend_arkworks::examples::{DenseRelu, MimcChain, RangeChecks};
use zkaccel_frontend_arkworks::{prove, AcceleratedProvingKey, ArkAccelerated, Groth16Error};

fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

fn setup<C: ConstraintSynthesizer<Fr>>(circuit: C, seed: u64) -> (ProvingKey<Bn254>, VerifyingKey<Bn254>) {
    Groth16::<Bn254>::circuit_specific_setup(circuit, &mut rng(seed)).expect("stock setup")
}

fn stock_verifies(vk: &VerifyingKey<Bn254>, public: &[Fr], proof: &Proof<Bn254>) -> bool {
    Groth16::<Bn254>::verify(vk, public, proof).expect("well-formed verification input")
}

/// The proof verifies with the stock verifier; a changed public input and
/// each corrupted proof element are rejected.
fn check_proof(vk: &VerifyingKey<Bn254>, public: &[Fr], proof: &Proof<Bn254>, what: &str) {
    assert!(stock_verifies(vk, public, proof), "{what}: stock verifier rejected the proof");
    let mut wrong = public.to_vec();
    wrong[0] += Fr::from(1u64);
    assert!(!stock_verifies(vk, &wrong, proof), "{what}: changed public input accepted");
    let g1 = G1Projective::generator();
    let tampered = [
        Proof { a: (proof.a + g1).into_affine(), ..proof.clone() },
        Proof { b: (proof.b.into_group() + proof.b.into_group()).into_affine(), ..proof.clone() },
        Proof { c: (-proof.c.into_group()).into_affine(), ..proof.clone() },
    ];
    for (i, bad) in tampered.iter().enumerate() {
        assert!(!stock_verifies(vk, public, bad), "{what}: corrupted element {i} accepted");
    }
}

fn check_circuit<C: ConstraintSynthesizer<Fr> + Clone>(circuit: C, public: Vec<Fr>, acc: &Accelerator, what: &str) {
    let (pk, vk) = setup(circuit.clone(), 1);
    let proof = prove(&pk, circuit.clone(), &mut rng(2), acc).expect("proof");
    check_proof(&vk, &public, &proof, what);
    let resident = AcceleratedProvingKey::new(pk, acc).expect("queries go on the accelerator");
    assert!(resident.resident_bytes() > 0);
    let (proof, breakdown) = resident.prove_with_breakdown(circuit, &mut rng(3)).expect("proof");
    check_proof(&vk, &public, &proof, &format!("{what} (resident key)"));
    assert!(breakdown.total >= breakdown.msm_a + breakdown.msm_c);
}

#[test]
fn mimc_chain_at_several_sizes() {
    let acc = Accelerator::cpu_only();
    for constraints in [2, 1 << 8, 1 << 12] {
        let circuit = MimcChain::with_constraints(constraints);
        let public = circuit.public_inputs();
        check_circuit(circuit, public, &acc, &format!("mimc {constraints}"));
    }
}

#[test]
fn mimc_chain_2_pow_16_constraints() {
    let circuit = MimcChain::with_constraints(1 << 16);
    let public = circuit.public_inputs();
    check_circuit(circuit, public, &Accelerator::cpu_only(), "mimc 2^16");
}

#[test]
fn range_checks() {
    let acc = Accelerator::cpu_only();
    for constraints in [100, 1 << 12] {
        let circuit = RangeChecks::with_constraints(constraints);
        let public = circuit.public_inputs();
        check_circuit(circuit, public, &acc, &format!("range {constraints}"));
    }
}

#[test]
fn quantized_dense_layer_with_relu() {
    let acc = Accelerator::cpu_only();
    // Hand-checked: y = [1·3 + 2·(−4) + 1, −1·3 + 0 + 10] = [−4, 7] → z = [0, 7].
    let small = DenseRelu::new(vec![3, -4], vec![vec![1, 2], vec![-1, 0]], vec![1, 10], 8);
    assert_eq!(small.public_inputs(), vec![Fr::from(0u64), Fr::from(7u64)]);
    check_circuit(small.clone(), small.public_inputs(), &acc, "dense 2x2");
    let layer = DenseRelu::with_outputs(64);
    let public = layer.public_inputs();
    assert!(public.iter().any(|z| *z == Fr::from(0u64)), "some neurons are cut by the ReLU");
    check_circuit(layer, public, &acc, "dense 64x64");
}

#[test]
fn unsatisfied_circuit_is_an_error() {
    let honest = RangeChecks::new(vec![5, 200], 8);
    let (pk, _) = setup(honest, 4);
    // 300 needs 9 bits: the recomposition constraint of the second value fails.
    let cheating = RangeChecks::new(vec![5, 300], 8);
    match prove(&pk, cheating, &mut rng(5), &Accelerator::cpu_only()) {
        Err(Groth16Error::Unsatisfied(row)) => assert!(row > 0),
        other => panic!("expected Unsatisfied, got {other:?}"),
    }
}

/// An `AcceleratedProvingKey` keeps its circuit's matrices from the first
/// proof and later synthesizes only the assignment: a second witness still
/// proves its own statement, an unsatisfying one is still an error, and a
/// circuit of another shape is a key mismatch.
#[test]
fn resident_key_reuses_its_matrices_for_new_witnesses() {
    let acc = Accelerator::cpu_only();
    let first = RangeChecks::new(vec![5, 200], 8);
    let (pk, vk) = setup(first.clone(), 8);
    let resident = AcceleratedProvingKey::new(pk, &acc).expect("queries go on the accelerator");
    let proof = resident.prove(first.clone(), &mut rng(9)).expect("proof");
    check_proof(&vk, &first.public_inputs(), &proof, "first witness");
    let second = RangeChecks::new(vec![77, 3], 8);
    assert_ne!(second.public_inputs(), first.public_inputs());
    let proof = resident.prove(second.clone(), &mut rng(10)).expect("proof");
    check_proof(&vk, &second.public_inputs(), &proof, "second witness, kept matrices");
    match resident.prove(RangeChecks::new(vec![5, 300], 8), &mut rng(11)) {
        Err(Groth16Error::Unsatisfied(row)) => assert!(row > 0),
        other => panic!("expected Unsatisfied, got {other:?}"),
    }
    let err = resident.prove(RangeChecks::new(vec![5, 200, 9], 8), &mut rng(12)).unwrap_err();
    assert!(matches!(err, Groth16Error::KeyMismatch(_)), "{err}");
}

#[test]
fn key_for_another_circuit_is_an_error() {
    let (pk, _) = setup(MimcChain::with_constraints(64), 6);
    let other = MimcChain::with_constraints(512);
    let err = prove(&pk, other, &mut rng(7), &Accelerator::cpu_only()).unwrap_err();
    assert!(matches!(err, Groth16Error::KeyMismatch(_)), "{err}");
}

/// Every NTT and MSM fails on a device first and is redone on the CPU: the
/// proofs still verify.
#[test]
fn fallback_path_gives_valid_proofs() {
    let device = Arc::new(FailingBackend::device_failure());
    let acc = Accelerator::with_devices(vec![HeldBackend::every(device.clone())]);
    let circuit = DenseRelu::with_outputs(8);
    let public = circuit.public_inputs();
    check_circuit(circuit, public, &acc, "dense through a failing device");
    assert!(device.calls() > 0);
    assert_eq!(acc.fallback_count(), device.calls() as u64);
}

#[test]
fn msm_entry_points_match_arkworks() {
    let acc = Accelerator::cpu_only();
    let mut r = rng(8);
    let g = G1Projective::generator();
    let mut bases: Vec<G1Affine> = (0..300).map(|_| (g * Fr::rand(&mut r)).into_affine()).collect();
    bases[7] = G1Affine::identity();
    let scalars: Vec<Fr> = (0..300).map(|_| Fr::rand(&mut r)).collect();
    let expected = G1Projective::msm(&bases, &scalars).unwrap();
    assert_eq!(acc.msm_ark(&bases, &scalars).unwrap(), expected);
    let prepared = acc.prepare_ark_bases(&bases).unwrap();
    assert_eq!(acc.msm_prepared_ark(&prepared, &scalars).unwrap(), expected);
    assert_eq!(
        acc.msm_prepared_ark(&prepared, &scalars[..100]).unwrap(),
        G1Projective::msm(&bases[..100], &scalars[..100]).unwrap()
    );
    assert!(acc.msm_ark(&bases, &scalars[..10]).is_err());
    let off_curve = G1Affine::new_unchecked(bases[0].x, bases[0].x);
    assert!(acc.msm_ark(&[off_curve], &scalars[..1]).is_err());
}

#[test]
fn range_checks_and_dense_layer_at_2_pow_16_constraints() {
    let acc = Accelerator::cpu_only();
    let range = RangeChecks::with_constraints(1 << 16);
    let public = range.public_inputs();
    check_circuit(range, public, &acc, "range 2^16");
    // 1261 neurons of 52 constraints: just over 2^16.
    let dense = DenseRelu::with_outputs((1 << 16) / 52 + 1);
    let public = dense.public_inputs();
    check_circuit(dense, public, &acc, "dense 2^16");
}
