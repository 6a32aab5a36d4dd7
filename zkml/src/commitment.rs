//! The public commitment to private weights: a Poseidon sponge over BN254 Fr.
//!
//! Instance: width 3 (rate 2, capacity 1), S-box `x^5`, 8 full and 57 partial
//! rounds (the Poseidon paper's choice for a 254-bit field at t = 3), round
//! constants from the paper's Grain LFSR generator, MDS the Cauchy matrix
//! `1 / (x_i + y_j)` with `x_i = i`, `y_j = t + j`. The capacity starts at the
//! number of absorbed values (length separation); odd inputs are padded with
//! one zero; the digest is the first rate element after the last
//! permutation. The constants are generated here and not cross-checked
//! against another implementation's vectors: the commitment is only ever
//! recomputed by this crate.
//!
//! In the circuit each round is one row (`state' = M·S(state + c + m)`,
//! where the message `m` is added only on a block's first round, and the
//! S-box inputs' squares are witnessed so that no gate exceeds degree 5), so
//! a block of two values costs 65 rows.

use std::sync::OnceLock;

use halo2_axiom::circuit::{Cell, Layouter, Value};
use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Error as PlonkError, Expression, Fixed};
use halo2_axiom::poly::Rotation;

const WIDTH: usize = 3;
const RATE: usize = 2;
const FULL_ROUNDS: usize = 8;
const PARTIAL_ROUNDS: usize = 57;
const ROUNDS: usize = FULL_ROUNDS + PARTIAL_ROUNDS;

struct Constants {
    round: Vec<[Fr; WIDTH]>,
    mds: [[Fr; WIDTH]; WIDTH],
}

fn constants() -> &'static Constants {
    static CONSTANTS: OnceLock<Constants> = OnceLock::new();
    CONSTANTS.get_or_init(|| {
        let mut grain = Grain::new(Fr::NUM_BITS, WIDTH, FULL_ROUNDS, PARTIAL_ROUNDS);
        let round = (0..ROUNDS).map(|_| [(); WIDTH].map(|_| grain.field_element())).collect();
        let mds = std::array::from_fn(|i| {
            std::array::from_fn(|j| Fr::from((i + WIDTH + j) as u64).invert().expect("nonzero"))
        });
        Constants { round, mds }
    })
}

/// The Grain LFSR of the Poseidon reference parameter generator.
struct Grain {
    state: [bool; 80],
}

impl Grain {
    fn new(field_bits: u32, width: usize, full: usize, partial: usize) -> Self {
        let mut bits = Vec::with_capacity(80);
        let mut push = |value: u64, n: u32| bits.extend((0..n).rev().map(|i| (value >> i) & 1 == 1));
        push(1, 2); // prime field
        push(0, 4); // S-box x^alpha
        push(field_bits as u64, 12);
        push(width as u64, 12);
        push(full as u64, 10);
        push(partial as u64, 10);
        push((1 << 30) - 1, 30);
        let mut grain = Self { state: bits.try_into().expect("80 bits") };
        for _ in 0..160 {
            grain.step();
        }
        grain
    }

    fn step(&mut self) -> bool {
        let s = &self.state;
        let bit = s[62] ^ s[51] ^ s[38] ^ s[23] ^ s[13] ^ s[0];
        self.state.copy_within(1.., 0);
        self.state[79] = bit;
        bit
    }

    /// Bits in pairs: when the first is 1 the second is output.
    fn bit(&mut self) -> bool {
        loop {
            let keep = self.step();
            let bit = self.step();
            if keep {
                return bit;
            }
        }
    }

    /// A uniformly sampled field element (rejection of values ≥ p).
    fn field_element(&mut self) -> Fr {
        loop {
            let mut repr = [0u8; 32];
            for i in (0..Fr::NUM_BITS as usize).rev() {
                if self.bit() {
                    repr[i / 8] |= 1 << (i % 8);
                }
            }
            if let Some(f) = Option::<Fr>::from(Fr::from_repr(repr)) {
                return f;
            }
        }
    }
}

fn is_full(round: usize) -> bool {
    !(FULL_ROUNDS / 2..FULL_ROUNDS / 2 + PARTIAL_ROUNDS).contains(&round)
}

fn pow5(x: Fr) -> Fr {
    x.square().square() * x
}

fn round(state: &mut [Fr; WIDTH], r: usize, message: [Fr; WIDTH]) {
    let c = constants();
    let mut u = [Fr::ZERO; WIDTH];
    for j in 0..WIDTH {
        u[j] = state[j] + c.round[r][j] + message[j];
        if j == 0 || is_full(r) {
            u[j] = pow5(u[j]);
        }
    }
    *state = std::array::from_fn(|i| (0..WIDTH).map(|j| c.mds[i][j] * u[j]).sum());
}

/// The blocks absorbed for `values`: pairs, the last padded with zero.
fn blocks(values: &[Fr]) -> Vec<[Fr; RATE]> {
    values.chunks(RATE).map(|c| [c[0], c.get(1).copied().unwrap_or(Fr::ZERO)]).collect()
}

fn initial_state(len: usize) -> [Fr; WIDTH] {
    [Fr::from(len as u64), Fr::ZERO, Fr::ZERO]
}

/// The commitment to `values`, computed natively.
pub fn poseidon_commit(values: &[Fr]) -> Fr {
    let mut state = initial_state(values.len());
    for block in blocks(values) {
        for r in 0..ROUNDS {
            let message = if r == 0 { [Fr::ZERO, block[0], block[1]] } else { [Fr::ZERO; WIDTH] };
            round(&mut state, r, message);
        }
    }
    state[1]
}

/// Rows the commitment region takes for `n` values.
pub fn commitment_rows(n: usize) -> usize {
    n.div_ceil(RATE) * ROUNDS + 1
}

/// Columns of the commitment chip.
#[derive(Clone, Debug)]
pub struct CommitmentConfig {
    state: [Column<Advice>; WIDTH],
    message: [Column<Advice>; RATE],
    square: [Column<Advice>; WIDTH],
    round_constants: [Column<Fixed>; WIDTH],
    f_full: Column<Fixed>,
    f_partial: Column<Fixed>,
    f_absorb: Column<Fixed>,
}

/// Lays out the sponge and returns the message cells (the anchors of the
/// private values) and the digest cell.
pub struct CommitmentChip {
    config: CommitmentConfig,
}

impl CommitmentChip {
    /// A chip over configured columns.
    pub fn new(config: CommitmentConfig) -> Self {
        Self { config }
    }

    /// Columns and the round gate.
    pub fn configure(meta: &mut ConstraintSystem<Fr>) -> CommitmentConfig {
        let state = [(); WIDTH].map(|_| meta.advice_column());
        let message = [(); RATE].map(|_| meta.advice_column());
        // The squares of the S-box inputs keep every gate within degree 5
        // (halo2-axiom's cap).
        let square = [(); WIDTH].map(|_| meta.advice_column());
        for c in state.iter().chain(&message) {
            meta.enable_equality(*c);
        }
        let round_constants = [(); WIDTH].map(|_| meta.fixed_column());
        let [f_full, f_partial, f_absorb] = [(); 3].map(|_| meta.fixed_column());
        meta.create_gate("poseidon round", |m| {
            let f_full = m.query_fixed(f_full, Rotation::cur());
            let f_partial = m.query_fixed(f_partial, Rotation::cur());
            let f_absorb = m.query_fixed(f_absorb, Rotation::cur());
            // x_j = state_j + c_j (+ message on a block's first round).
            let x: Vec<Expression<Fr>> = (0..WIDTH)
                .map(|j| {
                    let s =
                        m.query_advice(state[j], Rotation::cur()) + m.query_fixed(round_constants[j], Rotation::cur());
                    if j == 0 {
                        s
                    } else {
                        s + f_absorb.clone() * m.query_advice(message[j - 1], Rotation::cur())
                    }
                })
                .collect();
            let sq: Vec<Expression<Fr>> = (0..WIDTH).map(|j| m.query_advice(square[j], Rotation::cur())).collect();
            // x^5 = sq²·x once sq = x² is constrained.
            let sbox = |j: usize| sq[j].clone() * sq[j].clone() * x[j].clone();
            let mds = constants().mds;
            let mut constraints = Vec::with_capacity(4 * WIDTH);
            for j in 0..WIDTH {
                constraints.push(f_full.clone() * (sq[j].clone() - x[j].clone() * x[j].clone()));
            }
            constraints.push(f_partial.clone() * (sq[0].clone() - x[0].clone() * x[0].clone()));
            for (flag, full) in [(f_full, true), (f_partial, false)] {
                for i in 0..WIDTH {
                    let next = m.query_advice(state[i], Rotation::next());
                    let mixed = (0..WIDTH).fold(Expression::Constant(Fr::ZERO), |acc, j| {
                        let u = if j == 0 || full { sbox(j) } else { x[j].clone() };
                        acc + Expression::Constant(mds[i][j]) * u
                    });
                    constraints.push(flag.clone() * (next - mixed));
                }
            }
            constraints
        });
        CommitmentConfig { state, message, square, round_constants, f_full, f_partial, f_absorb }
    }

    /// Absorbs `values`; returns their cells and the digest's cell.
    pub fn commit(&self, layouter: &mut impl Layouter<Fr>, values: &[Fr]) -> Result<(Vec<Cell>, Cell), PlonkError> {
        let config = &self.config;
        let c = constants();
        layouter.assign_region(
            || "poseidon commitment",
            |mut region| {
                let mut state = initial_state(values.len());
                let mut cells = Vec::with_capacity(values.len());
                let mut row = 0;
                let mut digest = None;
                for (j, value) in state.iter().enumerate() {
                    let cell = region.assign_advice(config.state[j], row, Value::known(*value)).cell();
                    region.constrain_constant(cell, *value)?;
                    if j == 1 {
                        digest = Some(cell);
                    }
                }
                for (b, block) in blocks(values).into_iter().enumerate() {
                    for r in 0..ROUNDS {
                        let flag = if is_full(r) { config.f_full } else { config.f_partial };
                        region.assign_fixed(flag, row, Fr::ONE);
                        for j in 0..WIDTH {
                            region.assign_fixed(config.round_constants[j], row, c.round[r][j]);
                        }
                        let mut message = [Fr::ZERO; WIDTH];
                        if r == 0 {
                            region.assign_fixed(config.f_absorb, row, Fr::ONE);
                            for k in 0..RATE {
                                let cell = region.assign_advice(config.message[k], row, Value::known(block[k])).cell();
                                if b * RATE + k < values.len() {
                                    cells.push(cell);
                                } else {
                                    region.constrain_constant(cell, Fr::ZERO)?;
                                }
                                message[k + 1] = block[k];
                            }
                        }
                        for j in 0..WIDTH {
                            let x = state[j] + c.round[r][j] + message[j];
                            let square = if j == 0 || is_full(r) { x.square() } else { Fr::ZERO };
                            region.assign_advice(config.square[j], row, Value::known(square));
                        }
                        round(&mut state, r, message);
                        row += 1;
                        for (j, value) in state.iter().enumerate() {
                            let cell = region.assign_advice(config.state[j], row, Value::known(*value)).cell();
                            if j == 1 {
                                digest = Some(cell);
                            }
                        }
                    }
                }
                Ok((cells, digest.expect("the state row exists")))
            },
        )
    }
}
