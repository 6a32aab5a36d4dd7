//! The quotient numerator as a program, compiled once per key.
//!
//! Every identity the verifier checks at `x` — each gate polynomial, the
//! permutation argument's and each lookup argument's terms — becomes nodes
//! of a [`ConstraintProgram`] (the Accelerator's operation) over column
//! references with rotations, constants and the proof's challenges,
//! deduplicated so that a subexpression shared by several constraints is
//! computed once per row, with constants folded. The constraints are listed
//! in the verifier's order — gates, then the permutation, then the lookups —
//! which is the order the Accelerator folds them with powers of `y`.

use std::collections::HashMap;

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use halo2_axiom::plonk::{Any, ConstraintSystem, Expression};
use zkaccel::constraints::Node;
use zkaccel::{Accelerator, ConstraintEvaluation, ConstraintProgram, CosetRows};

use crate::convert::{scalar_from_halo2, scalars_from_halo2, scalars_to_halo2};
use crate::Halo2Error;

/// A column the program reads, as the prover holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// Fixed column `i`.
    Fixed(usize),
    /// Advice column `i`.
    Advice(usize),
    /// Instance column `i`.
    Instance(usize),
    /// The key's `l_0`: one on the first row.
    FirstRow,
    /// The key's `l_last`: one on the last usable row.
    LastRow,
    /// The key's `l_active_row`: one on the usable rows.
    ActiveRows,
    /// The permutation σ of the permutation argument's column `i`.
    Sigma(usize),
    /// The grand product of permutation set `i`.
    PermutationProduct(usize),
    /// The grand product of lookup `i`.
    LookupProduct(usize),
    /// The permuted input `A'` of lookup `i`.
    LookupInput(usize),
    /// The permuted table `S'` of lookup `i`.
    LookupTable(usize),
    /// The numerator of the constraints before a group, folded with `y`
    /// (the first column of every group of [`QuotientProgram::split`] but
    /// the first).
    Folded,
}

/// A value known only when a proof is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// The circuit's challenge `i`.
    Challenge(usize),
    /// The permutation and lookup challenge β.
    Beta,
    /// The permutation and lookup challenge γ.
    Gamma,
    /// The lookup compression challenge θ.
    Theta,
}

/// A constant of the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Constant {
    /// A field element fixed by the key.
    Value(Fr),
    /// A challenge, bound per proof.
    Symbol(Symbol),
}

/// The quotient numerator of one constraint system (see the module docs).
#[derive(Clone, Debug)]
pub struct QuotientProgram {
    program: ConstraintProgram,
    columns: Vec<Source>,
    constants: Vec<Constant>,
}

impl QuotientProgram {
    /// Compiles the gates, the permutation argument (columns in chunks of
    /// `degree − 2`, as keygen split them) and the lookups of `cs`.
    pub fn compile(cs: &ConstraintSystem<Fr>) -> Result<Self, Halo2Error> {
        let mut b = Builder::default();
        let mut constraints = Vec::new();
        for gate in cs.gates() {
            for polynomial in gate.polynomials() {
                constraints.push(b.expression(polynomial)?);
            }
        }
        b.permutation(cs, &mut constraints)?;
        b.lookups(cs, &mut constraints)?;
        b.finish(constraints)
    }

    /// `Σ_j θ^(m−1−j)·e_j`: the θ-compression of a lookup's input or table
    /// expressions as a one-constraint program (evaluated on the domain's
    /// rows, with `y = 1`).
    pub fn compression(expressions: &[Expression<Fr>]) -> Result<Self, Halo2Error> {
        let mut b = Builder::default();
        let compressed = b.compress(expressions)?;
        b.finish(vec![compressed])
    }

    /// The program cut into runs of consecutive constraints, each a program
    /// of its own that reads only its columns, so that a prover holds on the
    /// extended coset only the columns of the runs in progress: a column is
    /// needed from the first run that reads it to the last.
    ///
    /// Run `g > 0` reads [`Source::Folded`] (the result of run `g − 1`) as
    /// its first column and first constraint, so run `g` yields
    /// `folded·y^m + Σ_j y^(m−1−j)·c_j` over its `m` constraints and the last
    /// run yields the whole program's value. Runs are as long as they can be
    /// without holding more columns at once than the single constraint that
    /// needs most (with the columns that span it).
    pub fn split(&self) -> Result<Vec<QuotientProgram>, Halo2Error> {
        let nodes = self.program.nodes();
        let constraints = self.program.constraints();
        let words = self.columns.len().div_ceil(64).max(1);
        // Columns each node reads, bottom-up (operands precede their nodes).
        let mut reads = vec![0u64; nodes.len() * words];
        for (index, node) in nodes.iter().enumerate() {
            let (done, rest) = reads.split_at_mut(index * words);
            let own = &mut rest[..words];
            let mut union = |operand: u32| {
                let operand = &done[operand as usize * words..(operand as usize + 1) * words];
                own.iter_mut().zip(operand).for_each(|(a, b)| *a |= b);
            };
            match *node {
                Node::Column { column, .. } => own[column as usize / 64] |= 1 << (column % 64),
                Node::Point | Node::Constant(_) => {}
                Node::Neg(a) => union(a),
                Node::Add(a, b) | Node::Sub(a, b) | Node::Mul(a, b) => {
                    union(a);
                    union(b);
                }
            }
        }
        let read = |constraint: usize| {
            let node = constraints[constraint] as usize;
            &reads[node * words..(node + 1) * words]
        };
        // Columns held while constraint j is evaluated: those read at or
        // before j and at or after j.
        let mut first = vec![usize::MAX; self.columns.len()];
        let mut last = vec![0; self.columns.len()];
        for j in 0..constraints.len() {
            for (column, (f, l)) in first.iter_mut().zip(last.iter_mut()).enumerate() {
                if read(j)[column / 64] >> (column % 64) & 1 == 1 {
                    *f = (*f).min(j);
                    *l = j;
                }
            }
        }
        let held = |j: usize| -> Vec<u64> {
            let mut set = vec![0u64; words];
            for column in 0..self.columns.len() {
                if first[column] <= j && j <= last[column] {
                    set[column / 64] |= 1 << (column % 64);
                }
            }
            set
        };
        let count = |set: &[u64]| set.iter().map(|w| w.count_ones() as usize).sum::<usize>();
        let bound = (0..constraints.len()).map(|j| count(&held(j))).max().unwrap_or(0);
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        let mut j = 0;
        while j < constraints.len() {
            let mut set = held(j);
            let mut end = j + 1;
            while end < constraints.len() {
                let mut grown = set.clone();
                grown.iter_mut().zip(held(end)).for_each(|(a, b)| *a |= b);
                if count(&grown) > bound {
                    break;
                }
                set = grown;
                end += 1;
            }
            runs.push(j..end);
            j = end;
        }
        runs.into_iter().enumerate().map(|(index, run)| self.run(run, index > 0)).collect()
    }

    /// Constraints `run` as a program of their own (see [`Self::split`]),
    /// with the folded column first when `folded`.
    fn run(&self, run: std::ops::Range<usize>, folded: bool) -> Result<QuotientProgram, Halo2Error> {
        let nodes = self.program.nodes();
        let constraints = &self.program.constraints()[run];
        let mut needed = vec![false; nodes.len()];
        for &c in constraints {
            needed[c as usize] = true;
        }
        for index in (0..nodes.len()).rev() {
            if needed[index] {
                match nodes[index] {
                    Node::Neg(a) => needed[a as usize] = true,
                    Node::Add(a, b) | Node::Sub(a, b) | Node::Mul(a, b) => {
                        needed[a as usize] = true;
                        needed[b as usize] = true;
                    }
                    Node::Column { .. } | Node::Point | Node::Constant(_) => {}
                }
            }
        }
        let mut columns: Vec<Source> = Vec::new();
        let mut column_of = HashMap::new();
        let mut out: Vec<Node> = Vec::new();
        let mut out_constraints = Vec::with_capacity(constraints.len() + 1);
        if folded {
            columns.push(Source::Folded);
            out.push(Node::Column { column: 0, rotation: 0 });
            out_constraints.push(0);
        }
        let mut renamed = vec![u32::MAX; nodes.len()];
        for (index, node) in nodes.iter().enumerate().filter(|(i, _)| needed[*i]) {
            let r = |a: u32| renamed[a as usize];
            let node = match *node {
                Node::Column { column, rotation } => {
                    let column = *column_of.entry(column).or_insert_with(|| {
                        columns.push(self.columns[column as usize]);
                        columns.len() as u32 - 1
                    });
                    Node::Column { column, rotation }
                }
                Node::Point => Node::Point,
                Node::Constant(c) => Node::Constant(c),
                Node::Neg(a) => Node::Neg(r(a)),
                Node::Add(a, b) => Node::Add(r(a), r(b)),
                Node::Sub(a, b) => Node::Sub(r(a), r(b)),
                Node::Mul(a, b) => Node::Mul(r(a), r(b)),
            };
            renamed[index] = out.len() as u32;
            out.push(node);
        }
        out_constraints.extend(constraints.iter().map(|&c| renamed[c as usize]));
        let program = ConstraintProgram::new(out, out_constraints, columns.len(), self.constants.len())?;
        Ok(QuotientProgram { program, columns, constants: self.constants.clone() })
    }

    /// The columns the program reads, in the order [`Self::evaluate`] takes them.
    pub fn columns(&self) -> &[Source] {
        &self.columns
    }

    /// The program the Accelerator runs.
    pub fn program(&self) -> &ConstraintProgram {
        &self.program
    }

    /// The constants, with challenges still symbolic.
    pub fn constants(&self) -> &[Constant] {
        &self.constants
    }

    /// The constants with `symbol` giving each challenge's value.
    pub fn bind(&self, symbol: impl Fn(Symbol) -> Fr) -> Vec<Fr> {
        self.constants
            .iter()
            .map(|c| match *c {
                Constant::Value(v) => v,
                Constant::Symbol(s) => symbol(s),
            })
            .collect()
    }

    /// The program on the Accelerator over `columns` (the values of
    /// [`Self::columns`], each `n` long) with `constants` bound: row `i` is
    /// the point `shift·ωⁱ`, constraints folded with `y`.
    pub fn evaluate(
        &self,
        accelerator: &Accelerator,
        columns: &[&[Fr]],
        constants: &[Fr],
        rows: CosetRows<Fr>,
        y: Fr,
    ) -> Result<Vec<Fr>, Halo2Error> {
        let columns: Vec<&[zkaccel::Fr]> = columns.iter().map(|c| scalars_from_halo2(c)).collect();
        let rows =
            CosetRows { len: rows.len, shift: scalar_from_halo2(rows.shift), omega: scalar_from_halo2(rows.omega) };
        let out = accelerator.evaluate_constraints(
            &self.program,
            &columns,
            scalars_from_halo2(constants),
            rows,
            scalar_from_halo2(y),
        )?;
        Ok(scalars_to_halo2(&out).to_vec())
    }
}

/// Builds a deduplicated program.
#[derive(Default)]
struct Builder {
    nodes: Vec<Node>,
    node_index: HashMap<Node, u32>,
    columns: Vec<Source>,
    column_index: HashMap<Source, u32>,
    constants: Vec<Constant>,
    constant_index: HashMap<Constant, u32>,
}

impl Builder {
    fn finish(self, constraints: Vec<u32>) -> Result<QuotientProgram, Halo2Error> {
        let program = ConstraintProgram::new(self.nodes, constraints, self.columns.len(), self.constants.len())?;
        Ok(QuotientProgram { program, columns: self.columns, constants: self.constants })
    }

    fn node(&mut self, node: Node) -> u32 {
        if let Some(&i) = self.node_index.get(&node) {
            return i;
        }
        let i = self.nodes.len() as u32;
        self.nodes.push(node);
        self.node_index.insert(node, i);
        i
    }

    fn column(&mut self, source: Source, rotation: i32) -> u32 {
        let next = self.columns.len() as u32;
        let column = *self.column_index.entry(source).or_insert(next);
        if column == next {
            self.columns.push(source);
        }
        self.node(Node::Column { column, rotation })
    }

    fn constant(&mut self, constant: Constant) -> u32 {
        let next = self.constants.len() as u32;
        let index = *self.constant_index.entry(constant).or_insert(next);
        if index == next {
            self.constants.push(constant);
        }
        self.node(Node::Constant(index))
    }

    fn value(&mut self, v: Fr) -> u32 {
        self.constant(Constant::Value(v))
    }

    fn symbol(&mut self, s: Symbol) -> u32 {
        self.constant(Constant::Symbol(s))
    }

    /// The field value of a node, when it is a known constant.
    fn known(&self, node: u32) -> Option<Fr> {
        match self.nodes[node as usize] {
            Node::Constant(c) => match self.constants[c as usize] {
                Constant::Value(v) => Some(v),
                Constant::Symbol(_) => None,
            },
            _ => None,
        }
    }

    fn add(&mut self, a: u32, b: u32) -> u32 {
        match (self.known(a), self.known(b)) {
            (Some(x), Some(y)) => self.value(x + y),
            (Some(x), _) if x.is_zero_vartime() => b,
            (_, Some(y)) if y.is_zero_vartime() => a,
            // Commutative: one node for a + b and b + a.
            _ => self.node(Node::Add(a.min(b), a.max(b))),
        }
    }

    fn sub(&mut self, a: u32, b: u32) -> u32 {
        match (self.known(a), self.known(b)) {
            (Some(x), Some(y)) => self.value(x - y),
            (_, Some(y)) if y.is_zero_vartime() => a,
            (Some(x), _) if x.is_zero_vartime() => self.neg(b),
            _ => self.node(Node::Sub(a, b)),
        }
    }

    fn mul(&mut self, a: u32, b: u32) -> u32 {
        match (self.known(a), self.known(b)) {
            (Some(x), Some(y)) => self.value(x * y),
            (Some(x), _) if x.is_zero_vartime() => self.value(Fr::ZERO),
            (_, Some(y)) if y.is_zero_vartime() => self.value(Fr::ZERO),
            (Some(x), _) if x == Fr::ONE => b,
            (_, Some(y)) if y == Fr::ONE => a,
            _ => self.node(Node::Mul(a.min(b), a.max(b))),
        }
    }

    fn neg(&mut self, a: u32) -> u32 {
        match self.known(a) {
            Some(x) => self.value(-x),
            None => self.node(Node::Neg(a)),
        }
    }

    fn product(&mut self, factors: impl IntoIterator<Item = u32>) -> u32 {
        let one = self.value(Fr::ONE);
        factors.into_iter().fold(one, |acc, f| self.mul(acc, f))
    }

    fn expression(&mut self, e: &Expression<Fr>) -> Result<u32, Halo2Error> {
        Ok(match e {
            Expression::Constant(v) => self.value(*v),
            Expression::Selector(_) => {
                return Err(Halo2Error::Unsupported(
                    "a gate queries a virtual selector (keygen replaces them with fixed columns; \
                     was this constraint system taken before keygen?)"
                        .into(),
                ))
            }
            Expression::Fixed(q) => self.column(Source::Fixed(q.column_index()), q.rotation().0),
            Expression::Advice(q) => self.column(Source::Advice(q.column_index()), q.rotation().0),
            Expression::Instance(q) => self.column(Source::Instance(q.column_index()), q.rotation().0),
            Expression::Challenge(c) => self.symbol(Symbol::Challenge(c.index())),
            Expression::Negated(a) => {
                let a = self.expression(a)?;
                self.neg(a)
            }
            Expression::Sum(a, b) => {
                let (a, b) = (self.expression(a)?, self.expression(b)?);
                self.add(a, b)
            }
            Expression::Product(a, b) => {
                let (a, b) = (self.expression(a)?, self.expression(b)?);
                self.mul(a, b)
            }
            Expression::Scaled(a, v) => {
                let (a, v) = (self.expression(a)?, self.value(*v));
                self.mul(a, v)
            }
        })
    }

    /// `Σ_j θ^(m−1−j)·e_j`, folded as `acc·θ + e_j` (stock's order).
    fn compress(&mut self, expressions: &[Expression<Fr>]) -> Result<u32, Halo2Error> {
        let theta = self.symbol(Symbol::Theta);
        let mut acc = self.value(Fr::ZERO);
        for e in expressions {
            let e = self.expression(e)?;
            let t = self.mul(acc, theta);
            acc = self.add(t, e);
        }
        Ok(acc)
    }

    /// `l_0·(1 − z_0)`, `l_last·(z_last² − z_last)`, `l_0·(z_s − z_{s−1}(ω^−(b+1) X))`
    /// and per set `l_active·(z_s(ωX)·Π(v + βσ + γ) − z_s(X)·Π(v + δ^j βX + γ))`.
    fn permutation(&mut self, cs: &ConstraintSystem<Fr>, constraints: &mut Vec<u32>) -> Result<(), Halo2Error> {
        let columns = cs.permutation().get_columns();
        if columns.is_empty() {
            return Ok(());
        }
        let chunk_len = cs.degree().checked_sub(2).filter(|&c| c > 0).ok_or_else(|| {
            Halo2Error::Unsupported(format!("a permutation argument with constraint degree {}", cs.degree()))
        })?;
        let sets = columns.len().div_ceil(chunk_len);
        let last_rotation = -((cs.blinding_factors() + 1) as i32);
        let one = self.value(Fr::ONE);
        let first_row = self.column(Source::FirstRow, 0);
        let last_row = self.column(Source::LastRow, 0);
        let active = self.column(Source::ActiveRows, 0);
        let beta = self.symbol(Symbol::Beta);
        let gamma = self.symbol(Symbol::Gamma);

        let z0 = self.column(Source::PermutationProduct(0), 0);
        let t = self.sub(one, z0);
        constraints.push(self.mul(t, first_row));

        let z_last = self.column(Source::PermutationProduct(sets - 1), 0);
        let sq = self.mul(z_last, z_last);
        let t = self.sub(sq, z_last);
        constraints.push(self.mul(t, last_row));

        for set in 1..sets {
            let z = self.column(Source::PermutationProduct(set), 0);
            let prev = self.column(Source::PermutationProduct(set - 1), last_rotation);
            let t = self.sub(z, prev);
            constraints.push(self.mul(t, first_row));
        }

        let point = self.node(Node::Point);
        let beta_x = self.mul(beta, point);
        let mut delta_power = Fr::ONE;
        for (set, chunk) in columns.chunks(chunk_len).enumerate() {
            let z = self.column(Source::PermutationProduct(set), 0);
            let z_next = self.column(Source::PermutationProduct(set), 1);
            let mut left = vec![z_next];
            let mut right = vec![z];
            for (offset, column) in chunk.iter().enumerate() {
                let value = match column.column_type() {
                    Any::Advice(_) => self.column(Source::Advice(column.index()), 0),
                    Any::Fixed => self.column(Source::Fixed(column.index()), 0),
                    Any::Instance => self.column(Source::Instance(column.index()), 0),
                };
                let sigma = self.column(Source::Sigma(set * chunk_len + offset), 0);
                let t = self.mul(beta, sigma);
                let t = self.add(value, t);
                left.push(self.add(t, gamma));
                let delta = self.value(delta_power);
                let t = self.mul(delta, beta_x);
                let t = self.add(value, t);
                right.push(self.add(t, gamma));
                delta_power *= Fr::DELTA;
            }
            let left = self.product(left);
            let right = self.product(right);
            let t = self.sub(left, right);
            constraints.push(self.mul(t, active));
        }
        Ok(())
    }

    /// Per lookup: `l_0·(1 − z)`, `l_last·(z² − z)`,
    /// `l_active·(z(ωX)·(A' + β)(S' + γ) − z·(A + β)(S + γ))`, `l_0·(A' − S')`
    /// and `l_active·(A' − S')(A' − A'(ω⁻¹X))`, with `A`, `S` the θ-compressed
    /// input and table expressions.
    fn lookups(&mut self, cs: &ConstraintSystem<Fr>, constraints: &mut Vec<u32>) -> Result<(), Halo2Error> {
        if cs.lookups().is_empty() {
            return Ok(());
        }
        let one = self.value(Fr::ONE);
        let first_row = self.column(Source::FirstRow, 0);
        let last_row = self.column(Source::LastRow, 0);
        let active = self.column(Source::ActiveRows, 0);
        let beta = self.symbol(Symbol::Beta);
        let gamma = self.symbol(Symbol::Gamma);
        for (index, lookup) in cs.lookups().iter().enumerate() {
            let input = self.compress(lookup.input_expressions())?;
            let table = self.compress(lookup.table_expressions())?;
            let z = self.column(Source::LookupProduct(index), 0);
            let z_next = self.column(Source::LookupProduct(index), 1);
            let a = self.column(Source::LookupInput(index), 0);
            let a_prev = self.column(Source::LookupInput(index), -1);
            let s = self.column(Source::LookupTable(index), 0);

            let t = self.sub(one, z);
            constraints.push(self.mul(t, first_row));

            let sq = self.mul(z, z);
            let t = self.sub(sq, z);
            constraints.push(self.mul(t, last_row));

            let a_beta = self.add(a, beta);
            let s_gamma = self.add(s, gamma);
            let left = self.product([z_next, a_beta, s_gamma]);
            let input_beta = self.add(input, beta);
            let table_gamma = self.add(table, gamma);
            let right = self.product([z, input_beta, table_gamma]);
            let t = self.sub(left, right);
            constraints.push(self.mul(t, active));

            let a_minus_s = self.sub(a, s);
            constraints.push(self.mul(a_minus_s, first_row));

            let step = self.sub(a, a_prev);
            let t = self.mul(a_minus_s, step);
            constraints.push(self.mul(t, active));
        }
        Ok(())
    }
}
