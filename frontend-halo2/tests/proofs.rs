//! Proofs made through the Accelerator, checked by the stock halo2 verifier.

use std::sync::Arc;
use std::time::Duration;

use halo2_axiom::halo2curves::bn256::{Bn256, Fr, G1Affine};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::plonk::{create_proof, keygen_pk, keygen_vk, verify_proof, Circuit, ProvingKey};
use halo2_axiom::poly::commitment::{Params, ParamsProver};
use halo2_axiom::poly::kzg::commitment::{KZGCommitmentScheme, ParamsKZG};
use halo2_axiom::poly::kzg::multiopen::{ProverSHPLONK, VerifierSHPLONK};
use halo2_axiom::poly::kzg::strategy::SingleStrategy;
use halo2_axiom::transcript::{Blake2bRead, Blake2bWrite, Challenge255, TranscriptReadBuffer, TranscriptWriterBuffer};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkaccel::{Accelerator, BackendChoice, HeldBackend};
use zkaccel_core::testing::FailingBackend;
use zkaccel_frontend_halo2::examples::{min_k, DotProductCircuit, FibonacciCircuit, RandomLinearCombinationCircuit};
use zkaccel_frontend_halo2::prover::QuotientProgram;
use zkaccel_frontend_halo2::{keygen, prove, prove_with_stats, verify, AcceleratedParams, Halo2Error};

fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

fn srs(k: u32) -> ParamsKZG<Bn256> {
    ParamsKZG::setup(k, rng(1000 + u64::from(k)))
}

/// Stock `create_proof` with the stock KZG scheme and SHPLONK.
fn stock_proof<C: Circuit<Fr>>(
    srs: &ParamsKZG<Bn256>,
    pk: &ProvingKey<G1Affine>,
    circuits: &[C],
    instances: &[&[&[Fr]]],
    seed: u64,
) -> Vec<u8> {
    let mut transcript = Blake2bWrite::<_, G1Affine, Challenge255<_>>::init(vec![]);
    create_proof::<KZGCommitmentScheme<Bn256>, ProverSHPLONK<'_, Bn256>, _, _, _, _>(
        srs,
        pk,
        circuits,
        instances,
        rng(seed),
        &mut transcript,
    )
    .expect("stock prover");
    transcript.finalize()
}

/// Stock `verify_proof` with `VerifierSHPLONK`, called directly.
fn stock_verifies(srs: &ParamsKZG<Bn256>, pk: &ProvingKey<G1Affine>, instances: &[&[&[Fr]]], proof: &[u8]) -> bool {
    let mut transcript = Blake2bRead::<_, G1Affine, Challenge255<_>>::init(proof);
    verify_proof::<KZGCommitmentScheme<Bn256>, VerifierSHPLONK<'_, Bn256>, _, _, _>(
        srs,
        pk.get_vk(),
        SingleStrategy::new(srs),
        instances,
        &mut transcript,
    )
    .is_ok()
}

/// Everything asked of one circuit: the verifying key equals stock keygen's;
/// the proof through the Accelerator is accepted by the stock verifier (as
/// is the stock prover's, for the same key); a changed instance and flipped
/// proof bytes are rejected.
///
/// Proofs are not compared byte for byte here:
/// `transcripts_equal_stock_until_its_own_randomness` shows how far they can be.
fn check_circuit<C: Circuit<Fr> + Clone>(k: u32, circuit: C, instance: Vec<Vec<Fr>>, accelerator: &Accelerator) {
    let srs = srs(k);
    let params = AcceleratedParams::new(srs.clone(), accelerator).expect("bases go on the accelerator");
    let pk = keygen(&params, &circuit.without_witnesses()).expect("keygen");
    let stock_vk = keygen_vk(&srs, &circuit.without_witnesses()).expect("stock keygen");
    assert_eq!(pk.get_vk().transcript_repr(), stock_vk.transcript_repr(), "k = {k}: verifying keys differ");

    let columns: Vec<&[Fr]> = instance.iter().map(Vec::as_slice).collect();
    let instances = [&columns[..]];
    let (proof, stats) = prove_with_stats(&params, &pk, &circuit, &columns, rng(7)).expect("proof");
    assert!(stats.commits.msm_calls > 0, "no commitment went through the accelerator");
    assert!(stats.stages.quotient > Duration::ZERO && stats.stages.ffts > Duration::ZERO, "{:?}", stats.stages);
    assert!(stats.stages.multiopen > Duration::ZERO && stats.stages.commitments > Duration::ZERO);
    assert!(stock_verifies(&srs, &pk, &instances, &proof), "k = {k}: stock verifier rejected our proof");
    verify(params.verifier_srs(), pk.get_vk(), &columns, &proof).expect("verify()");
    let stock = stock_proof(&srs, &pk, &[circuit], &instances, 7);
    assert!(stock_verifies(&srs, &pk, &instances, &stock), "k = {k}: the stock proof must verify too");
    assert_eq!(proof.len(), stock.len(), "k = {k}: proof sizes differ");

    // A changed public input.
    let mut wrong = instance.clone();
    wrong[0][0] += Fr::ONE;
    let wrong_columns: Vec<&[Fr]> = wrong.iter().map(Vec::as_slice).collect();
    assert!(!stock_verifies(&srs, &pk, &[&wrong_columns[..]], &proof), "k = {k}: wrong instance accepted");
    assert!(verify(&srs, pk.get_vk(), &wrong_columns, &proof).is_err());

    // Flipped bytes: in the first commitment, in the middle, in the last scalar.
    for position in [3, proof.len() / 2, proof.len() - 2] {
        let mut tampered = proof.clone();
        tampered[position] ^= 0x10;
        assert!(!stock_verifies(&srs, &pk, &instances, &tampered), "k = {k}: flipped byte {position} accepted");
    }

    // Bytes after the proof (which stock's verifier never reads): ours rejects them.
    for longer in [[proof.as_slice(), &[0]].concat(), [proof.as_slice(), proof.as_slice()].concat()] {
        let err = verify(&srs, pk.get_vk(), &columns, &longer).expect_err("bytes after the proof accepted");
        assert!(err.to_string().contains("follow the proof"), "k = {k}: {err}");
    }
}

#[test]
fn fibonacci_k8_to_k12() {
    let accelerator = Accelerator::cpu_only();
    for (k, steps) in [(8, 200), (10, 1000), (12, 4000)] {
        let circuit = FibonacciCircuit::new(steps);
        assert_eq!(min_k(circuit.rows()), k);
        let public = circuit.public_inputs();
        check_circuit(k, circuit, vec![public], &accelerator);
    }
}

#[test]
fn dot_product_with_lookup_k8_to_k14() {
    let accelerator = Accelerator::cpu_only();
    for k in [8, 11, 14] {
        let circuit = DotProductCircuit::filling(k, u64::from(k));
        assert_eq!(min_k(circuit.rows()), k);
        let public = circuit.public_inputs();
        check_circuit(k, circuit, public, &accelerator);
    }
}

#[test]
fn dot_product_k16() {
    let circuit = DotProductCircuit::filling(16, 16);
    let public = circuit.public_inputs();
    check_circuit(16, circuit, public, &Accelerator::cpu_only());
}

/// halo2-axiom 0.5's prover absorbs each circuit's instances just before
/// that circuit's advice, while its verifier absorbs all instances first, so
/// a stock proof of two circuits never verifies. `prove` takes one circuit
/// (the type says so); two circuits are two proofs, each verifying.
#[test]
fn several_circuits_are_proved_one_per_proof() {
    let k = 9;
    let params = AcceleratedParams::new(srs(k), &Accelerator::cpu_only()).unwrap();
    let circuits = [
        FibonacciCircuit::with_start(300, Fr::from(2), Fr::from(5)),
        FibonacciCircuit::with_start(300, Fr::from(3), Fr::from(9)),
    ];
    let pk = keygen(&params, &circuits[0].without_witnesses()).unwrap();
    let publics: Vec<Vec<Fr>> = circuits.iter().map(FibonacciCircuit::public_inputs).collect();
    let instances: Vec<[&[Fr]; 1]> = publics.iter().map(|p| [p.as_slice()]).collect();
    let instances: Vec<&[&[Fr]]> = instances.iter().map(|i| &i[..]).collect();
    let stock = stock_proof(params.srs(), &pk, &circuits, &instances, 3);
    assert!(!stock_verifies(params.verifier_srs(), &pk, &instances, &stock), "upstream fixed multi-circuit proofs");
    // One at a time they prove and verify.
    for (circuit, instance) in circuits.iter().zip(&instances) {
        let proof = prove(&params, &pk, circuit, instance, rng(3));
        assert!(stock_verifies(params.verifier_srs(), &pk, &[instance], &proof.unwrap()));
    }
}

#[test]
fn random_linear_combination_k8_to_k12() {
    let accelerator = Accelerator::cpu_only();
    for (k, steps) in [(8, 200), (10, 1000), (12, 4000)] {
        let circuit = RandomLinearCombinationCircuit::new(steps, 3);
        assert_eq!(min_k(circuit.rows()), k);
        let public = circuit.public_inputs();
        check_circuit(k, circuit, public, &accelerator);
    }
}

/// Stock `create_proof` is not a function of its RNG (its vanishing
/// argument's random polynomial comes from `thread_rng`, each lookup's
/// permuted input is ordered by a randomly seeded `HashMap`), so two stock
/// proofs with the same seed differ. Ours are a function of the seed, and
/// equal stock's bytes as far as stock's own randomness allows: through every
/// advice commitment (all phases), and without lookups through the
/// permutation products too — up to the vanishing argument's commitment.
#[test]
fn transcripts_equal_stock_until_its_own_randomness() {
    fn check<C: Circuit<Fr>>(k: u32, circuit: C, instance: Vec<Vec<Fr>>) {
        let srs = srs(k);
        let params = AcceleratedParams::new(srs.clone(), &Accelerator::cpu_only()).unwrap();
        let pk = keygen(&params, &circuit.without_witnesses()).unwrap();
        let cs = pk.get_vk().cs();
        let columns: Vec<&[Fr]> = instance.iter().map(Vec::as_slice).collect();
        let ours = prove(&params, &pk, &circuit, &columns, rng(11)).unwrap();
        assert_eq!(ours, prove(&params, &pk, &circuit, &columns, rng(11)).unwrap(), "ours depends only on the seed");
        let stock = stock_proof(&srs, &pk, std::slice::from_ref(&circuit), &[&columns[..]], 11);
        let again = stock_proof(&srs, &pk, std::slice::from_ref(&circuit), &[&columns[..]], 11);
        assert_ne!(stock, again, "stock is not a function of its RNG");

        let point = 32;
        let advice = cs.num_advice_columns() * point;
        let sets = cs.permutation().get_columns().len().div_ceil(cs.degree() - 2);
        let equal = if cs.lookups().is_empty() { advice + sets * point } else { advice };
        assert_eq!(ours[..equal], stock[..equal], "k = {k}: the first {equal} bytes");
        // Right after them comes stock's own randomness.
        assert_ne!(ours[equal..equal + point], stock[equal..equal + point]);
        if !cs.lookups().is_empty() {
            assert_ne!(stock[equal..equal + point], again[equal..equal + point], "stock's A' order is random");
        }
    }
    let fibonacci = FibonacciCircuit::new(100);
    let public = fibonacci.public_inputs();
    check(8, fibonacci, vec![public]);
    let rlc = RandomLinearCombinationCircuit::new(200, 5);
    let public = rlc.public_inputs();
    check(8, rlc, public);
    let dot = DotProductCircuit::filling(9, 2);
    let public = dot.public_inputs();
    check(9, dot, public);
}

/// A lookup input outside its table is an error naming the lookup (stock's
/// prover would write a proof that fails to verify); a failed gate gives a
/// proof the verifier rejects.
#[test]
fn unsatisfied_circuit_does_not_verify() {
    // x = 2^6 is outside the 6-bit range table, so the lookup fails.
    let k = 8;
    let params = AcceleratedParams::new(srs(k), &Accelerator::cpu_only()).unwrap();
    let weights = [Fr::from(3), Fr::from(4)];
    let honest = DotProductCircuit::new(6, &[5, 7], &weights);
    let pk = keygen(&params, &honest.without_witnesses()).unwrap();
    let cheating = DotProductCircuit::new(6, &[64, 7], &weights);
    let public = cheating.public_inputs();
    let columns: Vec<&[Fr]> = public.iter().map(Vec::as_slice).collect();
    let err = prove(&params, &pk, &cheating, &columns, rng(4)).unwrap_err();
    assert!(matches!(&err, Halo2Error::InvalidInput(m) if m.contains("x in range")), "{err}");

    // a₀ = 0 has no inverse: the gate a·inv = 1 fails on row 0.
    let circuit = RandomLinearCombinationCircuit::new(20, 0);
    let pk = keygen(&params, &circuit.without_witnesses()).unwrap();
    let public = circuit.public_inputs();
    let columns: Vec<&[Fr]> = public.iter().map(Vec::as_slice).collect();
    let proof = prove(&params, &pk, &circuit, &columns, rng(4)).unwrap();
    assert!(!stock_verifies(params.verifier_srs(), &pk, &[&columns[..]], &proof));
}

/// A constraint system our prover cannot compile is an error that names
/// what it lacks: here one taken before keygen, with its virtual selectors.
#[test]
fn unsupported_features_are_named_errors() {
    let mut cs = halo2_axiom::plonk::ConstraintSystem::<Fr>::default();
    let _ = FibonacciCircuit::configure(&mut cs);
    let err = QuotientProgram::compile(&cs).unwrap_err();
    assert!(matches!(&err, Halo2Error::Unsupported(m) if m.contains("virtual selector")), "{err}");
}

/// The quotient program cut into runs (what the prover evaluates one run at
/// a time, to hold fewer columns on the coset) gives the whole program's
/// value at every point: each run folds the one before. For the example
/// circuits, whose permutation and lookup terms read disjoint columns, the
/// runs hold fewer columns at once than the whole program reads.
#[test]
fn quotient_runs_fold_to_the_whole_program() {
    use zkaccel_frontend_halo2::convert::{scalar_from_halo2, scalars_from_halo2};
    use zkaccel_frontend_halo2::prover::{Source, Symbol};
    let params = AcceleratedParams::new(srs(8), &Accelerator::cpu_only()).expect("params");
    let keys = [
        keygen(&params, &FibonacciCircuit::new(100).without_witnesses()).expect("keygen"),
        keygen(&params, &DotProductCircuit::filling(8, 1).without_witnesses()).expect("keygen"),
        keygen(&params, &RandomLinearCombinationCircuit::new(20, 3).without_witnesses()).expect("keygen"),
    ];
    // A value for every (column, rotation), the same in the whole program and the runs.
    let value = |source: Source, rotation: i32, row: u64| {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&(format!("{source:?}"), rotation, row), &mut hasher);
        scalar_from_halo2(Fr::from(std::hash::Hasher::finish(&hasher)).square() + Fr::from(row))
    };
    let mut r = rng(11);
    for pk in &keys {
        let whole = QuotientProgram::compile(pk.get_vk().cs()).expect("compiles");
        let runs = whole.split().expect("splits");
        assert!(!runs.is_empty());
        let constants = whole.bind(|s| match s {
            Symbol::Challenge(i) => Fr::from(i as u64 + 3),
            Symbol::Beta => Fr::from(5),
            Symbol::Gamma => Fr::from(7),
            Symbol::Theta => Fr::from(11),
        });
        let constants = scalars_from_halo2(&constants);
        for row in 0..8u64 {
            let (point, y) = (scalar_from_halo2(Fr::random(&mut r)), scalar_from_halo2(Fr::random(&mut r)));
            let expected = whole.program().evaluate_at(
                |c, rotation| value(whole.columns()[c as usize], rotation, row),
                constants,
                point,
                y,
            );
            let mut folded: Option<zkaccel::Fr> = None;
            for (index, run) in runs.iter().enumerate() {
                assert_eq!(
                    run.columns().first() == Some(&Source::Folded),
                    index > 0,
                    "the folded column leads runs after the first"
                );
                let previous = folded.unwrap_or(scalar_from_halo2(Fr::ZERO));
                folded = Some(run.program().evaluate_at(
                    |c, rotation| match run.columns()[c as usize] {
                        Source::Folded => previous,
                        source => value(source, rotation, row),
                    },
                    constants,
                    point,
                    y,
                ));
            }
            assert_eq!(folded, Some(expected), "runs: {}", runs.len());
        }
        let most = runs.iter().map(|run| run.columns().iter().filter(|s| **s != Source::Folded).count()).max();
        assert!(most.unwrap_or(0) <= whole.columns().len());
    }
    // The dot product: 3 advice, 2 instance, key and argument columns; no
    // run needs all of them.
    let whole = QuotientProgram::compile(keys[1].get_vk().cs()).expect("compiles");
    let runs = whole.split().expect("splits");
    // Held during run g: the columns read by a run at or before g and by one at or after it.
    let reads = |g: usize, s: &Source| runs[g].columns().contains(s);
    let held = (0..runs.len())
        .map(|g| {
            whole
                .columns()
                .iter()
                .filter(|s| (0..=g).any(|a| reads(a, s)) && (g..runs.len()).any(|b| reads(b, s)))
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(
        runs.len() > 1 && held + 8 <= whole.columns().len(),
        "{} runs hold {held} of {} columns",
        runs.len(),
        whole.columns().len()
    );
}

/// The same proofs with every MSM failing on a device first: the Accelerator
/// redoes each on the CPU, and the result is still the stock proof.
#[test]
fn fallback_path_gives_the_same_proofs() {
    let device = Arc::new(FailingBackend::device_failure());
    let accelerator = Accelerator::with_devices(vec![HeldBackend::every(device.clone())]);
    let circuit = DotProductCircuit::filling(9, 9);
    let public = circuit.public_inputs();
    check_circuit(9, circuit, public, &accelerator);
    assert!(device.calls() > 0, "the failing device was never asked");
    assert_eq!(accelerator.fallback_count(), device.calls() as u64);
}

/// Parameters that keep the key's cosets between proofs give the same proof
/// bytes as those that do not, on the first proof with a key (which keeps
/// them), on later ones (which read them) and after a second key replaces
/// the first; a budget too small keeps nothing and changes nothing.
#[test]
fn kept_key_cosets_give_the_same_proofs() {
    let k = 10;
    let accelerator = Accelerator::cpu_only();
    let plain = AcceleratedParams::new(srs(k), &accelerator).unwrap();
    let lookup = DotProductCircuit::filling(k, 3);
    let fibonacci = FibonacciCircuit::new(900);
    let lookup_pk = keygen(&plain, &lookup).unwrap();
    let fibonacci_pk = keygen(&plain, &fibonacci).unwrap();
    let lookup_public = lookup.public_inputs();
    let lookup_columns: Vec<&[Fr]> = lookup_public.iter().map(Vec::as_slice).collect();
    let fibonacci_public = fibonacci.public_inputs();
    let expected_lookup = prove(&plain, &lookup_pk, &lookup, &lookup_columns, rng(3)).unwrap();
    let expected_fibonacci = prove(&plain, &fibonacci_pk, &fibonacci, &[&fibonacci_public], rng(4)).unwrap();
    for budget in [usize::MAX, 1 << 10] {
        let keeping = plain.keep_key_cosets(budget);
        assert_eq!(keeping.key_cosets_bytes(), 0);
        for round in 0..2 {
            let proof = prove(&keeping, &lookup_pk, &lookup, &lookup_columns, rng(3)).unwrap();
            assert!(proof == expected_lookup, "budget {budget}, round {round}: the lookup circuit's proof differs");
            // Kept: the key's columns on the quotient's parts (degree 5: 4 parts of 2^k).
            let kept = keeping.key_cosets_bytes();
            assert!(if budget == usize::MAX { kept > 0 && kept.is_multiple_of(128 << k) } else { kept == 0 }, "{kept}");
        }
        assert_eq!(plain.key_cosets_bytes(), 0, "a clone made before keep_key_cosets keeps none");
        let proof = prove(&keeping, &fibonacci_pk, &fibonacci, &[&fibonacci_public], rng(4)).unwrap();
        assert!(proof == expected_fibonacci, "budget {budget}: the second key's proof differs");
        let proof = prove(&keeping, &lookup_pk, &lookup, &lookup_columns, rng(3)).unwrap();
        assert!(proof == expected_lookup, "budget {budget}: the first key again");
        assert!(stock_verifies(keeping.verifier_srs(), &lookup_pk, &[&lookup_columns[..]], &proof));
    }
}

#[test]
fn explicit_cpu_choice() {
    let accelerator = Accelerator::with_choice(BackendChoice::Cpu).unwrap();
    assert_eq!(accelerator.backend_names(), ["cpu"]);
    let circuit = FibonacciCircuit::new(100);
    let public = circuit.public_inputs();
    check_circuit(8, circuit, vec![public], &accelerator);
}

#[test]
fn params_move_between_accelerators() {
    let k = 8;
    let first = Accelerator::cpu_only();
    let second = Accelerator::cpu_only();
    let params = AcceleratedParams::new(srs(k), &first).unwrap();
    let circuit = FibonacciCircuit::new(50);
    let pk = keygen(&params, &circuit).unwrap();
    let public = circuit.public_inputs();
    // The params on another Accelerator: its bases prepared there, and the proof made there.
    let on_second = params.on(&second).unwrap();
    let proof = prove(&on_second, &pk, &circuit, &[&public], rng(5)).unwrap();
    assert!(stock_verifies(params.verifier_srs(), &pk, &[&[&public]], &proof));
    assert!(params.on(&first).unwrap().accelerator().same_as(&first));
    assert!(params.on(&second).unwrap().accelerator().same_as(&second));
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let k = 8;
    let params = AcceleratedParams::new(srs(k), &Accelerator::cpu_only()).unwrap();
    let circuit = FibonacciCircuit::new(50);
    let pk = keygen(&params, &circuit).unwrap();
    let public = circuit.public_inputs();
    let acc = params.accelerator().clone();
    let prove_with = |instances: &[&[Fr]]| prove(&params, &pk, &circuit, instances, rng(6));

    // No instance columns, two instance columns.
    assert!(matches!(prove_with(&[]), Err(Halo2Error::InvalidInput(_))));
    assert!(matches!(prove_with(&[&public, &public]), Err(Halo2Error::InvalidInput(_))));
    // An instance column longer than the usable rows.
    let long = vec![Fr::ONE; 1 << k];
    assert!(matches!(prove_with(&[&long]), Err(Halo2Error::InvalidInput(_))));
    // A key for another k.
    let other = AcceleratedParams::new(srs(k + 1), &acc).unwrap();
    let err = prove(&other, &pk, &circuit, &[&public], rng(6)).unwrap_err();
    assert!(matches!(err, Halo2Error::InvalidInput(_)), "{err}");
    // Verification of garbage and of an empty proof.
    assert!(verify(params.verifier_srs(), pk.get_vk(), &[&public], &[]).is_err());
    assert!(verify(params.verifier_srs(), pk.get_vk(), &[&public], &[0xff; 100]).is_err());
    assert!(verify(params.verifier_srs(), pk.get_vk(), &[&public, &public], &[0xff; 100]).is_err());
}

#[test]
fn commitments_equal_stock_and_params_round_trip() {
    use halo2_axiom::poly::commitment::Blind;
    use halo2_axiom::poly::EvaluationDomain;
    for k in [1, 5, 9] {
        let srs = srs(k);
        let params = AcceleratedParams::new(srs.clone(), &Accelerator::cpu_only()).unwrap();
        let domain = EvaluationDomain::<Fr>::new(1, k);
        let mut r = rng(u64::from(k));
        let mut evals = domain.empty_lagrange();
        evals.iter_mut().for_each(|x| *x = Fr::random(&mut r));
        let coeffs = domain.lagrange_to_coeff(evals.clone());
        let blind = Blind(Fr::random(&mut r));
        assert_eq!(params.commit_lagrange(&evals, blind), srs.commit_lagrange(&evals, blind), "k = {k}");
        assert_eq!(params.commit(&coeffs, blind), srs.commit(&coeffs, blind), "k = {k}");
        assert_eq!(params.commit(&coeffs, blind), params.commit_lagrange(&evals, blind), "k = {k}");

        let mut bytes = Vec::new();
        params.write(&mut bytes).unwrap();
        let mut stock_bytes = Vec::new();
        srs.write(&mut stock_bytes).unwrap();
        assert_eq!(bytes, stock_bytes, "the serialization is stock");
        // One full copy of the SRS: the prepared bases' host copy. The
        // verifier's parameters keep `[1]₁` and `[L_0(τ)]₁` only, and the
        // whole stock SRS is rebuilt on demand, equal to the original.
        assert_eq!(params.verifier_srs().get_g(), &srs.get_g()[..1]);
        assert_eq!(params.get_g(), srs.get_g());
        let row0 = zkaccel_frontend_halo2::lagrange_basis_point(&srs, 0).unwrap();
        assert_eq!(zkaccel_frontend_halo2::lagrange_basis_point(params.verifier_srs(), 0).unwrap(), row0);
        assert_eq!(params.lagrange_basis_point(0).unwrap(), row0);
        if k > 0 {
            assert!(zkaccel_frontend_halo2::lagrange_basis_point(params.verifier_srs(), 1).is_err());
            let last = zkaccel_frontend_halo2::lagrange_basis_point(&srs, (1 << k) - 1).unwrap();
            assert_eq!(params.lagrange_basis_point((1 << k) - 1).unwrap(), last);
        }
        let mut rebuilt = Vec::new();
        params.srs().write(&mut rebuilt).unwrap();
        assert_eq!(rebuilt, stock_bytes, "the rebuilt stock SRS");
        let read = AcceleratedParams::read(&mut &bytes[..]).unwrap();
        assert_eq!(read.commit_lagrange(&evals, blind), srs.commit_lagrange(&evals, blind));
    }
    // Downsizing re-prepares both base sets.
    let srs = srs(6);
    let mut params = AcceleratedParams::new(srs.clone(), &Accelerator::cpu_only()).unwrap();
    params.downsize(4);
    let mut stock = srs;
    stock.downsize(4);
    let domain = EvaluationDomain::<Fr>::new(1, 4);
    let mut evals = domain.empty_lagrange();
    evals.iter_mut().enumerate().for_each(|(i, x)| *x = Fr::from(i as u64 + 1));
    assert_eq!(params.commit_lagrange(&evals, Blind::default()), stock.commit_lagrange(&evals, Blind::default()));
    assert_eq!(params.n(), 16);
}

/// Keygen through halo2's generic entry points with our params gives the
/// stock proving key too (same fixed commitments, same permutation).
#[test]
fn generic_keygen_matches_stock() {
    let k = 8;
    let srs = srs(k);
    let params = AcceleratedParams::new(srs.clone(), &Accelerator::cpu_only()).unwrap();
    let circuit = DotProductCircuit::filling(k, 1);
    let vk = keygen_vk(&params, &circuit).unwrap();
    let pk = keygen_pk(&params, vk, &circuit).unwrap();
    let stock_vk = keygen_vk(&srs, &circuit).unwrap();
    assert_eq!(pk.get_vk().fixed_commitments(), stock_vk.fixed_commitments());
    assert_eq!(pk.get_vk().permutation().commitments(), stock_vk.permutation().commitments());
}
