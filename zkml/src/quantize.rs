//! Fixed-point quantization: every value is an integer at scale `S = 2^s`.
//!
//! A layer computes `z = Σ q_w · q_v + q_b` at scale `S²` (weights at `S`,
//! biases at `S²`), rescales it with rounding, `q = ⌊(z + S/2) / S⌋`, and
//! applies its activation to `q`. The circuit checks the rescale with a
//! remainder `r ∈ [0, S)` and range-checks `q` by splitting it at `S`:
//! `q = hi·S + lo`, `lo ∈ [0, S)`, `hi ∈ [−H, H)`. The same split gives the
//! sign for ReLU (`relu(q) = [hi ≥ 0]·q`), so every lookup table has at most
//! `S` rows however large the activations are. Sigmoid reads a table indexed
//! by `q` at a coarser step `2^c` (`q = x_c·2^c + l_c`), chosen so that its
//! table also fits; the input step costs at most `2^c / (8·S)` of output error
//! (sigmoid's slope is at most 1/4).

use serde::{Deserialize, Serialize};

use crate::program::{Activation, Program, Weight};
use crate::ZkmlError;

/// The lookup-table layout the circuit needs, fixed at compile time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableLayout {
    /// `s`: values are integers at scale `2^s`.
    pub scale_bits: u32,
    /// `hi ∈ [−2^hi_bits, 2^hi_bits)`: the integer part's range.
    pub hi_bits: u32,
    /// Sigmoid input step `2^c` (present when the model has a sigmoid).
    pub sigmoid_shift: Option<u32>,
    /// Sigmoid index range `x_c ∈ [−2^b, 2^b)`.
    pub sigmoid_index_bits: u32,
}

impl TableLayout {
    /// `S`.
    pub fn scale(&self) -> i64 {
        1 << self.scale_bits
    }

    /// Rows of the lookup table (with the all-zero row) when range checks
    /// use limbs of `limb_bits`.
    pub fn rows(&self, limb_bits: u32) -> usize {
        let sigmoid = self.sigmoid_shift.map_or(0, |c| (1usize << c) + (2usize << self.sigmoid_index_bits));
        // RANGE over one limb, then STEP and IDENT over the high part's range.
        1 + (1usize << limb_bits) + 2 * (2usize << self.hi_bits) + sigmoid
    }

    /// The sigmoid table's output for index `x_c`: `round(S·σ((x_c + ½)·2^c / S))`.
    pub fn sigmoid(&self, index: i64) -> i64 {
        let c = self.sigmoid_shift.unwrap_or(0);
        let x = (index as f64 + 0.5) * (1i64 << c) as f64 / self.scale() as f64;
        (self.scale() as f64 / (1.0 + (-x).exp())).round() as i64
    }
}

/// What one neuron's rescale and activation computed: the witness of its row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NeuronTrace {
    /// `Σ q_w · q_v + q_b`, at scale `S²`.
    pub z: i128,
    /// Rescale remainder, `z + S/2 − q·S`.
    pub r: i64,
    /// Rescaled value.
    pub q: i64,
    /// High part of the split of `q` (by `S`, or by `2^c` for sigmoid).
    pub hi: i64,
    /// Low part of the split.
    pub lo: i64,
    /// ReLU: `[hi ≥ 0]`; identity: 1; sigmoid: the table output.
    pub aux: i64,
    /// The activation's output.
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

    /// The integer value of a weight.
    pub fn weight(&self, w: Weight, scale_bits: u32) -> i64 {
        match w {
            Weight::Param(p) => self.params[p as usize],
            Weight::Const(c) => quantize(c, scale_bits),
        }
    }
}

/// The largest magnitudes a forward pass met, for calibration.
#[derive(Clone, Copy, Debug, Default)]
pub struct Extremes {
    /// `max |hi|` over ReLU/identity neurons.
    pub hi: i64,
    /// `max |q|` over sigmoid inputs.
    pub sigmoid_input: i64,
}

/// Runs the quantized model. With `layout`, a value outside the tables is an
/// error (the circuit could not prove it); without, the extremes are recorded.
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
            "the model takes {} input values (shape {:?}), got {}",
            program.num_inputs(),
            program.input_shape,
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
        let start = values.len();
        for neuron in &layer.neurons {
            let mut z: i128 = neuron.bias.map_or(0, |b| params.params[b as usize] as i128);
            for &(v, w) in &neuron.terms {
                z += values[v as usize] as i128 * params.weight(w, scale_bits) as i128;
            }
            let shifted = z + (s / 2) as i128;
            let q128 = shifted.div_euclid(s as i128);
            let q = i64::try_from(q128).ok().filter(|q| q.abs() < 1 << 60).ok_or_else(|| {
                ZkmlError::OutOfRange(format!("layer {index} ({}): value {q128} overflows", layer.source))
            })?;
            let r = (shifted - q128 * s as i128) as i64;
            let trace = match layer.activation {
                Activation::Identity | Activation::Relu => {
                    let hi = q.div_euclid(s);
                    let lo = q - hi * s;
                    extremes.hi = extremes.hi.max(hi.abs());
                    if let Some(layout) = layout {
                        let bound = 1i64 << layout.hi_bits;
                        if hi < -bound || hi >= bound {
                            return Err(out_of_range(index, &layer.source, q as f64 / s as f64, bound as f64));
                        }
                    }
                    // ReLU: the sign; identity: 1 (the circuit checks out = aux·q for both).
                    let aux = if layer.activation == Activation::Relu { (hi >= 0) as i64 } else { 1 };
                    let out = aux * q;
                    NeuronTrace { z, r, q, hi, lo, aux, out }
                }
                Activation::Sigmoid => {
                    extremes.sigmoid_input = extremes.sigmoid_input.max(q.abs());
                    let Some(layout) = layout else {
                        // Calibration: the exact sigmoid, no table yet.
                        let out = (s as f64 / (1.0 + (-(q as f64) / s as f64).exp())).round() as i64;
                        values.push(out);
                        neurons.push(NeuronTrace { z, r, q, out, aux: out, ..Default::default() });
                        continue;
                    };
                    let c = layout.sigmoid_shift.unwrap_or(0);
                    let hi = q.div_euclid(1 << c);
                    let lo = q - (hi << c);
                    let bound = 1i64 << layout.sigmoid_index_bits;
                    if hi < -bound || hi >= bound {
                        let range = (bound << c) as f64 / s as f64;
                        return Err(out_of_range(index, &layer.source, q as f64 / s as f64, range));
                    }
                    let aux = layout.sigmoid(hi);
                    NeuronTrace { z, r, q, hi, lo, aux, out: aux }
                }
            };
            values.push(trace.out);
            neurons.push(trace);
        }
        debug_assert_eq!(values.len(), start + layer.neurons.len());
    }
    let outputs = program.outputs.iter().map(|&v| values[v as usize]).collect();
    Ok(Trace { values, neurons, outputs })
}

fn out_of_range(layer: usize, source: &str, value: f64, bound: f64) -> ZkmlError {
    ZkmlError::OutOfRange(format!(
        "layer {layer} ({source}): value {value:.4} is outside the calibrated range ±{bound}; \
         recompile with calibration data that covers this input"
    ))
}

/// Sizes the tables from the extremes the calibration inputs reached, with a
/// factor-2 margin.
pub fn layout_for(program: &Program, scale_bits: u32, extremes: &Extremes) -> TableLayout {
    let bits_for = |magnitude: i64| 64 - (magnitude as u64).leading_zeros();
    let hi_bits = bits_for(extremes.hi) + 1;
    let has_sigmoid = program.layers.iter().any(|l| l.activation == Activation::Sigmoid);
    // Sigmoid table: x_c ∈ [−2^b, 2^b) with b = min(s − 3, 11), so that it
    // does not set k by itself; the step 2^c covers the calibrated input
    // with a 2× margin. c ≥ 1: the circuit shape tells sigmoid models by c > 0.
    let index_bits = scale_bits.saturating_sub(3).clamp(1, 11);
    let needed = bits_for(extremes.sigmoid_input) + 1;
    let shift = needed.saturating_sub(index_bits).max(1);
    TableLayout {
        scale_bits,
        hi_bits,
        sigmoid_shift: has_sigmoid.then_some(shift),
        sigmoid_index_bits: if has_sigmoid { index_bits } else { 0 },
    }
}
