//! Constraint programs over BN254 `Fr` on AVX-512 IFMA: eight rows per
//! vector, every node of the program on those rows, then the fold with `y`.
//!
//! Values stay the scalar code's Montgomery representatives `a·2^256` in
//! five 52-bit limbs (see [`crate::ifma`]), kept below `2p` between nodes.
//! A product takes its second operand times 16 (`b·2^260`, below `32p`), so
//! the `R = 2^260` Montgomery product gives `a·b·2^256` below `2p`; the
//! output is reduced below `p`. The quotient of a halo2 proof is these
//! programs over every extended-domain row, most of them products.

use std::arch::x86_64::*;

use rayon::prelude::*;
use zkaccel_core::bn254::FrParams;
use zkaccel_core::constraints::{ConstraintProgram, CosetRows, Node};
use zkaccel_core::{Field, Fr};

use crate::ifma::{
    add, broadcast, load8, mont_mul, reduce_below, reduce_below_2p, store8, sub_plus, times16, Consts, Limbs,
};

/// Rows per vector.
pub(crate) const LANES: usize = 8;
/// Rows per parallel task.
const TASK_ROWS: usize = 1024;

/// Evaluates `program` on `rows` into `out` (`rows.len` a multiple of
/// [`LANES`], checked by the caller, as is [`crate::ifma::available`]).
pub(crate) fn evaluate(
    program: &ConstraintProgram,
    columns: &[&[Fr]],
    constants: &[Fr],
    rows: CosetRows<Fr>,
    y: Fr,
    out: &mut [Fr],
) {
    debug_assert!(crate::ifma::available() && rows.len.is_multiple_of(LANES) && out.len() == rows.len);
    let uses_point = program.uses_point();
    let powers: Vec<Fr> = std::iter::successors(Some(Fr::ONE), |p| Some(*p * rows.omega)).take(LANES + 1).collect();
    out.par_chunks_mut(TASK_ROWS).enumerate().for_each(|(task, out)| {
        let first = task * TASK_ROWS;
        let point = if uses_point { rows.shift * rows.omega.pow(&[first as u64]) } else { Fr::ZERO };
        // SAFETY: the caller checked that this CPU has AVX-512F and IFMA.
        unsafe { evaluate_rows(program, columns, constants, first, point, &powers, y, out) };
    });
}

/// Rows `first .. first + out.len()`, the first at evaluation point `point`.
#[allow(clippy::too_many_arguments)]
#[target_feature(enable = "avx512f,avx512ifma")]
fn evaluate_rows(
    program: &ConstraintProgram,
    columns: &[&[Fr]],
    constants: &[Fr],
    first: usize,
    mut point: Fr,
    powers: &[Fr],
    y: Fr,
    out: &mut [Fr],
) {
    let c = Consts::new::<FrParams>();
    let zero = [_mm512_setzero_si512(); 5];
    let constants: Vec<Limbs> = constants.iter().map(|k| broadcast(k.montgomery_limbs())).collect();
    let y16 = times16(&broadcast(y.montgomery_limbs()), &c);
    let mut scratch: Vec<Limbs> = vec![zero; program.nodes().len()];
    for (block, out) in out.chunks_mut(LANES).enumerate() {
        let start = first + block * LANES;
        for (index, node) in program.nodes().iter().enumerate() {
            let value = match *node {
                Node::Column { column, rotation } => load_rows(columns[column as usize], start, rotation, &c),
                Node::Point => {
                    let points: [Fr; LANES] = std::array::from_fn(|l| point * powers[l]);
                    load8(&points, &c)
                }
                Node::Constant(k) => constants[k as usize],
                Node::Neg(a) => reduce_below_2p(sub_plus(&zero, &scratch[a as usize], &c.two_p, &c), &c),
                Node::Add(a, b) => reduce_below_2p(add(&scratch[a as usize], &scratch[b as usize], &c), &c),
                Node::Sub(a, b) => {
                    reduce_below_2p(sub_plus(&scratch[a as usize], &scratch[b as usize], &c.two_p, &c), &c)
                }
                Node::Mul(a, b) => mont_mul(&scratch[a as usize], &times16(&scratch[b as usize], &c), &c),
            };
            scratch[index] = value;
        }
        let mut acc = zero;
        for &k in program.constraints() {
            acc = reduce_below_2p(add(&mont_mul(&acc, &y16, &c), &scratch[k as usize], &c), &c);
        }
        store8(reduce_below(acc, &c.p, &c), out);
        point *= powers[LANES];
    }
}

/// Rows `start + rotation ..` of `column` (wrapping around its length).
#[inline]
#[target_feature(enable = "avx512f")]
fn load_rows(column: &[Fr], start: usize, rotation: i32, c: &Consts) -> Limbs {
    let n = column.len();
    let base = (start as i64 + i64::from(rotation)).rem_euclid(n as i64) as usize;
    if base + LANES <= n {
        load8(&column[base..base + LANES], c)
    } else {
        let wrapped: [Fr; LANES] = std::array::from_fn(|l| column[(base + l) % n]);
        load8(&wrapped, c)
    }
}
