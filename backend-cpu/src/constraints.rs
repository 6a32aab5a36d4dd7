//! Constraint programs on the CPU: rows in parallel tasks, each task a few
//! blocks of rows evaluated node by node (simple loops over a block, the
//! operands of every node in cache), then folded with powers of `y`.

use rayon::prelude::*;
use zkaccel_core::constraints::{ConstraintProgram, CosetRows, Node};
use zkaccel_core::{validate, ConstraintEvaluation, PrimeField, Result};

use crate::CpuBackend;

/// Rows evaluated together, node by node.
const BLOCK_ROWS: usize = 32;
/// Blocks per parallel task.
const TASK_BLOCKS: usize = 32;

impl<F: PrimeField> ConstraintEvaluation<F> for CpuBackend {
    fn evaluate_constraints(
        &self,
        program: &ConstraintProgram,
        columns: &[&[F]],
        constants: &[F],
        rows: CosetRows<F>,
        y: F,
    ) -> Result<Vec<F>> {
        validate::constraint_inputs(program, columns, constants, rows.len)?;
        validate::field_elements("coset shift, generator and y", &[rows.shift, rows.omega, y])?;
        let mut out = vec![F::ZERO; rows.len];
        let block_step = rows.omega.pow(&[BLOCK_ROWS as u64]);
        let uses_point = program.uses_point();
        out.par_chunks_mut(BLOCK_ROWS * TASK_BLOCKS).enumerate().for_each(|(task, out)| {
            let mut scratch = vec![F::ZERO; program.nodes().len() * BLOCK_ROWS];
            let first = task * BLOCK_ROWS * TASK_BLOCKS;
            let mut point = if uses_point { rows.shift * rows.omega.pow(&[first as u64]) } else { F::ZERO };
            for (block, out) in out.chunks_mut(BLOCK_ROWS).enumerate() {
                let start = first + block * BLOCK_ROWS;
                evaluate_block(program, columns, constants, start, point, rows.omega, &mut scratch, out.len());
                for &c in program.constraints() {
                    let values = &scratch[c as usize * BLOCK_ROWS..][..out.len()];
                    for (acc, v) in out.iter_mut().zip(values) {
                        *acc = *acc * y + *v;
                    }
                }
                point *= block_step;
            }
        });
        Ok(out)
    }
}

/// Every node of `program` on rows `start .. start + len` into `scratch`
/// (node `k` at `k·BLOCK_ROWS`).
#[allow(clippy::too_many_arguments)]
fn evaluate_block<F: PrimeField>(
    program: &ConstraintProgram,
    columns: &[&[F]],
    constants: &[F],
    start: usize,
    point: F,
    omega: F,
    scratch: &mut [F],
    len: usize,
) {
    for (index, node) in program.nodes().iter().enumerate() {
        let (done, rest) = scratch.split_at_mut(index * BLOCK_ROWS);
        let dst = &mut rest[..len];
        let operand = |a: u32| &done[a as usize * BLOCK_ROWS..][..len];
        match *node {
            Node::Column { column, rotation } => {
                let values = columns[column as usize];
                let n = values.len();
                let base = (start as i64 + i64::from(rotation)).rem_euclid(n as i64) as usize;
                if base + len <= n {
                    dst.copy_from_slice(&values[base..base + len]);
                } else {
                    for (r, d) in dst.iter_mut().enumerate() {
                        *d = values[(base + r) & (n - 1)];
                    }
                }
            }
            Node::Point => {
                let mut x = point;
                for d in dst.iter_mut() {
                    *d = x;
                    x *= omega;
                }
            }
            Node::Constant(c) => dst.fill(constants[c as usize]),
            Node::Neg(a) => {
                for (d, a) in dst.iter_mut().zip(operand(a)) {
                    *d = -*a;
                }
            }
            Node::Add(a, b) => {
                for ((d, a), b) in dst.iter_mut().zip(operand(a)).zip(operand(b)) {
                    *d = *a + *b;
                }
            }
            Node::Sub(a, b) => {
                for ((d, a), b) in dst.iter_mut().zip(operand(a)).zip(operand(b)) {
                    *d = *a - *b;
                }
            }
            Node::Mul(a, b) => {
                for ((d, a), b) in dst.iter_mut().zip(operand(a)).zip(operand(b)) {
                    *d = *a * *b;
                }
            }
        }
    }
}
