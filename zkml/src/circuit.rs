//! The halo2 circuit of a quantized [`Program`](crate::program::Program).
//!
//! One row layout for every layer. A neuron with `T` terms takes
//! `max(⌈T / lanes⌉ + 1, 2·L + 1)` rows (`L` limbs per range check; a table
//! function's neuron at least `3·L + 1`): dot rows, each adding `Σ x_i·w_i`
//! over its lanes to an accumulator (the first starts from zero), then one
//! output row whose first lane holds the neuron's output `out` in `x_0` and
//! its bias in `w_0`. The neuron's last `2·L + 1` rows carry, in one `limb`
//! column, the limbs of its rescale remainder `r`, the limbs of the low part
//! `lo` of the result, and its high part `hi` (a table function's `L` rows
//! before them the limbs of its interpolation remainder `r₂`); the output
//! row checks:
//!
//! ```text
//! dot:      acc = Σ x_i·w_i + (f_dot = 1 ? acc[-1] : 0)       f_dot ∈ {0, 1, 2}
//! rescale:  acc[-1] + bias + S/2 = q·S + Σ r_j·2^(j·l)      r_j = limb[j − 2L]
//! split:    q = hi·base + lo,  lo = Σ lo_j·2^(j·l)            lo_j = limb[j − L], hi = limb[0]
//! output:   out = a·q + b                                     (tag, hi, a, b) in the table
//!   or, a table function (f_table = 1):
//!           out·base + Σ r2_j·2^(j·l) = a·lo + b              r2_j = limb[j − 3L]
//! ```
//!
//! (see [`crate::quantize`] for the entries: identity, ReLU, step and floor
//! split at `S`; a table function at its calibrated `2^c`, interpolated
//! along the chord between two knots).
//!
//! Two kinds of neuron bend that layout. A quotient
//! ([`Activation::Quotient`], the hint of an exact division, or
//! [`Activation::IntegerQuotient`], that of a `Mod`) is its output
//! row alone, with every flag and tag 0: nothing in it is checked, and the
//! neurons the lowering puts after it (a range check of `−q`, two checks of
//! the remainder) bind it. A check ([`Activation::NonNegative`]) is an
//! ordinary neuron whose bias cell holds `−S/2` (`−S/2 − 1` when strict)
//! and whose table has entries for `hi ≥ 0` only.
//!
//! One lookup covers every row: the fixed `tag` says what the row's limb is
//! (a range check, or the high part of one activation); rows with nothing
//! to check have tag 0 and match the table's all-zero row.
//!
//! Two layouts, chosen at compile time:
//! - **compact** (only ReLU and identity, the common case and the EVM
//!   verifier's): `q` is the expression `hi·S + lo`, and the table has two
//!   columns, `(2·tag + aux, limb)`, with `aux` a bit on every tagged row (a
//!   gate). That pair is as strong as the triple `(tag, limb, aux)`: a
//!   matching entry `(2·t + a, v)` gives `aux = 2·(t − tag) + a`, a bit only
//!   when `t = tag` and `aux = a`. Output rows are those where
//!   `tag·(tag − 1) ≠ 0` (tags 0–3), so no flag column is needed;
//! - **general** (any activation): the table has four columns
//!   `(tag, input, a, b)` and the output row checks `out = a·q + b` with
//!   `q = hi·base + lo`, `base` a fixed column (`S` for the exact
//!   activations, `2^c` for a table function), and a flag `f_out`. A split at
//!   `2^c` checks its low limbs with range tags of the right widths (a limb
//!   with tag 0 must be 0). Tags: `1..=l` range checks of that many bits, then
//!   one per exact activation, then one per table function, then one per
//!   selection table (a `Gather` of constants at computed indices): entries
//!   `(tag, key, 0, element)`, so `out = b` is the element at key `hi`.
//!
//! Every column is a commitment in the proof or the verifying key, and so
//! ≈ 6–7k gas in an EVM verifier: the output sits in the lane column `x_0`
//! (which values are copied from anyway), `f_dot = 2` marks a neuron's first
//! row instead of a column of its own, and the bias rides in the weight
//! column of the output row.
//!
//! Values flow between layers by copy constraints from each lane cell to the
//! output cell that produced it (or to the instance column, or to the first
//! use of a private input). Public inputs, the weight commitment and the
//! outputs sit in one instance column, in that order.
//!
//! The verifier's settings are bound to the verifying key: the last fixed
//! column configured holds [`ModelSettings::digest`] in row 0 and zeros
//! elsewhere, so its commitment in the key is `digest · [L_0(τ)]₁`, which a
//! verifier recomputes from the settings it reads ([`settings_column`]). No
//! gate queries the column: it costs the proof and an EVM verifier nothing.

use std::sync::Arc;

use halo2_axiom::circuit::{Cell, Layouter, Region, SimpleFloorPlanner, Value};
use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use halo2_axiom::plonk::{
    Advice, Circuit, Column, ConstraintSystem, Error as PlonkError, Expression, Fixed, Instance, TableColumn,
    VirtualCells,
};
use halo2_axiom::poly::Rotation;
use serde::{Deserialize, Serialize};

use crate::commitment::{CommitmentChip, CommitmentConfig};
use crate::program::{Activation, Weight};
use crate::quantize::{exact_keys, TableLayout, Trace};
use crate::{CompiledModel, ModelSettings};

/// Tags of the compact layout: `tag·(tag − 1)` is nonzero exactly on
/// output rows (RELU or IDENT).
const TAG_RANGE: u64 = 1;
const TAG_RELU: u64 = 2;
const TAG_IDENT: u64 = 3;

/// The tags of a layout (see the module docs).
struct Tags<'a> {
    layout: &'a TableLayout,
    limb_bits: u32,
    general: bool,
}

impl Tags<'_> {
    /// A range check of `bits ≤ l` bits: in the general layout the tag is
    /// the width (0: the value is 0); the compact one checks whole limbs only.
    fn range(&self, bits: u32) -> u64 {
        if self.general {
            u64::from(bits)
        } else {
            TAG_RANGE
        }
    }

    /// The output row of `activation` (`None`: the layout has no table for it).
    fn activation(&self, activation: Activation) -> Option<u64> {
        if !self.general {
            return match activation {
                Activation::Relu => Some(TAG_RELU),
                Activation::Identity => Some(TAG_IDENT),
                _ => None,
            };
        }
        let first = u64::from(self.limb_bits) + 1;
        let exact = self.layout.exact.len() as u64;
        match activation {
            Activation::Table(f) => {
                self.layout.functions.iter().position(|t| t.function == f).map(|i| first + exact + i as u64)
            }
            Activation::Select { table } => (table as usize)
                .lt(&self.layout.selections.len())
                .then(|| first + exact + self.layout.functions.len() as u64 + u64::from(table)),
            a => self.layout.exact.iter().position(|&e| e == a.table_kind()).map(|i| first + i as u64),
        }
    }
}

/// The column layout, fixed at compile time (halo2's `Circuit::Params`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CircuitShape {
    /// Products per row.
    pub lanes: usize,
    /// `s`: values at scale `2^s`.
    pub scale_bits: u32,
    /// Bits per range-check limb; `s` is a multiple of it.
    pub limb_bits: u32,
    /// Weights and biases are private advice, bound by a public commitment.
    pub private_weights: bool,
    /// The general layout (any activation), else the compact one (ReLU and
    /// identity only).
    #[serde(default)]
    pub general: bool,
    /// Some neuron multiplies two computed values: a public model's
    /// weights then have an advice column per lane beside the fixed one.
    #[serde(default)]
    pub products: bool,
}

impl CircuitShape {
    /// Limbs per range check.
    pub fn limbs(&self) -> usize {
        ((self.scale_bits / self.limb_bits.max(1)) as usize).max(1)
    }

    /// Rows a neuron needs at least: its remainder and low limbs and its
    /// high part, and a table function's interpolation remainder limbs.
    pub fn min_neuron_rows(&self, activation: Activation) -> usize {
        let interpolated = matches!(activation, Activation::Table(_));
        (2 + usize::from(interpolated)) * self.limbs() + 1
    }

    /// Rows of a neuron with `terms` products: its dot rows and its output
    /// row; a quotient is its output row alone (the checks after it read
    /// its terms).
    pub fn neuron_rows(&self, terms: usize, activation: Activation) -> usize {
        if activation.is_hint() {
            return 1;
        }
        (terms.div_ceil(self.lanes.max(1)) + 1).max(self.min_neuron_rows(activation))
    }
}

/// Columns of the model circuit.
#[derive(Clone, Debug)]
pub struct ModelConfig {
    shape: CircuitShape,
    /// Lane inputs; `x[0]` of an output row holds the neuron's output.
    x: Vec<Column<Advice>>,
    /// Weights (and, on an output row, the bias in lane 0): fixed, or advice
    /// bound to the model commitment.
    w_fixed: Vec<Column<Fixed>>,
    /// Private weights, or (public model with products) the computed
    /// factors of product terms: each cell is copied from the parameter or
    /// value it holds, or from the zero cell.
    w_advice: Vec<Column<Advice>>,
    acc: Column<Advice>,
    limb: Column<Advice>,
    /// The table's slope entry `a` (in the compact layout, the bit `aux`).
    aux: Column<Advice>,
    /// General layout: the table's offset entry `b`, the output-row flag and
    /// the split's base.
    general: Option<GeneralColumns>,
    /// 1 on a dot row, 2 on a neuron's first dot row.
    f_dot: Column<Fixed>,
    tag: Column<Fixed>,
    /// `(2·tag + aux, limb)`, or `(tag, limb, a, b)` in the general layout.
    table: Vec<TableColumn>,
    instance: Column<Instance>,
    commitment: Option<CommitmentConfig>,
    /// The settings digest in row 0 (see the module's notes).
    settings: Column<Fixed>,
}

/// The general layout's own columns.
#[derive(Clone, Copy, Debug)]
pub struct GeneralColumns {
    b: Column<Advice>,
    /// 1 on every output row.
    f_out: Column<Fixed>,
    /// 1 on a table function's output row: the chord replaces `out = a·q + b`.
    f_table: Column<Fixed>,
    base: Column<Fixed>,
}

/// A compiled model with (for proving) the trace of one input.
#[derive(Clone, Debug)]
pub struct ModelCircuit {
    model: Arc<CompiledModel>,
    trace: Option<Arc<Trace>>,
    /// [`ModelSettings::digest`] of the model's published settings.
    settings_digest: Fr,
}

impl ModelCircuit {
    /// The circuit of `model` proving `trace` (`None` for keygen). For a
    /// private model this hashes every weight (the published commitment):
    /// [`Self::with_settings`] takes settings already published.
    pub fn new(model: Arc<CompiledModel>, trace: Option<Arc<Trace>>) -> Self {
        let settings = model.published_settings();
        Self::with_settings(model, trace, &settings)
    }

    /// The circuit of `model` proving `trace`, bound to `settings` (the
    /// model's published ones; others make keys no honest verifier accepts).
    pub fn with_settings(model: Arc<CompiledModel>, trace: Option<Arc<Trace>>, settings: &ModelSettings) -> Self {
        Self { model, trace, settings_digest: settings.digest() }
    }

    fn known<T>(&self, f: impl FnOnce(&Trace) -> T) -> Value<T> {
        match &self.trace {
            Some(t) => Value::known(f(t)),
            None => Value::unknown(),
        }
    }

    /// Puts weight `w` in lane `lane` of `row`: a fixed cell (with, when the
    /// circuit has product lanes, a zero advice cell beside it), or an advice
    /// cell equal to model parameter `anchor` (or, without one, to the
    /// constant `w`).
    fn assign_weight(
        config: &ModelConfig,
        region: &mut Region<'_, Fr>,
        lane: usize,
        row: usize,
        w: i64,
        anchor: Option<usize>,
        cells: &AnchorCells,
    ) -> Result<(), PlonkError> {
        if !config.shape.private_weights {
            region.assign_fixed(config.w_fixed[lane], row, felt(w as i128));
            if let Some(zero) = cells.zero {
                let cell = region.assign_advice(config.w_advice[lane], row, Value::known(Fr::ZERO)).cell();
                region.constrain_equal(cell, zero);
            }
            return Ok(());
        }
        let cell = region.assign_advice(config.w_advice[lane], row, Value::known(felt(w as i128))).cell();
        match (anchor, &cells.params) {
            (Some(p), Some(anchors)) => region.constrain_equal(cell, anchors[p]),
            _ => region.constrain_constant(cell, felt(w as i128))?,
        }
        Ok(())
    }
}

/// Where each value's cells are copied from.
struct Links<'a> {
    /// The instance row of each public input value.
    input_rows: &'a [Option<usize>],
    /// The cell holding each value: a layer output, or a private input's first use.
    value_cells: Vec<Option<Cell>>,
    /// (cell, instance row) of every use of a public input.
    input_links: Vec<(Cell, usize)>,
}

impl Links<'_> {
    /// Binds `cell` to value `v`: to the instance, to its layer's output,
    /// or (a private input's first use) makes it the value's anchor.
    fn link(&mut self, region: &mut Region<'_, Fr>, cell: Cell, v: usize) {
        if let Some(&Some(row)) = self.input_rows.get(v) {
            self.input_links.push((cell, row));
            return;
        }
        match self.value_cells[v] {
            Some(anchor) => region.constrain_equal(cell, anchor),
            None => self.value_cells[v] = Some(cell),
        }
    }
}

/// Cells that weight cells are copied from.
struct AnchorCells {
    /// The private parameters' cells in the commitment region.
    params: Option<Vec<Cell>>,
    /// A cell fixed to zero: the advice weight of a public model's lane that
    /// holds no product factor.
    zero: Option<Cell>,
}

/// A signed integer as a field element.
pub fn felt(v: i128) -> Fr {
    // ff's default `from_u128` doubles 64 times; every witness value but a
    // rare wide accumulator fits one limb, one Montgomery multiplication.
    let magnitude = match u64::try_from(v.unsigned_abs()) {
        Ok(small) => Fr::from(small),
        Err(_) => Fr::from_u128(v.unsigned_abs()),
    };
    if v < 0 {
        -magnitude
    } else {
        magnitude
    }
}

fn constant(v: i128) -> Expression<Fr> {
    Expression::Constant(felt(v))
}

impl Circuit<Fr> for ModelCircuit {
    type Config = ModelConfig;
    type FloorPlanner = SimpleFloorPlanner;
    type Params = CircuitShape;

    fn without_witnesses(&self) -> Self {
        Self { model: self.model.clone(), trace: None, settings_digest: self.settings_digest }
    }

    fn params(&self) -> CircuitShape {
        self.model.shape
    }

    fn configure(_meta: &mut ConstraintSystem<Fr>) -> ModelConfig {
        unreachable!("the model circuit is configured with its CircuitShape (configure_with_params)")
    }

    fn configure_with_params(meta: &mut ConstraintSystem<Fr>, shape: CircuitShape) -> ModelConfig {
        let lanes = shape.lanes.max(1);
        let limbs = shape.limbs();
        let x: Vec<_> = (0..lanes).map(|_| meta.advice_column()).collect();
        for &c in &x {
            meta.enable_equality(c);
        }
        let (mut w_fixed, mut w_advice, mut commitment) = (Vec::new(), Vec::new(), None);
        if shape.private_weights || shape.products {
            w_advice = (0..lanes).map(|_| meta.advice_column()).collect::<Vec<_>>();
            for &c in &w_advice {
                meta.enable_equality(c);
            }
            let constants = meta.fixed_column();
            meta.enable_constant(constants);
        }
        if shape.private_weights {
            commitment = Some(CommitmentChip::configure(meta));
        } else {
            w_fixed = (0..lanes).map(|_| meta.fixed_column()).collect::<Vec<_>>();
        }
        let [acc, limb, aux] = [(); 3].map(|_| meta.advice_column());
        let [f_dot, tag] = [(); 2].map(|_| meta.fixed_column());
        let general = shape.general.then(|| GeneralColumns {
            b: meta.advice_column(),
            f_out: meta.fixed_column(),
            f_table: meta.fixed_column(),
            base: meta.fixed_column(),
        });
        let table: Vec<TableColumn> =
            (0..if shape.general { 4 } else { 2 }).map(|_| meta.lookup_table_column()).collect();
        let instance = meta.instance_column();
        meta.enable_equality(instance);

        let scale = 1i128 << shape.scale_bits;
        let limb_weight = |j: usize| constant(1i128 << (j as u32 * shape.limb_bits));
        // A public model's product lanes add the advice factor to the fixed
        // weight; synthesis copies a zero into every advice weight cell that
        // holds no factor, so neither can stand in for the other.
        let weight = |m: &mut VirtualCells<Fr>, lane: usize, at: Rotation| match (shape.private_weights, shape.products)
        {
            (true, _) => m.query_advice(w_advice[lane], at),
            (false, false) => m.query_fixed(w_fixed[lane], at),
            (false, true) => m.query_fixed(w_fixed[lane], at) + m.query_advice(w_advice[lane], at),
        };
        meta.create_gate("dot product", |m| {
            let f_dot = m.query_fixed(f_dot, Rotation::cur());
            let mut sum = Expression::Constant(Fr::ZERO);
            for (lane, &column) in x.iter().enumerate() {
                sum = sum + m.query_advice(column, Rotation::cur()) * weight(m, lane, Rotation::cur());
            }
            let acc_now = m.query_advice(acc, Rotation::cur());
            let acc_prev = m.query_advice(acc, Rotation::prev());
            // f_dot = 1: continue the sum; f_dot = 2: start it (2·(acc − sum)).
            vec![f_dot.clone() * (acc_now - sum - (constant(2) - f_dot) * acc_prev)]
        });
        meta.create_gate("rescale, split, activation", |m| {
            let dot = m.query_advice(acc, Rotation::prev());
            let bias = weight(m, 0, Rotation::cur());
            let out = m.query_advice(x[0], Rotation::cur());
            let a = m.query_advice(aux, Rotation::cur());
            // limb[-3L .. -2L): interpolation remainder limbs (general layout);
            // limb[-2L .. -L): remainder limbs; limb[-L .. 0): low limbs; limb[0]: high part.
            let depth = if general.is_some() { 3 * limbs } else { 2 * limbs };
            let back: Vec<Expression<Fr>> = (0..=depth).map(|o| m.query_advice(limb, Rotation(-(o as i32)))).collect();
            let at = |offset: usize| back[offset].clone();
            let limb_sum = |top: usize| (0..limbs).fold(constant(0), |s, j| s + at(top - j) * limb_weight(j));
            let hi = at(0);
            let (r_sum, lo_sum) = (limb_sum(2 * limbs), limb_sum(limbs));
            let Some(g) = general else {
                let tag = m.query_fixed(tag, Rotation::cur());
                let f_out = tag.clone() * (tag - constant(1));
                let q = hi * constant(scale) + lo_sum;
                return vec![
                    f_out.clone() * (dot + bias + constant(scale / 2) - q.clone() * constant(scale) - r_sum),
                    f_out * (out - a * q),
                ];
            };
            let base = m.query_fixed(g.base, Rotation::cur());
            let f_out = m.query_fixed(g.f_out, Rotation::cur());
            let f_table = m.query_fixed(g.f_table, Rotation::cur());
            let b = m.query_advice(g.b, Rotation::cur());
            let q = hi * base.clone() + lo_sum.clone();
            vec![
                f_out.clone() * (dot + bias + constant(scale / 2) - q.clone() * constant(scale) - r_sum),
                (f_out - f_table.clone()) * (out.clone() - a.clone() * q - b.clone()),
                f_table * (out * base + limb_sum(3 * limbs) - a * lo_sum - b),
            ]
        });
        if general.is_none() {
            // The two-column table's soundness rests on this (see the module docs).
            meta.create_gate("activation flag is a bit", |m| {
                let tag = m.query_fixed(tag, Rotation::cur());
                let aux = m.query_advice(aux, Rotation::cur());
                vec![tag * aux.clone() * (constant(1) - aux)]
            });
        }
        meta.lookup("tagged table", |m| {
            let tag = m.query_fixed(tag, Rotation::cur());
            let limb = m.query_advice(limb, Rotation::cur());
            let aux = m.query_advice(aux, Rotation::cur());
            match general {
                Some(g) => {
                    let b = m.query_advice(g.b, Rotation::cur());
                    vec![(tag, table[0]), (limb, table[1]), (aux, table[2]), (b, table[3])]
                }
                None => vec![(tag * constant(2) + aux, table[0]), (limb, table[1])],
            }
        });
        // Last, so its index does not depend on the other columns' order.
        let settings = meta.fixed_column();
        ModelConfig {
            shape,
            x,
            w_fixed,
            w_advice,
            acc,
            limb,
            aux,
            general,
            f_dot,
            tag,
            table,
            instance,
            commitment,
            settings,
        }
    }

    fn synthesize(&self, config: ModelConfig, mut layouter: impl Layouter<Fr>) -> Result<(), PlonkError> {
        let model = &*self.model;
        let layout = &model.layout;
        let program = &model.program;
        let tags = Tags { layout, limb_bits: config.shape.limb_bits, general: config.general.is_some() };
        layouter.assign_table(
            || "tagged table",
            |mut table| {
                let mut row = 0;
                let general = config.general.is_some();
                // Compact entries are (tag, input, aux); general ones (tag, input, a, b).
                let mut put = |tag: u64, input: i128, a: i128, b: i128| -> Result<(), PlonkError> {
                    let entry = if general { vec![tag as i128, input, a, b] } else { vec![2 * tag as i128 + a, input] };
                    for (column, v) in config.table.iter().zip(entry) {
                        table.assign_cell(|| "table", *column, row, || Value::known(felt(v)))?;
                    }
                    row += 1;
                    Ok(())
                };
                put(0, 0, 0, 0)?;
                let h = 1i128 << layout.hi_bits;
                if !general {
                    for v in 0..1i128 << config.shape.limb_bits {
                        put(TAG_RANGE, v, 0, 0)?;
                    }
                    for v in -h..h {
                        put(TAG_RELU, v, (v >= 0) as i128, 0)?;
                        put(TAG_IDENT, v, 1, 0)?;
                    }
                    return Ok(());
                }
                let mut widths = layout.partial_widths(config.shape.limb_bits);
                widths.push(config.shape.limb_bits);
                for bits in widths {
                    for v in 0..1i128 << bits {
                        put(tags.range(bits), v, 0, 0)?;
                    }
                }
                for &activation in &layout.exact {
                    let tag = tags.activation(activation).ok_or(PlonkError::Synthesis)?;
                    for v in exact_keys(activation, layout.hi_bits) {
                        let (a, b) = layout.exact_entry(activation, v).ok_or(PlonkError::Synthesis)?;
                        put(tag, v as i128, a as i128, b as i128)?;
                    }
                }
                for (t, values) in layout.selections.iter().enumerate() {
                    let tag = tags.activation(Activation::Select { table: t as u32 }).ok_or(PlonkError::Synthesis)?;
                    for (key, &b) in values.iter().enumerate() {
                        put(tag, key as i128, 0, b as i128)?;
                    }
                }
                for t in &layout.functions {
                    let tag = tags.activation(Activation::Table(t.function)).ok_or(PlonkError::Synthesis)?;
                    let bound = 1i64 << t.index_bits;
                    for v in -bound..bound {
                        let (a, b) = layout.table_entry(t, v);
                        put(tag, v as i128, a as i128, b as i128)?;
                    }
                }
                Ok(())
            },
        )?;

        // The only region in its column, so the floor planner puts it at row 0.
        layouter.assign_region(
            || "settings digest",
            |mut region| {
                region.assign_fixed(config.settings, 0, self.settings_digest);
                Ok(())
            },
        )?;
        let instance_rows = model.instance_layout();
        // The commitment region first: its cells anchor the private parameters.
        let param_cells: Option<Vec<Cell>> = match &config.commitment {
            Some(commitment) => {
                // The salt's cell is bound to nothing else: it only blinds.
                let values = crate::public::committed_values(model);
                let (cells, digest) = CommitmentChip::new(commitment.clone()).commit(&mut layouter, &values)?;
                let row = instance_rows.commitment.ok_or(PlonkError::Synthesis)?;
                layouter.constrain_instance(digest, config.instance, row);
                Some(cells[1..].to_vec())
            }
            None => None,
        };
        // A public model with products: one advice weight cell fixed to zero,
        // copied into every advice weight cell that holds no factor.
        let zero = if config.shape.products && !config.shape.private_weights {
            let cell = layouter.assign_region(
                || "zero",
                |mut region| {
                    let cell = region.assign_advice(config.w_advice[0], 0, Value::known(Fr::ZERO)).cell();
                    region.constrain_constant(cell, Fr::ZERO)?;
                    Ok(cell)
                },
            )?;
            Some(cell)
        } else {
            None
        };
        let anchors = AnchorCells { params: param_cells, zero };

        let lanes = config.shape.lanes.max(1);
        let limbs = config.shape.limbs();
        let limb_mask = (1i64 << config.shape.limb_bits) - 1;
        let settings = model.settings();
        // The instance row of each public input value.
        let mut input_rows: Vec<Option<usize>> = vec![None; program.num_inputs()];
        for (i, &v) in settings.public_inputs().iter().enumerate() {
            input_rows[v] = Some(instance_rows.inputs.start + i);
        }
        let num_inputs = program.num_inputs();
        let (output_cells, input_links) = layouter.assign_region(
            || "layers",
            |mut region| {
                let mut row = 0usize;
                let mut links = Links {
                    input_rows: &input_rows,
                    value_cells: vec![None; program.num_values()],
                    input_links: Vec::new(),
                };
                let mut neuron_index = 0usize;
                for layer in &program.layers {
                    for neuron in &layer.neurons {
                        let id = neuron_index;
                        neuron_index += 1;
                        if layer.activation.is_hint() {
                            // The quotient's one row: its value in x_0, nothing
                            // checked (tag and flags 0); the checks after it bind it.
                            let q = self.known(|t| felt(t.neurons[id].out as i128));
                            let out = region.assign_advice(config.x[0], row, q).cell();
                            for lane in 0..lanes {
                                if lane > 0 {
                                    region.assign_advice(config.x[lane], row, Value::known(Fr::ZERO));
                                }
                                Self::assign_weight(&config, &mut region, lane, row, 0, None, &anchors)?;
                            }
                            for column in [config.acc, config.limb, config.aux] {
                                region.assign_advice(column, row, Value::known(Fr::ZERO));
                            }
                            if let Some(g) = config.general {
                                region.assign_advice(g.b, row, Value::known(Fr::ZERO));
                            }
                            links.value_cells[num_inputs + id] = Some(out);
                            row += 1;
                            continue;
                        }
                        // Dot rows, padded with empty rows to the limbs' minimum, then the output row.
                        let mut chunks: Vec<&[(u32, Weight)]> = neuron.terms.chunks(lanes).collect();
                        chunks.resize(config.shape.neuron_rows(neuron.terms.len(), layer.activation) - 1, &[]);
                        let mut acc = self.known(|_| 0i128);
                        for (c, chunk) in chunks.iter().enumerate() {
                            region.assign_fixed(config.f_dot, row, Fr::from(if c == 0 { 2 } else { 1 }));
                            for lane in 0..lanes {
                                let (v, w) = match chunk.get(lane) {
                                    Some(&(v, w)) => (Some(v), Some(w)),
                                    None => (None, None),
                                };
                                let x_value = match v {
                                    Some(v) => self.known(|t| t.values[v as usize]),
                                    None => self.known(|_| 0),
                                };
                                let x_cell =
                                    region.assign_advice(config.x[lane], row, x_value.map(|x| felt(x as i128))).cell();
                                if let Some(v) = v {
                                    links.link(&mut region, x_cell, v as usize);
                                }
                                if let Some(Weight::Value(u)) = w {
                                    // A product term: the factor in the advice weight (the fixed one 0).
                                    let factor = self.known(|t| t.values[u as usize]);
                                    let cell = region
                                        .assign_advice(config.w_advice[lane], row, factor.map(|f| felt(f as i128)))
                                        .cell();
                                    links.link(&mut region, cell, u as usize);
                                    if !config.shape.private_weights {
                                        region.assign_fixed(config.w_fixed[lane], row, Fr::ZERO);
                                    }
                                    acc = acc.zip(x_value).zip(factor).map(|((a, x), f)| a + x as i128 * f as i128);
                                    continue;
                                }
                                let w_int = w.map_or(0, |w| model.params.weight(w, layout.scale_bits, &[]));
                                acc = acc.zip(x_value).map(|(a, x)| a + x as i128 * w_int as i128);
                                // An empty lane: x = 0 is free, w = 0 makes it harmless.
                                let anchor = match w {
                                    Some(Weight::Param(p)) => Some(p as usize),
                                    _ => None,
                                };
                                Self::assign_weight(&config, &mut region, lane, row, w_int, anchor, &anchors)?;
                            }
                            region.assign_advice(config.acc, row, acc.map(felt));
                            row += 1;
                        }
                        // The output row (the neuron's last): bias in w_0, output in x_0;
                        // the rows before it carry the r limbs and lo limbs, it carries hi.
                        let trace = self.known(|t| t.neurons[id]);
                        let offset = layer.activation.bias_offset(layout.scale());
                        if offset != 0 && neuron.bias.is_some() {
                            // A check's bias cell holds its offset alone (CompiledModel::check refuses this).
                            return Err(PlonkError::Synthesis);
                        }
                        let bias = neuron.bias.map_or(offset, |b| model.params.params[b as usize]);
                        Self::assign_weight(
                            &config,
                            &mut region,
                            0,
                            row,
                            bias,
                            neuron.bias.map(|b| b as usize),
                            &anchors,
                        )?;
                        // Tags of the high part and of each low limb (by its width).
                        let split_bits = layout.split_bits(layer.activation);
                        let l = config.shape.limb_bits;
                        let tag_hi = tags.activation(layer.activation).ok_or(PlonkError::Synthesis)?;
                        let interpolated = matches!(layer.activation, Activation::Table(_));
                        if let Some(g) = config.general {
                            region.assign_fixed(g.f_out, row, Fr::ONE);
                            if interpolated {
                                region.assign_fixed(g.f_table, row, Fr::ONE);
                            }
                            region.assign_fixed(g.base, row, felt(1i128 << split_bits));
                            region.assign_advice(g.b, row, trace.map(|t| felt(t.b as i128)));
                        }
                        let first_limb_row = row - 2 * limbs;
                        if interpolated {
                            // r₂ < 2^c: limbs of the split's widths, like lo.
                            for j in 0..limbs {
                                let shift = j as u32 * l;
                                let r2_row = first_limb_row - limbs + j;
                                let bits = split_bits.saturating_sub(shift).min(l);
                                region.assign_fixed(config.tag, r2_row, Fr::from(tags.range(bits)));
                                region.assign_advice(
                                    config.limb,
                                    r2_row,
                                    trace.map(|t| felt(((t.r2 >> shift) & limb_mask) as i128)),
                                );
                                region.assign_advice(config.aux, r2_row, Value::known(Fr::ZERO));
                            }
                        }
                        for j in 0..limbs {
                            let shift = j as u32 * l;
                            let r_row = first_limb_row + j;
                            region.assign_fixed(config.tag, r_row, Fr::from(tags.range(l)));
                            region.assign_advice(
                                config.limb,
                                r_row,
                                trace.map(|t| felt(((t.r >> shift) & limb_mask) as i128)),
                            );
                            region.assign_advice(config.aux, r_row, Value::known(Fr::ZERO));
                            let lo_row = first_limb_row + limbs + j;
                            let lo = trace.map(|t| (t.lo >> shift) & limb_mask);
                            let lo_bits = split_bits.saturating_sub(shift).min(l);
                            region.assign_fixed(config.tag, lo_row, Fr::from(tags.range(lo_bits)));
                            region.assign_advice(config.limb, lo_row, lo.map(|v| felt(v as i128)));
                            region.assign_advice(config.aux, lo_row, Value::known(Fr::ZERO));
                        }
                        region.assign_fixed(config.tag, row, Fr::from(tag_hi));
                        region.assign_advice(config.limb, row, trace.map(|t| felt(t.hi as i128)));
                        region.assign_advice(config.aux, row, trace.map(|t| felt(t.a as i128)));
                        let out = region.assign_advice(config.x[0], row, trace.map(|t| felt(t.out as i128))).cell();
                        for lane in 1..lanes {
                            region.assign_advice(config.x[lane], row, Value::known(Fr::ZERO));
                            Self::assign_weight(&config, &mut region, lane, row, 0, None, &anchors)?;
                        }
                        links.value_cells[num_inputs + id] = Some(out);
                        row += 1;
                    }
                }
                let outputs = program.outputs.iter().map(|&v| links.value_cells[v as usize]).collect::<Vec<_>>();
                Ok((outputs, links.input_links))
            },
        )?;
        for (cell, row) in input_links {
            layouter.constrain_instance(cell, config.instance, row);
        }
        for (i, &o) in settings.public_outputs().iter().enumerate() {
            let cell = output_cells.get(o).copied().flatten().ok_or(PlonkError::Synthesis)?;
            layouter.constrain_instance(cell, config.instance, instance_rows.outputs.start + i);
        }
        Ok(())
    }
}

/// The index, among the fixed columns of a model circuit of `shape`, of
/// the column that holds the settings digest (selectors, which halo2 turns
/// into fixed columns at keygen, come after it).
pub fn settings_column(shape: CircuitShape) -> usize {
    let mut meta = ConstraintSystem::<Fr>::default();
    ModelCircuit::configure_with_params(&mut meta, shape).settings.index()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn felt_is_the_signed_integer_mod_r() {
        for v in
            [0i128, 1, -1, 255, -256, u64::MAX as i128, -(u64::MAX as i128), 1 << 64, -(1 << 64), i128::MAX, -i128::MAX]
        {
            // The reference: ff's own conversion of the magnitude, negated for negatives.
            let magnitude = Fr::from_u128(v.unsigned_abs());
            assert_eq!(felt(v), if v < 0 { -magnitude } else { magnitude }, "{v}");
        }
        assert_eq!(felt(-5) + felt(5), Fr::ZERO);
        assert_eq!(felt(1 << 64), Fr::from(u64::MAX) + Fr::ONE);
    }
}
