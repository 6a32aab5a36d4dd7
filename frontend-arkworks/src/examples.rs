//! Example R1CS circuits, written directly against ark-relations: what the
//! tests prove and the benchmarks time.

use ark_bn254::Fr;
use ark_ff::{AdditiveGroup, Field};
use ark_relations::lc;
use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

/// The field element for a signed integer.
pub fn signed(x: i64) -> Fr {
    if x < 0 {
        -Fr::from(x.unsigned_abs())
    } else {
        Fr::from(x as u64)
    }
}

/// A MiMC-style chain `xᵢ₊₁ = (xᵢ + kᵢ)³`: two constraints per round.
/// Public: the start `x₀` and the end.
#[derive(Clone, Debug)]
pub struct MimcChain {
    rounds: usize,
    start: Fr,
}

impl MimcChain {
    /// `rounds` rounds from `start`.
    pub fn new(rounds: usize, start: Fr) -> Self {
        Self { rounds, start }
    }

    /// The chain with `constraints` constraints (two per round).
    pub fn with_constraints(constraints: usize) -> Self {
        Self::new(constraints / 2, Fr::from(7u64))
    }

    /// Round `i`'s constant (fixed, public, derived from `i`).
    fn constant(i: usize) -> Fr {
        let i = Fr::from(i as u64 + 1);
        i.square() * i + Fr::from(0x9e37_79b9u64)
    }

    /// `[x₀, x_rounds]`.
    pub fn public_inputs(&self) -> Vec<Fr> {
        let mut x = self.start;
        for i in 0..self.rounds {
            let t = x + Self::constant(i);
            x = t.square() * t;
        }
        vec![self.start, x]
    }
}

impl ConstraintSynthesizer<Fr> for MimcChain {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let public = self.public_inputs();
        let start = cs.new_input_variable(|| Ok(public[0]))?;
        let end = cs.new_input_variable(|| Ok(public[1]))?;
        let (mut x, mut x_var) = (self.start, start);
        for i in 0..self.rounds {
            let k = Self::constant(i);
            let t = x + k;
            let t_lc: LinearCombination<Fr> = lc!() + x_var + (k, Variable::One);
            let square = cs.new_witness_variable(|| Ok(t.square()))?;
            cs.enforce_constraint(t_lc.clone(), t_lc.clone(), lc!() + square)?;
            let next = t.square() * t;
            let next_var = if i + 1 == self.rounds { end } else { cs.new_witness_variable(|| Ok(next))? };
            cs.enforce_constraint(lc!() + square, t_lc, lc!() + next_var)?;
            (x, x_var) = (next, next_var);
        }
        if self.rounds == 0 {
            cs.enforce_constraint(lc!() + start, lc!() + Variable::One, lc!() + end)?;
        }
        Ok(())
    }
}

/// Range checks: each private value is `bits` booleans summing to it
/// (`bits + 1` constraints per value). Public: the values' sum.
///
/// A value of `2^bits` or more has no such decomposition: its witness
/// breaks the recomposition constraint.
#[derive(Clone, Debug)]
pub struct RangeChecks {
    values: Vec<u64>,
    bits: u32,
}

impl RangeChecks {
    /// `values`, each claimed to be below `2^bits` (`bits` ≤ 63).
    pub fn new(values: Vec<u64>, bits: u32) -> Self {
        Self { values, bits: bits.clamp(1, 63) }
    }

    /// About `constraints` constraints of 16-bit range checks over
    /// pseudo-random values.
    pub fn with_constraints(constraints: usize) -> Self {
        let count = (constraints / 17).max(1);
        let values = (0..count as u64).map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 17) & 0xffff).collect();
        Self::new(values, 16)
    }

    /// `[Σ values]`.
    pub fn public_inputs(&self) -> Vec<Fr> {
        vec![self.values.iter().map(|&v| Fr::from(v)).sum()]
    }
}

/// Allocates `value`'s low `bits` bits as booleans and returns their
/// weighted sum (which equals `value` only when it fits).
fn bit_decomposition(
    cs: &ConstraintSystemRef<Fr>,
    value: u64,
    bits: u32,
) -> Result<LinearCombination<Fr>, SynthesisError> {
    let mut sum = lc!();
    let mut weight = Fr::from(1u64);
    for j in 0..bits {
        let bit = (value >> j) & 1;
        let b = cs.new_witness_variable(|| Ok(Fr::from(bit)))?;
        // b · (b − 1) = 0
        cs.enforce_constraint(lc!() + b, lc!() + b - Variable::One, lc!())?;
        sum += (weight, b);
        weight.double_in_place();
    }
    Ok(sum)
}

impl ConstraintSynthesizer<Fr> for RangeChecks {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let total = cs.new_input_variable(|| Ok(self.public_inputs()[0]))?;
        let mut sum = lc!();
        for &value in &self.values {
            let v = cs.new_witness_variable(|| Ok(Fr::from(value)))?;
            let bits = bit_decomposition(&cs, value, self.bits)?;
            cs.enforce_constraint(bits, lc!() + Variable::One, lc!() + v)?;
            sum += (Fr::from(1u64), v);
        }
        cs.enforce_constraint(sum, lc!() + Variable::One, lc!() + total)?;
        Ok(())
    }
}

/// A quantized dense layer with ReLU: `zⱼ = max(0, Σᵢ wⱼᵢ·xᵢ + bⱼ)` with
/// integer weights fixed in the circuit, private inputs `x` and public
/// outputs `z`.
///
/// ReLU in R1CS: `y = p − q`, `p·q = 0`, and `p`, `q` range-checked to
/// `bits` bits, so `p = max(0, y)`.
#[derive(Clone, Debug)]
pub struct DenseRelu {
    inputs: Vec<i64>,
    weights: Vec<Vec<i64>>,
    bias: Vec<i64>,
    bits: u32,
}

impl DenseRelu {
    /// A layer; `weights[j]` is output `j`'s row (as long as `inputs`).
    pub fn new(inputs: Vec<i64>, weights: Vec<Vec<i64>>, bias: Vec<i64>, bits: u32) -> Self {
        Self { inputs, weights, bias, bits: bits.clamp(2, 62) }
    }

    /// A layer of `outputs` neurons over 64 inputs (8-bit values, 4-bit
    /// weights) with 24-bit ReLU range checks: `≈ 52` constraints per neuron.
    pub fn with_outputs(outputs: usize) -> Self {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |modulus: i64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % modulus as u64) as i64
        };
        let inputs = (0..64).map(|_| next(256)).collect();
        let weights = (0..outputs).map(|_| (0..64).map(|_| next(16) - 8).collect()).collect();
        let bias = (0..outputs).map(|_| next(512) - 256).collect();
        Self::new(inputs, weights, bias, 24)
    }

    fn pre_activations(&self) -> Vec<i64> {
        self.weights
            .iter()
            .zip(&self.bias)
            .map(|(row, b)| row.iter().zip(&self.inputs).map(|(w, x)| w * x).sum::<i64>() + b)
            .collect()
    }

    /// The outputs `z`.
    pub fn public_inputs(&self) -> Vec<Fr> {
        self.pre_activations().into_iter().map(|y| Fr::from(y.max(0) as u64)).collect()
    }
}

impl ConstraintSynthesizer<Fr> for DenseRelu {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let ys = self.pre_activations();
        let outputs: Vec<Variable> =
            ys.iter().map(|&y| cs.new_input_variable(|| Ok(Fr::from(y.max(0) as u64)))).collect::<Result<_, _>>()?;
        let xs: Vec<Variable> =
            self.inputs.iter().map(|&x| cs.new_witness_variable(|| Ok(signed(x)))).collect::<Result<_, _>>()?;
        for (j, ((row, &b), &y)) in self.weights.iter().zip(&self.bias).zip(&ys).enumerate() {
            let (p, q) = (y.max(0) as u64, (-y).max(0) as u64);
            let q_var = cs.new_witness_variable(|| Ok(Fr::from(q)))?;
            // Σ w·x + b = p − q, with p the public output.
            let mut dot = lc!() + (signed(b), Variable::One);
            for (&w, &x) in row.iter().zip(&xs) {
                dot += (signed(w), x);
            }
            cs.enforce_constraint(dot, lc!() + Variable::One, lc!() + outputs[j] - q_var)?;
            // p · q = 0
            cs.enforce_constraint(lc!() + outputs[j], lc!() + q_var, lc!())?;
            for (value, var) in [(p, outputs[j]), (q, q_var)] {
                let bits = bit_decomposition(&cs, value, self.bits)?;
                cs.enforce_constraint(bits, lc!() + Variable::One, lc!() + var)?;
            }
        }
        Ok(())
    }
}
