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
        #[cfg(target_arch = "x86_64")]
        if let Some(out) = evaluate_fr_ifma(program, columns, constants, rows, y) {
            return Ok(out);
        }
        Ok(evaluate_scalar(program, columns, constants, rows, y))
    }
}

/// The IFMA evaluator's result, where `F` is BN254's `Fr`, the CPU has IFMA
/// and the rows fill whole vectors.
#[cfg(target_arch = "x86_64")]
fn evaluate_fr_ifma<F: PrimeField>(
    program: &ConstraintProgram,
    columns: &[&[F]],
    constants: &[F],
    rows: CosetRows<F>,
    y: F,
) -> Option<Vec<F>> {
    use zkaccel_core::cast::{downcast_slice, downcast_slice_mut};
    use zkaccel_core::Fr;
    if !crate::ifma::available() || !rows.len.is_multiple_of(crate::constraints_ifma::LANES) {
        return None;
    }
    let fr = |x: &F| downcast_slice::<F, Fr>(std::slice::from_ref(x)).map(|s| s[0]);
    let columns: Vec<&[Fr]> = columns.iter().map(|c| downcast_slice::<F, Fr>(c)).collect::<Option<_>>()?;
    let constants = downcast_slice::<F, Fr>(constants)?;
    let rows_fr = CosetRows { len: rows.len, shift: fr(&rows.shift)?, omega: fr(&rows.omega)? };
    let mut out = vec![F::ZERO; rows.len];
    let out_fr = downcast_slice_mut::<F, Fr>(&mut out)?;
    crate::constraints_ifma::evaluate(program, &columns, constants, rows_fr, fr(&y)?, out_fr);
    Some(out)
}

/// The portable evaluator (any field; `ZKACCEL_NO_IFMA` and other CPUs).
fn evaluate_scalar<F: PrimeField>(
    program: &ConstraintProgram,
    columns: &[&[F]],
    constants: &[F],
    rows: CosetRows<F>,
    y: F,
) -> Vec<F> {
    {
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
        out
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

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use super::*;
    use zkaccel_core::{Field, Fr, TwoAdicField};

    /// The IFMA evaluator against the scalar one on programs of every node
    /// kind (rotations either way, wrapping, the point, constants at p − 1),
    /// on column lengths from one vector up to several parallel tasks.
    #[test]
    fn ifma_evaluator_matches_the_scalar_one() {
        if !crate::ifma::available() {
            eprintln!("SKIPPED: this CPU has no AVX-512 IFMA");
            return;
        }
        let mut seed = Fr::from_u64(11);
        let mut next = || {
            seed = seed * seed + Fr::from_u64(3);
            seed
        };
        for log_n in [3u32, 4, 7, 11] {
            let n = 1usize << log_n;
            let mut columns: Vec<Vec<Fr>> = (0..3).map(|_| (0..n).map(|_| next()).collect()).collect();
            // Extremes: a column of p − 1 and zeros.
            columns.push((0..n).map(|i| if i % 3 == 0 { -Fr::ONE } else { Fr::ZERO }).collect());
            let nodes = vec![
                Node::Column { column: 0, rotation: 0 },
                Node::Column { column: 1, rotation: -1 },
                Node::Column { column: 2, rotation: 5 },
                Node::Column { column: 3, rotation: 1 },
                Node::Point,
                Node::Constant(0),
                Node::Constant(1),
                Node::Mul(0, 1),
                Node::Add(7, 2),
                Node::Sub(8, 3),
                Node::Neg(9),
                Node::Mul(10, 4),
                Node::Mul(11, 5),
                Node::Sub(5, 12),
                Node::Mul(3, 3),
                Node::Add(14, 6),
                Node::Mul(15, 13),
            ];
            let program = ConstraintProgram::new(nodes, vec![16, 9, 3, 14], columns.len(), 2).unwrap();
            let constants = [-Fr::ONE, next()];
            let rows = CosetRows {
                len: n,
                shift: Fr::multiplicative_generator(),
                omega: Fr::two_adic_generator(log_n).unwrap(),
            };
            let refs: Vec<&[Fr]> = columns.iter().map(Vec::as_slice).collect();
            let y = next();
            let scalar = evaluate_scalar(&program, &refs, &constants, rows, y);
            let ifma = evaluate_fr_ifma(&program, &refs, &constants, rows, y).expect("IFMA takes Fr");
            assert!(ifma == scalar, "2^{log_n}");
        }
    }
}
