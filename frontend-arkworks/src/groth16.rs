//! A Groth16 prover for arkworks circuits whose NTTs and G1 MSMs run on the
//! Accelerator; its proofs are `ark_groth16::Proof`s for stock keys, checked
//! by stock `Groth16::<Bn254>::verify`.
//!
//! The computation is ark-groth16's (libsnark's reduction): evaluate the
//! constraint rows on the witness, interpolate `A`, `B`, `C` over the domain,
//! evaluate them on a coset, divide `A·B − C` by the vanishing polynomial
//! there and interpolate back to the coefficients of `H`; then
//! `A = α + Σ aᵢ·Aᵢ + r·δ`, `B = β + Σ aᵢ·Bᵢ + s·δ` (in G1 and G2),
//! `C = s·A + r·B₁ − rs·δ + Σ wᵢ·Lᵢ + Σ hᵢ·Hᵢ`.
//!
//! What runs where: witness generation in ark-relations (CPU); the
//! constraint-row evaluation on the CPU (rayon); the six NTTs of `H` and
//! the four G1 MSMs on the Accelerator; the G2 MSM for `B` on zkaccel's CPU
//! backend (its MSM is generic over the curve; no device backend has G2
//! yet, so the Accelerator routes G1 only).

use std::convert::Infallible;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use ark_bn254::{Bn254, Fr as ArkFr};
use ark_ec::CurveGroup;
use ark_ff::UniformRand;
use ark_groth16::{Proof, ProvingKey};
use ark_relations::r1cs::{
    ConstraintMatrices, ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisError, SynthesisMode,
};
use ark_std::rand::RngCore;
use rayon::prelude::*;
use zkaccel::{
    Accelerator, Bn254 as CoreBn254, Bn254G2, CpuBackend, Field, Fr, G1Projective, G2Affine, G2Projective, Msm, Ntt,
    NttConfig, PreparedBases, TwoAdicField,
};

use crate::convert::{
    g2_points_from_ark, g2_projective_to_ark, points_from_ark, projective_to_ark, scalar_from_ark, scalars_from_ark,
};
use crate::domain::ArkDomain;

/// Why no proof was made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Groth16Error {
    /// The circuit failed to synthesize.
    #[error("synthesis: {0}")]
    Synthesis(#[from] SynthesisError),
    /// The witness does not satisfy the constraints.
    #[error("the circuit is not satisfied: constraint {0} fails")]
    Unsatisfied(usize),
    /// The proving key was made for another circuit shape.
    #[error("the proving key does not fit the circuit: {0}")]
    KeyMismatch(String),
    /// The Accelerator rejected or failed the work (after its CPU fallback).
    #[error("accelerator: {0}")]
    Accelerator(#[from] zkaccel::Error),
}

/// Where one proof's time went.
#[derive(Clone, Copy, Debug, Default)]
pub struct Groth16Breakdown {
    /// Constraint synthesis, inlining and matrix extraction (ark-relations);
    /// with an [`AcceleratedProvingKey`] after its first proof, the witness
    /// assignment alone (the matrices are the key's, kept from that proof).
    pub witness: Duration,
    /// Row evaluation and the NTTs computing `H`.
    pub h: Duration,
    /// MSM for `A` (G1).
    pub msm_a: Duration,
    /// MSM for `B` in G1.
    pub msm_b_g1: Duration,
    /// MSM for `B` in G2 (zkaccel's CPU backend).
    pub msm_b_g2: Duration,
    /// The two MSMs of `C` (`L` and `H` queries, G1).
    pub msm_c: Duration,
    /// The whole proof.
    pub total: Duration,
}

/// The four G1 queries of a proving key, in some form.
struct G1Queries<T> {
    a: T,
    b: T,
    l: T,
    h: T,
}

impl<T> G1Queries<T> {
    /// `f` of each G1 query of `pk`.
    fn from_key<E>(pk: &ProvingKey<Bn254>, f: impl Fn(&[ark_bn254::G1Affine]) -> Result<T, E>) -> Result<Self, E> {
        Ok(Self { a: f(&pk.a_query)?, b: f(&pk.b_g1_query)?, l: f(&pk.l_query)?, h: f(&pk.h_query)? })
    }

    fn get(&self, query: Query) -> &T {
        match query {
            Query::A => &self.a,
            Query::B => &self.b,
            Query::L => &self.l,
            Query::H => &self.h,
        }
    }

    fn all(&self) -> [&T; 4] {
        [&self.a, &self.b, &self.l, &self.h]
    }
}

/// The queries of a proving key: G1 plain or prepared on an Accelerator,
/// G2 plain or prepared on the CPU backend.
enum Queries {
    Plain(G1Queries<Vec<zkaccel::G1Affine>>, Vec<G2Affine>),
    Prepared(G1Queries<PreparedBases<CoreBn254>>, PreparedBases<Bn254G2>),
}

/// Which query an MSM runs over.
#[derive(Clone, Copy)]
enum Query {
    A,
    B,
    L,
    H,
}

impl Queries {
    fn plain(pk: &ProvingKey<Bn254>) -> Self {
        let g1 =
            G1Queries::from_key(pk, |q| Ok::<_, Infallible>(points_from_ark(q))).unwrap_or_else(|never| match never {});
        Self::Plain(g1, g2_points_from_ark(&pk.b_g2_query))
    }

    fn prepared(pk: &ProvingKey<Bn254>, acc: &Accelerator, cpu: &CpuBackend) -> Result<Self, zkaccel::Error> {
        let g1 = G1Queries::from_key(pk, |q| acc.prepare_bases(&points_from_ark(q)))?;
        Ok(Self::Prepared(g1, cpu.prepare_bases(&g2_points_from_ark(&pk.b_g2_query))?))
    }

    /// `Σ sᵢ·Qᵢ` over the leading `scalars.len()` points of a G1 query.
    fn msm(&self, acc: &Accelerator, query: Query, scalars: &[Fr]) -> Result<G1Projective, zkaccel::Error> {
        match self {
            Self::Plain(g1, _) => acc.msm(&g1.get(query)[..scalars.len()], scalars),
            Self::Prepared(g1, _) => acc.msm_prepared(g1.get(query), scalars),
        }
    }

    /// `Σ sᵢ·B2ᵢ` in G2, on the CPU backend.
    fn msm_g2(&self, cpu: &CpuBackend, scalars: &[Fr]) -> Result<G2Projective, zkaccel::Error> {
        match self {
            Self::Plain(_, b2) => cpu.msm(&b2[..scalars.len()], scalars),
            Self::Prepared(_, b2) => cpu.msm_prepared(b2, scalars),
        }
    }

    fn memory_bytes(&self) -> usize {
        match self {
            Self::Plain(g1, b2) => {
                g1.all().iter().map(|q| q.len()).sum::<usize>() * std::mem::size_of::<zkaccel::G1Affine>()
                    + b2.len() * std::mem::size_of::<G2Affine>()
            }
            Self::Prepared(g1, b2) => g1.all().iter().map(|q| q.memory_bytes()).sum::<usize>() + b2.memory_bytes(),
        }
    }
}

/// A Groth16 proving key with its G1 queries prepared (resident) on an
/// Accelerator, for many proofs with one key.
///
/// Memory: the Accelerator's copies of the four G1 queries and the CPU
/// backend's copy of the G2 query, each times the backend's prepared-bases
/// factor (8 on the CPU backend by default); see
/// [`AcceleratedProvingKey::resident_bytes`].
pub struct AcceleratedProvingKey {
    pk: Arc<ProvingKey<Bn254>>,
    accelerator: Accelerator,
    cpu: CpuBackend,
    queries: Queries,
    /// The R1CS matrices of the key's circuit, kept from the first proof: a
    /// Groth16 key serves one circuit, so later proofs synthesize only the
    /// assignment (ark-relations' `construct_matrices: false`).
    matrices: OnceLock<Arc<ConstraintMatrices<ArkFr>>>,
}

impl AcceleratedProvingKey {
    /// Validates the key's G1 queries and puts them on `accelerator`.
    pub fn new(pk: ProvingKey<Bn254>, accelerator: &Accelerator) -> Result<Self, Groth16Error> {
        let cpu = CpuBackend::new();
        let queries = Queries::prepared(&pk, accelerator, &cpu)?;
        Ok(Self { pk: Arc::new(pk), accelerator: accelerator.clone(), cpu, queries, matrices: OnceLock::new() })
    }

    /// The stock key.
    pub fn proving_key(&self) -> &ProvingKey<Bn254> {
        &self.pk
    }

    /// Bytes the Accelerator holds for the queries.
    pub fn resident_bytes(&self) -> usize {
        self.queries.memory_bytes()
    }

    /// A proof for `circuit` (see [`prove`]).
    pub fn prove<C: ConstraintSynthesizer<ArkFr>>(
        &self,
        circuit: C,
        rng: &mut impl RngCore,
    ) -> Result<Proof<Bn254>, Groth16Error> {
        self.prove_with_breakdown(circuit, rng).map(|(proof, _)| proof)
    }

    /// [`Self::prove`], also returning where the time went.
    pub fn prove_with_breakdown<C: ConstraintSynthesizer<ArkFr>>(
        &self,
        circuit: C,
        rng: &mut impl RngCore,
    ) -> Result<(Proof<Bn254>, Groth16Breakdown), Groth16Error> {
        prove_inner(&self.pk, &self.queries, Some(&self.matrices), circuit, rng, &self.accelerator, &self.cpu)
    }
}

/// A Groth16 proof for `circuit` under a stock proving key, its NTTs and G1
/// MSMs on `accelerator`.
///
/// The key's G1 queries are converted for this call only; to prove many
/// times with one key, make an [`AcceleratedProvingKey`] once. A circuit
/// whose witness does not satisfy its constraints is an error, not a proof.
pub fn prove<C: ConstraintSynthesizer<ArkFr>>(
    pk: &ProvingKey<Bn254>,
    circuit: C,
    rng: &mut impl RngCore,
    accelerator: &Accelerator,
) -> Result<Proof<Bn254>, Groth16Error> {
    prove_inner(pk, &Queries::plain(pk), None, circuit, rng, accelerator, &CpuBackend::new()).map(|(proof, _)| proof)
}

fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    *slot = start.elapsed();
    out
}

/// Synthesizes `circuit`: its matrices (taken from `cache` when it holds
/// them, else built and stored there) and its full assignment.
fn synthesize<C: ConstraintSynthesizer<ArkFr>>(
    circuit: C,
    cache: Option<&OnceLock<Arc<ConstraintMatrices<ArkFr>>>>,
) -> Result<(Arc<ConstraintMatrices<ArkFr>>, Vec<ArkFr>), Groth16Error> {
    let known = cache.and_then(|c| c.get()).cloned();
    let cs = ConstraintSystem::<ArkFr>::new_ref();
    // Constraints, not weight: inlining then adds no witness variables, so the
    // assignment is the same whether or not the matrices are built.
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    if known.is_some() {
        cs.set_mode(SynthesisMode::Prove { construct_matrices: false });
    }
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    let matrices = match known {
        Some(m) => m,
        None => {
            let m = Arc::new(cs.to_matrices().ok_or(SynthesisError::AssignmentMissing)?);
            if let Some(cache) = cache {
                let _ = cache.set(m.clone());
            }
            m
        }
    };
    let system = cs.borrow().ok_or(SynthesisError::MissingCS)?;
    if (system.instance_assignment.len(), system.witness_assignment.len())
        != (matrices.num_instance_variables, matrices.num_witness_variables)
    {
        return Err(Groth16Error::KeyMismatch(format!(
            "the circuit has {} instance and {} witness variables, the key's circuit {} and {}",
            system.instance_assignment.len(),
            system.witness_assignment.len(),
            matrices.num_instance_variables,
            matrices.num_witness_variables
        )));
    }
    let assignment = [system.instance_assignment.as_slice(), system.witness_assignment.as_slice()].concat();
    Ok((matrices, assignment))
}

fn prove_inner<C: ConstraintSynthesizer<ArkFr>>(
    pk: &ProvingKey<Bn254>,
    queries: &Queries,
    cache: Option<&OnceLock<Arc<ConstraintMatrices<ArkFr>>>>,
    circuit: C,
    rng: &mut impl RngCore,
    acc: &Accelerator,
    cpu: &CpuBackend,
) -> Result<(Proof<Bn254>, Groth16Breakdown), Groth16Error> {
    let start = Instant::now();
    let mut times = Groth16Breakdown::default();

    let (matrices, assignment) = timed(&mut times.witness, || synthesize(circuit, cache))?;
    check_key(pk, &matrices)?;
    let full = scalars_from_ark(&assignment);
    let num_inputs = matrices.num_instance_variables;

    let h = timed(&mut times.h, || quotient(acc, &matrices, full))?;

    let r = scalar_from_ark(ArkFr::rand(rng));
    let s = scalar_from_ark(ArkFr::rand(rng));
    let a_sum = timed(&mut times.msm_a, || queries.msm(acc, Query::A, full))?;
    let b_sum = timed(&mut times.msm_b_g1, || queries.msm(acc, Query::B, full))?;
    let b_g2 = timed(&mut times.msm_b_g2, || queries.msm_g2(cpu, full))?;
    let (l_sum, h_sum) = timed(&mut times.msm_c, || -> Result<_, zkaccel::Error> {
        let l = queries.msm(acc, Query::L, &full[num_inputs..])?;
        let h = queries.msm(acc, Query::H, &h[..pk.h_query.len()])?;
        Ok((l, h))
    })?;

    let (r_ark, s_ark) = (crate::convert::scalar_to_ark(r), crate::convert::scalar_to_ark(s));
    let delta_g1 = pk.delta_g1;
    let g_a = pk.vk.alpha_g1 + projective_to_ark(&a_sum) + delta_g1 * r_ark;
    let g1_b = pk.beta_g1 + projective_to_ark(&b_sum) + delta_g1 * s_ark;
    let g2_b = pk.vk.beta_g2 + g2_projective_to_ark(&b_g2) + pk.vk.delta_g2 * s_ark;
    let g_c =
        g_a * s_ark + g1_b * r_ark - delta_g1 * (r_ark * s_ark) + projective_to_ark(&l_sum) + projective_to_ark(&h_sum);
    times.total = start.elapsed();
    Ok((Proof { a: g_a.into_affine(), b: g2_b.into_affine(), c: g_c.into_affine() }, times))
}

/// The key must have one A/B query point per variable, one L point per
/// witness variable and `n − 1` H points for the circuit's domain.
fn check_key(pk: &ProvingKey<Bn254>, m: &ConstraintMatrices<ArkFr>) -> Result<(), Groth16Error> {
    let variables = m.num_instance_variables + m.num_witness_variables;
    let domain = (m.num_constraints + m.num_instance_variables).max(1).next_power_of_two();
    let expect = [
        ("A query", pk.a_query.len(), variables),
        ("B query (G1)", pk.b_g1_query.len(), variables),
        ("B query (G2)", pk.b_g2_query.len(), variables),
        ("L query", pk.l_query.len(), m.num_witness_variables),
        ("H query", pk.h_query.len(), domain - 1),
    ];
    for (name, actual, expected) in expect {
        if actual != expected {
            return Err(Groth16Error::KeyMismatch(format!("{name} has {actual} points, the circuit needs {expected}")));
        }
    }
    Ok(())
}

/// `Σ coeff·value` over one constraint row.
fn row_value(row: &[(ArkFr, usize)], assignment: &[Fr]) -> Fr {
    row.iter().fold(Fr::ZERO, |acc, (coeff, index)| {
        let value = assignment[*index];
        let coeff = scalar_from_ark(*coeff);
        if coeff == Fr::ONE {
            acc + value
        } else {
            acc + coeff * value
        }
    })
}

/// The coefficients of `H = (A·B − C)/Z` (libsnark's reduction, as
/// ark-groth16), checking on the way that every constraint holds.
fn quotient(acc: &Accelerator, m: &ConstraintMatrices<ArkFr>, full: &[Fr]) -> Result<Vec<Fr>, Groth16Error> {
    let (constraints, inputs) = (m.num_constraints, m.num_instance_variables);
    let domain = ArkDomain::new(constraints + inputs)?;
    let n = domain.size();
    // Evaluations in arkworks' domain order: row i at ωⁱ, then the inputs
    // (which make the A polynomials of the inputs independent).
    let mut evals = vec![Fr::ZERO; 3 * n];
    let (a, rest) = evals.split_at_mut(n);
    let (b, c) = rest.split_at_mut(n);
    a[..constraints]
        .par_iter_mut()
        .zip(b[..constraints].par_iter_mut())
        .zip(c[..constraints].par_iter_mut())
        .enumerate()
        .for_each(|(i, ((a, b), c))| {
            *a = row_value(&m.a[i], full);
            *b = row_value(&m.b[i], full);
            *c = row_value(&m.c[i], full);
        });
    if let Some(i) = (0..constraints).into_par_iter().find_first(|&i| a[i] * b[i] != c[i]) {
        return Err(Groth16Error::Unsatisfied(i));
    }
    a[constraints..constraints + inputs].copy_from_slice(&full[..inputs]);
    // To zkaccel's order, then interpolate and evaluate on a coset, all
    // three columns in one batch each way.
    let mut columns: Vec<Fr> = evals.chunks(n).flat_map(|col| domain.permute_from_ark_order(col)).collect();
    let shift = Fr::multiplicative_generator();
    acc.ntt_batch(&mut columns, n, NttConfig::inverse())?;
    acc.ntt_batch(&mut columns, n, NttConfig::forward().on_coset(shift))?;
    // Z(x) = xⁿ − 1 is the constant shiftⁿ − 1 on the coset.
    let z_inv = (shift.pow(&[n as u64]) - Fr::ONE).inverse().ok_or(zkaccel::Error::NotInvertible { index: 0 })?;
    let (a, rest) = columns.split_at(n);
    let (b, c) = rest.split_at(n);
    let mut h: Vec<Fr> = a.par_iter().zip(b).zip(c).map(|((a, b), c)| (*a * *b - *c) * z_inv).collect();
    acc.ntt(&mut h, NttConfig::inverse().on_coset(shift))?;
    Ok(h)
}
