//! Constraint programs: the program, the columns and the constants go up,
//! `constraint_rows` runs a fixed number of threads over the rows (each with
//! its own scratch for the program's nodes), the values come down.

use super::*;
use zkaccel_core::{ConstraintEvaluation, ConstraintProgram, CosetRows};

/// Threads of one launch: each keeps one row's node values in global memory,
/// so their number bounds the scratch (`threads · nodes · 32` bytes).
const MAX_THREADS: usize = 1 << 15;

impl ConstraintEvaluation<Fr> for CudaBackend {
    fn evaluate_constraints(
        &self,
        program: &ConstraintProgram,
        columns: &[&[Fr]],
        constants: &[Fr],
        rows: CosetRows<Fr>,
        y: Fr,
    ) -> Result<Vec<Fr>> {
        validate::constraint_inputs(program, columns, constants, rows.len)?;
        validate::field_elements("coset shift, generator and y", &[rows.shift, rows.omega, y])?;
        let too_large = || unsupported(NAME, Operation::ConstraintEvaluation, "over 2^32 rows or nodes");
        let n = u32::try_from(rows.len).map_err(|_| too_large())?;
        let (nodes, constraints) = crate::encode_constraint_program(program);
        let node_count = u32::try_from(program.nodes().len()).map_err(|_| too_large())?;
        let constraint_count = u32::try_from(constraints.len()).map_err(|_| too_large())?;
        let threads = rows.len.min(MAX_THREADS);
        let _serial = self.lock();
        let column_words: Vec<u64> = columns.iter().flat_map(|c| limbs(c).iter().copied()).collect();
        // Buffers of at least one word: a program may have no nodes or columns.
        let nonempty = |mut v: Vec<u64>| {
            if v.is_empty() {
                v.push(0);
            }
            v
        };
        let nodes = self.upload(&if nodes.is_empty() { vec![0] } else { nodes })?;
        let constraints = self.upload(&if constraints.is_empty() { vec![0] } else { constraints })?;
        let column_buffer = self.upload(&nonempty(column_words))?;
        let constant_buffer = self.upload(&nonempty(limbs(constants).to_vec()))?;
        let shift = self.upload(limbs(&[rows.shift]))?;
        let omega = self.upload(limbs(&[rows.omega]))?;
        let y = self.upload(limbs(&[y]))?;
        let mut scratch = self.zeros::<u64>((threads * program.nodes().len()).max(1) * 4)?;
        let mut out = self.zeros::<u64>(rows.len * 4)?;
        let thread_count = threads as u32;
        launch!(
            self,
            Kernel::ConstraintRows,
            grid_for(threads as u64)?,
            &nodes,
            &node_count,
            &constraints,
            &constraint_count,
            &column_buffer,
            &n,
            &constant_buffer,
            &shift,
            &omega,
            &y,
            &mut scratch,
            &thread_count,
            &mut out
        )?;
        let words = self.download(&out, rows.len * 4)?;
        Ok(words.chunks_exact(4).map(fr_from_words).collect())
    }
}
