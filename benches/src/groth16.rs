//! Groth16 proofs: `ark_groth16::Groth16::prove` against zkaccel's prover on
//! the same circuit and key, plus a stage-by-stage replay of arkworks'
//! prover (the same public functions it calls, timed one by one) so that
//! both breakdowns can be printed side by side.

use std::time::{Duration, Instant};

use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::PrimeField;
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_groth16::{Groth16, Proof, ProvingKey, VerifyingKey};
use ark_poly::GeneralEvaluationDomain;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, OptimizationGoal};
use ark_snark::SNARK;
use ark_std::rand::rngs::StdRng;
use ark_std::rand::SeedableRng;
use zkaccel::Accelerator;
use zkaccel_frontend_arkworks::examples::{DenseRelu, MimcChain};
use zkaccel_frontend_arkworks::{prove, AcceleratedProvingKey, Groth16Breakdown};

/// A circuit of about `2^log_constraints` constraints with stock keys.
pub struct Groth16Setup<C = MimcChain> {
    /// The circuit.
    pub circuit: C,
    /// Its public inputs.
    pub public: Vec<Fr>,
    /// Stock proving key.
    pub pk: ProvingKey<Bn254>,
    /// Stock verifying key.
    pub vk: VerifyingKey<Bn254>,
}

/// Stage times of one proof, in the order printed.
pub const STAGES: [&str; 6] = ["witness", "H", "MSM A", "MSM B G1", "MSM B G2", "MSM C (L+H)"];

impl Groth16Setup<MimcChain> {
    /// A MiMC chain (random-looking witness values) of `2^log_constraints`
    /// constraints, and its keys.
    pub fn new(log_constraints: u32) -> Self {
        let circuit = MimcChain::with_constraints(1 << log_constraints);
        let public = circuit.public_inputs();
        Self::with_circuit(circuit, public, log_constraints)
    }
}

impl Groth16Setup<DenseRelu> {
    /// A quantized dense layer with ReLU (small witness values: bits and
    /// small integers, as in zkML circuits) of about `2^log_constraints`
    /// constraints (52 per neuron), and its keys.
    pub fn dense_relu(log_constraints: u32) -> Self {
        let circuit = DenseRelu::with_outputs((1 << log_constraints) / 52);
        let public = circuit.public_inputs();
        Self::with_circuit(circuit, public, log_constraints)
    }
}

impl<C: ConstraintSynthesizer<Fr> + Clone> Groth16Setup<C> {
    /// Keys for `circuit` (stock `circuit_specific_setup`, seed from `seed`).
    pub fn with_circuit(circuit: C, public: Vec<Fr>, seed: u32) -> Self {
        let mut rng = StdRng::seed_from_u64(u64::from(seed));
        let (pk, vk) = Groth16::<Bn254>::circuit_specific_setup(circuit.clone(), &mut rng).expect("setup");
        Self { circuit, public, pk, vk }
    }

    /// Whether stock `Groth16::verify` accepts `proof`.
    pub fn verifies(&self, proof: &Proof<Bn254>) -> bool {
        Groth16::<Bn254>::verify(&self.vk, &self.public, proof).unwrap_or(false)
    }

    /// Stock `Groth16::prove`.
    pub fn ark_proof(&self, rng: &mut StdRng) -> Proof<Bn254> {
        Groth16::<Bn254>::prove(&self.pk, self.circuit.clone(), rng).expect("stock prover")
    }

    /// zkaccel with the key's queries resident, and its breakdown.
    pub fn resident_proof(&self, key: &AcceleratedProvingKey, rng: &mut StdRng) -> (Proof<Bn254>, [Duration; 6]) {
        let (proof, b) = key.prove_with_breakdown(self.circuit.clone(), rng).expect("zkaccel prover");
        (proof, stages(&b))
    }

    /// zkaccel's `prove` with the stock key (queries converted per call).
    pub fn plain_proof(&self, acc: &Accelerator, rng: &mut StdRng) -> Proof<Bn254> {
        prove(&self.pk, self.circuit.clone(), rng, acc).expect("zkaccel prover")
    }

    /// arkworks' prover replayed stage by stage through its public
    /// functions (`witness_map`, `msm_bigint`), timing each; the proof
    /// itself is not assembled.
    pub fn ark_stages(&self) -> [Duration; 6] {
        let mut t = [Duration::ZERO; 6];
        let start = Instant::now();
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        self.circuit.clone().generate_constraints(cs.clone()).expect("synthesis");
        cs.finalize();
        t[0] = start.elapsed();
        let start = Instant::now();
        let h = LibsnarkReduction::witness_map::<Fr, GeneralEvaluationDomain<Fr>>(cs.clone()).expect("witness map");
        t[1] = start.elapsed();
        let system = cs.borrow().expect("constraint system");
        let assignment: Vec<_> =
            system.instance_assignment.iter().chain(&system.witness_assignment).map(|x| x.into_bigint()).collect();
        let aux = &assignment[system.instance_assignment.len()..];
        let h: Vec<_> = h.iter().map(|x| x.into_bigint()).collect();
        let pk = &self.pk;
        let timed = |f: &dyn Fn()| {
            let start = Instant::now();
            f();
            start.elapsed()
        };
        t[2] = timed(&|| {
            let _ = std::hint::black_box(G1Projective::msm_bigint(&pk.a_query, &assignment));
        });
        t[3] = timed(&|| {
            let _ = std::hint::black_box(G1Projective::msm_bigint(&pk.b_g1_query, &assignment));
        });
        t[4] = timed(&|| {
            let _ = std::hint::black_box(G2Projective::msm_bigint(&pk.b_g2_query, &assignment));
        });
        t[5] = timed(&|| {
            let _ = std::hint::black_box(G1Projective::msm_bigint(&pk.l_query, aux));
            let _ = std::hint::black_box(G1Projective::msm_bigint(&pk.h_query, &h));
        });
        t
    }
}

fn stages(b: &Groth16Breakdown) -> [Duration; 6] {
    [b.witness, b.h, b.msm_a, b.msm_b_g1, b.msm_b_g2, b.msm_c]
}
