//! Constraint programs: a PLONK quotient's numerator as data, evaluated row
//! by row over a coset by a backend ([`crate::ConstraintEvaluation`]).
//!
//! A [`ConstraintProgram`] is a list of [`Node`]s in evaluation order — column
//! reads at a row offset, the row's evaluation point, constants, and
//! negation, sums, differences and products of earlier nodes — and the list
//! of nodes that are constraints. A frontend compiles its constraint system
//! into one once per key; a proof binds the constants (challenges) and runs
//! it over each coset of the extended domain. On row `i` of `n`, with the
//! row's point `X = shift·ωⁱ`, the result is
//! `Σ_j y^(m−1−j)·c_j(i)` over the `m` constraints (`acc = acc·y + c_j`).

use crate::error::{Error, Result};
use crate::field::Field;

/// One value per row; operands are indices of earlier nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// Column `column` at row `i + rotation`, wrapping around the `n` rows.
    Column {
        /// Index into the columns the program is run with.
        column: u32,
        /// Row offset.
        rotation: i32,
    },
    /// The row's evaluation point `shift·ωⁱ`.
    Point,
    /// Constant `c` of those the program is run with.
    Constant(u32),
    /// `−a`.
    Neg(u32),
    /// `a + b`.
    Add(u32, u32),
    /// `a − b`.
    Sub(u32, u32),
    /// `a · b`.
    Mul(u32, u32),
}

/// A checked constraint program (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstraintProgram {
    nodes: Vec<Node>,
    constraints: Vec<u32>,
    columns: usize,
    constants: usize,
}

impl ConstraintProgram {
    /// A program over `columns` columns and `constants` constants.
    ///
    /// Errors unless every operand is an earlier node, every constraint a
    /// node, and every column and constant index in range.
    pub fn new(nodes: Vec<Node>, constraints: Vec<u32>, columns: usize, constants: usize) -> Result<Self> {
        let bad = |reason: String| Err(Error::InvalidShape { reason });
        for (index, node) in nodes.iter().enumerate() {
            let earlier = |a: u32| (a as usize) < index;
            let ok = match *node {
                Node::Column { column, .. } => (column as usize) < columns,
                Node::Point => true,
                Node::Constant(c) => (c as usize) < constants,
                Node::Neg(a) => earlier(a),
                Node::Add(a, b) | Node::Sub(a, b) | Node::Mul(a, b) => earlier(a) && earlier(b),
            };
            if !ok {
                return bad(format!("constraint program node {index} ({node:?}) refers past what precedes it"));
            }
        }
        if let Some(c) = constraints.iter().find(|&&c| c as usize >= nodes.len()) {
            return bad(format!("constraint {c} is not a node of the program ({} nodes)", nodes.len()));
        }
        Ok(Self { nodes, constraints, columns, constants })
    }

    /// The nodes, in evaluation order.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The nodes that are constraints, in the order they are folded with `y`.
    pub fn constraints(&self) -> &[u32] {
        &self.constraints
    }

    /// How many columns the program reads.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// How many constants the program reads.
    pub fn constants(&self) -> usize {
        self.constants
    }

    /// Whether a node is the evaluation point (the rows' points are then computed).
    pub fn uses_point(&self) -> bool {
        self.nodes.contains(&Node::Point)
    }

    /// The program at one row, given the column values it reads: the
    /// definition every backend's result is checked against.
    pub fn evaluate_at<F: Field>(&self, column: impl Fn(u32, i32) -> F, constants: &[F], point: F, y: F) -> F {
        let mut values: Vec<F> = Vec::with_capacity(self.nodes.len());
        for node in &self.nodes {
            let v = match *node {
                Node::Column { column: c, rotation } => column(c, rotation),
                Node::Point => point,
                Node::Constant(c) => constants[c as usize],
                Node::Neg(a) => -values[a as usize],
                Node::Add(a, b) => values[a as usize] + values[b as usize],
                Node::Sub(a, b) => values[a as usize] - values[b as usize],
                Node::Mul(a, b) => values[a as usize] * values[b as usize],
            };
            values.push(v);
        }
        self.constraints.iter().fold(F::ZERO, |acc, &c| acc * y + values[c as usize])
    }
}

/// A run's rows: `len` of them (a power of two), row `i` the point `shift·ωⁱ`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CosetRows<F> {
    /// How many rows (every column's length).
    pub len: usize,
    /// The coset's shift.
    pub shift: F,
    /// The generator of the rows' subgroup (`ωⁿ = 1`).
    pub omega: F,
}
