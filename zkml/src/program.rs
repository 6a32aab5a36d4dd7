//! The model as the circuit sees it: a list of layers over scalar values,
//! each neuron an affine map of earlier values followed by one univariate
//! activation.
//!
//! Every supported ONNX operator lowers to this one shape ([`crate::onnx`]):
//! linear operators (Gemm, Conv, pooling averages, BatchNormalization,
//! residual additions) are affine maps `out_i = Σ w_ij · v_j + b_i`, composed
//! with each other before any value is materialized; data movement only
//! renames values; piecewise-linear operators (MaxPool, Clip, LeakyRelu,
//! ArgMax …) are ReLU and step neurons combined affinely; smooth ones are
//! activations read from a calibrated table. One shape means one gate and one
//! lookup layout in the circuit.

use serde::{Deserialize, Serialize};

/// A coefficient of an affine term.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Weight {
    /// A model parameter (`Program::params[i]`): hidden when the model is private.
    Param(u32),
    /// A constant of the graph's structure (1 for an Add, 1/count for an
    /// average): always fixed in the circuit.
    Const(f64),
    /// Another value of the program: the term is the product of two
    /// computed values (attention's `Q·Kᵀ`, a gate's `σ(x)·tanh(y)`). Both
    /// are at scale `S`, as a quantized weight is, so the neuron rescales
    /// it like any other term.
    Value(u32),
    /// An integer coefficient applied to the quantized value as it is, not
    /// at the scale: the term adds `k·v` to the sum at the product scale
    /// `S²`, a sub-unit amount (`k·v/S²`, 0 in [`Program::forward`]) that
    /// only the exact checks of a division need (its rounding bound is half
    /// a unit of the divisor).
    Integer(i64),
    /// Marks the divisor of an [`Activation::Quotient`] neuron: the term's
    /// value divides the rest of the sum; it is no product.
    Divisor,
}

impl Weight {
    /// Whether the weight is a computed value (a product term).
    pub fn is_value(self) -> bool {
        matches!(self, Weight::Value(_))
    }
}

/// One output value of a layer: `Σ weight · value + bias`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Neuron {
    /// `(value id, weight)` pairs.
    pub terms: Vec<(u32, Weight)>,
    /// A model parameter added at the product scale.
    pub bias: Option<u32>,
}

impl Neuron {
    /// The value of the [`Weight::Divisor`] term, if any.
    pub fn divisor(&self) -> Option<u32> {
        self.terms.iter().find(|t| t.1 == Weight::Divisor).map(|t| t.0)
    }
}

/// The non-linearity applied after a layer's rescaling.
///
/// The first four are exact on quantized values (the circuit splits the
/// value at the scale and reads the integer part's entry); a [`UnaryFn`] is
/// read from a table indexed at a calibrated step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Activation {
    /// The affine value itself.
    Identity,
    /// `max(x, 0)`.
    Relu,
    /// `[x ≥ 0]`: 1 or 0.
    Step,
    /// `⌊x⌋`.
    Floor,
    /// A smooth function by table.
    Table(UnaryFn),
    /// `Program::selections[table][⌊x⌋]`: an element of a constant tensor
    /// at a computed index (a `Gather` by lookup), split at the scale like
    /// the exact activations. The index must lie in the table: the lowering
    /// clamps it first.
    Select {
        /// Which of the program's selection tables.
        table: u32,
    },
    /// The exact rounded quotient `round(z / d)` of the neuron's sum `z`
    /// (at the product scale `S²`) by the value `d` of its
    /// [`Weight::Divisor`] term (at `S`): the output, at `S`, is within half
    /// a unit of the real quotient. The neuron's own row holds the quotient
    /// and checks nothing: the lowering follows it with the checks that
    /// make it exact (a range check of the quotient, and two
    /// [`Activation::NonNegative`] neurons bounding the remainder by `|d|`;
    /// see `onnx`'s division).
    Quotient,
    /// The integer part of the same quotient, `⌊z / (S·d)⌋` (or rounded
    /// toward zero), at the scale: a multiple of `S`. A hint like
    /// [`Activation::Quotient`], checked by the neurons after it (see
    /// `onnx`'s `Mod`).
    IntegerQuotient {
        /// Rounded toward zero rather than down.
        toward_zero: bool,
    },
    /// Asserts that the neuron's sum at the product scale is `≥ 0` (`> 0`
    /// when `strict`); the output is `⌊sum / S⌋`. Its table has entries for
    /// non-negative integer parts only, so a negative sum has no proof.
    NonNegative {
        /// `> 0` rather than `≥ 0`.
        strict: bool,
    },
}

impl Activation {
    /// `f(x)` in floating point (a selection reads NaN: its table is the
    /// program's, see [`Program::activate`]).
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Activation::Select { .. } | Activation::Quotient | Activation::IntegerQuotient { .. } => f64::NAN,
            Activation::Identity | Activation::NonNegative { .. } => x,
            Activation::Relu => x.max(0.0),
            Activation::Step => f64::from(u8::from(x >= 0.0)),
            Activation::Floor => x.floor(),
            Activation::Table(f) => f.apply(x),
        }
    }

    /// The exact activations, which split their input at the scale.
    pub fn is_exact(self) -> bool {
        !matches!(self, Activation::Table(_))
    }

    /// A hint: a value computed by the trace from the neuron's terms and
    /// its divisor, which its own row leaves unchecked.
    pub fn is_hint(self) -> bool {
        matches!(self, Activation::Quotient | Activation::IntegerQuotient { .. })
    }

    /// The activation whose table rows this one reads (the two checks of
    /// [`Activation::NonNegative`] share one table).
    pub fn table_kind(self) -> Activation {
        match self {
            Activation::NonNegative { .. } => Activation::NonNegative { strict: false },
            a => a,
        }
    }

    /// What the circuit adds to the neuron's bias. A check rescales
    /// `sum − S/2` (one less when strict), which rounds to `⌊sum / S⌋`
    /// (`⌊(sum − 1) / S⌋`): non-negative exactly when `sum ≥ 0` (`> 0`).
    pub fn bias_offset(self, scale: i64) -> i64 {
        match self {
            Activation::NonNegative { strict } => -scale / 2 - i64::from(strict),
            _ => 0,
        }
    }
}

/// A univariate function of the ONNX operator set, read from a table.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum UnaryFn {
    /// `1 / (1 + e^-x)`.
    Sigmoid,
    /// `tanh x`.
    Tanh,
    /// `e^x`.
    Exp,
    /// `ln x` (the table clamps `x ≤ 0` to the smallest positive step).
    Log,
    /// `√x` (0 below 0).
    Sqrt,
    /// `1 / x` (the table clamps at 0 to its largest value).
    Reciprocal,
    /// `1 / √x` (the table clamps at or below 0 to its largest value).
    Rsqrt {
        /// Which normalization: each has its own table, calibrated to its
        /// own variances.
        site: u32,
    },
    /// The error function.
    Erf,
    /// `x` for `x ≥ 0`, else `α(e^x − 1)`.
    Elu {
        /// α.
        alpha: f64,
    },
    /// `γ·x` for `x > 0`, else `γ·α(e^x − 1)`.
    Selu {
        /// α.
        alpha: f64,
        /// γ.
        gamma: f64,
    },
    /// `max(0, x) + min(0, α(e^(x/α) − 1))`.
    Celu {
        /// α.
        alpha: f64,
    },
    /// `ln(1 + e^x)`.
    Softplus,
    /// `x / (1 + |x|)`.
    Softsign,
    /// `x · tanh(softplus(x))`.
    Mish,
    /// `x^p` for a constant `p`.
    Pow {
        /// p.
        exponent: f64,
    },
    /// `sin x`.
    Sin,
    /// `cos x`.
    Cos,
    /// `x · max(0, min(1, x/6 + 1/2))`.
    HardSwish,
    /// `x · Φ(x)` (exact GELU, or its tanh approximation).
    Gelu {
        /// The tanh form.
        tanh: bool,
    },
    /// `x` for `x > α`, else 0.
    ThresholdedRelu {
        /// α.
        alpha: f64,
    },
}

impl UnaryFn {
    /// `f(x)`; NaN outside the function's domain (the table clamps it).
    pub fn apply(self, x: f64) -> f64 {
        let softplus = |x: f64| x.max(0.0) + (-x.abs()).exp().ln_1p();
        match self {
            UnaryFn::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            UnaryFn::Tanh => x.tanh(),
            UnaryFn::Exp => x.exp(),
            UnaryFn::Log => x.ln(),
            UnaryFn::Sqrt => x.sqrt(),
            UnaryFn::Reciprocal => 1.0 / x,
            UnaryFn::Rsqrt { .. } => 1.0 / x.sqrt(),
            UnaryFn::Erf => erf(x),
            UnaryFn::Elu { alpha } => {
                if x >= 0.0 {
                    x
                } else {
                    alpha * x.exp_m1()
                }
            }
            UnaryFn::Selu { alpha, gamma } => gamma * if x > 0.0 { x } else { alpha * x.exp_m1() },
            UnaryFn::Celu { alpha } => x.max(0.0) + (alpha * (x / alpha).exp_m1()).min(0.0),
            UnaryFn::Softplus => softplus(x),
            UnaryFn::Softsign => x / (1.0 + x.abs()),
            UnaryFn::Mish => x * softplus(x).tanh(),
            UnaryFn::Pow { exponent } => x.powf(exponent),
            UnaryFn::Sin => x.sin(),
            UnaryFn::Cos => x.cos(),
            UnaryFn::HardSwish => x * (x / 6.0 + 0.5).clamp(0.0, 1.0),
            UnaryFn::Gelu { tanh: false } => 0.5 * x * (1.0 + erf(x / std::f64::consts::SQRT_2)),
            UnaryFn::Gelu { tanh: true } => {
                let c = (2.0 / std::f64::consts::PI).sqrt();
                0.5 * x * (1.0 + (c * (x + 0.044715 * x * x * x)).tanh())
            }
            UnaryFn::ThresholdedRelu { alpha } => {
                if x > alpha {
                    x
                } else {
                    0.0
                }
            }
        }
    }
}

/// The error function: its Taylor series below 3, `erfc`'s continued
/// fraction above (std has no `erf`; both are far below a table's step).
pub fn erf(x: f64) -> f64 {
    let a = x.abs();
    let value = if a < 3.0 {
        // erf(x) = 2/√π Σ (−1)^n x^(2n+1) / (n! (2n+1))
        let (mut term, mut sum, mut n) = (a, a, 0.0);
        while term.abs() > 1e-17 * sum.abs().max(1e-300) {
            n += 1.0;
            term *= -a * a / n;
            sum += term / (2.0 * n + 1.0);
            if n > 200.0 {
                break;
            }
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    } else {
        // erfc(x) = e^(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + …))))
        let mut fraction = a;
        for k in (1..60).rev() {
            fraction = a + (k as f64 / 2.0) / fraction;
        }
        1.0 - (-a * a).exp() / std::f64::consts::PI.sqrt() / fraction
    };
    value.copysign(x)
}

/// An affine map followed by an activation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// The ONNX nodes this layer came from, for reports.
    pub source: String,
    /// One neuron per output value.
    pub neurons: Vec<Neuron>,
    /// Applied to every neuron.
    pub activation: Activation,
}

/// A model parameter: its float value and whether it is a bias (added at
/// the product scale) or a weight (multiplied with a value).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Param {
    /// The trained value.
    pub value: f64,
    /// True for a bias.
    pub is_bias: bool,
}

/// A constant tensor that a [`Activation::Select`] layer reads at computed
/// indices: its elements, flattened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Selection {
    /// The elements, in the order their keys count.
    pub values: Vec<f64>,
    /// Some element is a model parameter: the table would publish it, so a
    /// private model cannot use it.
    pub param: bool,
}

impl Selection {
    /// The element at key `⌊x⌋` (NaN outside the table). A float key is an
    /// integer up to rounding (an ONNX index), so one just below an integer
    /// is that integer.
    pub fn at(&self, x: f64) -> f64 {
        let key = (x + 1e-6).floor();
        if key >= 0.0 && key < self.values.len() as f64 {
            self.values[key as usize]
        } else {
            f64::NAN
        }
    }
}

/// The lowered model. Value ids: `0..num_inputs` are the model inputs (each
/// input flattened row-major, in the graph's order), then every layer's
/// outputs in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Program {
    /// The ONNX inputs' shapes (symbolic dimensions taken as 1).
    pub input_shapes: Vec<Vec<usize>>,
    /// The ONNX outputs' shapes.
    pub output_shapes: Vec<Vec<usize>>,
    /// The parameters, in first-use order.
    pub params: Vec<Param>,
    /// The layers, in evaluation order.
    pub layers: Vec<Layer>,
    /// The value ids of the outputs, each row-major, in the graph's order.
    pub outputs: Vec<u32>,
    /// The tables of the [`Activation::Select`] layers.
    #[serde(default)]
    pub selections: Vec<Selection>,
}

impl Program {
    /// Number of input values.
    pub fn num_inputs(&self) -> usize {
        self.input_shapes.iter().map(|s| s.iter().product::<usize>()).sum()
    }

    /// Number of output values.
    pub fn num_outputs(&self) -> usize {
        self.output_shapes.iter().map(|s| s.iter().product::<usize>()).sum()
    }

    /// Number of values (inputs and every layer output).
    pub fn num_values(&self) -> usize {
        self.num_inputs() + self.layers.iter().map(|l| l.neurons.len()).sum::<usize>()
    }

    /// Multiply-accumulate terms over all layers.
    pub fn num_terms(&self) -> usize {
        self.layers.iter().flat_map(|l| &l.neurons).map(|n| n.terms.len()).sum()
    }

    /// Float inference (f64), the reference the quantized model is compared with.
    pub fn forward(&self, input: &[f64]) -> Vec<f64> {
        let mut values = input.to_vec();
        for layer in &self.layers {
            let outputs: Vec<f64> = layer
                .neurons
                .iter()
                .map(|n| {
                    let sum: f64 = n
                        .terms
                        .iter()
                        .map(|&(v, w)| {
                            let w = match w {
                                Weight::Value(u) => values[u as usize],
                                w => self.weight(w),
                            };
                            values[v as usize] * w
                        })
                        .sum();
                    let z = sum + n.bias.map_or(0.0, |b| self.params[b as usize].value);
                    match (layer.activation, n.divisor()) {
                        (Activation::Quotient, Some(d)) => z / values[d as usize],
                        (Activation::IntegerQuotient { toward_zero }, Some(d)) => {
                            let q = z / values[d as usize];
                            if toward_zero {
                                q.trunc()
                            } else {
                                q.floor()
                            }
                        }
                        (activation, _) => self.activate(activation, z),
                    }
                })
                .collect();
            values.extend(outputs);
        }
        self.outputs.iter().map(|&v| values[v as usize]).collect()
    }

    /// `activation(z)` in floating point, selections read from this program's tables.
    pub fn activate(&self, activation: Activation, z: f64) -> f64 {
        match activation {
            Activation::Select { table } => self.selections.get(table as usize).map_or(f64::NAN, |t| t.at(z)),
            a => a.apply(z),
        }
    }

    /// The same program with an identity layer first that every later use of
    /// each input value in `checked` (ascending indices) goes through. In the circuit that layer
    /// range-checks those values (its rows split each value like any
    /// activation), which a private input needs: otherwise any field element
    /// would do.
    pub fn with_input_range_check(&self, checked: &[usize]) -> Program {
        let n = self.num_inputs() as u32;
        let ids: Vec<u32> = checked.iter().map(|&v| v as u32).filter(|&v| v < n).collect();
        if ids.is_empty() {
            return self.clone();
        }
        let m = ids.len() as u32;
        // Inputs keep their ids; the check's outputs follow them; every layer's move up by m.
        let mut input_map: Vec<u32> = (0..n).collect();
        for (j, &v) in ids.iter().enumerate() {
            input_map[v as usize] = n + j as u32;
        }
        let shift = |v: u32| if v < n { input_map[v as usize] } else { v + m };
        let mut layers = Vec::with_capacity(self.layers.len() + 1);
        layers.push(Layer {
            source: "input range check".into(),
            neurons: ids.iter().map(|&v| Neuron { terms: vec![(v, Weight::Const(1.0))], bias: None }).collect(),
            activation: Activation::Identity,
        });
        for layer in &self.layers {
            let neurons = layer
                .neurons
                .iter()
                .map(|neuron| Neuron {
                    terms: neuron
                        .terms
                        .iter()
                        .map(|&(v, w)| {
                            let w = match w {
                                Weight::Value(u) => Weight::Value(shift(u)),
                                w => w,
                            };
                            (shift(v), w)
                        })
                        .collect(),
                    bias: neuron.bias,
                })
                .collect();
            layers.push(Layer { source: layer.source.clone(), neurons, activation: layer.activation });
        }
        Program {
            input_shapes: self.input_shapes.clone(),
            output_shapes: self.output_shapes.clone(),
            params: self.params.clone(),
            layers,
            outputs: self.outputs.iter().map(|&v| shift(v)).collect(),
            selections: self.selections.clone(),
        }
    }

    /// The float value of a parameter or constant weight (a [`Weight::Value`]
    /// has none without a forward pass: NaN; an [`Weight::Integer`] is below
    /// any float precision that matters and a [`Weight::Divisor`] adds
    /// nothing to the sum: 0).
    pub fn weight(&self, w: Weight) -> f64 {
        match w {
            Weight::Param(p) => self.params[p as usize].value,
            Weight::Const(c) => c,
            Weight::Value(_) => f64::NAN,
            Weight::Integer(_) | Weight::Divisor => 0.0,
        }
    }

    /// Whether any neuron multiplies two computed values.
    pub fn has_products(&self) -> bool {
        self.layers.iter().flat_map(|l| &l.neurons).flat_map(|n| &n.terms).any(|&(_, w)| w.is_value())
    }
}
