//! Example circuits: what the tests prove and the benchmarks time.
//!
//! Between them they use custom gates, several advice columns, copy
//! constraints (to other advice cells, to constants and to instance cells),
//! a fixed constant column, a lookup table, several instance columns, rotations
//! to the next and previous rows, fractions assigned for batch inversion, and
//! a second phase whose gate uses a challenge.

use halo2_axiom::circuit::{Layouter, SimpleFloorPlanner, Value};
use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::plonk::{
    Advice, Assigned, Challenge, Circuit, Column, ConstraintSystem, Error as PlonkError, Expression, FirstPhase,
    Instance, SecondPhase, Selector, TableColumn,
};
use halo2_axiom::poly::Rotation;

/// Rows halo2 reserves at the end of every column for blinding (with room
/// to spare: the examples' queries need at most 5 plus one).
const RESERVED_ROWS: usize = 8;

/// The smallest `k` whose usable rows hold `rows` rows.
pub fn min_k(rows: usize) -> u32 {
    let mut k = 4;
    while (1usize << k) < rows + RESERVED_ROWS {
        k += 1;
    }
    k
}

/// A Fibonacci-like sequence `(a, b) → (b, a + b)` over `steps` rows.
///
/// Three advice columns `a, b, c` with the gate `a + b = c` on every row;
/// each row's `a, b` are copy-constrained to the previous row's `b, c`.
/// Public (one instance column): the two starting values and the last `c`.
#[derive(Clone, Debug)]
pub struct FibonacciCircuit {
    steps: usize,
    start: Value<(Fr, Fr)>,
}

/// Columns and selector of [`FibonacciCircuit`].
#[derive(Clone, Debug)]
pub struct FibonacciConfig {
    a: Column<Advice>,
    b: Column<Advice>,
    c: Column<Advice>,
    add: Selector,
    public: Column<Instance>,
}

impl FibonacciCircuit {
    /// `steps` additions starting from `(1, 1)`.
    pub fn new(steps: usize) -> Self {
        Self::with_start(steps, Fr::ONE, Fr::ONE)
    }

    /// `steps` (at least one) additions starting from `(a, b)`.
    pub fn with_start(steps: usize, a: Fr, b: Fr) -> Self {
        Self { steps: steps.max(1), start: Value::known((a, b)) }
    }

    /// Rows the circuit occupies.
    pub fn rows(&self) -> usize {
        self.steps
    }

    /// The instance column: `[a₀, b₀, c_last]`, computed natively.
    pub fn public_inputs(&self) -> Vec<Fr> {
        let mut out = Vec::new();
        self.start.map(|(a0, b0)| {
            let (mut a, mut b) = (a0, b0);
            for _ in 0..self.steps {
                (a, b) = (b, a + b);
            }
            out = vec![a0, b0, b];
        });
        out
    }
}

impl Circuit<Fr> for FibonacciCircuit {
    type Config = FibonacciConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        Self { steps: self.steps, start: Value::unknown() }
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> FibonacciConfig {
        let [a, b, c] = [(); 3].map(|_| meta.advice_column());
        let public = meta.instance_column();
        for column in [a, b, c] {
            meta.enable_equality(column);
        }
        meta.enable_equality(public);
        let add = meta.selector();
        meta.create_gate("a + b = c", |meta| {
            let s = meta.query_selector(add);
            let a = meta.query_advice(a, Rotation::cur());
            let b = meta.query_advice(b, Rotation::cur());
            let c = meta.query_advice(c, Rotation::cur());
            vec![s * (a + b - c)]
        });
        FibonacciConfig { a, b, c, add, public }
    }

    fn synthesize(&self, config: FibonacciConfig, mut layouter: impl Layouter<Fr>) -> Result<(), PlonkError> {
        let (first_a, first_b, last_c) = layouter.assign_region(
            || "fibonacci",
            |mut region| {
                let mut values = self.start;
                let mut previous = None;
                let mut first = None;
                let mut last_c = None;
                for row in 0..self.steps {
                    config.add.enable(&mut region, row)?;
                    let a = region.assign_advice(config.a, row, values.map(|(a, _)| a)).cell();
                    let b = region.assign_advice(config.b, row, values.map(|(_, b)| b)).cell();
                    let c = region.assign_advice(config.c, row, values.map(|(a, b)| a + b)).cell();
                    if let Some((prev_b, prev_c)) = previous {
                        region.constrain_equal(a, prev_b);
                        region.constrain_equal(b, prev_c);
                    }
                    first.get_or_insert((a, b));
                    previous = Some((b, c));
                    last_c = Some(c);
                    values = values.map(|(a, b)| (b, a + b));
                }
                let (a, b) = first.ok_or(PlonkError::Synthesis)?;
                Ok((a, b, last_c.ok_or(PlonkError::Synthesis)?))
            },
        )?;
        layouter.constrain_instance(first_a, config.public, 0);
        layouter.constrain_instance(first_b, config.public, 1);
        layouter.constrain_instance(last_c, config.public, 2);
        Ok(())
    }
}

/// A quantized neuron: `Σ xᵢ·wᵢ` over `steps` rows, each private input
/// `xᵢ` range-checked to `bits` bits by a lookup table.
///
/// Advice `x, w, acc`; the gate `acc' = acc + x·w` (a rotation to the next
/// row); `acc₀` copy-constrained to the constant 0 (a fixed constant column);
/// the lookup `x ∈ [0, 2^bits)`. Public, in two instance columns: the sum
/// (column 0) and the weights (column 1, each `wᵢ` copy-constrained).
#[derive(Clone, Debug)]
pub struct DotProductCircuit {
    bits: u32,
    inputs: Vec<Value<Fr>>,
    weights: Vec<Fr>,
}

/// Columns, selectors and table of [`DotProductCircuit`].
#[derive(Clone, Debug)]
pub struct DotProductConfig {
    x: Column<Advice>,
    w: Column<Advice>,
    acc: Column<Advice>,
    mac: Selector,
    range_check: Selector,
    range: TableColumn,
    sum: Column<Instance>,
    weights: Column<Instance>,
}

impl DotProductCircuit {
    /// The dot product of `inputs` (each below `2^bits`, else the proof
    /// will not verify) and public `weights`.
    ///
    /// `bits` is clamped to 1..=24; `inputs` and `weights` are truncated to
    /// the shorter of the two.
    pub fn new(bits: u32, inputs: &[u64], weights: &[Fr]) -> Self {
        let len = inputs.len().min(weights.len());
        Self {
            bits: bits.clamp(1, 24),
            inputs: inputs[..len].iter().map(|&x| Value::known(Fr::from(x))).collect(),
            weights: weights[..len].to_vec(),
        }
    }

    /// A circuit filling `2^k` rows: `bits = k − 1` and as many products as fit.
    pub fn filling(k: u32, seed: u64) -> Self {
        let bits = k.saturating_sub(1).max(1);
        let steps = (1usize << k) - RESERVED_ROWS - 1;
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = || {
            // xorshift64: reproducible pseudo-random values, no extra dependency.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let inputs: Vec<u64> = (0..steps).map(|_| next() & ((1 << bits) - 1)).collect();
        let weights: Vec<Fr> = (0..steps).map(|_| Fr::from(next() >> 1)).collect();
        Self::new(bits, &inputs, &weights)
    }

    /// Rows the circuit occupies (the products or the table, whichever is longer).
    pub fn rows(&self) -> usize {
        (self.inputs.len() + 1).max(1 << self.bits)
    }

    /// The instance columns: `[[sum], weights]`, computed natively.
    pub fn public_inputs(&self) -> Vec<Vec<Fr>> {
        let mut sum = Vec::new();
        let inputs: Value<Vec<Fr>> = self.inputs.iter().copied().collect();
        inputs.map(|inputs| sum.push(inputs.iter().zip(&self.weights).map(|(x, w)| *x * w).sum()));
        vec![sum, self.weights.clone()]
    }
}

impl Circuit<Fr> for DotProductCircuit {
    type Config = DotProductConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        Self { bits: self.bits, inputs: vec![Value::unknown(); self.inputs.len()], weights: self.weights.clone() }
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> DotProductConfig {
        let [x, w, acc] = [(); 3].map(|_| meta.advice_column());
        let constants = meta.fixed_column();
        meta.enable_constant(constants);
        let [sum, weights] = [(); 2].map(|_| meta.instance_column());
        for column in [w, acc] {
            meta.enable_equality(column);
        }
        meta.enable_equality(sum);
        meta.enable_equality(weights);
        let mac = meta.selector();
        let range_check = meta.complex_selector();
        let range = meta.lookup_table_column();
        meta.create_gate("acc' = acc + x·w", |meta| {
            let s = meta.query_selector(mac);
            let x = meta.query_advice(x, Rotation::cur());
            let w = meta.query_advice(w, Rotation::cur());
            let acc_now = meta.query_advice(acc, Rotation::cur());
            let acc_next = meta.query_advice(acc, Rotation::next());
            vec![s * (acc_next - acc_now - x * w)]
        });
        meta.lookup("x in range", |meta| {
            let s = meta.query_selector(range_check);
            let x = meta.query_advice(x, Rotation::cur());
            vec![(s * x, range)]
        });
        DotProductConfig { x, w, acc, mac, range_check, range, sum, weights }
    }

    fn synthesize(&self, config: DotProductConfig, mut layouter: impl Layouter<Fr>) -> Result<(), PlonkError> {
        layouter.assign_table(
            || "range",
            |mut table| {
                for value in 0..(1u64 << self.bits) {
                    table.assign_cell(|| "range", config.range, value as usize, || Value::known(Fr::from(value)))?;
                }
                Ok(())
            },
        )?;
        let (sum, weight_cells) = layouter.assign_region(
            || "dot product",
            |mut region| {
                let mut acc = region.assign_advice_from_constant(|| "acc₀", config.acc, 0, Fr::ZERO)?.cell();
                let mut acc_value = Value::known(Fr::ZERO);
                let mut weight_cells = Vec::with_capacity(self.weights.len());
                for (row, (x, w)) in self.inputs.iter().zip(&self.weights).enumerate() {
                    config.mac.enable(&mut region, row)?;
                    config.range_check.enable(&mut region, row)?;
                    region.assign_advice(config.x, row, *x);
                    weight_cells.push(region.assign_advice(config.w, row, Value::known(*w)).cell());
                    acc_value = acc_value + x.map(|x| x * w);
                    acc = region.assign_advice(config.acc, row + 1, acc_value).cell();
                }
                Ok((acc, weight_cells))
            },
        )?;
        layouter.constrain_instance(sum, config.sum, 0);
        for (row, cell) in weight_cells.into_iter().enumerate() {
            layouter.constrain_instance(cell, config.weights, row);
        }
        Ok(())
    }
}

/// A running random linear combination: the second-phase example.
///
/// First phase: `aᵢ = a₀ + i` (a gate on `a` and its next row) and
/// `invᵢ = 1/aᵢ`, assigned as fractions so the prover batch-inverts them
/// (gate `a·inv = 1`). A challenge `r` is drawn from their commitments;
/// second phase: `acc₀ = a₀`, `accᵢ = r·accᵢ₋₁ + aᵢ` (a gate on the previous
/// row and the challenge). Public, in two instance columns: `a₀` and the last `a`.
#[derive(Clone, Debug)]
pub struct RandomLinearCombinationCircuit {
    steps: usize,
    start: Value<Fr>,
}

/// Columns, selectors and challenge of [`RandomLinearCombinationCircuit`].
#[derive(Clone, Debug)]
pub struct RandomLinearCombinationConfig {
    a: Column<Advice>,
    inv: Column<Advice>,
    acc: Column<Advice>,
    first: Selector,
    step: Selector,
    increment: Selector,
    r: Challenge,
    first_public: Column<Instance>,
    last_public: Column<Instance>,
}

impl RandomLinearCombinationCircuit {
    /// `steps` (at least two) terms starting from `a₀ = start` (non-zero, as
    /// must be every `aᵢ`: each is inverted).
    pub fn new(steps: usize, start: u64) -> Self {
        Self { steps: steps.max(2), start: Value::known(Fr::from(start)) }
    }

    /// Rows the circuit occupies.
    pub fn rows(&self) -> usize {
        self.steps
    }

    /// The two instance columns: `[a₀]` and `[a_last]`.
    pub fn public_inputs(&self) -> Vec<Vec<Fr>> {
        let mut out = Vec::new();
        self.start.map(|a0| out = vec![vec![a0], vec![a0 + Fr::from(self.steps as u64 - 1)]]);
        out
    }
}

impl Circuit<Fr> for RandomLinearCombinationCircuit {
    type Config = RandomLinearCombinationConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = ();

    fn without_witnesses(&self) -> Self {
        Self { steps: self.steps, start: Value::unknown() }
    }

    fn configure(meta: &mut ConstraintSystem<Fr>) -> RandomLinearCombinationConfig {
        let a = meta.advice_column();
        let inv = meta.advice_column();
        let acc = meta.advice_column_in(SecondPhase);
        let r = meta.challenge_usable_after(FirstPhase);
        let first_public = meta.instance_column();
        let last_public = meta.instance_column();
        for column in [a, acc] {
            meta.enable_equality(column);
        }
        meta.enable_equality(first_public);
        meta.enable_equality(last_public);
        let [first, step, increment] = [(); 3].map(|_| meta.selector());
        meta.create_gate("a·inv = 1", |meta| {
            let s = meta.query_selector(increment);
            let a = meta.query_advice(a, Rotation::cur());
            let inv = meta.query_advice(inv, Rotation::cur());
            vec![s * (a * inv - Expression::Constant(Fr::ONE))]
        });
        meta.create_gate("a' = a + 1", |meta| {
            let s = meta.query_selector(increment);
            let a_next = meta.query_advice(a, Rotation::next());
            let a = meta.query_advice(a, Rotation::cur());
            vec![s * (a_next - a - Expression::Constant(Fr::ONE))]
        });
        meta.create_gate("acc₀ = a₀", |meta| {
            let s = meta.query_selector(first);
            vec![s * (meta.query_advice(acc, Rotation::cur()) - meta.query_advice(a, Rotation::cur()))]
        });
        meta.create_gate("acc = r·acc_prev + a", |meta| {
            let s = meta.query_selector(step);
            let r = meta.query_challenge(r);
            let acc_prev = meta.query_advice(acc, Rotation::prev());
            let acc = meta.query_advice(acc, Rotation::cur());
            let a = meta.query_advice(a, Rotation::cur());
            vec![s * (acc - r * acc_prev - a)]
        });
        RandomLinearCombinationConfig { a, inv, acc, first, step, increment, r, first_public, last_public }
    }

    fn synthesize(
        &self,
        config: RandomLinearCombinationConfig,
        mut layouter: impl Layouter<Fr>,
    ) -> Result<(), PlonkError> {
        let (first_a, last_a) = layouter.assign_region(
            || "random linear combination",
            |mut region| {
                let mut a_cells = Vec::with_capacity(self.steps);
                let values: Vec<Value<Fr>> =
                    (0..self.steps).map(|i| self.start.map(|a0| a0 + Fr::from(i as u64))).collect();
                for (row, a) in values.iter().enumerate() {
                    if row + 1 < self.steps {
                        config.increment.enable(&mut region, row)?;
                    }
                    a_cells.push(region.assign_advice(config.a, row, *a).cell());
                    let inv = a.map(|a| Assigned::Rational(Fr::ONE, a));
                    region.assign_advice(config.inv, row, inv);
                }
                // The challenge is drawn from the first phase's commitments.
                region.next_phase();
                let r = region.get_challenge(config.r);
                let mut acc = Value::known(Fr::ZERO);
                for (row, a) in values.iter().enumerate() {
                    acc = acc.zip(r).zip(*a).map(|((acc, r), a)| acc * r + a);
                    if row == 0 {
                        config.first.enable(&mut region, row)?;
                    } else {
                        config.step.enable(&mut region, row)?;
                    }
                    region.assign_advice(config.acc, row, acc);
                }
                let first = a_cells.first().copied().ok_or(PlonkError::Synthesis)?;
                let last = a_cells.last().copied().ok_or(PlonkError::Synthesis)?;
                Ok((first, last))
            },
        )?;
        layouter.constrain_instance(first_a, config.first_public, 0);
        layouter.constrain_instance(last_a, config.last_public, 0);
        Ok(())
    }
}
