//! ONNX (parsed by tract-onnx's protobuf reader) lowered to a [`Program`].
//!
//! Tensors are kept as `Nd` arrays of either constants or affine
//! expressions over program values (`Affine`); nothing is materialized
//! until it must be. So:
//! - shape arithmetic (`Shape`, `Gather`, `Concat`, `Cast` … on constants) is
//!   folded here, and data movement (`Reshape`, `Transpose`, `Slice`, `Pad`,
//!   nearest `Resize` …) only rearranges expressions: no rows;
//! - linear operators compose: `Conv` → `BatchNormalization` → `Add` of a
//!   residual is one affine map per output, one rescale in the circuit. A
//!   composition that would cost more terms than materializing its input
//!   first (a dense layer after a dense layer) materializes instead;
//! - a non-linearity materializes its input as neurons with that activation.
//!   Piecewise-linear operators are ReLU and step neurons combined affinely
//!   (`max(a, b) = b + relu(a − b)`), so they are exact on quantized values.

mod nd;
mod reference;

pub use reference::tract_outputs;

use std::collections::HashMap;
use std::path::Path;

use tract_onnx::data_resolver::FopenDataResolver;
use tract_onnx::pb::{self, type_proto, AttributeProto, NodeProto};
use tract_onnx::prelude::Framework;

use crate::program::{Activation, Layer, Neuron, Param, Program, Selection, UnaryFn, Weight};
use crate::ZkmlError;
use nd::{axis, broadcast_shape, model, numel, strides, Affine, Coef, Nd};

/// The operators [`lower`] accepts.
pub const SUPPORTED_OPERATORS: &[&str] = &[
    // Plumbing, folded or wired.
    "Identity",
    "Dropout",
    "Cast",
    "CastLike",
    "Constant",
    "ConstantOfShape",
    "Shape",
    "Size",
    "Gather",
    "Unsqueeze",
    "Squeeze",
    "Concat",
    "Expand",
    "Tile",
    "Range",
    "Reshape",
    "Flatten",
    "Transpose",
    "Slice",
    "Split",
    "Pad",
    "Resize",
    "Upsample",
    "Equal",
    "Less",
    "Greater",
    "LessOrEqual",
    "GreaterOrEqual",
    "Not",
    "And",
    "Or",
    "Where",
    "Mod",
    "Trilu",
    // Linear.
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Neg",
    "Sum",
    "Mean",
    "Gemm",
    "MatMul",
    "Conv",
    "ConvTranspose",
    "BatchNormalization",
    "AveragePool",
    "GlobalAveragePool",
    "ReduceSum",
    "ReduceMean",
    // Products of two computed tensors (and by constants: linear).
    "Softmax",
    "LogSoftmax",
    "LayerNormalization",
    "InstanceNormalization",
    "LSTM",
    "GRU",
    "RNN",
    "TreeEnsembleRegressor",
    "TreeEnsembleClassifier",
    "TopK",
    "GatherElements",
    // Piecewise linear, exact.
    "Relu",
    "LeakyRelu",
    "PRelu",
    "Clip",
    "HardSigmoid",
    "Abs",
    "Sign",
    "Max",
    "Min",
    "MaxPool",
    "GlobalMaxPool",
    "ReduceMax",
    "ReduceMin",
    "ArgMax",
    "ArgMin",
    "Floor",
    "Ceil",
    "Round",
    // By calibrated table.
    "Sigmoid",
    "Tanh",
    "Exp",
    "Log",
    "Sqrt",
    "Reciprocal",
    "Erf",
    "Elu",
    "Selu",
    "Celu",
    "Softplus",
    "Softsign",
    "Mish",
    "Pow",
    "Sin",
    "Cos",
    "HardSwish",
    "Gelu",
    "ThresholdedRelu",
];

/// Reads an ONNX file and lowers it.
pub fn load(path: &Path) -> Result<Program, ZkmlError> {
    let proto = tract_onnx::onnx()
        .proto_model_for_path(path)
        .map_err(|e| ZkmlError::Model(format!("cannot read ONNX model {}: {e}", path.display())))?;
    lower(&proto)
}

/// Reads an ONNX model from bytes and lowers it.
pub fn load_bytes(bytes: &[u8]) -> Result<Program, ZkmlError> {
    load_bytes_with(bytes, false)
}

/// Reads an ONNX model from bytes and lowers it for a private model or a
/// public one (see [`lower_with`]).
pub fn load_bytes_with(bytes: &[u8], private_model: bool) -> Result<Program, ZkmlError> {
    let proto = tract_onnx::onnx()
        .proto_model_for_read(&mut &bytes[..])
        .map_err(|e| ZkmlError::Model(format!("cannot parse ONNX model: {e}")))?;
    lower_with(&proto, private_model)
}

/// A tensor during lowering.
#[derive(Clone, Debug)]
enum Val {
    /// Known at compile time; `int` for integer and boolean element types
    /// (their `Div` truncates).
    Const { t: Nd<f64>, int: bool },
    /// Computed from the inputs.
    Lazy(Nd<Affine>),
}

impl Val {
    fn shape(&self) -> &[usize] {
        match self {
            Val::Const { t, .. } => &t.shape,
            Val::Lazy(t) => &t.shape,
        }
    }

    fn float(t: Nd<f64>) -> Self {
        Val::Const { t, int: false }
    }

    /// As affine expressions; a constant becomes model parameters.
    fn lazy(&self) -> Nd<Affine> {
        match self {
            Val::Const { t, .. } => t.map(|&c| Affine::constant(Coef::param(c))),
            Val::Lazy(t) => t.clone(),
        }
    }

    fn constant(&self) -> Option<&Nd<f64>> {
        match self {
            Val::Const { t, .. } => Some(t),
            Val::Lazy(_) => None,
        }
    }
}

/// The same data movement on either kind of tensor.
macro_rules! moved {
    ($v:expr, $t:ident => $e:expr) => {
        match $v {
            Val::Const { t: $t, int } => Val::Const { t: $e?, int: *int },
            Val::Lazy($t) => Val::Lazy($e?),
        }
    };
}

/// Terms a materialized neuron is worth when deciding whether to compose a
/// linear map with its input's expressions or to materialize them first:
/// its rescale and range-check rows.
const NEURON_COST: usize = 16;

/// A Softmax entry whose constant part is at or below this is masked out
/// (see `Lowering::softmax`).
const MASKED: f64 = -1e4;

struct Lowering {
    params: Vec<Param>,
    layers: Vec<Layer>,
    next_value: u32,
    env: HashMap<String, Val>,
    opset: i64,
    /// The node being lowered, with the linear nodes composed into its
    /// inputs: the name of any layer it makes.
    source: String,
    /// Per computed tensor, the linear nodes composed into it since its
    /// values were last materialized.
    composed: HashMap<String, Vec<String>>,
    /// Normalizations lowered so far: each has its own inverse square root table.
    normalizations: u32,
    /// The tables of gathers by lookup, each distinct tensor once.
    selections: Vec<Selection>,
    /// The weights will be private: a gather of parameters cannot be a
    /// (public) table.
    private_model: bool,
}

/// Operators that only move data: they add nothing to a layer's name.
const DATA_MOVEMENT: &[&str] = &[
    "Identity",
    "Dropout",
    "Cast",
    "CastLike",
    "Gather",
    "Unsqueeze",
    "Squeeze",
    "Concat",
    "Expand",
    "Tile",
    "Reshape",
    "Flatten",
    "Transpose",
    "Slice",
    "Split",
    "Pad",
    "Resize",
    "Upsample",
];

/// Lowers a parsed ONNX model (symbolic dimensions, a batch size, taken as 1)
/// for a public model.
pub fn lower(proto: &pb::ModelProto) -> Result<Program, ZkmlError> {
    lower_with(proto, false)
}

/// Lowers a parsed ONNX model. A gather of constants at computed indices is
/// a table lookup, except for a private model where the constants are
/// parameters: a table is public, so those gathers are one-hot selections.
pub fn lower_with(proto: &pb::ModelProto, private_model: bool) -> Result<Program, ZkmlError> {
    let graph = proto.graph.as_ref().ok_or_else(|| model("the ONNX file has no graph"))?;
    let unsupported: Vec<String> = graph
        .node
        .iter()
        .filter(|n| {
            let ml = n.op_type.starts_with("TreeEnsemble");
            let domain_ok = if ml { n.domain == "ai.onnx.ml" } else { n.domain.is_empty() || n.domain == "ai.onnx" };
            !SUPPORTED_OPERATORS.contains(&n.op_type.as_str()) || !domain_ok
        })
        .map(|n| format!("{} (node '{}')", n.op_type, n.name))
        .collect();
    if !unsupported.is_empty() {
        return Err(ZkmlError::Unsupported(unsupported));
    }
    let opset =
        proto.opset_import.iter().find(|o| o.domain.is_empty() || o.domain == "ai.onnx").map_or(13, |o| o.version);
    let mut lowering = Lowering {
        params: Vec::new(),
        layers: Vec::new(),
        next_value: 0,
        env: HashMap::new(),
        opset,
        source: String::new(),
        composed: HashMap::new(),
        normalizations: 0,
        selections: Vec::new(),
        private_model,
    };
    for init in &graph.initializer {
        let (t, int) = tensor_data(init)?;
        lowering.env.insert(init.name.clone(), Val::Const { t, int });
    }
    let inputs: Vec<_> = graph.input.iter().filter(|i| !lowering.env.contains_key(&i.name)).collect();
    let mut input_shapes = Vec::new();
    for input in inputs {
        let shape = value_shape(input)?;
        let n = numel(&shape)?;
        let first = lowering.next_value;
        lowering.next_value = u32::try_from(n)
            .ok()
            .and_then(|n| first.checked_add(n))
            .ok_or_else(|| model("the inputs are too large"))?;
        let data = (first..lowering.next_value).map(Affine::value).collect();
        lowering.env.insert(input.name.clone(), Val::Lazy(Nd::new(shape.clone(), data)?));
        input_shapes.push(shape);
    }
    if input_shapes.is_empty() {
        return Err(model("the model has no inputs"));
    }
    let num_inputs = lowering.next_value;
    // How many nodes (and graph outputs) read each tensor.
    let mut readers: HashMap<&str, usize> = HashMap::new();
    for name in graph.node.iter().flat_map(|n| &n.input).chain(graph.output.iter().map(|o| &o.name)) {
        *readers.entry(name.as_str()).or_default() += 1;
    }
    for node in &graph.node {
        for name in &node.input {
            lowering.share(name, readers.get(name.as_str()).copied().unwrap_or(1))?;
        }
        let mut composed: Vec<String> = Vec::new();
        for name in &node.input {
            for source in lowering.composed.get(name).into_iter().flatten() {
                if !composed.contains(source) {
                    composed.push(source.clone());
                }
            }
        }
        if !DATA_MOVEMENT.contains(&node.op_type.as_str()) {
            composed.push(describe(node));
        }
        lowering.source = composed.join(" + ");
        let layers = lowering.layers.len();
        lowering.node(node).map_err(|e| match e {
            ZkmlError::Model(msg) => ZkmlError::Model(format!("{}: {msg}", describe(node))),
            other => other,
        })?;
        // A node that made layers leaves fresh values behind.
        let carried = if lowering.layers.len() > layers { Vec::new() } else { composed };
        for output in &node.output {
            if matches!(lowering.env.get(output), Some(Val::Lazy(_))) {
                lowering.composed.insert(output.clone(), carried.clone());
            }
        }
    }
    let mut output_shapes = Vec::new();
    let mut outputs = Vec::new();
    let mut pending: Vec<Affine> = Vec::new();
    let mut slots = Vec::new();
    for output in &graph.output {
        let value = lowering
            .env
            .get(&output.name)
            .ok_or_else(|| model(format!("the output '{}' is never computed", output.name)))?;
        let t = value.lazy();
        output_shapes.push(t.shape.clone());
        for a in t.data {
            // An output is a cell of its own: a computed value, else a neuron
            // (a constant, an affine expression, or an input passed through).
            match a.as_value().filter(|&v| v >= num_inputs) {
                Some(v) => slots.push(Ok(v)),
                None => {
                    slots.push(Err(pending.len()));
                    pending.push(a);
                }
            }
        }
    }
    let mut composed: Vec<String> = Vec::new();
    for output in &graph.output {
        for source in lowering.composed.get(&output.name).into_iter().flatten() {
            if !composed.contains(source) {
                composed.push(source.clone());
            }
        }
    }
    lowering.source = if composed.is_empty() { "outputs".into() } else { composed.join(" + ") };
    let made = lowering.neurons(&pending, Activation::Identity)?;
    for slot in slots {
        outputs.push(match slot {
            Ok(v) => v,
            Err(i) => made[i].as_value().expect("a neuron is one value"),
        });
    }
    if outputs.is_empty() {
        return Err(model("the model has no outputs"));
    }
    let mut program = Program {
        input_shapes,
        output_shapes,
        params: lowering.params,
        layers: lowering.layers,
        outputs,
        selections: lowering.selections,
    };
    prune_params(&mut program);
    Ok(program)
}

impl Lowering {
    /// Materializes the elements of computed tensor `name` that its `readers`
    /// would each compose at a higher cost (`readers·T` terms) than one
    /// neuron and a value each (`T + NEURON_COST + readers`): a residual
    /// stream read by a LayerNorm and by the next residual Add, a
    /// pre-activation read by both halves of GELU. Later reads see the values.
    fn share(&mut self, name: &str, readers: usize) -> Result<(), ZkmlError> {
        let Some(Val::Lazy(t)) = self.env.get(name) else {
            return Ok(());
        };
        let costly: Vec<usize> = (0..t.len())
            .filter(|&i| {
                let terms = t.data[i].terms.len();
                readers * terms > terms + NEURON_COST + readers
            })
            .collect();
        if costly.is_empty() {
            return Ok(());
        }
        let mut t = t.clone();
        let exprs: Vec<Affine> = costly.iter().map(|&i| t.data[i].clone()).collect();
        let sources = self.composed.remove(name).unwrap_or_default();
        let source = std::mem::replace(&mut self.source, sources.join(" + "));
        let made = self.neurons(&exprs, Activation::Identity);
        self.source = source;
        for (&i, v) in costly.iter().zip(made?) {
            t.data[i] = v;
        }
        self.env.insert(name.to_string(), Val::Lazy(t));
        Ok(())
    }

    fn input(&self, node: &NodeProto, i: usize) -> Result<Val, ZkmlError> {
        let name = node.input.get(i).filter(|n| !n.is_empty()).ok_or_else(|| model(format!("missing input {i}")))?;
        self.env.get(name).cloned().ok_or_else(|| model(format!("input '{name}' is not computed before it is used")))
    }

    fn optional(&self, node: &NodeProto, i: usize) -> Result<Option<Val>, ZkmlError> {
        match node.input.get(i) {
            Some(name) if !name.is_empty() => self.input(node, i).map(Some),
            _ => Ok(None),
        }
    }

    fn const_input(&self, node: &NodeProto, i: usize, what: &str) -> Result<Nd<f64>, ZkmlError> {
        match self.input(node, i)? {
            Val::Const { t, .. } => Ok(t),
            Val::Lazy(_) => Err(model(format!("{what} must be a constant"))),
        }
    }

    fn optional_ints(&self, node: &NodeProto, i: usize) -> Result<Option<Vec<i64>>, ZkmlError> {
        match self.optional(node, i)? {
            None => Ok(None),
            Some(Val::Const { t, .. }) => Ok(Some(t.data.iter().map(|&x| x as i64).collect())),
            Some(Val::Lazy(_)) => Err(model(format!("input {i} must be a constant"))),
        }
    }

    fn set(&mut self, node: &NodeProto, value: Val) {
        self.env.insert(node.output[0].clone(), value);
    }

    fn param(&mut self, value: f64, is_bias: bool) -> u32 {
        self.params.push(Param { value, is_bias });
        (self.params.len() - 1) as u32
    }

    /// One layer of neurons, one per expression, with `activation`; returns
    /// the new values.
    fn neurons(&mut self, exprs: &[Affine], activation: Activation) -> Result<Vec<Affine>, ZkmlError> {
        let neurons = exprs
            .iter()
            .map(|a| Neuron {
                terms: a.terms.iter().map(|&(v, c)| (v, self.weight(c))).collect(),
                bias: (a.bias.value != 0.0).then(|| self.param(a.bias.value, true)),
            })
            .collect();
        self.layer(neurons, activation)
    }

    /// `out_j = Σ c · x[i] + bias_j` for each row `(terms, bias)`: composed
    /// with `x`'s expressions, or over them materialized when that costs
    /// fewer terms.
    fn linear(&mut self, x: &[Affine], rows: &[(Vec<(usize, Coef)>, Coef)]) -> Result<Vec<Affine>, ZkmlError> {
        let composed: usize = rows.iter().flat_map(|(r, _)| r).map(|&(i, _)| x[i].terms.len()).sum();
        let mut used = vec![false; x.len()];
        for &(i, _) in rows.iter().flat_map(|(r, _)| r) {
            used[i] = true;
        }
        let complex: Vec<usize> = (0..x.len()).filter(|&i| used[i] && x[i].terms.len() > 1).collect();
        let split: usize = complex.iter().map(|&i| x[i].terms.len() + NEURON_COST).sum::<usize>()
            + rows.iter().map(|(r, _)| r.len()).sum::<usize>();
        let mut inputs: Vec<Affine>;
        let x = if composed > split {
            let exprs: Vec<Affine> = complex.iter().map(|&i| x[i].clone()).collect();
            let made = self.neurons(&exprs, Activation::Identity)?;
            inputs = x.to_vec();
            for (&i, v) in complex.iter().zip(made) {
                inputs[i] = v;
            }
            &inputs[..]
        } else {
            x
        };
        Ok(rows.iter().map(|(r, bias)| Affine::combine(r.iter().map(|&(i, c)| (c, &x[i])), *bias)).collect())
    }

    /// `activation(x)` and `activation(−x)` of every element, in one layer.
    fn on_both_signs(&mut self, x: &[Affine], activation: Activation) -> Result<(Vec<Affine>, Vec<Affine>), ZkmlError> {
        let mut both = x.to_vec();
        both.extend(x.iter().map(|a| a.scaled(Coef::structural(-1.0))));
        let mut positive = self.neurons(&both, activation)?;
        let negative = positive.split_off(x.len());
        Ok((positive, negative))
    }

    fn relu(&mut self, x: &[Affine]) -> Result<Vec<Affine>, ZkmlError> {
        self.neurons(x, Activation::Relu)
    }

    /// The value id of each element of `x`: a plain value as it is, any other
    /// expression materialized (one identity layer for all of them).
    fn materialize(&mut self, x: &[Affine]) -> Result<Vec<u32>, ZkmlError> {
        let pending: Vec<usize> = (0..x.len()).filter(|&i| x[i].as_value().is_none()).collect();
        let exprs: Vec<Affine> = pending.iter().map(|&i| x[i].clone()).collect();
        let made = self.neurons(&exprs, Activation::Identity)?;
        let mut ids: Vec<u32> = x.iter().map(|a| a.as_value().unwrap_or(u32::MAX)).collect();
        for (&i, id) in pending.iter().zip(value_ids(&made)?) {
            ids[i] = id;
        }
        Ok(ids)
    }

    /// The value id of each element `i` of `x` that `keep(i)`, in order,
    /// each distinct expression materialized once (a broadcast numerator is
    /// one value, not one per element).
    fn materialize_distinct(&mut self, x: &[Affine], keep: impl Fn(usize) -> bool) -> Result<Vec<u32>, ZkmlError> {
        let (distinct, elements) = distinct_affines(x, keep);
        let ids = self.materialize(&distinct)?;
        Ok(elements.iter().map(|&(_, k)| ids[k]).collect())
    }

    /// One layer of product neurons: output `o` is `Σ a·b` over the value
    /// pairs `rows[o]`, rescaled to the model's scale like any neuron.
    fn products(&mut self, rows: Vec<Vec<(u32, u32)>>, activation: Activation) -> Result<Vec<Affine>, ZkmlError> {
        let neurons = rows
            .into_iter()
            .map(|pairs| Neuron { terms: pairs.into_iter().map(|(a, b)| (a, Weight::Value(b))).collect(), bias: None })
            .collect();
        self.layer(neurons, activation)
    }

    /// Pushes one layer of `neurons`; returns their values.
    fn layer(&mut self, neurons: Vec<Neuron>, activation: Activation) -> Result<Vec<Affine>, ZkmlError> {
        if neurons.is_empty() {
            return Ok(Vec::new());
        }
        let first = self.next_value;
        self.next_value = u32::try_from(neurons.len())
            .ok()
            .and_then(|n| first.checked_add(n))
            .ok_or_else(|| model("the model has more than 2^32 values"))?;
        self.layers.push(Layer { source: self.source.clone(), neurons, activation });
        Ok((first..self.next_value).map(Affine::value).collect())
    }

    /// A coefficient as a weight: a model parameter, or a structural constant.
    fn weight(&mut self, c: Coef) -> Weight {
        if c.param {
            Weight::Param(self.param(c.value, false))
        } else {
            Weight::Const(c.value)
        }
    }

    /// Elementwise `a·b` of computed expressions: by the constant factor
    /// where one side is constant, else one product neuron. Operands of
    /// more than one term are materialized first; then with `p = α·u + a`
    /// and `q = β·w + b`, `p·q = αβ·(u·w + (b/β)·u + (a/α)·w) + ab`, one
    /// neuron whatever the offsets (GELU's `x·(1 + erf)` needs no neuron
    /// for `1 + erf`).
    fn multiply(&mut self, a: &[Affine], b: &[Affine]) -> Result<Vec<Affine>, ZkmlError> {
        let mut out: Vec<Affine> = vec![Affine::default(); a.len()];
        let mut pending = Vec::new();
        for (i, (p, q)) in a.iter().zip(b).enumerate() {
            match (p.terms.is_empty(), q.terms.is_empty()) {
                (_, true) => out[i] = p.scaled(q.bias),
                (true, _) => out[i] = q.scaled(p.bias),
                _ => pending.push(i),
            }
        }
        let mut operands: Vec<Affine> = pending.iter().map(|&i| a[i].clone()).collect();
        operands.extend(pending.iter().map(|&i| b[i].clone()));
        let complex: Vec<usize> = (0..operands.len()).filter(|&j| operands[j].terms.len() > 1).collect();
        let exprs: Vec<Affine> = complex.iter().map(|&j| operands[j].clone()).collect();
        for (&j, v) in complex.iter().zip(self.neurons(&exprs, Activation::Identity)?) {
            operands[j] = v;
        }
        let (left, right) = operands.split_at(pending.len());
        let mut neurons = Vec::with_capacity(pending.len());
        let mut outer = Vec::with_capacity(pending.len());
        for (p, q) in left.iter().zip(right) {
            let ((u, alpha), (w, beta)) = (p.terms[0], q.terms[0]);
            let mut terms = vec![(u, Weight::Value(w))];
            if q.bias.value != 0.0 {
                let c = Coef { value: q.bias.value / beta.value, param: q.bias.param || beta.param };
                terms.push((u, self.weight(c)));
            }
            if p.bias.value != 0.0 {
                let c = Coef { value: p.bias.value / alpha.value, param: p.bias.param || alpha.param };
                terms.push((w, self.weight(c)));
            }
            neurons.push(Neuron { terms, bias: None });
            outer.push((alpha.times(beta), p.bias.times(q.bias)));
        }
        let made = self.layer(neurons, Activation::Identity)?;
        for ((&i, v), (scale, offset)) in pending.iter().zip(made).zip(outer) {
            out[i] = Affine::combine([(scale, &v)], offset);
        }
        Ok(out)
    }

    /// Elementwise `x / y`: by a constant element, its reciprocal; by a
    /// computed one, the exact rounded quotient `q` of the quantized values
    /// (within half a unit at the scale, whatever the divisor's sign).
    ///
    /// With `n = S·x` and `d = y` at the scale, `q` is the one integer with
    /// `2n − 2q·d ∈ [−|d|, |d|)`, which holds exactly when
    ///
    /// ```text
    /// A:  |d| − 2n + 2q·d > 0        B:  |d| + 2n − 2q·d ≥ 0
    /// ```
    ///
    /// (their sum `2|d| > 0` also rules out `d = 0`). The quotient is a hint
    /// ([`Activation::Quotient`], one row); an identity neuron of `−q`
    /// range-checks it, so every product stays far below the field's size
    /// and the two checks hold over the integers; `|d| = relu(d) + relu(−d)`
    /// enters each check with an integer coefficient of 1 (half a unit of
    /// `d` at the product scale, the rounding bound), once per distinct
    /// divisor; `q·d` is a product term, twice. A divisor that is zero at
    /// run time is an error, not a proof.
    fn divide(&mut self, x: &[Affine], y: &[Affine]) -> Result<Vec<Affine>, ZkmlError> {
        let mut out: Vec<Affine> = vec![Affine::default(); x.len()];
        for ((p, q), out) in x.iter().zip(y).zip(out.iter_mut()) {
            if q.terms.is_empty() {
                *out = p.scaled(Coef { value: 1.0 / q.bias.value, param: q.bias.param });
            }
        }
        let (distinct, computed) = distinct_affines(y, |i| !y[i].terms.is_empty());
        if computed.is_empty() {
            return Ok(out);
        }
        let divisors = self.materialize(&distinct)?;
        let divisor_values: Vec<Affine> = divisors.iter().map(|&d| Affine::value(d)).collect();
        let (positive, negative) = self.on_both_signs(&divisor_values, Activation::Relu)?;
        let magnitude: Vec<(u32, u32)> = value_ids(&positive)?.into_iter().zip(value_ids(&negative)?).collect();
        let numerators = self.materialize_distinct(x, |i| !y[i].terms.is_empty())?;
        let quotients = value_ids(&self.hints(&numerators, &computed, &divisors, Activation::Quotient)?)?;
        let negated: Vec<Affine> = quotients.iter().map(|&q| Affine::value(q).scaled(Coef::structural(-1.0))).collect();
        let negated = value_ids(&self.neurons(&negated, Activation::Identity)?)?;
        // A and B: |d| ∓ 2n ± 2q·d, the sign of q·d carried by q or −q.
        let check = |n: u32, d: usize, q: u32, sign: f64| {
            let (p, m) = magnitude[d];
            let product = (q, Weight::Value(divisors[d]));
            let terms = vec![
                (p, Weight::Integer(1)),
                (m, Weight::Integer(1)),
                (n, Weight::Const(-2.0 * sign)),
                product,
                product,
            ];
            Neuron { terms, bias: None }
        };
        let mut strict = Vec::with_capacity(computed.len());
        let mut loose = Vec::with_capacity(computed.len());
        for (j, &(_, d)) in computed.iter().enumerate() {
            strict.push(check(numerators[j], d, quotients[j], 1.0));
            loose.push(check(numerators[j], d, negated[j], -1.0));
        }
        self.layer(strict, Activation::NonNegative { strict: true })?;
        self.layer(loose, Activation::NonNegative { strict: false })?;
        for (&(i, _), &q) in computed.iter().zip(&quotients) {
            out[i] = Affine::value(q);
        }
        Ok(out)
    }

    /// One layer of quotient hints (`activation`): numerator `numerators[j]`
    /// over divisor `divisors[d]` for each `(_, d) = elements[j]`.
    fn hints(
        &mut self,
        numerators: &[u32],
        elements: &[(usize, usize)],
        divisors: &[u32],
        activation: Activation,
    ) -> Result<Vec<Affine>, ZkmlError> {
        let neurons = numerators
            .iter()
            .zip(elements)
            .map(|(&n, &(_, d))| Neuron {
                terms: vec![(n, Weight::Const(1.0)), (divisors[d], Weight::Divisor)],
                bias: None,
            })
            .collect();
        self.layer(neurons, activation)
    }

    /// Elementwise `Mod`: `r = x − k·y` with `k` the integer part of `x / y`,
    /// rounded down (ONNX's default, for integers: `r` has `y`'s sign) or
    /// toward zero (`fmod = 1`, which floats require: `r` has `x`'s sign),
    /// exact on the quantized values.
    ///
    /// `K = k·S` is a hint ([`Activation::IntegerQuotient`]); a floor neuron
    /// of `−K` range-checks it and makes it a multiple of `S` whatever the
    /// hint (`⌊−K/S⌋·S`); the product of that with `y`, rescaled, is `−k·y`
    /// exactly (its rescale remainder is `S/2`), so `r = x + p` is exact.
    /// Then, over the integers (`r·y`, `r·x`, `y²` as product terms):
    /// rounded down, `r·y ≥ 0` and `y² − r·y > 0`; toward zero, `r·x ≥ 0`,
    /// `y² − r·y > 0` and `y² + r·y > 0`. Either set leaves one `k`, and
    /// none for `y = 0`.
    fn modulo(&mut self, x: &[Affine], y: &[Affine], toward_zero: bool) -> Result<Vec<Affine>, ZkmlError> {
        let (distinct, elements) = distinct_affines(y, |_| true);
        let divisors = self.materialize(&distinct)?;
        let negated: Vec<Affine> = divisors.iter().map(|&d| Affine::value(d).scaled(Coef::structural(-1.0))).collect();
        let negated = value_ids(&self.neurons(&negated, Activation::Identity)?)?;
        let numerators = self.materialize_distinct(x, |_| true)?;
        let hints = self.hints(&numerators, &elements, &divisors, Activation::IntegerQuotient { toward_zero })?;
        let hints: Vec<Affine> = hints.iter().map(|k| k.scaled(Coef::structural(-1.0))).collect();
        let multiples = value_ids(&self.neurons(&hints, Activation::Floor)?)?;
        let rows: Vec<Vec<(u32, u32)>> =
            multiples.iter().zip(&elements).map(|(&m, &(_, d))| vec![(m, divisors[d])]).collect();
        let products = value_ids(&self.products(rows, Activation::Identity)?)?;
        // r·f = x·f + p·f for a factor f.
        let times = |i: usize, f: u32| [(numerators[i], Weight::Value(f)), (products[i], Weight::Value(f))];
        let mut signs = Vec::with_capacity(x.len());
        let mut bounds = Vec::with_capacity(2 * x.len());
        for (i, &(_, d)) in elements.iter().enumerate() {
            let (y, minus_y) = (divisors[d], negated[d]);
            let sign_of = if toward_zero { numerators[i] } else { y };
            signs.push(Neuron { terms: times(i, sign_of).to_vec(), bias: None });
            let square = (y, Weight::Value(y));
            bounds.push(Neuron { terms: [&[square][..], &times(i, minus_y)].concat(), bias: None });
            if toward_zero {
                bounds.push(Neuron { terms: [&[square][..], &times(i, y)].concat(), bias: None });
            }
        }
        self.layer(signs, Activation::NonNegative { strict: false })?;
        self.layer(bounds, Activation::NonNegative { strict: true })?;
        Ok(numerators.iter().zip(&products).map(|(&n, &p)| Affine::value(n).plus(&Affine::value(p), 1.0)).collect())
    }

    /// `x^e` for a positive integer `e`, by squaring and multiplying.
    fn integer_power(&mut self, x: &[Affine], e: u32) -> Result<Vec<Affine>, ZkmlError> {
        let mut result: Option<Vec<Affine>> = None;
        let mut square = x.to_vec();
        let mut e = e;
        while e > 0 {
            if e & 1 == 1 {
                result = Some(match result {
                    None => square.clone(),
                    Some(r) => self.multiply(&r, &square)?,
                });
            }
            e >>= 1;
            if e > 0 {
                square = self.multiply(&square, &square)?;
            }
        }
        Ok(result.unwrap_or_else(|| vec![Affine::constant(Coef::structural(1.0)); x.len()]))
    }

    /// Softmax (or its log) over each group: `e = exp(x − max)`, then
    /// `e / Σe` as a product with the sum's reciprocal (or `x − max − ln Σe`).
    /// Subtracting the maximum keeps every `exp` input at or below zero, so
    /// its table spans the calibrated spread of one group, not of the scores.
    ///
    /// Masked entries (a constant part at or below `MASKED`: masks written as
    /// −∞, −10⁹ or the float minimum) contribute exactly 0, as `exp`
    /// underflows to in f32, and take no part in the maximum.
    fn softmax(&mut self, x: &[Affine], groups: &[Vec<usize>], log: bool) -> Result<Vec<Affine>, ZkmlError> {
        let masked = |a: &Affine| a.bias.value <= MASKED;
        let groups: Vec<Vec<usize>> =
            groups.iter().map(|g| g.iter().copied().filter(|&i| !masked(&x[i])).collect()).collect();
        if groups.iter().any(Vec::is_empty) {
            return Err(model("a Softmax group whose every entry is masked"));
        }
        if log && x.iter().any(masked) {
            return Err(model("LogSoftmax of masked entries (their output is −∞)"));
        }
        let groups = &groups[..];
        let maxima = self.reduce_max(x, groups)?;
        let mut shifted = vec![Affine::default(); x.len()];
        for (g, m) in groups.iter().zip(&maxima) {
            for &i in g {
                shifted[i] = x[i].plus(m, -1.0);
            }
        }
        // exp(max(d, −R)) with R = 12: exp(−12) < 7·10⁻⁶, under half a step
        // at scales up to 2^16 and far under the table's own step error, while
        // the clamp bounds the table's range however far the scores spread
        // (one ReLU per entry buys a finer step: calibration sizes the table
        // to twice the largest input, a power of two, so 12 gives ±32).
        const EXP_FLOOR: f64 = 12.0;
        let live: Vec<usize> = groups.iter().flatten().copied().collect();
        let lifted: Vec<Affine> = live
            .iter()
            .map(|&i| Affine::combine([(Coef::structural(1.0), &shifted[i])], Coef::structural(EXP_FLOOR)))
            .collect();
        let clamped: Vec<Affine> = self
            .relu(&lifted)?
            .iter()
            .map(|r| Affine::combine([(Coef::structural(1.0), r)], Coef::structural(-EXP_FLOOR)))
            .collect();
        let mut exps = vec![Affine::default(); x.len()];
        for (&i, e) in live.iter().zip(self.neurons(&clamped, Activation::Table(UnaryFn::Exp))?) {
            exps[i] = e;
        }
        let sums: Vec<Affine> = groups
            .iter()
            .map(|g| Affine::combine(g.iter().map(|&i| (Coef::structural(1.0), &exps[i])), Coef::default()))
            .collect();
        let mut out = vec![Affine::default(); x.len()];
        if log {
            let logs = self.neurons(&sums, Activation::Table(UnaryFn::Log))?;
            for (g, l) in groups.iter().zip(&logs) {
                for &i in g {
                    out[i] = shifted[i].plus(l, -1.0);
                }
            }
            return Ok(out);
        }
        let reciprocals = self.neurons(&sums, Activation::Table(UnaryFn::Reciprocal))?;
        self.scale_groups(&exps, groups, &reciprocals, &mut out)?;
        Ok(out)
    }

    /// `out[i] = x[i]·factors[g]` for every element `i` of each group `g`.
    fn scale_groups(
        &mut self,
        x: &[Affine],
        groups: &[Vec<usize>],
        factors: &[Affine],
        out: &mut [Affine],
    ) -> Result<(), ZkmlError> {
        let (mut a, mut b) = (Vec::with_capacity(x.len()), Vec::with_capacity(x.len()));
        for (g, f) in groups.iter().zip(factors) {
            for &i in g {
                a.push(x[i].clone());
                b.push(f.clone());
            }
        }
        let products = self.multiply(&a, &b)?;
        for (&i, p) in groups.iter().flatten().zip(products) {
            out[i] = p;
        }
        Ok(())
    }

    /// `(x − mean) / √(var + ε)` over each group (population variance), the
    /// inverse square root by table; the caller applies scale and bias.
    fn normalize(&mut self, x: &[Affine], groups: &[Vec<usize>], epsilon: f64) -> Result<Vec<Affine>, ZkmlError> {
        // x materialized, then each group's mean (n terms), then x − mean (two
        // terms each): composing the mean into every centered value would cost
        // n times x's own terms per value.
        let values: Vec<Affine> = self.materialize(x)?.into_iter().map(Affine::value).collect();
        let means: Vec<Affine> = groups
            .iter()
            .map(|g| {
                let c = Coef::structural(1.0 / g.len().max(1) as f64);
                Affine::combine(g.iter().map(|&i| (c, &values[i])), Coef::default())
            })
            .collect();
        let means = self.neurons(&means, Activation::Identity)?;
        let mut centered = vec![Affine::default(); x.len()];
        for (g, mean) in groups.iter().zip(&means) {
            for &i in g {
                centered[i] = values[i].plus(mean, -1.0);
            }
        }
        let ids = self.materialize(&centered)?;
        let squares = groups.iter().map(|g| g.iter().map(|&i| (ids[i], ids[i])).collect()).collect();
        let sums = self.products(squares, Activation::Identity)?;
        let variances: Vec<Affine> = groups
            .iter()
            .zip(&sums)
            .map(|(g, s)| Affine::combine([(Coef::structural(1.0 / g.len().max(1) as f64), s)], Coef::param(epsilon)))
            .collect();
        // 1/√v is steep near 0: one table per normalization keeps each table's
        // step at its own variances' scale (an embedding's LayerNorm sees
        // variances a hundredth of a residual stream's).
        let site = self.normalizations;
        self.normalizations += 1;
        let inverse_roots = self.neurons(&variances, Activation::Table(UnaryFn::Rsqrt { site }))?;
        let values: Vec<Affine> = ids.iter().map(|&v| Affine::value(v)).collect();
        let mut out = vec![Affine::default(); x.len()];
        self.scale_groups(&values, groups, &inverse_roots, &mut out)?;
        Ok(out)
    }

    /// Elementwise `max(a, b) = b + relu(a − b)`.
    fn max2(&mut self, a: &[Affine], b: &[Affine]) -> Result<Vec<Affine>, ZkmlError> {
        let d: Vec<Affine> = a.iter().zip(b).map(|(a, b)| a.plus(b, -1.0)).collect();
        let r = self.relu(&d)?;
        Ok(b.iter().zip(&r).map(|(b, r)| b.plus(r, 1.0)).collect())
    }

    /// The maximum of each group of `x`'s elements, one step per layer.
    fn reduce_max(&mut self, x: &[Affine], groups: &[Vec<usize>]) -> Result<Vec<Affine>, ZkmlError> {
        if groups.iter().any(Vec::is_empty) {
            return Err(model("a maximum over no elements"));
        }
        let mut current: Vec<Affine> = groups.iter().map(|g| x[g[0]].clone()).collect();
        let longest = groups.iter().map(Vec::len).max().unwrap_or(0);
        for step in 1..longest {
            let live: Vec<usize> = (0..groups.len()).filter(|&g| groups[g].len() > step).collect();
            let a: Vec<Affine> = live.iter().map(|&g| current[g].clone()).collect();
            let b: Vec<Affine> = live.iter().map(|&g| x[groups[g][step]].clone()).collect();
            for (&g, m) in live.iter().zip(self.max2(&a, &b)?) {
                current[g] = m;
            }
        }
        Ok(current)
    }

    /// The index of the maximum of each group: the first one, or the last.
    fn arg_max(&mut self, x: &[Affine], groups: &[Vec<usize>], last: bool) -> Result<Vec<Affine>, ZkmlError> {
        let mut best: Vec<Affine> = groups.iter().map(|g| x[g[0]].clone()).collect();
        let mut index: Vec<Affine> = vec![Affine::default(); groups.len()];
        let longest = groups.iter().map(Vec::len).max().unwrap_or(0);
        for step in 1..longest {
            let live: Vec<usize> = (0..groups.len()).filter(|&g| groups[g].len() > step).collect();
            let xs: Vec<Affine> = live.iter().map(|&g| x[groups[g][step]].clone()).collect();
            // Is x_step the new maximum: x > best (first index), x ≥ best (last)?
            let diffs: Vec<Affine> = live
                .iter()
                .zip(&xs)
                .map(|(&g, x)| if last { x.plus(&best[g], -1.0) } else { best[g].plus(x, -1.0) })
                .collect();
            let steps = self.neurons(&diffs, Activation::Step)?;
            let t = step as f64;
            let candidate: Vec<Affine> = steps
                .iter()
                .map(|s| {
                    if last {
                        s.scaled(Coef::structural(t))
                    } else {
                        Affine::combine([(Coef::structural(-t), s)], Coef::structural(t))
                    }
                })
                .collect();
            let previous: Vec<Affine> = live.iter().map(|&g| best[g].clone()).collect();
            let maxima = self.max2(&previous, &xs)?;
            // The index is the largest candidate (each is t or 0, and the
            // latest new maximum has the largest t).
            let indices: Vec<Affine> = live.iter().map(|&g| index[g].clone()).collect();
            let new_index = if step == 1 { candidate } else { self.max2(&indices, &candidate)? };
            for ((&g, m), i) in live.iter().zip(maxima).zip(new_index) {
                best[g] = m;
                index[g] = i;
            }
        }
        Ok(index)
    }

    fn node(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        if node.output.is_empty() {
            return Err(model("no output"));
        }
        let op = node.op_type.as_str();
        if let Some(f) = table_function(node)? {
            return self.unary(node, Activation::Table(f));
        }
        match op {
            "Identity" | "Dropout" => {
                if node.output.get(1).is_some_and(|m| !m.is_empty()) {
                    return Err(model("Dropout's mask output is not supported"));
                }
                let x = self.input(node, 0)?;
                self.set(node, x);
            }
            "Cast" | "CastLike" => {
                let x = self.input(node, 0)?;
                let to = if op == "Cast" {
                    attr_int(node, "to").unwrap_or(1)
                } else {
                    match self.input(node, 1)? {
                        Val::Const { int: true, .. } => 7,
                        _ => 1,
                    }
                };
                let int = is_integer_type(to as i32);
                let value = match x {
                    Val::Const { t, .. } => Val::Const {
                        t: t.map(|&v| {
                            if to == 9 {
                                f64::from(u8::from(v != 0.0))
                            } else if int {
                                v.trunc()
                            } else {
                                v
                            }
                        }),
                        int,
                    },
                    Val::Lazy(t) if to == 9 => {
                        // x ≠ 0 = 2 − [x ≥ 0] − [−x ≥ 0]
                        let (p, q) = self.on_both_signs(&t.data, Activation::Step)?;
                        let minus = Coef::structural(-1.0);
                        let out = p
                            .iter()
                            .zip(&q)
                            .map(|(p, q)| Affine::combine([(minus, p), (minus, q)], Coef::structural(2.0)))
                            .collect();
                        Val::Lazy(Nd::new(t.shape.clone(), out)?)
                    }
                    Val::Lazy(t) if int => {
                        // trunc(x) = ⌊relu(x)⌋ − ⌊relu(−x)⌋
                        let (p, q) = self.on_both_signs(&t.data, Activation::Relu)?;
                        let f = self.neurons(&[p, q].concat(), Activation::Floor)?;
                        let (p, q) = f.split_at(t.len());
                        Val::Lazy(Nd::new(t.shape.clone(), p.iter().zip(q).map(|(p, q)| p.plus(q, -1.0)).collect())?)
                    }
                    // To a float type: the fixed-point value as it is.
                    lazy => lazy,
                };
                self.set(node, value);
            }
            "Constant" => {
                let a = node.attribute.first().ok_or_else(|| model("no value attribute"))?;
                let value = match a.name.as_str() {
                    "value" => {
                        let (t, int) = tensor_data(a.t.as_ref().ok_or_else(|| model("empty value"))?)?;
                        Val::Const { t, int }
                    }
                    "value_float" => Val::float(Nd::scalar(a.f as f64)),
                    "value_floats" => {
                        Val::float(Nd::new(vec![a.floats.len()], a.floats.iter().map(|&f| f as f64).collect())?)
                    }
                    "value_int" => Val::Const { t: Nd::scalar(a.i as f64), int: true },
                    "value_ints" => Val::Const {
                        t: Nd::new(vec![a.ints.len()], a.ints.iter().map(|&i| i as f64).collect())?,
                        int: true,
                    },
                    other => return Err(model(format!("Constant's {other} form is not supported"))),
                };
                self.set(node, value);
            }
            "ConstantOfShape" => {
                let shape = to_dims(&self.const_input(node, 0, "the shape")?.data)?;
                let (fill, int) = match attr(node, "value").and_then(|a| a.t.as_ref()) {
                    Some(t) => {
                        let (t, int) = tensor_data(t)?;
                        (t.data.first().copied().unwrap_or(0.0), int)
                    }
                    None => (0.0, false),
                };
                let n = numel(&shape)?;
                self.set(node, Val::Const { t: Nd::new(shape, vec![fill; n])?, int });
            }
            "Shape" => {
                let shape = self.input(node, 0)?.shape().to_vec();
                let r = shape.len() as i64;
                let clampi = |v: i64| (if v < 0 { v + r } else { v }).clamp(0, r) as usize;
                let start = clampi(attr_int(node, "start").unwrap_or(0));
                let end = clampi(attr_int(node, "end").unwrap_or(r));
                let dims: Vec<f64> = shape[start..end.max(start)].iter().map(|&d| d as f64).collect();
                self.set(node, Val::Const { t: Nd::new(vec![dims.len()], dims)?, int: true });
            }
            "Size" => {
                let n = self.input(node, 0)?.shape().iter().product::<usize>();
                self.set(node, Val::Const { t: Nd::scalar(n as f64), int: true });
            }
            "Gather" => {
                let x = self.input(node, 0)?;
                let a = axis(attr_int(node, "axis").unwrap_or(0), x.shape().len())?;
                let idx = match self.input(node, 1)? {
                    Val::Const { t, .. } => t,
                    Val::Lazy(indices) => {
                        let value = self.gather_computed(&x, a, &indices)?;
                        self.set(node, value);
                        return Ok(());
                    }
                };
                let idx = idx.map(|&i| i as i64);
                let value = moved!(&x, t => t.gather(a, &idx));
                self.set(node, value);
            }
            "Unsqueeze" | "Squeeze" => {
                let x = self.input(node, 0)?;
                let axes = match attr_ints(node, "axes") {
                    Some(a) => Some(a),
                    None => self.optional_ints(node, 1)?,
                };
                let shape = x.shape().to_vec();
                let new = if op == "Unsqueeze" {
                    let axes = axes.ok_or_else(|| model("axes are required"))?;
                    let rank = shape.len() + axes.len();
                    let mut axes: Vec<usize> = axes.iter().map(|&a| axis(a, rank)).collect::<Result<_, _>>()?;
                    axes.sort_unstable();
                    let mut new = shape.clone();
                    for a in axes {
                        if a > new.len() {
                            return Err(model("axis out of range"));
                        }
                        new.insert(a, 1);
                    }
                    new
                } else {
                    let drop: Vec<usize> = match axes {
                        Some(axes) => axes.iter().map(|&a| axis(a, shape.len())).collect::<Result<_, _>>()?,
                        None => (0..shape.len()).filter(|&a| shape[a] == 1).collect(),
                    };
                    if drop.iter().any(|&a| shape[a] != 1) {
                        return Err(model(format!("cannot squeeze a dimension that is not 1 ({shape:?})")));
                    }
                    shape.iter().enumerate().filter(|(a, _)| !drop.contains(a)).map(|(_, &d)| d).collect()
                };
                let value = moved!(&x, t => t.clone().reshape(new.clone()));
                self.set(node, value);
            }
            "Reshape" => {
                let x = self.input(node, 0)?;
                let target = self.const_input(node, 1, "the target shape")?;
                let new = reshape(x.shape(), &target.data, attr_int(node, "allowzero").unwrap_or(0) != 0)?;
                let value = moved!(&x, t => t.clone().reshape(new.clone()));
                self.set(node, value);
            }
            "Flatten" => {
                let x = self.input(node, 0)?;
                let shape = x.shape().to_vec();
                let a = attr_int(node, "axis").unwrap_or(1);
                let a = if a == shape.len() as i64 { shape.len() } else { axis(a, shape.len())? };
                let new = vec![shape[..a].iter().product(), shape[a..].iter().product()];
                let value = moved!(&x, t => t.clone().reshape(new.clone()));
                self.set(node, value);
            }
            "Transpose" => {
                let x = self.input(node, 0)?;
                let rank = x.shape().len();
                let perm: Vec<usize> = match attr_ints(node, "perm") {
                    Some(p) => p.iter().map(|&a| axis(a, rank)).collect::<Result<_, _>>()?,
                    None => (0..rank).rev().collect(),
                };
                let value = moved!(&x, t => t.transpose(&perm));
                self.set(node, value);
            }
            "Concat" => {
                let parts: Vec<Val> = (0..node.input.len()).map(|i| self.input(node, i)).collect::<Result<_, _>>()?;
                let rank = parts.first().map_or(0, |p| p.shape().len());
                let a = axis(attr_int(node, "axis").ok_or_else(|| model("axis is required"))?, rank)?;
                let value = if parts.iter().all(|p| p.constant().is_some()) {
                    let int = parts.iter().all(|p| matches!(p, Val::Const { int: true, .. }));
                    let ts: Vec<Nd<f64>> = parts.iter().filter_map(|p| p.constant().cloned()).collect();
                    Val::Const { t: Nd::concat(&ts, a)?, int }
                } else {
                    let ts: Vec<Nd<Affine>> = parts.iter().map(Val::lazy).collect();
                    Val::Lazy(Nd::concat(&ts, a)?)
                };
                self.set(node, value);
            }
            "Expand" => {
                let x = self.input(node, 0)?;
                let dims = to_dims(&self.const_input(node, 1, "the shape")?.data)?;
                let target = broadcast_shape(x.shape(), &dims)?;
                let value = moved!(&x, t => t.broadcast_to(&target));
                self.set(node, value);
            }
            "Tile" => {
                let x = self.input(node, 0)?;
                let repeats = to_dims(&self.const_input(node, 1, "repeats")?.data)?;
                let value = moved!(&x, t => t.tile(&repeats));
                self.set(node, value);
            }
            "Range" => {
                let [start, limit, delta] = [0, 1, 2].map(|i| {
                    self.const_input(node, i, "Range's operands").map(|t| t.data.first().copied().unwrap_or(0.0))
                });
                let (start, limit, delta) = (start?, limit?, delta?);
                if delta == 0.0 {
                    return Err(model("Range with delta 0"));
                }
                let n = ((limit - start) / delta).ceil().max(0.0);
                if n > nd::MAX_ELEMENTS as f64 {
                    return Err(model("Range too long"));
                }
                let data: Vec<f64> = (0..n as usize).map(|i| start + i as f64 * delta).collect();
                let int = matches!(self.input(node, 0)?, Val::Const { int: true, .. });
                self.set(node, Val::Const { t: Nd::new(vec![data.len()], data)?, int });
            }
            "Slice" => self.slice(node)?,
            "Split" => self.split(node)?,
            "Pad" => self.pad(node)?,
            "Resize" | "Upsample" => self.resize(node)?,
            "Equal" | "Less" | "Greater" | "LessOrEqual" | "GreaterOrEqual" | "And" | "Or" | "Mod" | "Where"
            | "Not" => self.logic(node)?,
            "Trilu" => self.trilu(node)?,
            "Add" | "Sub" | "Mul" | "Div" => {
                let a = self.input(node, 0)?;
                let b = self.input(node, 1)?;
                let value = self.binary(op, a, b)?;
                self.set(node, value);
            }
            "Sum" | "Mean" => {
                let mut acc = self.input(node, 0)?;
                for i in 1..node.input.len() {
                    let next = self.input(node, i)?;
                    acc = self.binary("Add", acc, next)?;
                }
                if op == "Mean" {
                    let n = Val::float(Nd::scalar(node.input.len() as f64));
                    acc = self.binary("Div", acc, n)?;
                }
                self.set(node, acc);
            }
            "Neg" => {
                let x = self.input(node, 0)?;
                let value = self.binary("Mul", x, Val::float(Nd::scalar(-1.0)))?;
                self.set(node, value);
            }
            "Softmax" | "LogSoftmax" => {
                let x = self.input(node, 0)?;
                let shape = x.shape().to_vec();
                let rank = shape.len() as i64;
                let default = if self.opset < 13 { 1 } else { -1 };
                let axis = attr_int(node, "axis").unwrap_or(default);
                let axis = usize::try_from(if axis < 0 { axis + rank } else { axis })
                    .ok()
                    .filter(|&a| a < shape.len())
                    .ok_or_else(|| model(format!("axis {axis} of a rank-{rank} tensor")))?;
                // Before opset 13 the input is seen as 2-D at `axis`: one group per leading index.
                let axes: Vec<usize> = if self.opset < 13 { (axis..shape.len()).collect() } else { vec![axis] };
                let (groups, _) = reduction_groups(&shape, &axes, true);
                let value = match x {
                    Val::Const { t, .. } => {
                        let mut data = t.data.clone();
                        for g in &groups {
                            let m = g.iter().map(|&i| t.data[i]).fold(f64::NEG_INFINITY, f64::max);
                            let sum: f64 = g.iter().map(|&i| (t.data[i] - m).exp()).sum();
                            for &i in g {
                                data[i] = if op == "Softmax" {
                                    (t.data[i] - m).exp() / sum
                                } else {
                                    t.data[i] - m - sum.ln()
                                };
                            }
                        }
                        Val::float(Nd::new(shape, data)?)
                    }
                    Val::Lazy(t) => Val::Lazy(Nd::new(shape, self.softmax(&t.data, &groups, op == "LogSoftmax")?)?),
                };
                self.set(node, value);
            }
            "LayerNormalization" | "InstanceNormalization" => self.normalization(node)?,
            "LSTM" | "GRU" | "RNN" => self.recurrent(node)?,
            "TreeEnsembleRegressor" | "TreeEnsembleClassifier" => self.tree_ensemble(node)?,
            "TopK" => self.top_k(node)?,
            "GatherElements" => self.gather_elements(node)?,
            "Gemm" => self.gemm(node)?,
            "MatMul" => {
                let (a, b) = (self.input(node, 0)?, self.input(node, 1)?);
                let value = self.matmul(a, b)?;
                self.set(node, value);
            }
            "Conv" => self.conv(node)?,
            "ConvTranspose" => self.conv_transpose(node)?,
            "BatchNormalization" => self.batch_norm(node)?,
            "AveragePool" | "MaxPool" => self.pool(node)?,
            "GlobalAveragePool" | "GlobalMaxPool" => {
                let x = self.input(node, 0)?;
                let rank = x.shape().len();
                if rank < 3 {
                    return Err(model(format!("input of shape {:?}; [N, C, spatial…] is expected", x.shape())));
                }
                let axes: Vec<usize> = (2..rank).collect();
                let kind = if op == "GlobalAveragePool" { "ReduceMean" } else { "ReduceMax" };
                let value = self.reduce(kind, x, &axes, true)?;
                self.set(node, value);
            }
            "ReduceSum" | "ReduceMean" | "ReduceMax" | "ReduceMin" => {
                let x = self.input(node, 0)?;
                let rank = x.shape().len();
                let axes = match attr_ints(node, "axes") {
                    Some(a) => Some(a),
                    None => self.optional_ints(node, 1)?,
                };
                let axes: Vec<usize> = match axes {
                    Some(a) if !a.is_empty() => a.iter().map(|&a| axis(a, rank)).collect::<Result<_, _>>()?,
                    _ if attr_int(node, "noop_with_empty_axes").unwrap_or(0) != 0 => {
                        self.set(node, x);
                        return Ok(());
                    }
                    _ => (0..rank).collect(),
                };
                let keep = attr_int(node, "keepdims").unwrap_or(1) != 0;
                let value = self.reduce(op, x, &axes, keep)?;
                self.set(node, value);
            }
            "ArgMax" | "ArgMin" => {
                let x = self.input(node, 0)?;
                let shape = x.shape().to_vec();
                let a = axis(attr_int(node, "axis").unwrap_or(0), shape.len())?;
                let keep = attr_int(node, "keepdims").unwrap_or(1) != 0;
                let last = attr_int(node, "select_last_index").unwrap_or(0) != 0;
                let x = if op == "ArgMin" { self.binary("Mul", x, Val::float(Nd::scalar(-1.0)))? } else { x };
                let (groups, out_shape) = reduction_groups(&shape, &[a], keep);
                let value = match x {
                    Val::Const { t, .. } => {
                        let data = groups
                            .iter()
                            .map(|g| {
                                let vals: Vec<f64> = g.iter().map(|&i| t.data[i]).collect();
                                let best = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                                let pos = if last {
                                    vals.iter().rposition(|&v| v == best)
                                } else {
                                    vals.iter().position(|&v| v == best)
                                };
                                pos.unwrap_or(0) as f64
                            })
                            .collect();
                        Val::Const { t: Nd::new(out_shape, data)?, int: true }
                    }
                    Val::Lazy(t) => Val::Lazy(Nd::new(out_shape, self.arg_max(&t.data, &groups, last)?)?),
                };
                self.set(node, value);
            }
            "Pow" => {
                let base = self.input(node, 0)?;
                let exponent = self.input(node, 1)?;
                let value = match (base, exponent) {
                    (Val::Const { t: b, int }, Val::Const { t: e, .. }) => {
                        let shape = broadcast_shape(&b.shape, &e.shape)?;
                        let (b, e) = (b.broadcast_to(&shape)?, e.broadcast_to(&shape)?);
                        Val::Const {
                            t: Nd::new(shape, b.data.iter().zip(&e.data).map(|(b, e)| b.powf(*e)).collect())?,
                            int,
                        }
                    }
                    (Val::Lazy(b), Val::Const { t: e, .. }) => {
                        let p = *e.data.first().ok_or_else(|| model("empty exponent"))?;
                        if e.data.iter().any(|&x| x != p) {
                            return Err(model("Pow with a tensor of different exponents is not supported"));
                        }
                        let out = if p == 0.0 {
                            vec![Affine::constant(Coef::structural(1.0)); b.len()]
                        } else if p.fract() == 0.0 && (1.0..=64.0).contains(&p) {
                            // Exact: products of the value with itself.
                            self.integer_power(&b.data, p as u32)?
                        } else {
                            self.neurons(&b.data, Activation::Table(UnaryFn::Pow { exponent: p }))?
                        };
                        let shape = broadcast_shape(&b.shape, &e.shape)?;
                        Val::Lazy(Nd::new(b.shape.clone(), out)?.broadcast_to(&shape)?)
                    }
                    _ => return Err(model("Pow with a computed exponent is not supported")),
                };
                self.set(node, value);
            }
            "Relu" => self.unary(node, Activation::Relu)?,
            "Floor" => self.unary(node, Activation::Floor)?,
            "Round" => {
                let x = self.input(node, 0)?;
                let value = match x {
                    Val::Const { t, int } => Val::Const { t: t.map(|&v| v.round_ties_even()), int },
                    Val::Lazy(t) => Val::Lazy(Nd::new(t.shape.clone(), self.round_half_even(&t.data)?)?),
                };
                self.set(node, value);
            }
            "Ceil" => {
                // ⌈x⌉ = −⌊−x⌋
                let value = match self.input(node, 0)? {
                    Val::Const { t, int } => Val::Const { t: t.map(|&v| v.ceil()), int },
                    Val::Lazy(t) => {
                        let minus = Coef::structural(-1.0);
                        let negated: Vec<Affine> = t.data.iter().map(|a| a.scaled(minus)).collect();
                        let f = self.neurons(&negated, Activation::Floor)?;
                        Val::Lazy(Nd::new(t.shape.clone(), f.iter().map(|a| a.scaled(minus)).collect())?)
                    }
                };
                self.set(node, value);
            }
            "LeakyRelu" => {
                let alpha = attr_float(node, "alpha").unwrap_or(0.01);
                self.leaky(node, |_| Coef::structural(alpha), None)?;
            }
            "PRelu" => {
                let slope = self.const_input(node, 1, "the slope")?;
                self.leaky(node, |_| Coef::default(), Some(slope))?;
            }
            "Clip" => {
                let (lo, hi) = if self.opset < 11 {
                    (attr_float(node, "min"), attr_float(node, "max"))
                } else {
                    let bound = |i| -> Result<Option<f64>, ZkmlError> {
                        Ok(match self.optional(node, i)? {
                            Some(Val::Const { t, .. }) => t.data.first().copied(),
                            Some(Val::Lazy(_)) => return Err(model("Clip's bounds must be constants")),
                            None => None,
                        })
                    };
                    (bound(1)?, bound(2)?)
                };
                let x = self.input(node, 0)?;
                let value = self.clip(x, lo, hi)?;
                self.set(node, value);
            }
            "HardSigmoid" => {
                let alpha = attr_float(node, "alpha").unwrap_or(0.2);
                let beta = attr_float(node, "beta").unwrap_or(0.5);
                let x = self.input(node, 0)?;
                let y = self.binary("Mul", x, Val::float(Nd::scalar(alpha)))?;
                let y = self.binary("Add", y, Val::float(Nd::scalar(beta)))?;
                let value = self.clip(y, Some(0.0), Some(1.0))?;
                self.set(node, value);
            }
            "Abs" | "Sign" => {
                let x = self.input(node, 0)?;
                let value = match x {
                    Val::Const { t, int } => {
                        Val::Const { t: t.map(|&v| if op == "Abs" { v.abs() } else { sign(v) }), int }
                    }
                    Val::Lazy(t) => {
                        let out: Vec<Affine> = if op == "Abs" {
                            // |x| = 2·relu(x) − x
                            let r = self.relu(&t.data)?;
                            r.iter()
                                .zip(&t.data)
                                .map(|(r, x)| {
                                    Affine::combine(
                                        [(Coef::structural(2.0), r), (Coef::structural(-1.0), x)],
                                        Coef::default(),
                                    )
                                })
                                .collect()
                        } else {
                            // sign(x) = [x ≥ 0] − [−x ≥ 0]
                            let (p, q) = self.on_both_signs(&t.data, Activation::Step)?;
                            p.iter().zip(&q).map(|(p, q)| p.plus(q, -1.0)).collect()
                        };
                        Val::Lazy(Nd::new(t.shape.clone(), out)?)
                    }
                };
                self.set(node, value);
            }
            "Max" | "Min" => {
                let mut acc = self.input(node, 0)?;
                for i in 1..node.input.len() {
                    let next = self.input(node, i)?;
                    acc = self.max_min(op == "Max", acc, next)?;
                }
                self.set(node, acc);
            }
            other => return Err(ZkmlError::Unsupported(vec![format!("{other} (node '{}')", node.name)])),
        }
        Ok(())
    }

    /// ONNX's `Round`, halves to even, exactly: `r = ⌊x + ½⌋`; `x` was a tie
    /// when `r − x − ½ ≥ 0`; `r` is odd when `r − 2⌊r/2⌋ = 1`; a tie with `r`
    /// odd rounds down one.
    fn round_half_even(&mut self, x: &[Affine]) -> Result<Vec<Affine>, ZkmlError> {
        let one = Coef::structural(1.0);
        let up: Vec<Affine> = x.iter().map(|a| Affine::combine([(one, a)], Coef::structural(0.5))).collect();
        let r = self.neurons(&up, Activation::Floor)?;
        let n = x.len();
        let mut pre: Vec<Affine> = r
            .iter()
            .zip(x)
            .map(|(r, x)| Affine::combine([(one, r), (Coef::structural(-1.0), x)], Coef::structural(-0.5)))
            .collect();
        pre.extend(r.iter().map(|r| r.scaled(Coef::structural(0.5))));
        let steps = self.neurons(&pre[..n], Activation::Step)?;
        let halves = self.neurons(&pre[n..], Activation::Floor)?;
        let both: Vec<Affine> = (0..n)
            .map(|i| {
                // t + (r − 2⌊r/2⌋) − 2 ≥ 0 exactly when both are 1.
                Affine::combine(
                    [(one, &steps[i]), (one, &r[i]), (Coef::structural(-2.0), &halves[i])],
                    Coef::structural(-2.0),
                )
            })
            .collect();
        let down = self.neurons(&both, Activation::Step)?;
        Ok(r.iter().zip(&down).map(|(r, d)| r.plus(d, -1.0)).collect())
    }

    /// An elementwise activation; constants are evaluated.
    fn unary(&mut self, node: &NodeProto, activation: Activation) -> Result<(), ZkmlError> {
        let value = match self.input(node, 0)? {
            Val::Const { t, int } => Val::Const { t: t.map(|&v| activation.apply(v)), int },
            Val::Lazy(t) => Val::Lazy(Nd::new(t.shape.clone(), self.neurons(&t.data, activation)?)?),
        };
        self.set(node, value);
        Ok(())
    }

    /// `slope·x + (1 − slope)·relu(x)`: LeakyRelu (one slope) and PRelu (a
    /// tensor of slopes, broadcast).
    fn leaky(
        &mut self,
        node: &NodeProto,
        fixed: impl Fn(usize) -> Coef,
        slopes: Option<Nd<f64>>,
    ) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let value = match x {
            Val::Const { t, .. } => {
                let s = match &slopes {
                    Some(s) => s.broadcast_to(&t.shape)?.data,
                    None => (0..t.len()).map(|i| fixed(i).value).collect(),
                };
                Val::float(Nd::new(
                    t.shape.clone(),
                    t.data.iter().zip(s).map(|(&v, s)| if v < 0.0 { s * v } else { v }).collect(),
                )?)
            }
            Val::Lazy(t) => {
                let s: Vec<Coef> = match &slopes {
                    Some(s) => s.broadcast_to(&t.shape)?.data.into_iter().map(Coef::param).collect(),
                    None => (0..t.len()).map(fixed).collect(),
                };
                let r = self.relu(&t.data)?;
                let out = t
                    .data
                    .iter()
                    .zip(&r)
                    .zip(&s)
                    .map(|((x, r), s)| {
                        let rest = Coef { value: 1.0 - s.value, param: s.param };
                        Affine::combine([(*s, x), (rest, r)], Coef::default())
                    })
                    .collect();
                Val::Lazy(Nd::new(t.shape.clone(), out)?)
            }
        };
        self.set(node, value);
        Ok(())
    }

    /// `min(max(x, lo), hi)` = `lo + relu(x − lo) − relu(x − hi)`.
    fn clip(&mut self, x: Val, lo: Option<f64>, hi: Option<f64>) -> Result<Val, ZkmlError> {
        let t = match x {
            Val::Const { t, int } => {
                return Ok(Val::Const {
                    t: t.map(|&v| v.max(lo.unwrap_or(f64::NEG_INFINITY)).min(hi.unwrap_or(f64::INFINITY))),
                    int,
                })
            }
            Val::Lazy(t) => t,
        };
        if let (Some(lo), Some(hi)) = (lo, hi) {
            if lo > hi {
                // ONNX: every output is `hi`.
                return Ok(Val::Lazy(t.map(|_| Affine::constant(Coef::structural(hi)))));
            }
        }
        let shift = |a: &Affine, c: f64| Affine::combine([(Coef::structural(1.0), a)], Coef::structural(-c));
        let mut pre = Vec::new();
        if let Some(lo) = lo {
            pre.extend(t.data.iter().map(|a| shift(a, lo)));
        }
        if let Some(hi) = hi {
            pre.extend(t.data.iter().map(|a| shift(a, hi)));
        }
        let r = self.relu(&pre)?;
        let n = t.len();
        let out = (0..n)
            .map(|i| match (lo, hi) {
                (Some(lo), Some(_)) => Affine::combine(
                    [(Coef::structural(1.0), &r[i]), (Coef::structural(-1.0), &r[n + i])],
                    Coef::structural(lo),
                ),
                (Some(lo), None) => Affine::combine([(Coef::structural(1.0), &r[i])], Coef::structural(lo)),
                (None, Some(_)) => t.data[i].plus(&r[i], -1.0),
                (None, None) => t.data[i].clone(),
            })
            .collect();
        Ok(Val::Lazy(Nd::new(t.shape.clone(), out)?))
    }

    fn max_min(&mut self, max: bool, a: Val, b: Val) -> Result<Val, ZkmlError> {
        let shape = broadcast_shape(a.shape(), b.shape())?;
        if let (Val::Const { t: x, int: i }, Val::Const { t: y, int: j }) = (&a, &b) {
            let (x, y) = (x.broadcast_to(&shape)?, y.broadcast_to(&shape)?);
            let data = x.data.iter().zip(&y.data).map(|(&p, &q)| if max { p.max(q) } else { p.min(q) }).collect();
            return Ok(Val::Const { t: Nd::new(shape, data)?, int: *i && *j });
        }
        let sign = Coef::structural(if max { 1.0 } else { -1.0 });
        let x: Vec<Affine> = a.lazy().broadcast_to(&shape)?.data.iter().map(|e| e.scaled(sign)).collect();
        let y: Vec<Affine> = b.lazy().broadcast_to(&shape)?.data.iter().map(|e| e.scaled(sign)).collect();
        let m = self.max2(&x, &y)?;
        Ok(Val::Lazy(Nd::new(shape, m.iter().map(|e| e.scaled(sign)).collect())?))
    }

    /// Elementwise arithmetic with numpy broadcasting.
    fn binary(&mut self, op: &str, a: Val, b: Val) -> Result<Val, ZkmlError> {
        let shape = broadcast_shape(a.shape(), b.shape())?;
        match (&a, &b) {
            (Val::Const { t: x, int: i }, Val::Const { t: y, int: j }) => {
                let int = *i && *j;
                let (x, y) = (x.broadcast_to(&shape)?, y.broadcast_to(&shape)?);
                let data = x
                    .data
                    .iter()
                    .zip(&y.data)
                    .map(|(&p, &q)| match op {
                        "Add" => p + q,
                        "Sub" => p - q,
                        "Mul" => p * q,
                        _ if int => {
                            if q == 0.0 {
                                0.0
                            } else {
                                (p / q).trunc()
                            }
                        }
                        _ => p / q,
                    })
                    .collect();
                Ok(Val::Const { t: Nd::new(shape, data)?, int })
            }
            (Val::Lazy(x), Val::Const { t: c, .. }) => {
                let (x, c) = (x.broadcast_to(&shape)?, c.broadcast_to(&shape)?);
                let data = x
                    .data
                    .iter()
                    .zip(&c.data)
                    .map(|(e, &c)| match op {
                        "Add" => Affine::combine([(Coef::structural(1.0), e)], Coef::param(c)),
                        "Sub" => Affine::combine([(Coef::structural(1.0), e)], Coef::param(-c)),
                        "Mul" => e.scaled(Coef::param(c)),
                        _ => e.scaled(Coef::param(1.0 / c)),
                    })
                    .collect();
                Ok(Val::Lazy(Nd::new(shape, data)?))
            }
            (Val::Const { t: c, .. }, Val::Lazy(x)) => {
                let (x, c) = (x.broadcast_to(&shape)?, c.broadcast_to(&shape)?);
                let data = match op {
                    "Add" => x
                        .data
                        .iter()
                        .zip(&c.data)
                        .map(|(e, &c)| Affine::combine([(Coef::structural(1.0), e)], Coef::param(c)))
                        .collect(),
                    "Sub" => x
                        .data
                        .iter()
                        .zip(&c.data)
                        .map(|(e, &c)| Affine::combine([(Coef::structural(-1.0), e)], Coef::param(c)))
                        .collect(),
                    "Mul" => x.data.iter().zip(&c.data).map(|(e, &c)| e.scaled(Coef::param(c))).collect(),
                    _ => {
                        let numerators: Vec<Affine> =
                            c.data.iter().map(|&c| Affine::constant(Coef::param(c))).collect();
                        self.divide(&numerators, &x.data)?
                    }
                };
                Ok(Val::Lazy(Nd::new(shape, data)?))
            }
            (Val::Lazy(x), Val::Lazy(y)) => {
                let (x, y) = (x.broadcast_to(&shape)?, y.broadcast_to(&shape)?);
                let sign = match op {
                    "Add" => 1.0,
                    "Sub" => -1.0,
                    // A constant expression (a folded constant that became lazy) is fine.
                    "Mul" => return Ok(Val::Lazy(Nd::new(shape, self.multiply(&x.data, &y.data)?)?)),
                    "Div" => return Ok(Val::Lazy(Nd::new(shape, self.divide(&x.data, &y.data)?)?)),
                    _ => unreachable!("binary is called with Add, Sub, Mul or Div"),
                };
                let data = x.data.iter().zip(&y.data).map(|(p, q)| p.plus(q, sign)).collect();
                Ok(Val::Lazy(Nd::new(shape, data)?))
            }
        }
    }

    /// Comparisons, logic and `Where` of computed values: step neurons on the
    /// quantized values (exact there: `a ≥ b` is `[a − b ≥ 0]`, `a = b` both
    /// ways), `Not`, `And`, `Or` of 0/1 values affine or one step each, and
    /// `Where` a selection under a constant condition, else `b + c·(a − b)`.
    fn logic(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let op = node.op_type.as_str();
        let arity = match op {
            "Not" => 1,
            "Where" => 3,
            _ => 2,
        };
        if node.input.len() != arity {
            return Err(model(format!("{op} takes {arity} inputs, not {}", node.input.len())));
        }
        let inputs: Vec<Val> = (0..node.input.len()).map(|i| self.input(node, i)).collect::<Result<_, _>>()?;
        if inputs.iter().all(|v| matches!(v, Val::Const { .. })) {
            return self.constant_only(node);
        }
        let shape = inputs.iter().try_fold(Vec::new(), |s, v| broadcast_shape(&s, v.shape()))?;
        let n = numel(&shape)?;
        let lazy: Vec<Nd<Affine>> = inputs.iter().map(|v| v.lazy().broadcast_to(&shape)).collect::<Result<_, _>>()?;
        if op == "Mod" {
            let toward_zero = attr_int(node, "fmod").unwrap_or(0) != 0;
            let out = self.modulo(&lazy[0].data, &lazy[1].data, toward_zero)?;
            self.set(node, Val::Lazy(Nd::new(shape, out)?));
            return Ok(());
        }
        let at = |k: usize, i: usize| &lazy[k].data[i];
        let one = Affine::constant(Coef::structural(1.0));
        let complement = |x: &Affine| one.plus(x, -1.0);
        // [d ≥ 0] of each d; quantized values are integers at the scale, so a
        // half step makes a strict comparison of them exact.
        let differences = |sign: f64, offset: f64| -> Vec<Affine> {
            (0..n)
                .map(|i| {
                    let d = if sign > 0.0 { at(0, i).plus(at(1, i), -1.0) } else { at(1, i).plus(at(0, i), -1.0) };
                    Affine::combine([(Coef::structural(1.0), &d)], Coef::structural(offset))
                })
                .collect()
        };
        let out: Vec<Affine> = match op {
            "Not" => (0..n).map(|i| complement(at(0, i))).collect(),
            // a ≥ b, and its complement a < b.
            "GreaterOrEqual" | "Less" => {
                let steps = self.neurons(&differences(1.0, 0.0), Activation::Step)?;
                if op == "Less" {
                    steps.iter().map(complement).collect()
                } else {
                    steps
                }
            }
            // a ≤ b, and its complement a > b.
            "LessOrEqual" | "Greater" => {
                let steps = self.neurons(&differences(-1.0, 0.0), Activation::Step)?;
                if op == "Greater" {
                    steps.iter().map(complement).collect()
                } else {
                    steps
                }
            }
            // [a ≥ b] + [b ≥ a] − 1.
            "Equal" => {
                let (ge, le) = self.on_both_signs(&differences(1.0, 0.0), Activation::Step)?;
                ge.iter()
                    .zip(&le)
                    .map(|(p, q)| {
                        Affine::combine(
                            [(Coef::structural(1.0), p), (Coef::structural(1.0), q)],
                            Coef::structural(-1.0),
                        )
                    })
                    .collect()
            }
            // Of 0/1 values: a + b ≥ 2 (and), a + b ≥ 1 (or).
            "And" | "Or" => {
                let threshold = if op == "And" { -1.5 } else { -0.5 };
                let sums: Vec<Affine> = (0..n)
                    .map(|i| {
                        Affine::combine(
                            [(Coef::structural(1.0), at(0, i)), (Coef::structural(1.0), at(1, i))],
                            Coef::structural(threshold),
                        )
                    })
                    .collect();
                self.neurons(&sums, Activation::Step)?
            }
            _ => {
                // Where(c, a, b).
                if let Val::Const { t: c, .. } = &inputs[0] {
                    let c = c.broadcast_to(&shape)?;
                    (0..n).map(|i| if c.data[i] != 0.0 { at(1, i).clone() } else { at(2, i).clone() }).collect()
                } else {
                    let differences: Vec<Affine> = (0..n).map(|i| at(1, i).plus(at(2, i), -1.0)).collect();
                    let conditions: Vec<Affine> = (0..n).map(|i| at(0, i).clone()).collect();
                    let chosen = self.multiply(&conditions, &differences)?;
                    (0..n).map(|i| at(2, i).plus(&chosen[i], 1.0)).collect()
                }
            }
        };
        self.set(node, Val::Lazy(Nd::new(shape, out)?));
        Ok(())
    }

    /// `Gather` at computed integer indices, by table or by one-hot
    /// selection ([`Self::one_hot_select`]). Indices are clamped to
    /// `[0, len)`: ONNX leaves larger ones undefined, and negative computed
    /// indices (ONNX: from the end) select the first row.
    fn gather_computed(&mut self, x: &Val, axis: usize, indices: &Nd<Affine>) -> Result<Val, ZkmlError> {
        let shape = x.shape().to_vec();
        let len = shape[axis];
        if len == 0 {
            return Err(model("Gather from an empty axis"));
        }
        let outer: usize = numel(&shape[..axis])?;
        let inner: usize = numel(&shape[axis + 1..])?;
        let mut out_shape = shape[..axis].to_vec();
        out_shape.extend_from_slice(&indices.shape);
        out_shape.extend_from_slice(&shape[axis + 1..]);
        numel(&out_shape)?;
        numel(&[indices.len(), len])?;
        let (count, data) = (indices.len(), x.lazy());
        let out = self.one_hot_select(
            &data.data,
            &indices.data,
            len,
            outer * count * inner,
            |o| (o / inner) % count,
            |o, v| ((o / (count * inner)) * len + v) * inner + o % inner,
        )?;
        Ok(Val::Lazy(Nd::new(out_shape, out)?))
    }

    /// For each of `outputs` outputs, the candidate that its index selects,
    /// where output `o` reads index element `index(o)` and its candidate for
    /// `v` is `data[source(o, v)]` (`source` affine in `v`). Indices are
    /// clamped to `[0, len)`.
    ///
    /// Constant data of a public model is a table ([`Activation::Select`])
    /// when that takes fewer rows: the index clamped by two ReLU neurons,
    /// then one neuron per output whose key `source(o, idx)` reads the
    /// element, rounded once. Otherwise a one-hot selection: with
    /// `s_v = [idx ≥ v]` (one step neuron per index element and `0 < v <
    /// len`), `c_0 + Σ_v (c_v − c_(v−1))·s_v` — linear for constant data
    /// (`multiply` scales by constants), products otherwise; its constant
    /// differences are each rounded, so its error grows with `len`.
    fn one_hot_select(
        &mut self,
        data: &[Affine],
        indices: &[Affine],
        len: usize,
        outputs: usize,
        index: impl Fn(usize) -> usize,
        source: impl Fn(usize, usize) -> usize,
    ) -> Result<Vec<Affine>, ZkmlError> {
        numel(&[indices.len(), len])?;
        numel(&[outputs, len])?;
        if len == 1 {
            return Ok((0..outputs).map(|o| data[source(o, 0)].clone()).collect());
        }
        if let Some(selected) = self.select_by_table(data, indices, len, outputs, &index, &source)? {
            return Ok(selected);
        }
        let thresholds: Vec<Affine> = indices
            .iter()
            .flat_map(|idx| {
                (1..len).map(move |v| Affine::combine([(Coef::structural(1.0), idx)], Coef::structural(0.5 - v as f64)))
            })
            .collect();
        let steps = self.neurons(&thresholds, Activation::Step)?;
        let (mut deltas, mut selectors) = (Vec::with_capacity(outputs * len), Vec::with_capacity(outputs * len));
        for o in 0..outputs {
            for v in 1..len {
                deltas.push(data[source(o, v)].plus(&data[source(o, v - 1)], -1.0));
                selectors.push(steps[index(o) * (len - 1) + v - 1].clone());
            }
        }
        let products = self.multiply(&deltas, &selectors)?;
        Ok(products
            .chunks(len - 1)
            .enumerate()
            .map(|(o, c)| {
                let first = std::iter::once((Coef::structural(1.0), &data[source(o, 0)]));
                Affine::combine(first.chain(c.iter().map(|p| (Coef::structural(1.0), p))), Coef::default())
            })
            .collect())
    }

    /// The table form of [`Self::one_hot_select`] (`None`: the data is
    /// computed, or parameters of a private model, or the one-hot form is
    /// smaller). `len ≥ 2`.
    fn select_by_table(
        &mut self,
        data: &[Affine],
        indices: &[Affine],
        len: usize,
        outputs: usize,
        index: &impl Fn(usize) -> usize,
        source: &impl Fn(usize, usize) -> usize,
    ) -> Result<Option<Vec<Affine>>, ZkmlError> {
        if data.iter().any(|d| !d.terms.is_empty()) {
            return Ok(None);
        }
        let param = data.iter().any(|d| d.bias.param);
        if param && self.private_model {
            return Ok(None);
        }
        // Rows: the table and a neuron per output and two per index, against
        // a step neuron per index and row and `len` terms per output.
        let table_rows = data.len() + (outputs + 2 * indices.len()) * NEURON_COST;
        let one_hot_rows = indices.len().saturating_mul(len).saturating_mul(NEURON_COST) + outputs.saturating_mul(len);
        if table_rows > one_hot_rows || data.iter().any(|d| !d.bias.value.is_finite()) {
            return Ok(None);
        }
        let stride = |o: usize| source(o, 1) as i64 - source(o, 0) as i64;
        if (0..outputs).any(|o| source(o, len - 1) as i64 != source(o, 0) as i64 + (len as i64 - 1) * stride(o)) {
            return Ok(None);
        }
        let values: Vec<f64> = data.iter().map(|d| d.bias.value).collect();
        let table = match self.selections.iter().position(|t| t.values == values) {
            Some(t) => {
                self.selections[t].param |= param;
                t
            }
            None => {
                self.selections.push(Selection { values, param });
                self.selections.len() - 1
            }
        };
        let table = u32::try_from(table).map_err(|_| model("too many gather tables"))?;
        // clamp(idx) = relu(idx) − relu(idx − (len − 1)).
        let mut both: Vec<Affine> = indices.to_vec();
        both.extend(
            indices.iter().map(|i| Affine::combine([(Coef::structural(1.0), i)], Coef::structural(1.0 - len as f64))),
        );
        let relus = self.neurons(&both, Activation::Relu)?;
        let clamped: Vec<Affine> = (0..indices.len()).map(|i| relus[i].plus(&relus[indices.len() + i], -1.0)).collect();
        let keys: Vec<Affine> = (0..outputs)
            .map(|o| {
                Affine::combine(
                    [(Coef::structural(stride(o) as f64), &clamped[index(o)])],
                    Coef::structural(source(o, 0) as f64),
                )
            })
            .collect();
        Ok(Some(self.neurons(&keys, Activation::Select { table })?))
    }

    /// `Trilu`: the upper (or lower) triangle of the last two axes from
    /// diagonal `k` on, the rest zero; on constants (a causal mask) or
    /// computed values alike.
    fn trilu(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let k = match self.optional(node, 1)? {
            Some(Val::Const { t, .. }) => t.data.first().copied().unwrap_or(0.0) as i64,
            Some(Val::Lazy(_)) => return Err(model("Trilu with a computed diagonal")),
            None => 0,
        };
        let upper = attr_int(node, "upper").unwrap_or(1) != 0;
        let shape = x.shape().to_vec();
        if shape.len() < 2 {
            return Err(model("Trilu of a tensor of rank below 2"));
        }
        let (rows, cols) = (shape[shape.len() - 2] as i64, shape[shape.len() - 1] as i64);
        let keep = |flat: usize| {
            let (i, j) = ((flat as i64 / cols) % rows, flat as i64 % cols);
            if upper {
                j - i >= k
            } else {
                j - i <= k
            }
        };
        let value = match x {
            Val::Const { t, int } => {
                let data = t.data.iter().enumerate().map(|(f, &v)| if keep(f) { v } else { 0.0 }).collect();
                Val::Const { t: Nd::new(shape, data)?, int }
            }
            Val::Lazy(t) => {
                let data = t
                    .data
                    .iter()
                    .enumerate()
                    .map(|(f, a)| if keep(f) { a.clone() } else { Affine::default() })
                    .collect();
                Val::Lazy(Nd::new(shape, data)?)
            }
        };
        self.set(node, value);
        Ok(())
    }

    /// Comparisons, logic, `Where` and `Mod` of constants, folded.
    fn constant_only(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let op = node.op_type.as_str();
        let inputs: Vec<Val> = (0..node.input.len()).map(|i| self.input(node, i)).collect::<Result<_, _>>()?;
        let mut consts = Vec::new();
        for v in &inputs {
            match v {
                Val::Const { t, int } => consts.push((t.clone(), *int)),
                Val::Lazy(_) => {
                    return Err(model(format!("{op} of computed values is not supported (only of constants)")))
                }
            }
        }
        let shape = consts.iter().try_fold(Vec::new(), |s, (t, _)| broadcast_shape(&s, &t.shape))?;
        let ts: Vec<Nd<f64>> = consts.iter().map(|(t, _)| t.broadcast_to(&shape)).collect::<Result<_, _>>()?;
        let at = |k: usize, i: usize| ts[k].data[i];
        let b = |c: bool| f64::from(u8::from(c));
        let n = numel(&shape)?;
        let data: Vec<f64> = (0..n)
            .map(|i| match op {
                "Equal" => b(at(0, i) == at(1, i)),
                "Less" => b(at(0, i) < at(1, i)),
                "Greater" => b(at(0, i) > at(1, i)),
                "LessOrEqual" => b(at(0, i) <= at(1, i)),
                "GreaterOrEqual" => b(at(0, i) >= at(1, i)),
                "And" => b(at(0, i) != 0.0 && at(1, i) != 0.0),
                "Or" => b(at(0, i) != 0.0 || at(1, i) != 0.0),
                "Not" => b(at(0, i) == 0.0),
                "Mod" => {
                    let (p, q) = (at(0, i), at(1, i));
                    if attr_int(node, "fmod").unwrap_or(0) != 0 {
                        p % q
                    } else {
                        p - q * (p / q).floor()
                    }
                }
                _ => {
                    if at(0, i) != 0.0 {
                        at(1, i)
                    } else {
                        at(2, i)
                    }
                }
            })
            .collect();
        let int = match op {
            "Mod" => consts.iter().all(|c| c.1),
            "Where" => consts[1].1 && consts[2].1,
            _ => true,
        };
        self.set(node, Val::Const { t: Nd::new(shape, data)?, int });
        Ok(())
    }

    fn slice(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let rank = x.shape().len();
        let (starts, ends, axes, steps) = if self.opset < 10 {
            (attr_ints(node, "starts"), attr_ints(node, "ends"), attr_ints(node, "axes"), None)
        } else {
            (
                self.optional_ints(node, 1)?,
                self.optional_ints(node, 2)?,
                self.optional_ints(node, 3)?,
                self.optional_ints(node, 4)?,
            )
        };
        let starts = starts.ok_or_else(|| model("starts are required"))?;
        let ends = ends.ok_or_else(|| model("ends are required"))?;
        let axes: Vec<usize> = match axes {
            Some(a) => a.iter().map(|&a| axis(a, rank)).collect::<Result<_, _>>()?,
            None => (0..starts.len()).collect(),
        };
        let steps = steps.unwrap_or_else(|| vec![1; axes.len()]);
        if starts.len() != axes.len() || ends.len() != axes.len() || steps.len() != axes.len() {
            return Err(model("starts, ends, axes and steps differ in length"));
        }
        let value = moved!(&x, t => t.slice(&axes, &starts, &ends, &steps));
        self.set(node, value);
        Ok(())
    }

    fn split(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let a = axis(attr_int(node, "axis").unwrap_or(0), x.shape().len())?;
        let d = x.shape()[a];
        let sizes = match attr_ints(node, "split") {
            Some(s) => Some(s),
            None => self.optional_ints(node, 1)?,
        };
        let sizes: Vec<usize> = match sizes {
            Some(s) => to_dims(&s.iter().map(|&v| v as f64).collect::<Vec<_>>())?,
            None => {
                let parts = attr_int(node, "num_outputs").map_or(node.output.len(), |n| n.max(1) as usize);
                let chunk = d.div_ceil(parts);
                (0..parts).map(|p| chunk.min(d.saturating_sub(p * chunk))).collect()
            }
        };
        if sizes.len() != node.output.len() {
            return Err(model(format!("{} parts for {} outputs", sizes.len(), node.output.len())));
        }
        let parts: Vec<Val> = match &x {
            Val::Const { t, int } => t.split(a, &sizes)?.into_iter().map(|t| Val::Const { t, int: *int }).collect(),
            Val::Lazy(t) => t.split(a, &sizes)?.into_iter().map(Val::Lazy).collect(),
        };
        for (name, part) in node.output.iter().zip(parts) {
            self.env.insert(name.clone(), part);
        }
        Ok(())
    }

    fn pad(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let rank = x.shape().len();
        let mode = attr_string(node, "mode").unwrap_or_else(|| "constant".into());
        if !["constant", "reflect", "edge"].contains(&mode.as_str()) {
            return Err(model(format!("pad mode '{mode}' is not supported")));
        }
        let (pads, fill, axes) = if self.opset < 11 {
            (attr_ints(node, "pads"), attr_float(node, "value").unwrap_or(0.0), None)
        } else {
            let fill = match self.optional(node, 2)? {
                Some(Val::Const { t, .. }) => t.data.first().copied().unwrap_or(0.0),
                Some(Val::Lazy(_)) => return Err(model("the pad value must be a constant")),
                None => 0.0,
            };
            (self.optional_ints(node, 1)?, fill, self.optional_ints(node, 3)?)
        };
        let pads = pads.ok_or_else(|| model("pads are required"))?;
        let axes: Vec<usize> = match axes {
            Some(a) => a.iter().map(|&a| axis(a, rank)).collect::<Result<_, _>>()?,
            None => (0..rank).collect(),
        };
        if pads.len() != 2 * axes.len() {
            return Err(model(format!("{} pads for {} axes", pads.len(), axes.len())));
        }
        let (mut begin, mut end) = (vec![0i64; rank], vec![0i64; rank]);
        for (i, &a) in axes.iter().enumerate() {
            begin[a] = pads[i];
            end[a] = pads[i + axes.len()];
        }
        let value = match &x {
            Val::Const { t, int } => Val::Const { t: t.pad(&begin, &end, &mode, &fill)?, int: *int },
            Val::Lazy(t) => Val::Lazy(t.pad(&begin, &end, &mode, &Affine::constant(Coef::param(fill)))?),
        };
        self.set(node, value);
        Ok(())
    }

    /// Nearest-neighbour `Resize`/`Upsample`: wiring.
    fn resize(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let shape = x.shape().to_vec();
        let mode = attr_string(node, "mode").unwrap_or_else(|| "nearest".into());
        if mode != "nearest" {
            return Err(model(format!("resize mode '{mode}' is not supported (nearest is)")));
        }
        let floats = |v: Option<Val>| -> Result<Option<Vec<f64>>, ZkmlError> {
            match v {
                Some(Val::Const { t, .. }) if !t.data.is_empty() => Ok(Some(t.data)),
                Some(Val::Lazy(_)) => Err(model("scales and sizes must be constants")),
                _ => Ok(None),
            }
        };
        let (scales, sizes) = if node.op_type == "Upsample" {
            (
                attr(node, "scales")
                    .map(|a| a.floats.iter().map(|&f| f as f64).collect())
                    .or(floats(self.optional(node, 1)?)?),
                None,
            )
        } else if self.opset < 11 {
            (floats(self.optional(node, 1)?)?, None)
        } else {
            (floats(self.optional(node, 2)?)?, floats(self.optional(node, 3)?)?)
        };
        let out: Vec<usize> = match (&sizes, &scales) {
            (Some(s), _) => to_dims(s)?,
            (None, Some(s)) if s.len() == shape.len() => {
                shape.iter().zip(s).map(|(&d, &k)| (d as f64 * k).floor().max(0.0) as usize).collect()
            }
            _ => return Err(model("one scale or size per axis is required")),
        };
        if out.len() != shape.len() {
            return Err(model("one scale or size per axis is required"));
        }
        let scale: Vec<f64> = match (&sizes, &scales) {
            (None, Some(s)) => s.clone(),
            _ => out.iter().zip(&shape).map(|(&o, &i)| o as f64 / i as f64).collect(),
        };
        let ctm = attr_string(node, "coordinate_transformation_mode").unwrap_or_else(|| {
            if node.op_type == "Upsample" || self.opset < 11 {
                "asymmetric".into()
            } else {
                "half_pixel".into()
            }
        });
        let nearest = attr_string(node, "nearest_mode").unwrap_or_else(|| {
            if node.op_type == "Upsample" || self.opset < 11 {
                "floor".into()
            } else {
                "round_prefer_floor".into()
            }
        });
        let st = strides(&shape);
        let map = |a: usize, o: usize| -> usize {
            let (o, i_len, o_len, k) = (o as f64, shape[a] as f64, out[a] as f64, scale[a]);
            let x = match ctm.as_str() {
                "align_corners" if o_len > 1.0 => o * (i_len - 1.0) / (o_len - 1.0),
                "align_corners" => 0.0,
                "asymmetric" => o / k,
                "pytorch_half_pixel" if o_len > 1.0 => (o + 0.5) / k - 0.5,
                "pytorch_half_pixel" => 0.0,
                "tf_half_pixel_for_nn" => (o + 0.5) / k,
                _ => (o + 0.5) / k - 0.5,
            };
            let i = match nearest.as_str() {
                "floor" => x.floor(),
                "ceil" => x.ceil(),
                "round_prefer_ceil" => (x + 0.5).floor(),
                _ => {
                    if x.fract() == 0.5 {
                        x.floor()
                    } else {
                        x.round()
                    }
                }
            };
            i.clamp(0.0, i_len - 1.0) as usize
        };
        let value = moved!(&x, t => {
            let fill = t.data.first().cloned().ok_or_else(|| model("empty input"));
            fill.and_then(|fill| t.remap(out.clone(), &fill, |idx| Some((0..idx.len()).map(|a| map(a, idx[a]) * st[a]).sum())))
        });
        self.set(node, value);
        Ok(())
    }

    fn gemm(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let (mut a, mut b) = (self.input(node, 0)?, self.input(node, 1)?);
        for (v, name) in [(&mut a, "transA"), (&mut b, "transB")] {
            if v.shape().len() != 2 {
                return Err(model(format!("operand of shape {:?}; Gemm's are 2-D", v.shape())));
            }
            if attr_int(node, name).unwrap_or(0) != 0 {
                *v = moved!(&*v, t => t.transpose(&[1, 0]));
            }
        }
        let alpha = attr_float(node, "alpha").unwrap_or(1.0);
        let beta = attr_float(node, "beta").unwrap_or(1.0);
        let mut y = self.matmul(a, b)?;
        if alpha != 1.0 {
            y = self.binary("Mul", y, Val::float(Nd::scalar(alpha)))?;
        }
        if let Some(c) = self.optional(node, 2)? {
            let c = if beta != 1.0 { self.binary("Mul", c, Val::float(Nd::scalar(beta)))? } else { c };
            y = self.binary("Add", y, c)?;
        }
        self.set(node, y);
        Ok(())
    }

    /// numpy `matmul` with one constant operand (either side).
    fn matmul(&mut self, a: Val, b: Val) -> Result<Val, ZkmlError> {
        let (mut sa, mut sb) = (a.shape().to_vec(), b.shape().to_vec());
        if sa.is_empty() || sb.is_empty() {
            return Err(model("MatMul of a scalar"));
        }
        let (va, vb) = (sa.len() == 1, sb.len() == 1);
        if va {
            sa.insert(0, 1);
        }
        if vb {
            sb.push(1);
        }
        let (m, k) = (sa[sa.len() - 2], sa[sa.len() - 1]);
        let (k2, n) = (sb[sb.len() - 2], sb[sb.len() - 1]);
        if k != k2 {
            return Err(model(format!("shapes {:?} and {:?} do not multiply", a.shape(), b.shape())));
        }
        let batch = broadcast_shape(&sa[..sa.len() - 2], &sb[..sb.len() - 2])?;
        let batches: usize = numel(&batch)?;
        // Flat index of operand element (batch b, row, col), broadcasting batch dims.
        let flat = |s: &[usize], b: usize, r: usize, c: usize| {
            let bs = &s[..s.len() - 2];
            let (mut rem, mut off, mut stride) = (b, 0, s[s.len() - 2] * s[s.len() - 1]);
            for (i, &d) in batch.iter().enumerate().rev() {
                let idx = rem % d;
                rem /= d;
                let j = i as isize - (batch.len() - bs.len()) as isize;
                if j >= 0 && bs[j as usize] != 1 {
                    off += idx * stride;
                }
                if j >= 0 {
                    stride *= bs[j as usize];
                }
            }
            off + r * s[s.len() - 1] + c
        };
        let mut out_shape = batch.clone();
        if !va {
            out_shape.push(m);
        }
        if !vb {
            out_shape.push(n);
        }
        numel(&out_shape)?;
        numel(&[batches, m, n, k])?;
        let value = match (&a, &b) {
            (Val::Const { t: x, .. }, Val::Const { t: y, .. }) => {
                let mut data = Vec::with_capacity(batches * m * n);
                for bi in 0..batches {
                    for i in 0..m {
                        for j in 0..n {
                            data.push((0..k).map(|l| x.data[flat(&sa, bi, i, l)] * y.data[flat(&sb, bi, l, j)]).sum());
                        }
                    }
                }
                Val::float(Nd::new(out_shape, data)?)
            }
            (Val::Lazy(x), Val::Const { t: c, .. }) | (Val::Const { t: c, .. }, Val::Lazy(x)) => {
                // Each output is Σ_l a[i, l]·b[l, j]: the computed side's element by index,
                // the constant side's as the coefficient.
                let lazy_left = matches!(a, Val::Lazy(_));
                let mut rows = Vec::with_capacity(batches * m * n);
                for bi in 0..batches {
                    for i in 0..m {
                        for j in 0..n {
                            let terms = (0..k)
                                .map(|l| {
                                    let (left, right) = (flat(&sa, bi, i, l), flat(&sb, bi, l, j));
                                    let (at, coef) = if lazy_left { (left, right) } else { (right, left) };
                                    (at, Coef::param(c.data[coef]))
                                })
                                .collect();
                            rows.push((terms, Coef::default()));
                        }
                    }
                }
                Val::Lazy(Nd::new(out_shape, self.linear(&x.data, &rows)?)?)
            }
            (Val::Lazy(x), Val::Lazy(y)) => {
                // Attention's Q·Kᵀ and P·V: every output a product neuron over k pairs.
                let left = self.materialize(&x.data)?;
                let right = self.materialize(&y.data)?;
                let mut rows = Vec::with_capacity(batches * m * n);
                for bi in 0..batches {
                    for i in 0..m {
                        for j in 0..n {
                            rows.push(
                                (0..k).map(|l| (left[flat(&sa, bi, i, l)], right[flat(&sb, bi, l, j)])).collect(),
                            );
                        }
                    }
                }
                Val::Lazy(Nd::new(out_shape, self.products(rows, Activation::Identity)?)?)
            }
        };
        Ok(value)
    }

    fn conv(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?.lazy();
        let w = self.const_input(node, 1, "the kernel")?;
        let bias = self
            .optional(node, 2)?
            .map(|b| b.constant().cloned().ok_or_else(|| model("the bias must be a constant")))
            .transpose()?;
        let s = &x.shape;
        if s.len() < 3 || w.shape.len() != s.len() {
            return Err(model(format!(
                "input {:?} and kernel {:?}; [N, C, spatial…] and [M, C/group, k…] are expected",
                s, w.shape
            )));
        }
        let (batch, c_in) = (s[0], s[1]);
        let (m, cg) = (w.shape[0], w.shape[1]);
        let group = attr_int(node, "group").unwrap_or(1);
        let group = usize::try_from(group).ok().filter(|&g| g > 0).ok_or_else(|| model(format!("group = {group}")))?;
        if cg * group != c_in || m % group != 0 {
            return Err(model(format!("{c_in} input channels, kernel {:?} and group {group} do not agree", w.shape)));
        }
        if bias.as_ref().is_some_and(|b| b.len() != m) {
            return Err(model("the bias must have one value per output channel"));
        }
        let window = Window::new(node, &s[2..], &w.shape[2..], false)?;
        let (spatial_in, spatial_out) = (window.input_len(), window.output_len());
        let kernel_len: usize = w.shape[2..].iter().product();
        let mg = m / group;
        numel(&[batch, m, spatial_out, cg, kernel_len])?;
        let mut rows = Vec::with_capacity(batch * m * spatial_out);
        for n in 0..batch {
            for oc in 0..m {
                let g = oc / mg;
                for o in 0..spatial_out {
                    let taps = window.taps(o);
                    let mut terms = Vec::with_capacity(cg * taps.len());
                    for c in 0..cg {
                        let ic = g * cg + c;
                        for &(k, i) in &taps {
                            if let Some(i) = i {
                                terms.push((
                                    (n * c_in + ic) * spatial_in + i,
                                    Coef::param(w.data[(oc * cg + c) * kernel_len + k]),
                                ));
                            }
                        }
                    }
                    rows.push((terms, Coef::param(bias.as_ref().map_or(0.0, |b| b.data[oc]))));
                }
            }
        }
        let mut shape = vec![batch, m];
        shape.extend(&window.output);
        let out = self.linear(&x.data, &rows)?;
        self.set(node, Val::Lazy(Nd::new(shape, out)?));
        Ok(())
    }

    fn conv_transpose(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?.lazy();
        let w = self.const_input(node, 1, "the kernel")?;
        let bias = self
            .optional(node, 2)?
            .map(|b| b.constant().cloned().ok_or_else(|| model("the bias must be a constant")))
            .transpose()?;
        let s = x.shape.clone();
        if s.len() < 3 || w.shape.len() != s.len() {
            return Err(model(format!("input {:?} and kernel {:?}", s, w.shape)));
        }
        let dims = s.len() - 2;
        let (batch, c_in) = (s[0], s[1]);
        let group = usize::try_from(attr_int(node, "group").unwrap_or(1))
            .ok()
            .filter(|&g| g > 0)
            .ok_or_else(|| model("bad group"))?;
        if w.shape[0] != c_in || c_in % group != 0 {
            return Err(model(format!("kernel {:?} for {c_in} input channels", w.shape)));
        }
        let mg = w.shape[1];
        let m = mg * group;
        let cg = c_in / group;
        let kernel = &w.shape[2..];
        let list = |name: &str, default: usize| -> Result<Vec<usize>, ZkmlError> {
            match attr_ints(node, name) {
                None => Ok(vec![default; dims]),
                Some(v) if v.len() == dims => to_dims(&v.iter().map(|&x| x as f64).collect::<Vec<_>>()),
                Some(v) => Err(model(format!("{name} = {v:?}"))),
            }
        };
        let strides_ = list("strides", 1)?;
        let dilations = list("dilations", 1)?;
        let output_padding = list("output_padding", 0)?;
        if strides_.contains(&0) || dilations.contains(&0) {
            return Err(model("zero stride or dilation"));
        }
        let span = |d: usize| kernel[d].checked_sub(1).and_then(|k| k.checked_mul(dilations[d])).map(|v| v + 1);
        let full: Vec<usize> = (0..dims)
            .map(|d| {
                span(d)
                    .and_then(|sp| {
                        (s[2 + d].max(1) - 1)
                            .checked_mul(strides_[d])
                            .and_then(|v| v.checked_add(sp + output_padding[d]))
                    })
                    .ok_or_else(|| model("ConvTranspose dimensions overflow"))
            })
            .collect::<Result<_, _>>()?;
        let (pad_begin, out): (Vec<usize>, Vec<usize>) = if let Some(shape) = attr_ints(node, "output_shape") {
            let shape = to_dims(&shape.iter().map(|&v| v as f64).collect::<Vec<_>>())?;
            let shape = &shape[shape.len().saturating_sub(dims)..];
            let upper = attr_string(node, "auto_pad").as_deref() != Some("SAME_LOWER");
            (0..dims)
                .map(|d| {
                    let total = full[d].saturating_sub(shape[d]);
                    (if upper { total / 2 } else { total - total / 2 }, shape[d])
                })
                .unzip()
        } else {
            let pads = match attr_ints(node, "pads") {
                Some(p) if p.len() == 2 * dims => to_dims(&p.iter().map(|&v| v as f64).collect::<Vec<_>>())?,
                Some(p) => return Err(model(format!("pads = {p:?}"))),
                None => vec![0; 2 * dims],
            };
            (0..dims)
                .map(|d| {
                    let o = full[d]
                        .checked_sub(pads[d] + pads[d + dims])
                        .ok_or_else(|| model("pads larger than the output"))?;
                    Ok((pads[d], o))
                })
                .collect::<Result<Vec<_>, ZkmlError>>()?
                .into_iter()
                .unzip()
        };
        let in_spatial: usize = s[2..].iter().product();
        let out_spatial = numel(&out)?;
        let kernel_len: usize = kernel.iter().product();
        numel(&[batch, c_in, in_spatial, mg, kernel_len])?;
        let mut rows: Vec<(Vec<(usize, Coef)>, Coef)> = (0..batch * m * out_spatial)
            .map(|j| (Vec::new(), Coef::param(bias.as_ref().map_or(0.0, |b| b.data[(j / out_spatial) % m]))))
            .collect();
        let in_strides = strides(&s[2..]);
        let k_strides = strides(kernel);
        let out_strides = strides(&out);
        for n in 0..batch {
            for ic in 0..c_in {
                let g = ic / cg;
                for i in 0..in_spatial {
                    for k in 0..kernel_len {
                        let mut o = 0usize;
                        let mut inside = true;
                        for d in 0..dims {
                            let id = (i / in_strides[d]) % s[2 + d];
                            let kd = (k / k_strides[d]) % kernel[d];
                            let pos = (id * strides_[d] + kd * dilations[d]) as i64 - pad_begin[d] as i64;
                            if pos < 0 || pos >= out[d] as i64 {
                                inside = false;
                                break;
                            }
                            o += pos as usize * out_strides[d];
                        }
                        if !inside {
                            continue;
                        }
                        for mo in 0..mg {
                            let oc = g * mg + mo;
                            let weight = w.data[(ic * mg + mo) * kernel_len + k];
                            rows[(n * m + oc) * out_spatial + o]
                                .0
                                .push(((n * c_in + ic) * in_spatial + i, Coef::param(weight)));
                        }
                    }
                }
            }
        }
        let mut shape = vec![batch, m];
        shape.extend(&out);
        let out = self.linear(&x.data, &rows)?;
        self.set(node, Val::Lazy(Nd::new(shape, out)?));
        Ok(())
    }

    /// `LSTM`, `GRU` and `RNN` unrolled over the sequence: per step the gates'
    /// pre-activations are affine in the step's input and the previous
    /// state (one layer of table neurons per gate activation), and the
    /// state updates are products (`f⊙c + i⊙g`, `o⊙h(c)`, `(1 − z)⊙h + z⊙H`).
    /// Every direction, peepholes, GRU's `linear_before_reset`, initial
    /// states; the activations Sigmoid, Tanh, Relu (and HardSigmoid
    /// exactly, from ReLUs).
    fn recurrent(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let op = node.op_type.as_str();
        let gates = match op {
            "LSTM" => 4,
            "GRU" => 3,
            _ => 1,
        };
        let x = self.input(node, 0)?;
        let w = self.const_input(node, 1, "W")?;
        let r = self.const_input(node, 2, "R")?;
        let b = match self.optional(node, 3)? {
            Some(Val::Const { t, .. }) => Some(t),
            Some(Val::Lazy(_)) => return Err(model("a computed recurrent bias")),
            None => None,
        };
        if let Some(Some(_)) = node.input.get(4).map(|n| (!n.is_empty()).then_some(())) {
            return Err(model(format!("{op} with sequence_lens is not supported (every sequence is full length)")));
        }
        if attr_float(node, "clip").is_some() {
            return Err(model(format!("{op} with clip is not supported")));
        }
        if attr_int(node, "input_forget").unwrap_or(0) != 0 {
            return Err(model("LSTM with input_forget is not supported"));
        }
        // Batch-first (`layout = 1`, opset 14): X [batch, seq, in], states
        // [batch, dirs, hidden], Y [batch, seq, dirs, hidden]; wired to and
        // from the sequence-first order (onnxruntime rejects it, so the tests
        // hold it to the same graph written with Transposes).
        let batch_first = match attr_int(node, "layout").unwrap_or(0) {
            0 => false,
            1 => true,
            other => return Err(model(format!("{op} with layout {other}"))),
        };
        let x = match x {
            Val::Lazy(t) if batch_first && t.shape.len() == 3 => Val::Lazy(t.transpose(&[1, 0, 2])?),
            Val::Const { t, int } if batch_first && t.shape.len() == 3 => {
                Val::Const { t: t.transpose(&[1, 0, 2])?, int }
            }
            other => other,
        };
        let shape = x.shape().to_vec();
        if shape.len() != 3 {
            return Err(model(format!("{op} input of rank {} (needs 3)", shape.len())));
        }
        let (seq, batch, input_size) = (shape[0], shape[1], shape[2]);
        let directions = match attr_string(node, "direction").as_deref().unwrap_or("forward") {
            "forward" => vec![false],
            "reverse" => vec![true],
            "bidirectional" => vec![false, true],
            other => return Err(model(format!("{op} direction '{other}'"))),
        };
        let num_dir = directions.len();
        let hidden = match attr_int(node, "hidden_size") {
            Some(h) if h > 0 => h as usize,
            _ => w.shape.get(1).map(|&g| g / gates).filter(|&h| h > 0).ok_or_else(|| model("no hidden_size"))?,
        };
        if w.shape != [num_dir, gates * hidden, input_size] || r.shape != [num_dir, gates * hidden, hidden] {
            return Err(model(format!(
                "{op} weights of shapes {:?} and {:?} do not fit {num_dir} directions, hidden size {hidden}, input size {input_size}",
                w.shape, r.shape
            )));
        }
        if let Some(b) = &b {
            if b.shape != [num_dir, 2 * gates * hidden] {
                return Err(model(format!("{op} bias of shape {:?}", b.shape)));
            }
        }
        // Activations per direction: (f, g, h) for LSTM, (f, g) for GRU, (f) for RNN.
        let per_direction = match op {
            "LSTM" => 3,
            "GRU" => 2,
            _ => 1,
        };
        let defaults: &[&str] = match op {
            "LSTM" => &["Sigmoid", "Tanh", "Tanh"],
            "GRU" => &["Sigmoid", "Tanh"],
            _ => &["Tanh"],
        };
        let names = attr_strings(node, "activations").filter(|a| !a.is_empty());
        let names: Vec<String> = match names {
            Some(n) if n.len() == per_direction * num_dir => n,
            Some(n) => {
                return Err(model(format!("{op} lists {} activations, needs {}", n.len(), per_direction * num_dir)))
            }
            None => (0..num_dir).flat_map(|_| defaults.iter().map(|s| s.to_string())).collect(),
        };
        let alphas = attr(node, "activation_alpha").map(|a| a.floats.clone()).unwrap_or_default();
        let betas = attr(node, "activation_beta").map(|a| a.floats.clone()).unwrap_or_default();
        let initial = |lowering: &Self, i: usize| -> Result<Option<Nd<Affine>>, ZkmlError> {
            match lowering.optional(node, i)?.map(|v| v.lazy()) {
                Some(t) if batch_first && t.shape.len() == 3 => Ok(Some(t.transpose(&[1, 0, 2])?)),
                other => Ok(other),
            }
        };
        let initial_h = initial(self, 5)?;
        let initial_c = if op == "LSTM" { initial(self, 6)? } else { None };
        let peepholes = if op == "LSTM" {
            match self.optional(node, 7)? {
                Some(Val::Const { t, .. }) => Some(t),
                Some(Val::Lazy(_)) => return Err(model("computed LSTM peepholes")),
                None => None,
            }
        } else {
            None
        };
        for (what, t, dims) in
            [("initial_h", &initial_h, [num_dir, batch, hidden]), ("initial_c", &initial_c, [num_dir, batch, hidden])]
        {
            if let Some(t) = t {
                if t.shape != dims {
                    return Err(model(format!("{op} {what} of shape {:?}, expected {dims:?}", t.shape)));
                }
            }
        }
        if let Some(p) = &peepholes {
            if p.shape != [num_dir, 3 * hidden] {
                return Err(model(format!(
                    "{op} peepholes of shape {:?}, expected {:?}",
                    p.shape,
                    [num_dir, 3 * hidden]
                )));
            }
        }
        // Every gate of every unit reads each input value: compose values, not expressions.
        let x = {
            let t = x.lazy();
            let ids = self.materialize(&t.data)?;
            Nd::new(t.shape.clone(), ids.into_iter().map(Affine::value).collect())?
        };
        let x_at = |t: usize, bi: usize, k: usize| &x.data[(t * batch + bi) * input_size + k];
        let state_at = |s: &Nd<Affine>, d: usize, bi: usize, j: usize| s.data[(d * batch + bi) * hidden + j].clone();
        // Outputs: Y[t][d][b][j], and the final H and C per direction.
        let mut y = vec![Affine::default(); seq * num_dir * batch * hidden];
        let mut final_h = vec![Affine::default(); num_dir * batch * hidden];
        let mut final_c = vec![Affine::default(); num_dir * batch * hidden];
        for (d, &reverse) in directions.iter().enumerate() {
            let acts: Vec<(String, f64, f64)> = (0..per_direction)
                .map(|a| {
                    let i = d * per_direction + a;
                    (
                        names[i].clone(),
                        alphas.get(i).map_or(f64::NAN, |&v| f64::from(v)),
                        betas.get(i).map_or(f64::NAN, |&v| f64::from(v)),
                    )
                })
                .collect();
            let wd = |g: usize, j: usize, k: usize| w.data[(d * gates * hidden + g * hidden + j) * input_size + k];
            let rd = |g: usize, j: usize, k: usize| r.data[(d * gates * hidden + g * hidden + j) * hidden + k];
            let bias = |g: usize, j: usize, recurrent: bool| {
                b.as_ref().map_or(0.0, |b| {
                    b.data[d * 2 * gates * hidden + usize::from(recurrent) * gates * hidden + g * hidden + j]
                })
            };
            let mut h: Vec<Vec<Affine>> = (0..batch)
                .map(|bi| {
                    (0..hidden)
                        .map(|j| initial_h.as_ref().map_or(Affine::default(), |s| state_at(s, d, bi, j)))
                        .collect()
                })
                .collect();
            let mut c: Vec<Vec<Affine>> = (0..batch)
                .map(|bi| {
                    (0..hidden)
                        .map(|j| initial_c.as_ref().map_or(Affine::default(), |s| state_at(s, d, bi, j)))
                        .collect()
                })
                .collect();
            for step in 0..seq {
                let t = if reverse { seq - 1 - step } else { step };
                // Σ W x_t (+ Wb) and Σ R h (+ Rb) of gate g, unit j, sample bi.
                let input_part = |bi: usize, g: usize, j: usize| {
                    Affine::combine(
                        (0..input_size).map(|k| (Coef::param(wd(g, j, k)), x_at(t, bi, k))),
                        Coef::param(bias(g, j, false)),
                    )
                };
                let hidden_part = |h: &[Affine], g: usize, j: usize| {
                    Affine::combine(
                        (0..hidden).map(|k| (Coef::param(rd(g, j, k)), &h[k])),
                        Coef::param(bias(g, j, true)),
                    )
                };
                let pre =
                    |bi: usize, g: usize, j: usize, h: &[Affine]| input_part(bi, g, j).plus(&hidden_part(h, g, j), 1.0);
                let all = |f: &dyn Fn(usize, usize) -> Affine| -> Vec<Affine> {
                    (0..batch).flat_map(|bi| (0..hidden).map(move |j| (bi, j))).map(|(bi, j)| f(bi, j)).collect()
                };
                let flat_h: Vec<Affine> = h.concat();
                let flat_c: Vec<Affine> = c.concat();
                let new_h: Vec<Affine> = match op {
                    "RNN" => {
                        let z = all(&|bi, j| pre(bi, 0, j, &h[bi]));
                        self.activation(&z, &acts[0])?
                    }
                    "GRU" => {
                        let z = self.activation(&all(&|bi, j| pre(bi, 0, j, &h[bi])), &acts[0])?;
                        let rg = self.activation(&all(&|bi, j| pre(bi, 1, j, &h[bi])), &acts[0])?;
                        let candidate_pre = if attr_int(node, "linear_before_reset").unwrap_or(0) != 0 {
                            // W x + Wb + r ⊙ (R h + Rb).
                            let recurrent = all(&|bi, j| hidden_part(&h[bi], 2, j));
                            let gated = self.multiply(&rg, &recurrent)?;
                            let inputs = all(&|bi, j| input_part(bi, 2, j));
                            inputs.iter().zip(&gated).map(|(a, g)| a.plus(g, 1.0)).collect()
                        } else {
                            // W x + Wb + R (r ⊙ h) + Rb.
                            let reset = self.multiply(&rg, &flat_h)?;
                            let reset: Vec<Vec<Affine>> = reset.chunks(hidden).map(<[Affine]>::to_vec).collect();
                            all(&|bi, j| input_part(bi, 2, j).plus(&hidden_part(&reset[bi], 2, j), 1.0))
                        };
                        let candidate = self.activation(&candidate_pre, &acts[1])?;
                        // H = h + z ⊙ (H_prev − h).
                        let differences: Vec<Affine> =
                            flat_h.iter().zip(&candidate).map(|(p, n)| p.plus(n, -1.0)).collect();
                        let kept = self.multiply(&z, &differences)?;
                        candidate.iter().zip(&kept).map(|(n, k)| n.plus(k, 1.0)).collect()
                    }
                    _ => {
                        // LSTM, gates in the order i, o, f, c.
                        let peep = |bi: usize, which: usize, j: usize, cell: &[Affine]| -> Affine {
                            match &peepholes {
                                Some(p) => cell[bi * hidden + j]
                                    .scaled(Coef::param(p.data[d * 3 * hidden + which * hidden + j])),
                                None => Affine::default(),
                            }
                        };
                        let i_gate = self.activation(
                            &all(&|bi, j| pre(bi, 0, j, &h[bi]).plus(&peep(bi, 0, j, &flat_c), 1.0)),
                            &acts[0],
                        )?;
                        let f_gate = self.activation(
                            &all(&|bi, j| pre(bi, 2, j, &h[bi]).plus(&peep(bi, 2, j, &flat_c), 1.0)),
                            &acts[0],
                        )?;
                        let g_gate = self.activation(&all(&|bi, j| pre(bi, 3, j, &h[bi])), &acts[1])?;
                        let kept = self.multiply(&f_gate, &flat_c)?;
                        let added = self.multiply(&i_gate, &g_gate)?;
                        let new_c: Vec<Affine> = kept.iter().zip(&added).map(|(a, b)| a.plus(b, 1.0)).collect();
                        let o_gate = self.activation(
                            &all(&|bi, j| pre(bi, 1, j, &h[bi]).plus(&peep(bi, 1, j, &new_c), 1.0)),
                            &acts[0],
                        )?;
                        let squashed = self.activation(&new_c, &acts[2])?;
                        let new_h = self.multiply(&o_gate, &squashed)?;
                        c = new_c.chunks(hidden).map(<[Affine]>::to_vec).collect();
                        new_h
                    }
                };
                h = new_h.chunks(hidden).map(<[Affine]>::to_vec).collect();
                for bi in 0..batch {
                    for j in 0..hidden {
                        y[((t * num_dir + d) * batch + bi) * hidden + j] = h[bi][j].clone();
                    }
                }
            }
            for bi in 0..batch {
                for j in 0..hidden {
                    final_h[(d * batch + bi) * hidden + j] = h[bi][j].clone();
                    final_c[(d * batch + bi) * hidden + j] = c[bi][j].clone();
                }
            }
        }
        let state_shape = vec![num_dir, batch, hidden];
        let outputs = [
            (vec![seq, num_dir, batch, hidden], y, [2, 0, 1, 3].as_slice()),
            (state_shape.clone(), final_h, &[1, 0, 2]),
            (state_shape, final_c, &[1, 0, 2]),
        ];
        for (name, (shape, data, to_batch_first)) in node.output.iter().zip(outputs) {
            if !name.is_empty() {
                let t = Nd::new(shape, data)?;
                let t = if batch_first { t.transpose(to_batch_first)? } else { t };
                self.env.insert(name.clone(), Val::Lazy(t));
            }
        }
        Ok(())
    }

    /// `ai.onnx.ml`'s tree ensembles (sklearn-onnx's random forests and
    /// gradient boosting) without any branching: each split's condition is
    /// one step neuron on the quantized feature (`x ≤ t` is `[t − x ≥ 0]`),
    /// each leaf's indicator one step neuron on the sum of the literals of
    /// its path (`[Σ − depth + ½ ≥ 0]`, an AND), and each score the affine
    /// sum of leaf weights times indicators. Aggregation SUM or AVERAGE;
    /// post transforms NONE, LOGISTIC and SOFTMAX; the classifier's
    /// labels and probabilities as onnxruntime gives them (its binary case
    /// included).
    fn tree_ensemble(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let classifier = node.op_type == "TreeEnsembleClassifier";
        for tensor_form in
            ["nodes_values_as_tensor", "base_values_as_tensor", "target_weights_as_tensor", "class_weights_as_tensor"]
        {
            if attr(node, tensor_form).is_some() {
                return Err(model(format!("{} with {tensor_form} is not supported", node.op_type)));
            }
        }
        let ints = |name: &str| attr_ints(node, name).unwrap_or_default();
        let floats = |name: &str| {
            attr(node, name).map(|a| a.floats.iter().map(|&f| f64::from(f)).collect::<Vec<f64>>()).unwrap_or_default()
        };
        let (tree_ids, node_ids, features) = (ints("nodes_treeids"), ints("nodes_nodeids"), ints("nodes_featureids"));
        let (true_ids, false_ids, thresholds) =
            (ints("nodes_truenodeids"), ints("nodes_falsenodeids"), floats("nodes_values"));
        let modes = attr_strings(node, "nodes_modes").unwrap_or_default();
        let n = node_ids.len();
        if [tree_ids.len(), features.len(), true_ids.len(), false_ids.len(), modes.len()].iter().any(|&l| l != n)
            || thresholds.len() != n
        {
            return Err(model(format!("{}: node attributes of different lengths", node.op_type)));
        }
        let prefix = if classifier { "class" } else { "target" };
        let (leaf_trees, leaf_nodes) = (ints(&format!("{prefix}_treeids")), ints(&format!("{prefix}_nodeids")));
        let (leaf_outputs, leaf_weights) = (ints(&format!("{prefix}_ids")), floats(&format!("{prefix}_weights")));
        if [leaf_nodes.len(), leaf_outputs.len(), leaf_weights.len()].iter().any(|&l| l != leaf_trees.len()) {
            return Err(model(format!("{}: leaf attributes of different lengths", node.op_type)));
        }
        let labels = ints("classlabels_int64s");
        if classifier && labels.is_empty() {
            return Err(model("TreeEnsembleClassifier with string labels is not supported (integer labels only)"));
        }
        let outputs = if classifier {
            labels.len()
        } else {
            usize::try_from(attr_int(node, "n_targets").unwrap_or(1)).map_err(|_| model("n_targets"))?
        };
        if outputs == 0 || leaf_outputs.iter().any(|&o| o < 0 || o as usize >= outputs) {
            return Err(model(format!("{}: an output id outside its {outputs} outputs", node.op_type)));
        }
        let aggregate = attr_string(node, "aggregate_function").unwrap_or_else(|| "SUM".into());
        if aggregate != "SUM" && aggregate != "AVERAGE" {
            return Err(model(format!("tree aggregation {aggregate} is not supported (SUM, AVERAGE)")));
        }
        let post = attr_string(node, "post_transform").unwrap_or_else(|| "NONE".into());
        if !matches!(post.as_str(), "NONE" | "LOGISTIC" | "SOFTMAX") {
            return Err(model(format!("tree post_transform {post} is not supported (NONE, LOGISTIC, SOFTMAX)")));
        }
        let base = floats("base_values");
        let index: HashMap<(i64, i64), usize> = (0..n).map(|i| ((tree_ids[i], node_ids[i]), i)).collect();
        let child = |i: usize, id: i64| {
            index
                .get(&(tree_ids[i], id))
                .copied()
                .ok_or_else(|| model(format!("tree {} has no node {id}", tree_ids[i])))
        };
        // Roots: nodes no node of their tree points to.
        let mut pointed = std::collections::HashSet::new();
        for i in 0..n {
            if modes[i] != "LEAF" {
                pointed.insert((tree_ids[i], true_ids[i]));
                pointed.insert((tree_ids[i], false_ids[i]));
            }
        }
        let roots: Vec<usize> = (0..n).filter(|&i| !pointed.contains(&(tree_ids[i], node_ids[i]))).collect();
        let trees = roots.len().max(1);

        let x = self.input(node, 0)?;
        let shape = x.shape().to_vec();
        let (rows, width) = match shape[..] {
            [f] => (1, f),
            [r, f] => (r, f),
            _ => return Err(model(format!("{} input of shape {shape:?} (needs [N, F])", node.op_type))),
        };
        if features.iter().zip(&modes).any(|(&f, m)| m != "LEAF" && (f < 0 || f as usize >= width)) {
            return Err(model(format!("{}: a feature id outside the input's {width} features", node.op_type)));
        }
        let x = {
            let t = x.lazy();
            let ids = self.materialize(&t.data)?;
            ids.into_iter().map(Affine::value).collect::<Vec<_>>()
        };
        // Every row's splits, then leaves (paths found once, by a walk from each root).
        let mut paths: Vec<(usize, Vec<(usize, bool)>)> = Vec::new();
        for &root in &roots {
            let mut stack = vec![(root, Vec::new())];
            while let Some((i, path)) = stack.pop() {
                if paths.len() + stack.len() > n {
                    return Err(model(format!("{}: a tree is not a tree (a cycle)", node.op_type)));
                }
                if modes[i] == "LEAF" {
                    paths.push((i, path));
                    continue;
                }
                let mut t = path.clone();
                t.push((i, true));
                stack.push((child(i, true_ids[i])?, t));
                let mut f = path;
                f.push((i, false));
                stack.push((child(i, false_ids[i])?, f));
            }
        }
        let splits: Vec<usize> = (0..n).filter(|&i| modes[i] != "LEAF").collect();
        let split_slot: HashMap<usize, usize> = splits.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        let leaf_of: HashMap<(i64, i64), usize> =
            paths.iter().enumerate().map(|(k, (i, _))| ((tree_ids[*i], node_ids[*i]), k)).collect();
        let mut scores_all = Vec::with_capacity(rows * outputs);
        for row in 0..rows {
            let feature = |i: usize| &x[row * width + features[i] as usize];
            // Per split: the true branch's condition as steps: (step inputs, how to combine).
            let mut step_inputs = Vec::new();
            let mut conditions: Vec<(Vec<usize>, f64, f64)> = Vec::new(); // (steps, sign, offset): cond = offset + sign·Σ steps
            for &i in &splits {
                let t = Affine::constant(Coef::param(thresholds[i]));
                let v = feature(i);
                let ge = |a: &Affine, b: &Affine| a.plus(b, -1.0); // [a − b ≥ 0]
                let (inputs, sign, offset): (Vec<Affine>, f64, f64) = match modes[i].as_str() {
                    "BRANCH_LEQ" => (vec![ge(&t, v)], 1.0, 0.0),
                    "BRANCH_LT" => (vec![ge(v, &t)], -1.0, 1.0),
                    "BRANCH_GTE" => (vec![ge(v, &t)], 1.0, 0.0),
                    "BRANCH_GT" => (vec![ge(&t, v)], -1.0, 1.0),
                    "BRANCH_EQ" => (vec![ge(v, &t), ge(&t, v)], 1.0, -1.0),
                    "BRANCH_NEQ" => (vec![ge(v, &t), ge(&t, v)], -1.0, 2.0),
                    other => return Err(model(format!("tree node mode {other}"))),
                };
                let first = step_inputs.len();
                step_inputs.extend(inputs);
                conditions.push(((first..step_inputs.len()).collect(), sign, offset));
            }
            let steps = self.neurons(&step_inputs, Activation::Step)?;
            let condition: Vec<Affine> = conditions
                .iter()
                .map(|(ks, sign, offset)| {
                    Affine::combine(ks.iter().map(|&k| (Coef::structural(*sign), &steps[k])), Coef::structural(*offset))
                })
                .collect();
            // Leaves: AND of the path's literals.
            let mut indicators: Vec<Option<Affine>> = vec![None; paths.len()];
            let mut and_inputs = Vec::new();
            let mut and_leaves = Vec::new();
            for (k, (_, path)) in paths.iter().enumerate() {
                if path.is_empty() {
                    indicators[k] = Some(Affine::constant(Coef::structural(1.0)));
                    continue;
                }
                let literals: Vec<Affine> = path
                    .iter()
                    .map(|&(i, taken)| {
                        let c = &condition[split_slot[&i]];
                        if taken {
                            c.clone()
                        } else {
                            Affine::combine([(Coef::structural(-1.0), c)], Coef::structural(1.0))
                        }
                    })
                    .collect();
                let sum = Affine::combine(
                    literals.iter().map(|l| (Coef::structural(1.0), l)),
                    Coef::structural(0.5 - path.len() as f64),
                );
                and_inputs.push(sum);
                and_leaves.push(k);
            }
            for (k, v) in and_leaves.into_iter().zip(self.neurons(&and_inputs, Activation::Step)?) {
                indicators[k] = Some(v);
            }
            let mut parts: Vec<Vec<(Coef, usize)>> = vec![Vec::new(); outputs];
            for e in 0..leaf_trees.len() {
                let k = *leaf_of
                    .get(&(leaf_trees[e], leaf_nodes[e]))
                    .ok_or_else(|| model(format!("tree {} has no leaf {}", leaf_trees[e], leaf_nodes[e])))?;
                let scale = if aggregate == "AVERAGE" { 1.0 / trees as f64 } else { 1.0 };
                parts[leaf_outputs[e] as usize].push((Coef::param(leaf_weights[e] * scale), k));
            }
            for (o, terms) in parts.iter().enumerate() {
                let zero = Affine::default();
                let score = Affine::combine(
                    terms.iter().map(|&(c, k)| (c, indicators[k].as_ref().unwrap_or(&zero))),
                    Coef::param(base.get(o).copied().unwrap_or(0.0)),
                );
                scores_all.push(score);
            }
        }
        let groups: Vec<Vec<usize>> = (0..rows).map(|r| (r * outputs..(r + 1) * outputs).collect()).collect();
        if !classifier {
            let y = match post.as_str() {
                "NONE" => scores_all,
                "LOGISTIC" => self.neurons(&scores_all, Activation::Table(UnaryFn::Sigmoid))?,
                _ => self.softmax(&scores_all, &groups, false)?,
            };
            self.set(node, Val::Lazy(Nd::new(vec![rows, outputs], y)?));
            return Ok(());
        }
        // onnxruntime's binary case: two labels, weights for one class only.
        let classes: std::collections::BTreeSet<i64> = leaf_outputs.iter().copied().collect();
        let binary = labels.len() == 2 && classes.len() == 1;
        let (probabilities, label) = if binary {
            let one = *classes.iter().next().unwrap_or(&1) as usize;
            let s: Vec<Affine> = (0..rows).map(|r| scores_all[r * outputs + one].clone()).collect();
            let positive = leaf_weights.iter().all(|&w| w >= 0.0);
            let (pairs, threshold) = if positive && post == "NONE" {
                // [1 − s, s], label by s > 1/2.
                let p: Vec<Affine> = s
                    .iter()
                    .flat_map(|v| [Affine::combine([(Coef::structural(-1.0), v)], Coef::structural(1.0)), v.clone()])
                    .collect();
                (p, 0.5)
            } else {
                let raw: Vec<Affine> = s.iter().flat_map(|v| [v.scaled(Coef::structural(-1.0)), v.clone()]).collect();
                let p = match post.as_str() {
                    "NONE" => raw,
                    "LOGISTIC" => self.neurons(&raw, Activation::Table(UnaryFn::Sigmoid))?,
                    _ => {
                        let pair_groups: Vec<Vec<usize>> = (0..rows).map(|r| vec![2 * r, 2 * r + 1]).collect();
                        self.softmax(&raw, &pair_groups, false)?
                    }
                };
                (p, 0.0)
            };
            // s > threshold ⟺ not [threshold − s ≥ 0].
            let below: Vec<Affine> =
                s.iter().map(|v| Affine::combine([(Coef::structural(-1.0), v)], Coef::structural(threshold))).collect();
            let steps = self.neurons(&below, Activation::Step)?;
            let (l0, l1) = (labels[0] as f64, labels[1] as f64);
            let label: Vec<Affine> = steps
                .iter()
                .map(|st| Affine::combine([(Coef::structural(l0 - l1), st)], Coef::structural(l1)))
                .collect();
            (pairs, label)
        } else {
            let indices = self.arg_max(&scores_all, &groups, false)?;
            let probabilities = match post.as_str() {
                "NONE" => scores_all,
                "LOGISTIC" => self.neurons(&scores_all, Activation::Table(UnaryFn::Sigmoid))?,
                _ => self.softmax(&scores_all, &groups, false)?,
            };
            let label = if labels.iter().enumerate().all(|(i, &l)| l == i as i64) {
                indices
            } else {
                let table = Val::Const {
                    t: Nd::new(vec![labels.len()], labels.iter().map(|&l| l as f64).collect())?,
                    int: true,
                };
                match self.gather_computed(&table, 0, &Nd::new(vec![rows], indices)?)? {
                    Val::Lazy(t) => t.data,
                    Val::Const { t, .. } => t.data.iter().map(|&c| Affine::constant(Coef::structural(c))).collect(),
                }
            };
            (probabilities, label)
        };
        self.env.insert(node.output[0].clone(), Val::Lazy(Nd::new(vec![rows], label)?));
        if let Some(name) = node.output.get(1).filter(|n| !n.is_empty()) {
            self.env.insert(name.clone(), Val::Lazy(Nd::new(vec![rows, labels.len()], probabilities)?));
        }
        Ok(())
    }

    /// `TopK` along an axis: constants sorted at compile time; computed
    /// values by `k` bubble passes of a selection network, each comparator a
    /// ReLU for the values and a step for the swap (`[b > a]`, so equal
    /// values keep their order: the lower index first, as ONNX asks), the
    /// indices following the swaps (affine in the first pass, products
    /// after). Both outputs sorted (also when `sorted = 0`, which leaves the
    /// order open).
    fn top_k(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let shape = x.shape().to_vec();
        let k = match self.input(node, 1)? {
            Val::Const { t, .. } => {
                t.data.first().copied().filter(|&k| k >= 0.0).ok_or_else(|| model("TopK needs k ≥ 0"))? as usize
            }
            Val::Lazy(_) => return Err(model("TopK with a computed k")),
        };
        let a = axis(attr_int(node, "axis").unwrap_or(-1), shape.len())?;
        let largest = attr_int(node, "largest").unwrap_or(1) != 0;
        if k > shape[a] {
            return Err(model(format!("TopK of {k} along an axis of {}", shape[a])));
        }
        let (groups, _) = reduction_groups(&shape, &[a], true);
        let mut out_shape = shape.clone();
        out_shape[a] = k;
        // Output element (group g, rank j) sits where the group's j-th element would.
        let (mut values, mut indices): (Vec<Option<Affine>>, Vec<Option<Affine>>) =
            (vec![None; numel(&out_shape)?], vec![None; numel(&out_shape)?]);
        let inner: usize = numel(&shape[a + 1..])?;
        let position = |g: &[usize], j: usize| {
            let first = g[0];
            let (outer, rest) = (first / (shape[a] * inner), first % inner);
            (outer * k + j) * inner + rest
        };
        match &x {
            Val::Const { t, .. } => {
                let mut data = vec![0.0; numel(&out_shape)?];
                let mut idx = vec![0.0; data.len()];
                for g in &groups {
                    let mut order: Vec<usize> = (0..g.len()).collect();
                    // Stable: equal values keep the lower index first.
                    order.sort_by(|&p, &q| {
                        let (u, v) = (t.data[g[p]], t.data[g[q]]);
                        if largest {
                            v.total_cmp(&u)
                        } else {
                            u.total_cmp(&v)
                        }
                    });
                    for (j, &o) in order.iter().take(k).enumerate() {
                        data[position(g, j)] = t.data[g[o]];
                        idx[position(g, j)] = o as f64;
                    }
                }
                self.env.insert(node.output[0].clone(), Val::float(Nd::new(out_shape.clone(), data)?));
                if let Some(name) = node.output.get(1).filter(|n| !n.is_empty()) {
                    self.env.insert(name.clone(), Val::Const { t: Nd::new(out_shape, idx)?, int: true });
                }
                return Ok(());
            }
            Val::Lazy(t) => {
                let sign = if largest { 1.0 } else { -1.0 };
                let mut lanes: Vec<Vec<Affine>> = groups
                    .iter()
                    .map(|g| g.iter().map(|&i| t.data[i].scaled(Coef::structural(sign))).collect())
                    .collect();
                let mut ids: Vec<Vec<Affine>> = groups
                    .iter()
                    .map(|g| (0..g.len()).map(|i| Affine::constant(Coef::structural(i as f64))).collect())
                    .collect();
                for pass in 0..k {
                    let len = lanes.first().map_or(0, Vec::len);
                    // From the end towards `pass`: the larger of (i − 1, i) moves to i − 1.
                    for i in (pass + 1..len).rev() {
                        let diffs: Vec<Affine> = lanes.iter().map(|l| l[i].plus(&l[i - 1], -1.0)).collect();
                        let relus = self.relu(&diffs)?;
                        // swap = [x_i > x_(i−1)] = 1 − [x_(i−1) − x_i ≥ 0].
                        let negated: Vec<Affine> = diffs.iter().map(|d| d.scaled(Coef::structural(-1.0))).collect();
                        let not_swapped = self.neurons(&negated, Activation::Step)?;
                        let swaps: Vec<Affine> = not_swapped
                            .iter()
                            .map(|s| Affine::combine([(Coef::structural(-1.0), s)], Coef::structural(1.0)))
                            .collect();
                        let id_diffs: Vec<Affine> = ids.iter().map(|d| d[i].plus(&d[i - 1], -1.0)).collect();
                        let moved = self.multiply(&swaps, &id_diffs)?;
                        for ((lane, id), (r, m)) in lanes.iter_mut().zip(ids.iter_mut()).zip(relus.iter().zip(&moved)) {
                            let (low, high) = (lane[i - 1].clone(), lane[i].clone());
                            lane[i - 1] = low.plus(r, 1.0);
                            lane[i] = high.plus(r, -1.0);
                            let (a_id, b_id) = (id[i - 1].clone(), id[i].clone());
                            id[i - 1] = a_id.plus(m, 1.0);
                            id[i] = b_id.plus(m, -1.0);
                        }
                    }
                }
                for (g, (lane, id)) in groups.iter().zip(lanes.iter().zip(&ids)) {
                    for j in 0..k {
                        values[position(g, j)] = Some(lane[j].scaled(Coef::structural(sign)));
                        indices[position(g, j)] = Some(id[j].clone());
                    }
                }
            }
        }
        let values: Vec<Affine> = values.into_iter().map(Option::unwrap_or_default).collect();
        let indices: Vec<Affine> = indices.into_iter().map(Option::unwrap_or_default).collect();
        self.env.insert(node.output[0].clone(), Val::Lazy(Nd::new(out_shape.clone(), values)?));
        if let Some(name) = node.output.get(1).filter(|n| !n.is_empty()) {
            self.env.insert(name.clone(), Val::Lazy(Nd::new(out_shape, indices)?));
        }
        Ok(())
    }

    /// `GatherElements`: `out[…i…] = data[…index[…i…]…]` along `axis`. At
    /// constant indices a wiring; at computed ones a one-hot selection per
    /// element (step neurons `[idx ≥ v]`, as `Gather` at computed indices).
    fn gather_elements(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let shape = x.shape().to_vec();
        let a = axis(attr_int(node, "axis").unwrap_or(0), shape.len())?;
        let index = self.input(node, 1)?;
        let out_shape = index.shape().to_vec();
        if out_shape.len() != shape.len()
            || out_shape.iter().zip(&shape).enumerate().any(|(i, (&o, &d))| i != a && o > d)
        {
            return Err(model(format!("GatherElements indices of shape {out_shape:?} for data of shape {shape:?}")));
        }
        let (st, ost) = (strides(&shape), strides(&out_shape));
        let n = numel(&out_shape)?;
        let len = shape[a];
        // The data element at axis position v for output element o.
        let source = |o: usize, v: usize| -> usize {
            (0..shape.len()).map(|d| if d == a { v * st[d] } else { (o / ost[d]) % out_shape[d] * st[d] }).sum()
        };
        let value = match index {
            Val::Const { t, .. } => {
                let picks: Vec<usize> = t
                    .data
                    .iter()
                    .enumerate()
                    .map(|(o, &i)| {
                        let i = i as i64;
                        let j = if i < 0 { i + len as i64 } else { i };
                        usize::try_from(j)
                            .ok()
                            .filter(|&j| j < len)
                            .map(|j| source(o, j))
                            .ok_or_else(|| model(format!("index {i} out of range {len}")))
                    })
                    .collect::<Result<_, _>>()?;
                match &x {
                    Val::Const { t, int } => {
                        Val::Const { t: Nd::new(out_shape, picks.iter().map(|&p| t.data[p]).collect())?, int: *int }
                    }
                    Val::Lazy(t) => Val::Lazy(Nd::new(out_shape, picks.iter().map(|&p| t.data[p].clone()).collect())?),
                }
            }
            Val::Lazy(idx) => {
                let data = x.lazy();
                let selected = self.one_hot_select(&data.data, &idx.data, len, n, |o| o, source)?;
                Val::Lazy(Nd::new(out_shape, selected)?)
            }
        };
        self.set(node, value);
        Ok(())
    }

    /// A recurrent node's activation (by its ONNX name, with its alpha and beta) of every element.
    fn activation(&mut self, x: &[Affine], (name, alpha, beta): &(String, f64, f64)) -> Result<Vec<Affine>, ZkmlError> {
        match name.as_str() {
            "Sigmoid" => self.neurons(x, Activation::Table(UnaryFn::Sigmoid)),
            "Tanh" => self.neurons(x, Activation::Table(UnaryFn::Tanh)),
            "Relu" => self.relu(x),
            "HardSigmoid" => {
                // max(0, min(1, αx + β)) = relu(αx + β) − relu(αx + β − 1).
                let (a, b) = (if alpha.is_nan() { 0.2 } else { *alpha }, if beta.is_nan() { 0.5 } else { *beta });
                let y: Vec<Affine> = x.iter().map(|e| Affine::combine([(Coef::param(a), e)], Coef::param(b))).collect();
                let shifted: Vec<Affine> =
                    y.iter().map(|e| Affine::combine([(Coef::structural(1.0), e)], Coef::structural(-1.0))).collect();
                let mut both = y;
                both.extend(shifted);
                let r = self.relu(&both)?;
                let (low, high) = r.split_at(x.len());
                Ok(low.iter().zip(high).map(|(l, h)| l.plus(h, -1.0)).collect())
            }
            other => {
                Err(model(format!("recurrent activation {other} is not supported (Sigmoid, Tanh, Relu, HardSigmoid)")))
            }
        }
    }

    /// LayerNormalization (over the axes from `axis` on, scale and bias
    /// broadcast over them) and InstanceNormalization (over the spatial axes
    /// of each sample and channel, scale and bias per channel).
    fn normalization(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let shape = x.shape().to_vec();
        let rank = shape.len();
        let epsilon = attr_float(node, "epsilon").unwrap_or(1e-5);
        let instance = node.op_type == "InstanceNormalization";
        let (axes, param_shape): (Vec<usize>, Vec<usize>) = if instance {
            if rank < 3 {
                return Err(model(format!(
                    "InstanceNormalization of a rank-{rank} tensor (needs N, C and spatial axes)"
                )));
            }
            let mut p = vec![1; rank];
            p[1] = shape[1];
            ((2..rank).collect(), p)
        } else {
            let axis = attr_int(node, "axis").unwrap_or(-1);
            let axis = usize::try_from(if axis < 0 { axis + rank as i64 } else { axis })
                .ok()
                .filter(|&a| a < rank)
                .ok_or_else(|| model(format!("axis {axis} of a rank-{rank} tensor")))?;
            if attr_int(node, "stash_type").is_some_and(|t| t != 1) {
                return Err(model("LayerNormalization with a stash type other than float"));
            }
            ((axis..rank).collect(), shape[axis..].to_vec())
        };
        let (groups, _) = reduction_groups(&shape, &axes, true);
        let scale = self.const_input(node, 1, "scale")?;
        let bias = match self.optional(node, 2)? {
            Some(Val::Const { t, .. }) => Some(t),
            Some(Val::Lazy(_)) => return Err(model("a computed normalization bias")),
            None => None,
        };
        let reshape = |t: Nd<f64>| -> Result<Nd<f64>, ZkmlError> {
            let t = if instance { Nd::new(param_shape.clone(), t.data)? } else { t };
            t.broadcast_to(&shape)
        };
        let scale = reshape(scale)?;
        let bias = bias.map(reshape).transpose()?;
        let normalized = match x {
            Val::Const { t, .. } => {
                let mut data = t.data.clone();
                for g in &groups {
                    let n = g.len() as f64;
                    let mean = g.iter().map(|&i| t.data[i]).sum::<f64>() / n;
                    let var = g.iter().map(|&i| (t.data[i] - mean).powi(2)).sum::<f64>() / n;
                    for &i in g {
                        data[i] = (t.data[i] - mean) / (var + epsilon).sqrt();
                    }
                }
                Val::float(Nd::new(shape.clone(), data)?)
            }
            Val::Lazy(t) => Val::Lazy(Nd::new(shape.clone(), self.normalize(&t.data, &groups, epsilon)?)?),
        };
        let mut y = self.binary("Mul", normalized, Val::float(scale))?;
        if let Some(b) = bias {
            y = self.binary("Add", y, Val::float(b))?;
        }
        self.set(node, y);
        Ok(())
    }

    fn batch_norm(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let x = self.input(node, 0)?;
        let [scale, b, mean, var] = [1, 2, 3, 4].map(|i| self.const_input(node, i, "BatchNormalization's statistics"));
        let (scale, b, mean, var) = (scale?, b?, mean?, var?);
        let eps = attr_float(node, "epsilon").unwrap_or(1e-5);
        let rank = x.shape().len();
        let c = *x.shape().get(1).ok_or_else(|| model("input of rank < 2"))?;
        if [&scale, &b, &mean, &var].iter().any(|t| t.len() != c) {
            return Err(model("statistics of another channel count"));
        }
        let mut shape = vec![c];
        shape.extend(std::iter::repeat_n(1, rank - 2));
        let factor: Vec<f64> = (0..c).map(|i| scale.data[i] / (var.data[i] + eps).sqrt()).collect();
        let shift: Vec<f64> = (0..c).map(|i| b.data[i] - mean.data[i] * factor[i]).collect();
        let y = self.binary("Mul", x, Val::float(Nd::new(shape.clone(), factor)?))?;
        let y = self.binary("Add", y, Val::float(Nd::new(shape, shift)?))?;
        self.set(node, y);
        Ok(())
    }

    /// AveragePool and MaxPool over any number of spatial axes.
    fn pool(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        if node.output.get(1).is_some_and(|o| !o.is_empty()) {
            return Err(model("MaxPool's Indices output is not supported"));
        }
        let x = self.input(node, 0)?.lazy();
        let s = x.shape.clone();
        if s.len() < 3 {
            return Err(model(format!("input of shape {s:?}; [N, C, spatial…] is expected")));
        }
        let kernel = attr_ints(node, "kernel_shape").ok_or_else(|| model("kernel_shape is required"))?;
        let kernel = to_dims(&kernel.iter().map(|&v| v as f64).collect::<Vec<_>>())?;
        let ceil = attr_int(node, "ceil_mode").unwrap_or(0) != 0;
        let window = Window::new(node, &s[2..], &kernel, ceil)?;
        let (spatial_in, spatial_out) = (window.input_len(), window.output_len());
        let planes = s[0] * s[1];
        numel(&[planes, spatial_out, kernel.iter().product()])?;
        let mut shape = s[..2].to_vec();
        shape.extend(&window.output);
        let out = if node.op_type == "MaxPool" {
            let groups: Vec<Vec<usize>> = (0..planes)
                .flat_map(|p| {
                    let window = &window;
                    (0..spatial_out).map(move |o| {
                        window.taps(o).iter().filter_map(|&(_, i)| i).map(|i| p * spatial_in + i).collect()
                    })
                })
                .collect();
            self.reduce_max(&x.data, &groups)?
        } else {
            let include_pad = attr_int(node, "count_include_pad").unwrap_or(0) != 0;
            let mut rows = Vec::with_capacity(planes * spatial_out);
            for p in 0..planes {
                for o in 0..spatial_out {
                    let taps = window.taps(o);
                    let inside: Vec<usize> = taps.iter().filter_map(|&(_, i)| i).collect();
                    let count = if include_pad { window.padded_taps(o) } else { inside.len() };
                    let c = Coef::structural(1.0 / count.max(1) as f64);
                    rows.push((inside.iter().map(|&i| (p * spatial_in + i, c)).collect(), Coef::default()));
                }
            }
            self.linear(&x.data, &rows)?
        };
        self.set(node, Val::Lazy(Nd::new(shape, out)?));
        Ok(())
    }

    /// ReduceSum/Mean/Max/Min over `axes`.
    fn reduce(&mut self, op: &str, x: Val, axes: &[usize], keep: bool) -> Result<Val, ZkmlError> {
        let shape = x.shape().to_vec();
        let (groups, out_shape) = reduction_groups(&shape, axes, keep);
        if let Val::Const { t, int } = &x {
            let data = groups
                .iter()
                .map(|g| {
                    let v = g.iter().map(|&i| t.data[i]);
                    match op {
                        "ReduceSum" => v.sum(),
                        "ReduceMean" => v.sum::<f64>() / g.len().max(1) as f64,
                        "ReduceMax" => v.fold(f64::NEG_INFINITY, f64::max),
                        _ => v.fold(f64::INFINITY, f64::min),
                    }
                })
                .collect();
            return Ok(Val::Const { t: Nd::new(out_shape, data)?, int: *int && op != "ReduceMean" });
        }
        let x = x.lazy();
        let out = match op {
            "ReduceSum" | "ReduceMean" => {
                let rows: Vec<_> = groups
                    .iter()
                    .map(|g| {
                        let c = Coef::structural(if op == "ReduceSum" { 1.0 } else { 1.0 / g.len().max(1) as f64 });
                        (g.iter().map(|&i| (i, c)).collect(), Coef::default())
                    })
                    .collect();
                self.linear(&x.data, &rows)?
            }
            "ReduceMax" => self.reduce_max(&x.data, &groups)?,
            _ => {
                let neg: Vec<Affine> = x.data.iter().map(|a| a.scaled(Coef::structural(-1.0))).collect();
                self.reduce_max(&neg, &groups)?.iter().map(|a| a.scaled(Coef::structural(-1.0))).collect()
            }
        };
        Ok(Val::Lazy(Nd::new(out_shape, out)?))
    }
}

/// The table function of a node, when it is one of those.
fn table_function(node: &NodeProto) -> Result<Option<UnaryFn>, ZkmlError> {
    let alpha = |default: f64| attr_float(node, "alpha").unwrap_or(default);
    Ok(Some(match node.op_type.as_str() {
        "Sigmoid" => UnaryFn::Sigmoid,
        "Tanh" => UnaryFn::Tanh,
        "Exp" => UnaryFn::Exp,
        "Log" => UnaryFn::Log,
        "Sqrt" => UnaryFn::Sqrt,
        "Reciprocal" => UnaryFn::Reciprocal,
        "Erf" => UnaryFn::Erf,
        "Elu" => UnaryFn::Elu { alpha: alpha(1.0) },
        "Selu" => UnaryFn::Selu {
            alpha: alpha(1.673_263_192_176_818_8),
            gamma: attr_float(node, "gamma").unwrap_or(1.050_701_022_148_132_3),
        },
        "Celu" => UnaryFn::Celu { alpha: alpha(1.0) },
        "Softplus" => UnaryFn::Softplus,
        "Softsign" => UnaryFn::Softsign,
        "Mish" => UnaryFn::Mish,
        "Sin" => UnaryFn::Sin,
        "Cos" => UnaryFn::Cos,
        "HardSwish" => UnaryFn::HardSwish,
        "Gelu" => UnaryFn::Gelu { tanh: attr_string(node, "approximate").as_deref() == Some("tanh") },
        "ThresholdedRelu" => UnaryFn::ThresholdedRelu { alpha: alpha(1.0) },
        // Pow is a table only with a computed base (see `Lowering::node`).
        _ => return Ok(None),
    }))
}

/// For a reduction over `axes`: each output's input indices, and the output shape.
fn reduction_groups(shape: &[usize], axes: &[usize], keep: bool) -> (Vec<Vec<usize>>, Vec<usize>) {
    let st = strides(shape);
    let kept: Vec<usize> = (0..shape.len()).filter(|a| !axes.contains(a)).collect();
    let out_dims: Vec<usize> = kept.iter().map(|&a| shape[a]).collect();
    let red_dims: Vec<usize> = axes.iter().map(|&a| shape[a]).collect();
    let n_out: usize = out_dims.iter().product();
    let n_red: usize = red_dims.iter().product();
    let (ost, rst) = (strides(&out_dims), strides(&red_dims));
    let groups = (0..n_out)
        .map(|o| {
            let base: usize = kept.iter().enumerate().map(|(j, &a)| (o / ost[j]) % out_dims[j] * st[a]).sum();
            (0..n_red)
                .map(|r| {
                    base + axes.iter().enumerate().map(|(j, &a)| (r / rst[j]) % red_dims[j] * st[a]).sum::<usize>()
                })
                .collect()
        })
        .collect();
    let out_shape = if keep {
        shape.iter().enumerate().map(|(a, &d)| if axes.contains(&a) { 1 } else { d }).collect()
    } else {
        out_dims
    };
    (groups, out_shape)
}

/// The sliding window of a convolution or pooling over `n` spatial axes.
struct Window {
    input: Vec<usize>,
    kernel: Vec<usize>,
    strides: Vec<usize>,
    dilations: Vec<usize>,
    pad_begin: Vec<usize>,
    pad_end: Vec<usize>,
    output: Vec<usize>,
}

impl Window {
    fn new(node: &NodeProto, input: &[usize], kernel: &[usize], ceil_mode: bool) -> Result<Self, ZkmlError> {
        let dims = input.len();
        if kernel.len() != dims || kernel.contains(&0) {
            return Err(model(format!("kernel {kernel:?} for {dims} spatial axes")));
        }
        let list = |name: &str| -> Result<Vec<usize>, ZkmlError> {
            match attr_ints(node, name) {
                None => Ok(vec![1; dims]),
                Some(v) if v.len() == dims && v.iter().all(|&x| x > 0 && x < 1 << 20) => {
                    Ok(v.iter().map(|&x| x as usize).collect())
                }
                Some(v) => Err(model(format!("{name} = {v:?}: {dims} values in 1..2^20 are supported"))),
            }
        };
        let strides = list("strides")?;
        let dilations = list("dilations")?;
        let span: Vec<usize> = (0..dims)
            .map(|d| {
                (kernel[d] - 1).checked_mul(dilations[d]).map(|v| v + 1).ok_or_else(|| model("kernel span overflows"))
            })
            .collect::<Result<_, _>>()?;
        let auto_pad = attr_string(node, "auto_pad").unwrap_or_else(|| "NOTSET".into());
        let (pad_begin, pad_end): (Vec<usize>, Vec<usize>) = match auto_pad.as_str() {
            "NOTSET" => match attr_ints(node, "pads") {
                None => (vec![0; dims], vec![0; dims]),
                Some(p) if p.len() == 2 * dims && p.iter().all(|&x| (0..1 << 20).contains(&x)) => {
                    (p[..dims].iter().map(|&x| x as usize).collect(), p[dims..].iter().map(|&x| x as usize).collect())
                }
                Some(p) => return Err(model(format!("pads = {p:?}: {} values in 0..2^20 are supported", 2 * dims))),
            },
            "VALID" => (vec![0; dims], vec![0; dims]),
            "SAME_UPPER" | "SAME_LOWER" => (0..dims)
                .map(|d| {
                    let out = input[d].div_ceil(strides[d]);
                    let total = ((out.max(1) - 1) * strides[d] + span[d]).saturating_sub(input[d]);
                    let small = total / 2;
                    if auto_pad == "SAME_UPPER" {
                        (small, total - small)
                    } else {
                        (total - small, small)
                    }
                })
                .unzip(),
            other => return Err(model(format!("auto_pad = {other}"))),
        };
        let mut output = Vec::with_capacity(dims);
        for d in 0..dims {
            let padded = input[d] + pad_begin[d] + pad_end[d];
            if span[d] > padded {
                return Err(model("the kernel is larger than the padded input"));
            }
            let mut out = if ceil_mode {
                (padded - span[d]).div_ceil(strides[d]) + 1
            } else {
                (padded - span[d]) / strides[d] + 1
            };
            // A last window that starts in the end padding is dropped.
            if ceil_mode && (out - 1) * strides[d] >= input[d] + pad_begin[d] {
                out -= 1;
            }
            output.push(out);
        }
        numel(&output)?;
        Ok(Self { input: input.to_vec(), kernel: kernel.to_vec(), strides, dilations, pad_begin, pad_end, output })
    }

    fn input_len(&self) -> usize {
        self.input.iter().product()
    }

    fn output_len(&self) -> usize {
        self.output.iter().product()
    }

    /// `(kernel index, input index or None in the padding)` of output `o`'s taps.
    fn taps(&self, o: usize) -> Vec<(usize, Option<usize>)> {
        let dims = self.input.len();
        let (ost, ist, kst) = (strides(&self.output), strides(&self.input), strides(&self.kernel));
        let kernel_len: usize = self.kernel.iter().product();
        (0..kernel_len)
            .map(|k| {
                let mut i = Some(0usize);
                for d in 0..dims {
                    let od = (o / ost[d]) % self.output[d];
                    let kd = (k / kst[d]) % self.kernel[d];
                    let pos = (od * self.strides[d] + kd * self.dilations[d]) as i64 - self.pad_begin[d] as i64;
                    i = i.filter(|_| (0..self.input[d] as i64).contains(&pos)).map(|i| i + pos as usize * ist[d]);
                }
                (k, i)
            })
            .collect()
    }

    /// Taps of output `o` inside the padded input (`count_include_pad`).
    fn padded_taps(&self, o: usize) -> usize {
        let dims = self.input.len();
        let ost = strides(&self.output);
        (0..dims)
            .map(|d| {
                let od = (o / ost[d]) % self.output[d];
                (0..self.kernel[d])
                    .filter(|&kd| {
                        let pos = (od * self.strides[d] + kd * self.dilations[d]) as i64 - self.pad_begin[d] as i64;
                        pos < (self.input[d] + self.pad_end[d]) as i64
                    })
                    .count()
            })
            .product()
    }
}

/// Drops parameters no layer uses and renumbers.
fn prune_params(program: &mut Program) {
    let mut map = vec![u32::MAX; program.params.len()];
    let mut kept = Vec::new();
    let mut remap = |p: &mut u32| {
        if map[*p as usize] == u32::MAX {
            map[*p as usize] = kept.len() as u32;
            kept.push(program.params[*p as usize]);
        }
        *p = map[*p as usize];
    };
    for layer in &mut program.layers {
        for neuron in &mut layer.neurons {
            for (_, w) in &mut neuron.terms {
                if let Weight::Param(p) = w {
                    remap(p);
                }
            }
            if let Some(b) = &mut neuron.bias {
                remap(b);
            }
        }
    }
    program.params = kept;
}

/// `Op 'name'`, or `Op` for an unnamed node.
fn describe(node: &NodeProto) -> String {
    if node.name.is_empty() {
        node.op_type.clone()
    } else {
        format!("{} '{}'", node.op_type, node.name)
    }
}

fn sign(v: f64) -> f64 {
    if v > 0.0 {
        1.0
    } else if v < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// Non-negative dimensions from constant data.
fn to_dims(data: &[f64]) -> Result<Vec<usize>, ZkmlError> {
    data.iter()
        .map(|&d| {
            (d >= 0.0 && d <= nd::MAX_ELEMENTS as f64 && d.fract() == 0.0)
                .then_some(d as usize)
                .ok_or_else(|| model(format!("dimension {d} is not supported")))
        })
        .collect()
}

fn is_integer_type(t: i32) -> bool {
    matches!(t, 2..=7 | 9 | 12 | 13)
}

fn value_shape(info: &pb::ValueInfoProto) -> Result<Vec<usize>, ZkmlError> {
    let Some(type_proto::Value::TensorType(t)) = info.r#type.as_ref().and_then(|t| t.value.as_ref()) else {
        return Err(model(format!("input '{}' is not a tensor", info.name)));
    };
    let dims = t.shape.as_ref().map(|s| s.dim.as_slice()).unwrap_or_default();
    // Symbolic dimensions (a batch size) are taken as 1.
    dims.iter()
        .map(|d| match d.value {
            Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) if v > 0 && v <= nd::MAX_ELEMENTS as i64 => {
                Ok(v as usize)
            }
            Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) => {
                Err(model(format!("input '{}' has dimension {v}", info.name)))
            }
            _ => Ok(1),
        })
        .collect()
}

fn tensor_data(t: &pb::TensorProto) -> Result<(Nd<f64>, bool), ZkmlError> {
    // Sized before tract allocates anything by the dims.
    let elements = t.dims.iter().try_fold(1usize, |n, &d| {
        usize::try_from(d).ok().and_then(|d| n.checked_mul(d)).filter(|&n| n <= nd::MAX_ELEMENTS)
    });
    if elements.is_none() {
        return Err(model(format!("tensor '{}' has dims {:?}", t.name, t.dims)));
    }
    // tract's loader panics when the data's length differs from the dims'
    // (a crafted file): that is this tensor's error.
    let loaded = std::panic::catch_unwind(|| tract_onnx::tensor::load_tensor(&FopenDataResolver, t, None))
        .map_err(|_| model(format!("tensor '{}': its data does not fit its dims {:?}", t.name, t.dims)))?;
    let tensor = loaded.map_err(|e| model(format!("tensor '{}': {e}", t.name)))?;
    let data = tensor
        .cast_to::<f64>()
        .map_err(|e| model(format!("tensor '{}' is not numeric: {e}", t.name)))?
        .as_slice::<f64>()
        .map_err(|e| model(format!("tensor '{}': {e}", t.name)))?
        .to_vec();
    Ok((Nd::new(tensor.shape().to_vec(), data)?, is_integer_type(t.data_type)))
}

fn reshape(shape: &[usize], target: &[f64], allow_zero: bool) -> Result<Vec<usize>, ZkmlError> {
    let total: usize = shape.iter().product();
    let mut out = Vec::with_capacity(target.len());
    let mut infer = None;
    for (i, &d) in target.iter().enumerate() {
        match d as i64 {
            -1 if infer.is_none() => {
                infer = Some(i);
                out.push(1);
            }
            0 if !allow_zero => out.push(*shape.get(i).ok_or_else(|| model("0 in the shape beyond the input's rank"))?),
            d if d >= 0 && d as usize <= nd::MAX_ELEMENTS => out.push(d as usize),
            d => return Err(model(format!("invalid target dimension {d}"))),
        }
    }
    let known: usize = out.iter().product();
    if let Some(i) = infer {
        if known == 0 || !total.is_multiple_of(known) {
            return Err(model(format!("cannot reshape {shape:?} to {target:?}")));
        }
        out[i] = total / known;
    }
    if out.iter().product::<usize>() != total {
        return Err(model(format!("cannot reshape {shape:?} ({total} values) to {out:?}")));
    }
    Ok(out)
}

fn attr<'a>(node: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    node.attribute.iter().find(|a| a.name == name)
}

/// The value id of each element, which must be a plain value (a layer's
/// fresh outputs are).
fn value_ids(values: &[Affine]) -> Result<Vec<u32>, ZkmlError> {
    values.iter().map(|a| a.as_value().ok_or_else(|| model("a materialized value is not a value"))).collect()
}

/// The distinct expressions among `y`'s elements `i` that `keep(i)` (a
/// broadcast repeats one), in first-use order, and `(i, which)` for each
/// kept element.
fn distinct_affines(y: &[Affine], keep: impl Fn(usize) -> bool) -> (Vec<Affine>, Vec<(usize, usize)>) {
    let mut distinct: Vec<Affine> = Vec::new();
    let mut index: HashMap<Vec<u64>, usize> = HashMap::new();
    let mut kept = Vec::new();
    for (i, q) in y.iter().enumerate().filter(|&(i, _)| keep(i)) {
        let key: Vec<u64> = q
            .terms
            .iter()
            .flat_map(|&(v, c)| [u64::from(v), c.value.to_bits(), u64::from(c.param)])
            .chain([q.bias.value.to_bits(), u64::from(q.bias.param)])
            .collect();
        let next = distinct.len();
        let which = *index.entry(key).or_insert(next);
        if which == next {
            distinct.push(q.clone());
        }
        kept.push((i, which));
    }
    (distinct, kept)
}
fn attr_int(node: &NodeProto, name: &str) -> Option<i64> {
    attr(node, name).map(|a| a.i)
}

fn attr_float(node: &NodeProto, name: &str) -> Option<f64> {
    attr(node, name).map(|a| a.f as f64)
}

fn attr_ints(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    attr(node, name).map(|a| a.ints.clone())
}

fn attr_strings(node: &NodeProto, name: &str) -> Option<Vec<String>> {
    attr(node, name).map(|a| a.strings.iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect())
}

fn attr_string(node: &NodeProto, name: &str) -> Option<String> {
    attr(node, name).map(|a| String::from_utf8_lossy(&a.s).into_owned())
}
