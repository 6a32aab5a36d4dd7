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
//! In the circuit a full round is one row (`state' = M·S(state + c + m)`,
//! the message `m` added only on a block's first round) and three partial
//! rounds share a row: their S-box inputs `a_i` and squares `b_i = a_i²` are
//! witnessed, and since a partial round is linear apart from its one S-box,
//! each `a_i` and the next row's state are fixed linear forms in the row's
//! state and the `u_i = b_i²·a_i`, plus per-row constants. No gate exceeds
//! degree 5 (halo2-axiom's cap). A block of two values costs 8 + 19 = 27 rows.

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
/// Partial rounds per row (57 = 19 · 3).
const PARTIAL_PER_ROW: usize = 3;
const PARTIAL_ROWS: usize = PARTIAL_ROUNDS / PARTIAL_PER_ROW;
const ROWS_PER_PERMUTATION: usize = FULL_ROUNDS + PARTIAL_ROWS;
/// The basis of a partial row's linear forms: the row's state, then its `u_i`.
const BASIS: usize = WIDTH + PARTIAL_PER_ROW;

/// `Σ coef·basis + constant`.
#[derive(Clone, Copy)]
struct Form {
    coef: [Fr; BASIS],
    constant: Fr,
}

impl Form {
    fn basis(i: usize) -> Self {
        let mut coef = [Fr::ZERO; BASIS];
        coef[i] = Fr::ONE;
        Self { coef, constant: Fr::ZERO }
    }

    fn plus_constant(mut self, c: Fr) -> Self {
        self.constant += c;
        self
    }

    fn combine(terms: &[(Fr, Form)]) -> Self {
        let mut out = Self { coef: [Fr::ZERO; BASIS], constant: Fr::ZERO };
        for (k, f) in terms {
            for (o, c) in out.coef.iter_mut().zip(&f.coef) {
                *o += *k * c;
            }
            out.constant += *k * f.constant;
        }
        out
    }
}

/// One row of three partial rounds: the forms of its S-box inputs and of
/// the next row's state.
struct PartialRow {
    inputs: [Form; PARTIAL_PER_ROW],
    next: [Form; WIDTH],
}

struct Constants {
    round: Vec<[Fr; WIDTH]>,
    mds: [[Fr; WIDTH]; WIDTH],
    partial_rows: Vec<PartialRow>,
}

fn partial_row(round: &[[Fr; WIDTH]], mds: &[[Fr; WIDTH]; WIDTH], first_round: usize) -> PartialRow {
    let mut state: [Form; WIDTH] = std::array::from_fn(Form::basis);
    let mut inputs = [state[0]; PARTIAL_PER_ROW];
    for (i, input) in inputs.iter_mut().enumerate() {
        let c = round[first_round + i];
        *input = state[0].plus_constant(c[0]);
        let u = [Form::basis(WIDTH + i), state[1].plus_constant(c[1]), state[2].plus_constant(c[2])];
        state = std::array::from_fn(|k| Form::combine(&[(mds[k][0], u[0]), (mds[k][1], u[1]), (mds[k][2], u[2])]));
    }
    PartialRow { inputs, next: state }
}

fn constants() -> &'static Constants {
    static CONSTANTS: OnceLock<Constants> = OnceLock::new();
    CONSTANTS.get_or_init(|| {
        let mut grain = Grain::new(Fr::NUM_BITS, WIDTH, FULL_ROUNDS, PARTIAL_ROUNDS);
        let round: Vec<[Fr; WIDTH]> = (0..ROUNDS).map(|_| [(); WIDTH].map(|_| grain.field_element())).collect();
        let mds = std::array::from_fn(|i| {
            std::array::from_fn(|j| Fr::from((i + WIDTH + j) as u64).invert().expect("nonzero"))
        });
        let partial_rows =
            (0..PARTIAL_ROWS).map(|g| partial_row(&round, &mds, FULL_ROUNDS / 2 + g * PARTIAL_PER_ROW)).collect();
        Constants { round, mds, partial_rows }
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
    n.div_ceil(RATE) * ROWS_PER_PERMUTATION + 1
}

/// Columns of the commitment chip.
#[derive(Clone, Debug)]
pub struct CommitmentConfig {
    state: [Column<Advice>; WIDTH],
    message: [Column<Advice>; RATE],
    square: [Column<Advice>; WIDTH],
    sbox_inputs: [Column<Advice>; PARTIAL_PER_ROW],
    round_constants: [Column<Fixed>; WIDTH],
    next_constants: [Column<Fixed>; WIDTH],
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
        // On a partial row `square` holds the b_i, `sbox_inputs` the a_i and
        // `round_constants` the constants of the a_i forms.
        let square = [(); WIDTH].map(|_| meta.advice_column());
        let sbox_inputs = [(); PARTIAL_PER_ROW].map(|_| meta.advice_column());
        let next_constants = [(); WIDTH].map(|_| meta.fixed_column());
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
            let mut constraints = Vec::with_capacity(4 * WIDTH + 2 * PARTIAL_PER_ROW);
            for j in 0..WIDTH {
                constraints.push(f_full.clone() * (sq[j].clone() - x[j].clone() * x[j].clone()));
            }
            for i in 0..WIDTH {
                let next = m.query_advice(state[i], Rotation::next());
                let mixed = (0..WIDTH)
                    .fold(Expression::Constant(Fr::ZERO), |acc, j| acc + Expression::Constant(mds[i][j]) * sbox(j));
                constraints.push(f_full.clone() * (next - mixed));
            }
            // Partial rows: the forms are the same on every row (only their
            // constants differ, held in fixed columns).
            let forms = &constants().partial_rows[0];
            let a: Vec<Expression<Fr>> =
                (0..PARTIAL_PER_ROW).map(|i| m.query_advice(sbox_inputs[i], Rotation::cur())).collect();
            let mut basis: Vec<Expression<Fr>> =
                (0..WIDTH).map(|j| m.query_advice(state[j], Rotation::cur())).collect();
            basis.extend((0..PARTIAL_PER_ROW).map(|i| sq[i].clone() * sq[i].clone() * a[i].clone()));
            let eval = |form: &Form, constant: Expression<Fr>| {
                form.coef.iter().zip(&basis).fold(constant, |acc, (c, b)| {
                    if bool::from(c.is_zero()) {
                        acc
                    } else {
                        acc + Expression::Constant(*c) * b.clone()
                    }
                })
            };
            for i in 0..PARTIAL_PER_ROW {
                constraints.push(f_partial.clone() * (sq[i].clone() - a[i].clone() * a[i].clone()));
                let constant = m.query_fixed(round_constants[i], Rotation::cur());
                constraints.push(f_partial.clone() * (a[i].clone() - eval(&forms.inputs[i], constant)));
            }
            for k in 0..WIDTH {
                let next = m.query_advice(state[k], Rotation::next());
                let constant = m.query_fixed(next_constants[k], Rotation::cur());
                constraints.push(f_partial.clone() * (next - eval(&forms.next[k], constant)));
            }
            constraints
        });
        CommitmentConfig {
            state,
            message,
            square,
            sbox_inputs,
            round_constants,
            next_constants,
            f_full,
            f_partial,
            f_absorb,
        }
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
                    let mut r = 0;
                    while r < ROUNDS {
                        let mut message = [Fr::ZERO; WIDTH];
                        if is_full(r) {
                            region.assign_fixed(config.f_full, row, Fr::ONE);
                            for j in 0..WIDTH {
                                region.assign_fixed(config.round_constants[j], row, c.round[r][j]);
                            }
                            if r == 0 {
                                region.assign_fixed(config.f_absorb, row, Fr::ONE);
                                for k in 0..RATE {
                                    let cell =
                                        region.assign_advice(config.message[k], row, Value::known(block[k])).cell();
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
                                region.assign_advice(config.square[j], row, Value::known(x.square()));
                            }
                            round(&mut state, r, message);
                            r += 1;
                        } else {
                            let forms = &c.partial_rows[(r - FULL_ROUNDS / 2) / PARTIAL_PER_ROW];
                            region.assign_fixed(config.f_partial, row, Fr::ONE);
                            for i in 0..PARTIAL_PER_ROW {
                                region.assign_fixed(config.round_constants[i], row, forms.inputs[i].constant);
                                let a = state[0] + c.round[r][0];
                                region.assign_advice(config.sbox_inputs[i], row, Value::known(a));
                                region.assign_advice(config.square[i], row, Value::known(a.square()));
                                round(&mut state, r, [Fr::ZERO; WIDTH]);
                                r += 1;
                            }
                            for k in 0..WIDTH {
                                region.assign_fixed(config.next_constants[k], row, forms.next[k].constant);
                            }
                        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitments_separate_values_lengths_and_order() {
        let v = |xs: &[u64]| xs.iter().map(|&x| Fr::from(x)).collect::<Vec<_>>();
        let base = poseidon_commit(&v(&[1, 2, 3]));
        assert_eq!(base, poseidon_commit(&v(&[1, 2, 3])));
        assert_ne!(base, poseidon_commit(&v(&[1, 2, 4])));
        assert_ne!(base, poseidon_commit(&v(&[2, 1, 3])));
        // Padding with zero is not a collision: the length is absorbed.
        assert_ne!(base, poseidon_commit(&v(&[1, 2, 3, 0])));
        assert_ne!(poseidon_commit(&[]), poseidon_commit(&v(&[0])));
    }

    #[test]
    fn merged_partial_rows_equal_the_rounds() {
        // The forms of one partial row, evaluated, give the same state as
        // running its three rounds.
        let c = constants();
        let start = [Fr::from(11), Fr::from(22), Fr::from(33)];
        for (g, forms) in c.partial_rows.iter().enumerate() {
            let first = FULL_ROUNDS / 2 + g * PARTIAL_PER_ROW;
            let mut state = start;
            let mut basis = [Fr::ZERO; BASIS];
            basis[..WIDTH].copy_from_slice(&start);
            for i in 0..PARTIAL_PER_ROW {
                let a = state[0] + c.round[first + i][0];
                let eval = |f: &Form| f.coef.iter().zip(&basis).map(|(c, b)| *c * b).sum::<Fr>() + f.constant;
                assert_eq!(eval(&forms.inputs[i]), a);
                basis[WIDTH + i] = pow5(a);
                round(&mut state, first + i, [Fr::ZERO; WIDTH]);
            }
            for (form, expected) in forms.next.iter().zip(state) {
                let value: Fr = form.coef.iter().zip(&basis).map(|(c, b)| *c * b).sum::<Fr>() + form.constant;
                assert_eq!(value, expected);
            }
        }
    }
}
