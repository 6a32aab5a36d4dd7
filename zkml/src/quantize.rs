//! Fixed-point quantization: every value is an integer at scale `S = 2^s`.
//!
//! A layer computes `z = Σ q_w · q_v + q_b` at scale `S²` (weights at `S`,
//! biases at `S²`), rescales it with rounding, `q = ⌊(z + S/2) / S⌋`, and
//! applies its activation to `q`. The circuit checks the rescale with a
//! remainder `r ∈ [0, S)` and splits `q = hi·base + lo`, `lo ∈ [0, base)`;
//! the activation's output is `a·q + b` with `(a, b)` read from the table at
//! `hi`:
//! - the exact activations split at `base = S`, so `hi = ⌊q/S⌋` is the
//!   integer part: identity `(1, 0)`, ReLU `([hi ≥ 0], 0)`, step
//!   `(0, [hi ≥ 0]·S)`, floor `(0, hi·S)`. Every table has at most `2^(h+1)`
//!   rows however large the values are (`|hi| < 2^h`, calibrated);
//! - a table function splits at a calibrated step `base = 2^c ≤ S` and
//!   interpolates linearly between the table's knots: the entry at `hi` is
//!   `a = f_{hi+1} − f_hi` and `b = f_hi·2^c + ⌊2^c/2⌋`, with
//!   `f_i = round(S·f(i·2^c/S))`, and the output is the rounded
//!   `out = ⌊(a·lo + b) / 2^c⌋`, checked with a second remainder
//!   `r₂ = a·lo + b − out·2^c ∈ [0, 2^c)`. Its error is the chord's,
//!   `|f''|·(2^c/S)²/8`, plus half a unit at scale: a piecewise-constant table
//!   of the same size errs by up to `|f'|·2^(c−1)/S`, which for `exp` near 0
//!   and the usual 2^12 knots over ±32 is a hundred times more. The
//!   calibration report measures it.

use serde::{Deserialize, Serialize};

use crate::program::{Activation, Program, UnaryFn, Weight};
use crate::ZkmlError;

/// The table of one function: inputs split at `2^shift`, indices
/// `[−2^index_bits, 2^index_bits)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionTable {
    /// The function.
    pub function: UnaryFn,
    /// `c`: the input step is `2^c` (at most `S`).
    pub shift: u32,
    /// `b`: the index range.
    pub index_bits: u32,
}

/// The lookup-table layout the circuit needs, fixed at compile time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TableLayout {
    /// `s`: values are integers at scale `2^s`.
    pub scale_bits: u32,
    /// `hi ∈ [−2^hi_bits, 2^hi_bits)`: the integer part's range.
    pub hi_bits: u32,
    /// The exact activations the model uses, in table order.
    pub exact: Vec<Activation>,
    /// The table functions the model uses.
    pub functions: Vec<FunctionTable>,
    /// Per selection table ([`Activation::Select`]): its elements at scale
    /// `S`, each rounded once.
    #[serde(default)]
    pub selections: Vec<Vec<i64>>,
}

/// The exact activations in table order (both checks of
/// [`Activation::NonNegative`] read its non-strict table).
pub const EXACT_ACTIVATIONS: [Activation; 5] = [
    Activation::Identity,
    Activation::Relu,
    Activation::Step,
    Activation::Floor,
    Activation::NonNegative { strict: false },
];

/// The integer parts an exact activation's table holds, for `|hi| < 2^hi_bits`:
/// a non-negativity check has no entry below zero.
pub fn exact_keys(activation: Activation, hi_bits: u32) -> std::ops::Range<i64> {
    let h = 1i64 << hi_bits;
    match activation {
        Activation::NonNegative { .. } => 0..h,
        _ => -h..h,
    }
}

/// Outputs of a table function are clamped to `±2^min(40, 61 − s)` (at
/// scale): far from the field's size, small enough that a chord's
/// `a·lo + b` (with `lo < 2^c ≤ 2^s`) fits an `i64`; the calibration report
/// shows any clamping.
fn output_limit(scale_bits: u32) -> i64 {
    1i64 << 40.min(61 - scale_bits.min(24))
}

impl TableLayout {
    /// `S`.
    pub fn scale(&self) -> i64 {
        1 << self.scale_bits
    }

    /// The model needs only identity and ReLU: the circuit's compact layout.
    pub fn is_compact(&self) -> bool {
        self.functions.is_empty()
            && self.selections.is_empty()
            && self.exact.iter().all(|a| matches!(a, Activation::Identity | Activation::Relu))
    }

    /// The table of `f`, with its position.
    pub fn function(&self, f: UnaryFn) -> Option<(usize, &FunctionTable)> {
        self.functions.iter().enumerate().find(|(_, t)| t.function == f)
    }

    /// `c` of the split an activation makes: `base = 2^c`.
    pub fn split_bits(&self, activation: Activation) -> u32 {
        match activation {
            Activation::Table(f) => self.function(f).map_or(self.scale_bits, |(_, t)| t.shift),
            _ => self.scale_bits,
        }
    }

    /// Partial limb widths below `limb_bits` that the function splits need
    /// (a split at `2^c` checks its low part with `c / l` full limbs and one
    /// of `c mod l` bits).
    pub fn partial_widths(&self, limb_bits: u32) -> Vec<u32> {
        let mut widths: Vec<u32> =
            self.functions.iter().map(|t| t.shift % limb_bits.max(1)).filter(|&w| w != 0).collect();
        widths.sort_unstable();
        widths.dedup();
        widths
    }

    /// Rows of the lookup table (with the all-zero row) when range checks
    /// use limbs of `limb_bits`.
    pub fn rows(&self, limb_bits: u32) -> usize {
        let hi = 2usize << self.hi_bits;
        if self.is_compact() {
            // RANGE over one limb, then STEP and IDENT over the high part's range.
            return 1 + (1usize << limb_bits) + 2 * hi;
        }
        let partial: usize = self.partial_widths(limb_bits).iter().map(|&w| 1usize << w).sum();
        let exact: usize = self.exact.iter().map(|&a| exact_keys(a, self.hi_bits).count()).sum();
        let functions: usize = self.functions.iter().map(|t| 2usize << t.index_bits).sum();
        let selections: usize = self.selections.iter().map(Vec::len).sum();
        1 + (1usize << limb_bits) + partial + exact + functions + selections
    }

    /// `(a, b)` of an exact activation or a selection at integer part
    /// `hi` (`None`: a selection's key outside its table).
    pub fn exact_entry(&self, activation: Activation, hi: i64) -> Option<(i64, i64)> {
        match activation {
            Activation::Select { table } => {
                let values = self.selections.get(table as usize)?;
                usize::try_from(hi).ok().and_then(|key| values.get(key)).map(|&b| (0, b))
            }
            a => Some(exact_entry(a, hi, self.scale())),
        }
    }

    /// A table function's entry `(a, b)` at index `i` (see the module
    /// docs): the chord from knot `i` to knot `i + 1`, with the output's
    /// rounding half folded into `b`.
    pub fn table_entry(&self, table: &FunctionTable, index: i64) -> (i64, i64) {
        let c = table.shift;
        let knot = |i: i64| function_at(table.function, i << c, self.scale_bits);
        let (left, right) = (knot(index), knot(index + 1));
        let half = if c > 0 { 1i64 << (c - 1) } else { 0 };
        (right - left, (left << c) + half)
    }
}

/// `(a, b)` of an exact activation at integer part `hi`, scale `s`.
pub fn exact_entry(activation: Activation, hi: i64, s: i64) -> (i64, i64) {
    match activation {
        Activation::Relu => (i64::from(hi >= 0), 0),
        Activation::Step => (0, i64::from(hi >= 0) * s),
        Activation::Floor => (0, hi * s),
        Activation::Identity
        | Activation::NonNegative { .. }
        | Activation::Table(_)
        | Activation::Select { .. }
        | Activation::Quotient
        | Activation::IntegerQuotient { .. } => (1, 0),
    }
}

/// A selection table's elements at scale `2^scale_bits`: each at most
/// `2^40` at scale, as inputs are.
pub fn quantize_selection(values: &[f64], scale_bits: u32) -> Result<Vec<i64>, ZkmlError> {
    values
        .iter()
        .map(|&x| {
            if x.is_finite() && x.abs() * ((1u64 << scale_bits) as f64) < 2f64.powi(40) {
                Ok(quantize(x, scale_bits))
            } else {
                Err(ZkmlError::Calibration(format!(
                    "a gathered constant {x} does not fit 40 bits at scale 2^{scale_bits}"
                )))
            }
        })
        .collect()
}

/// `round(S·f(q/S))`, with the function's domain edges made finite: `ln` and
/// `1/x` at or below 0 read the smallest positive step, NaN reads 0, and the
/// output is clamped to `±2^min(40, 61 − s)`.
pub fn function_at(f: UnaryFn, q: i64, scale_bits: u32) -> i64 {
    let s = (1i64 << scale_bits) as f64;
    let mut x = q as f64 / s;
    match f {
        UnaryFn::Log if x <= 0.0 => x = 1.0 / s,
        UnaryFn::Reciprocal if x == 0.0 => x = 1.0 / s,
        UnaryFn::Rsqrt { .. } if x <= 0.0 => x = 1.0 / s,
        _ => {}
    }
    let y = f.apply(x) * s;
    let limit = output_limit(scale_bits) as f64;
    if y.is_nan() {
        0
    } else {
        y.round().clamp(-limit, limit) as i64
    }
}

/// What one neuron's rescale and activation computed: the witness of its row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NeuronTrace {
    /// `Σ q_w · q_v + q_b`, at scale `S²` (with the activation's
    /// [`Activation::bias_offset`]).
    pub z: i128,
    /// Rescale remainder, `z + S/2 − q·S`.
    pub r: i64,
    /// Rescaled value.
    pub q: i64,
    /// High part of the split of `q` (by `S`, or by `2^c` for a table function).
    pub hi: i64,
    /// Low part of the split.
    pub lo: i64,
    /// The table's slope entry.
    pub a: i64,
    /// The table's offset entry.
    pub b: i64,
    /// A table function's interpolation remainder, `a·lo + b − out·2^c`
    /// (0 for the exact activations).
    pub r2: i64,
    /// The activation's output: `a·q + b`, or a table function's
    /// `⌊(a·lo + b) / 2^c⌋`.
    pub out: i64,
}

/// The quantized forward pass of one input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Trace {
    /// Every value: inputs, then each layer's outputs.
    pub values: Vec<i64>,
    /// Per neuron, in layer order.
    pub neurons: Vec<NeuronTrace>,
    /// The output values (at scale `S`).
    pub outputs: Vec<i64>,
}

/// Quantizes `x` to scale `2^bits`.
pub fn quantize(x: f64, bits: u32) -> i64 {
    (x * (1u64 << bits) as f64).round() as i64
}

/// The integer weights of a program at a scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantizedParams {
    /// Per parameter: weights at `S`, biases at `S²`.
    pub params: Vec<i64>,
}

impl QuantizedParams {
    /// Quantizes `program`'s parameters at scale `2^scale_bits`.
    pub fn new(program: &Program, scale_bits: u32) -> Result<Self, ZkmlError> {
        let params = program
            .params
            .iter()
            .map(|p| {
                let bits = if p.is_bias { 2 * scale_bits } else { scale_bits };
                let q = p.value * (1u64 << bits) as f64;
                if !q.is_finite() || q.abs() >= 2f64.powi(62) {
                    return Err(ZkmlError::Calibration(format!(
                        "parameter {} does not fit 62 bits at scale 2^{scale_bits}",
                        p.value
                    )));
                }
                Ok(q.round() as i64)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { params })
    }

    /// The integer value of a weight, given the values computed so far (at
    /// scale `S`; a divisor adds nothing to the sum: 0).
    pub fn weight(&self, w: Weight, scale_bits: u32, values: &[i64]) -> i64 {
        match w {
            Weight::Param(p) => self.params[p as usize],
            Weight::Const(c) => quantize(c, scale_bits),
            Weight::Value(v) => values[v as usize],
            Weight::Integer(k) => k,
            Weight::Divisor => 0,
        }
    }
}

/// The largest magnitudes a forward pass met, for calibration.
#[derive(Clone, Debug, Default)]
pub struct Extremes {
    /// `max |hi|` over the exact activations' neurons.
    pub hi: i64,
    /// `max |q|` over each table function's inputs.
    pub functions: Vec<(UnaryFn, i64)>,
}

impl Extremes {
    fn function(&mut self, f: UnaryFn, q: i64) {
        match self.functions.iter_mut().find(|(g, _)| *g == f) {
            Some((_, m)) => *m = (*m).max(q.abs()),
            None => self.functions.push((f, q.abs())),
        }
    }
}

/// Runs the quantized model. With `layout`, a value outside the tables is an
/// error (the circuit could not prove it); without, the extremes are recorded
/// and table functions are computed exactly.
pub fn forward(
    program: &Program,
    params: &QuantizedParams,
    scale_bits: u32,
    layout: Option<&TableLayout>,
    input: &[f64],
    extremes: &mut Extremes,
) -> Result<Trace, ZkmlError> {
    if input.len() != program.num_inputs() {
        return Err(ZkmlError::Input(format!(
            "the model takes {} input values (shapes {:?}), got {}",
            program.num_inputs(),
            program.input_shapes,
            input.len()
        )));
    }
    let s = 1i64 << scale_bits;
    let mut values: Vec<i64> = Vec::with_capacity(program.num_values());
    for &x in input {
        if !x.is_finite() || x.abs() * s as f64 >= 2f64.powi(40) {
            return Err(ZkmlError::Input(format!("input value {x} is out of range at scale 2^{scale_bits}")));
        }
        values.push(quantize(x, scale_bits));
    }
    let mut neurons = Vec::with_capacity(program.num_values() - input.len());
    for (index, layer) in program.layers.iter().enumerate() {
        for neuron in &layer.neurons {
            let mut z: i128 = neuron.bias.map_or(0, |b| params.params[b as usize] as i128);
            for &(v, w) in &neuron.terms {
                z += values[v as usize] as i128 * params.weight(w, scale_bits, &values) as i128;
            }
            if layer.activation.is_hint() {
                let d = neuron.divisor().map(|d| values[d as usize]).ok_or_else(|| {
                    ZkmlError::Model(format!("layer {index} ({}): a quotient without a divisor", layer.source))
                })?;
                let q = match layer.activation {
                    Activation::IntegerQuotient { toward_zero } => integer_quotient(z, d, s, toward_zero),
                    _ => rounded_quotient(z, d),
                };
                let q = q.and_then(|q| i64::try_from(q).ok()).filter(|q| q.abs() < 1 << 60).ok_or_else(|| {
                    let what = if d == 0 {
                        "divides by zero".to_string()
                    } else {
                        format!("quotient of {z} by {d} overflows")
                    };
                    ZkmlError::OutOfRange(format!("layer {index} ({}): {what}", layer.source))
                })?;
                values.push(q);
                neurons.push(NeuronTrace { z, q, out: q, ..Default::default() });
                continue;
            }
            z += i128::from(layer.activation.bias_offset(s));
            let shifted = z + (s / 2) as i128;
            let q128 = shifted.div_euclid(s as i128);
            let q = i64::try_from(q128).ok().filter(|q| q.abs() < 1 << 60).ok_or_else(|| {
                ZkmlError::OutOfRange(format!("layer {index} ({}): value {q128} overflows", layer.source))
            })?;
            let r = (shifted - q128 * s as i128) as i64;
            let trace = match layer.activation {
                Activation::Table(f) => {
                    extremes.function(f, q);
                    let Some(layout) = layout else {
                        // Calibration: the exact function, no table yet.
                        let out = function_at(f, q, scale_bits);
                        values.push(out);
                        neurons.push(NeuronTrace { z, r, q, b: out, out, ..Default::default() });
                        continue;
                    };
                    let (_, table) = layout.function(f).ok_or_else(|| {
                        ZkmlError::OutOfRange(format!("layer {index} ({}): no table for {f:?}", layer.source))
                    })?;
                    let c = table.shift;
                    let hi = q.div_euclid(1 << c);
                    let lo = q - (hi << c);
                    let bound = 1i64 << table.index_bits;
                    if hi < -bound || hi >= bound {
                        let range = (bound << c) as f64 / s as f64;
                        return Err(out_of_range(index, &layer.source, q as f64 / s as f64, range));
                    }
                    let (a, b) = layout.table_entry(table, hi);
                    // |a|·2^c ≤ 2^62 and |b| ≤ 2^61 (`output_limit`): no i64 overflow.
                    let chord = a * lo + b;
                    let out = chord.div_euclid(1 << c);
                    NeuronTrace { z, r, q, hi, lo, a, b, r2: chord - (out << c), out }
                }
                Activation::Select { table } => {
                    // The key's integer part reads the table; it is no
                    // exact activation's input and sizes no range.
                    let hi = q.div_euclid(s);
                    let lo = q - hi * s;
                    let b = match layout {
                        Some(layout) => layout.exact_entry(layer.activation, hi).map(|(_, b)| b),
                        None => program
                            .selections
                            .get(table as usize)
                            .and_then(|t| usize::try_from(hi).ok().and_then(|key| t.values.get(key)))
                            .map(|&x| quantize(x, scale_bits)),
                    }
                    .ok_or_else(|| {
                        ZkmlError::OutOfRange(format!(
                            "layer {index} ({}): gather index {hi} is outside its table",
                            layer.source
                        ))
                    })?;
                    NeuronTrace { z, r, q, hi, lo, a: 0, b, r2: 0, out: b }
                }
                activation => {
                    let hi = q.div_euclid(s);
                    let lo = q - hi * s;
                    if matches!(activation, Activation::NonNegative { .. }) && hi < 0 {
                        return Err(ZkmlError::OutOfRange(format!(
                            "layer {index} ({}): a sum checked to be {} is {}",
                            layer.source,
                            if activation == (Activation::NonNegative { strict: true }) {
                                "positive"
                            } else {
                                "non-negative"
                            },
                            z - i128::from(activation.bias_offset(s))
                        )));
                    }
                    extremes.hi = extremes.hi.max(hi.abs());
                    let (a, b) = match layout {
                        Some(layout) => {
                            let bound = 1i64 << layout.hi_bits;
                            if hi < -bound || hi >= bound {
                                return Err(out_of_range(index, &layer.source, q as f64 / s as f64, bound as f64));
                            }
                            layout.exact_entry(activation, hi).unwrap_or((1, 0))
                        }
                        None => exact_entry(activation, hi, s),
                    };
                    NeuronTrace { z, r, q, hi, lo, a, b, r2: 0, out: a * q + b }
                }
            };
            values.push(trace.out);
            neurons.push(trace);
        }
    }
    let outputs = program.outputs.iter().map(|&v| values[v as usize]).collect();
    Ok(Trace { values, neurons, outputs })
}

/// `round(z / d)` with the remainder bound the circuit checks: the `q` with
/// `2z − 2q·d ∈ [−|d|, |d|)`, that is `sign(d)·⌊(2z + |d|) / 2|d|⌋`
/// (`None` for `d = 0`).
pub fn rounded_quotient(z: i128, d: i64) -> Option<i128> {
    let magnitude = i128::from(d).checked_abs().filter(|&m| m != 0)?;
    let q = z.checked_mul(2)?.checked_add(magnitude)?.div_euclid(2 * magnitude);
    Some(if d < 0 { -q } else { q })
}

/// `S·⌊z / (S·d)⌋` (`S·trunc(…)` when `toward_zero`): the integer part of
/// the quotient of two values at the scale (`z` at `S²`), at the scale
/// (`None` for `d = 0`).
pub fn integer_quotient(z: i128, d: i64, s: i64, toward_zero: bool) -> Option<i128> {
    let denominator = i128::from(d).checked_mul(i128::from(s)).filter(|&m| m != 0)?;
    let mut q = z / denominator;
    if !toward_zero && z % denominator != 0 && (z < 0) != (denominator < 0) {
        q -= 1;
    }
    q.checked_mul(i128::from(s))
}

fn out_of_range(layer: usize, source: &str, value: f64, bound: f64) -> ZkmlError {
    ZkmlError::OutOfRange(format!(
        "layer {layer} ({source}): value {value:.4} is outside the calibrated range ±{bound}; \
         recompile with calibration data that covers this input"
    ))
}

/// Sizes the tables from the extremes the calibration inputs reached, with a
/// factor-2 margin, and quantizes the selection tables.
pub fn layout_for(program: &Program, scale_bits: u32, extremes: &Extremes) -> Result<TableLayout, ZkmlError> {
    let bits_for = |magnitude: i64| 64 - (magnitude as u64).leading_zeros();
    let hi_bits = bits_for(extremes.hi) + 1;
    let exact = EXACT_ACTIVATIONS
        .into_iter()
        .filter(|a| program.layers.iter().any(|l| l.activation.table_kind() == *a))
        .collect();
    // A function's table: x_c ∈ [−2^b, 2^b) with b ≤ min(s − 3, 11), so that
    // it does not set k by itself; the step 2^c (c ≤ s) covers the calibrated
    // input with a 2× margin.
    let most = scale_bits.saturating_sub(3).clamp(1, 11);
    let functions = extremes
        .functions
        .iter()
        .map(|&(function, max)| {
            let needed = bits_for(max) + 1;
            let shift = needed.saturating_sub(most).min(scale_bits);
            FunctionTable { function, shift, index_bits: needed - shift }
        })
        .collect();
    let selections =
        program.selections.iter().map(|t| quantize_selection(&t.values, scale_bits)).collect::<Result<_, _>>()?;
    Ok(TableLayout { scale_bits, hi_bits, exact, functions, selections })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rounded quotient is the one integer the circuit's two checks
    /// admit (`2z − 2q·d ∈ [−|d|, |d|)`), within half a unit of `z / d`
    /// for either sign of either operand; a zero divisor has none.
    #[test]
    fn rounded_quotients_are_the_ones_the_checks_admit() {
        for d in (-40i64..=40).filter(|&d| d != 0) {
            for z in -300i128..=300 {
                let q = rounded_quotient(z, d).unwrap();
                let d128 = i128::from(d);
                let admitted = |q: i128| (-d128.abs()..d128.abs()).contains(&(2 * z - 2 * q * d128));
                assert!(admitted(q), "{z}/{d}: {q}");
                assert!(!admitted(q - 1) && !admitted(q + 1), "{z}/{d}: {q} is not the only one");
                assert!((q as f64 - z as f64 / d as f64).abs() <= 0.5, "{z}/{d}: {q}");
            }
        }
        assert_eq!(rounded_quotient(5, 0), None);
        assert_eq!(rounded_quotient(i128::MAX / 2 + 1, 3), None);
    }

    /// The chord's output at every input step of a smooth function's table
    /// errs by at most `|f''|·h²/8` plus a unit at scale (the knots' and the
    /// output's rounding); a piecewise-constant table of the same knots errs
    /// by up to `|f'|·h/2`.
    #[test]
    fn interpolated_tables_err_by_the_chord_and_one_unit() {
        let scale_bits = 14;
        let s = (1i64 << scale_bits) as f64;
        // (function, input range 2^e, max |f''| over it)
        for (function, range_bits, curvature) in [
            (UnaryFn::Exp, 2, 4f64.exp()),
            (UnaryFn::Sigmoid, 4, 0.1),
            (UnaryFn::Tanh, 3, 0.77),
            (UnaryFn::Erf, 3, 0.97),
        ] {
            let index_bits = 11;
            let shift = scale_bits + range_bits - index_bits;
            let table = FunctionTable { function, shift, index_bits };
            let layout = TableLayout {
                scale_bits,
                hi_bits: 4,
                exact: Vec::new(),
                functions: vec![table],
                selections: Vec::new(),
            };
            let h = (1i64 << shift) as f64 / s;
            let bound = curvature * h * h / 8.0 + 1.0 / s;
            let (mut worst, mut worst_constant) = (0f64, 0f64);
            let limit = 1i64 << (scale_bits + range_bits);
            for q in (-limit..limit).step_by(7) {
                let (hi, lo) = (q.div_euclid(1 << shift), q.rem_euclid(1 << shift));
                let (a, b) = layout.table_entry(&table, hi);
                let chord = a * lo + b;
                let out = chord.div_euclid(1 << shift);
                assert!((0..1 << shift).contains(&(chord - (out << shift))));
                let exact = function.apply(q as f64 / s);
                worst = worst.max((out as f64 / s - exact).abs());
                // The piecewise-constant table read f at the step's midpoint.
                let midpoint = function.apply((hi as f64 + 0.5) * h);
                worst_constant = worst_constant.max((midpoint - exact).abs());
            }
            assert!(worst <= bound, "{function:?}: error {worst} above {bound}");
            assert!(worst * 10.0 < worst_constant, "{function:?}: {worst} vs piecewise constant {worst_constant}");
        }
    }
}
