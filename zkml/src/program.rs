//! The model as the circuit sees it: a list of affine layers over scalar
//! values, each followed by an optional activation.
//!
//! Every supported ONNX operator lowers to this one shape. Gemm, MatMul,
//! Conv, AveragePool, Add, Sub and Mul by a constant are affine maps
//! (`out_i = Σ w_ij · v_j + b_i`); Relu and Sigmoid are activations fused into
//! the layer that produces their input; Flatten and Reshape only rename
//! values. One shape means one gate and one lookup layout in the circuit.

use serde::{Deserialize, Serialize};

/// A coefficient of an affine term.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Weight {
    /// A model parameter (`Program::params[i]`): hidden when the model is private.
    Param(u32),
    /// A constant of the graph's structure (1 for an Add, 1/count for an
    /// average): always fixed in the circuit.
    Const(f64),
}

/// One output value of a layer: `Σ weight · value + bias`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Neuron {
    /// `(value id, weight)` pairs.
    pub terms: Vec<(u32, Weight)>,
    /// A model parameter added at the product scale.
    pub bias: Option<u32>,
}

/// The non-linearity applied after a layer's rescaling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// The affine value itself.
    Identity,
    /// `max(x, 0)`.
    Relu,
    /// `1 / (1 + e^-x)`.
    Sigmoid,
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

/// The lowered model. Value ids: `0..num_inputs` are the model inputs, then
/// every layer's outputs in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Program {
    /// The ONNX input's shape (batch 1).
    pub input_shape: Vec<usize>,
    /// The ONNX output's shape.
    pub output_shape: Vec<usize>,
    /// The parameters, in first-use order.
    pub params: Vec<Param>,
    /// The layers, in evaluation order.
    pub layers: Vec<Layer>,
    /// The value ids of the output, in row-major order.
    pub outputs: Vec<u32>,
}

impl Program {
    /// Number of input values.
    pub fn num_inputs(&self) -> usize {
        self.input_shape.iter().product()
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
                    let sum: f64 = n.terms.iter().map(|&(v, w)| values[v as usize] * self.weight(w)).sum();
                    let z = sum + n.bias.map_or(0.0, |b| self.params[b as usize].value);
                    match layer.activation {
                        Activation::Identity => z,
                        Activation::Relu => z.max(0.0),
                        Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
                    }
                })
                .collect();
            values.extend(outputs);
        }
        self.outputs.iter().map(|&v| values[v as usize]).collect()
    }

    /// The same program with an identity layer first that every later use of
    /// an input goes through. In the circuit that layer range-checks the
    /// inputs (its rows split each value like any activation), which a
    /// private input needs: otherwise any field element would do.
    pub fn with_input_range_check(&self) -> Program {
        let n = self.num_inputs() as u32;
        let shift = |v: u32| v + n;
        let mut layers = Vec::with_capacity(self.layers.len() + 1);
        layers.push(Layer {
            source: "input range check".into(),
            neurons: (0..n).map(|v| Neuron { terms: vec![(v, Weight::Const(1.0))], bias: None }).collect(),
            activation: Activation::Identity,
        });
        for layer in &self.layers {
            let neurons = layer
                .neurons
                .iter()
                .map(|neuron| Neuron {
                    terms: neuron.terms.iter().map(|&(v, w)| (shift(v), w)).collect(),
                    bias: neuron.bias,
                })
                .collect();
            layers.push(Layer { source: layer.source.clone(), neurons, activation: layer.activation });
        }
        Program {
            input_shape: self.input_shape.clone(),
            output_shape: self.output_shape.clone(),
            params: self.params.clone(),
            layers,
            outputs: self.outputs.iter().map(|&v| shift(v)).collect(),
        }
    }

    /// The float value of a weight.
    pub fn weight(&self, w: Weight) -> f64 {
        match w {
            Weight::Param(p) => self.params[p as usize].value,
            Weight::Const(c) => c,
        }
    }
}
