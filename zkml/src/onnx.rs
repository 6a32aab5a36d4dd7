//! ONNX (parsed by tract-onnx's protobuf reader) lowered to a [`Program`].

use std::collections::HashMap;
use std::path::Path;

use tract_onnx::data_resolver::FopenDataResolver;
use tract_onnx::pb::{self, type_proto, AttributeProto, NodeProto};
use tract_onnx::prelude::Framework;

use crate::program::{Activation, Layer, Neuron, Param, Program, Weight};
use crate::ZkmlError;

/// The operators [`lower`] accepts.
pub const SUPPORTED_OPERATORS: &[&str] = &[
    "Gemm",
    "MatMul",
    "Add",
    "Sub",
    "Mul",
    "Relu",
    "Sigmoid",
    "Conv",
    "AveragePool",
    "Flatten",
    "Reshape",
    "Identity",
    "Dropout",
    "Constant",
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
    let proto = tract_onnx::onnx()
        .proto_model_for_read(&mut &bytes[..])
        .map_err(|e| ZkmlError::Model(format!("cannot parse ONNX model: {e}")))?;
    lower(&proto)
}

/// A tensor during lowering: computed values or a constant.
#[derive(Clone, Debug)]
enum Tensor {
    Values { shape: Vec<usize>, ids: Vec<u32> },
    Constant { shape: Vec<usize>, data: Vec<f64> },
}

struct Lowering {
    params: Vec<Param>,
    layers: Vec<Layer>,
    next_value: u32,
    env: HashMap<String, Tensor>,
    /// Tensors that are exactly the outputs of a layer with no activation
    /// yet, so that a following bias, scaling or activation can be folded in.
    producer: HashMap<String, usize>,
    uses: HashMap<String, usize>,
}

/// Lowers a parsed ONNX model (batch size 1, one input, one output).
pub fn lower(model: &pb::ModelProto) -> Result<Program, ZkmlError> {
    let graph = model.graph.as_ref().ok_or_else(|| ZkmlError::Model("the ONNX file has no graph".into()))?;
    let unsupported: Vec<String> = graph
        .node
        .iter()
        .filter(|n| !SUPPORTED_OPERATORS.contains(&n.op_type.as_str()))
        .map(|n| format!("{} (node '{}')", n.op_type, n.name))
        .collect();
    if !unsupported.is_empty() {
        return Err(ZkmlError::Unsupported(unsupported));
    }
    let mut lowering = Lowering {
        params: Vec::new(),
        layers: Vec::new(),
        next_value: 0,
        env: HashMap::new(),
        producer: HashMap::new(),
        uses: HashMap::new(),
    };
    for init in &graph.initializer {
        let (shape, data) = tensor_data(init)?;
        lowering.env.insert(init.name.clone(), Tensor::Constant { shape, data });
    }
    let inputs: Vec<_> = graph.input.iter().filter(|i| !lowering.env.contains_key(&i.name)).collect();
    let [input] = inputs[..] else {
        return Err(ZkmlError::Model(format!("the model has {} inputs; one is supported", inputs.len())));
    };
    let input_shape = value_shape(input)?;
    if graph.output.len() != 1 {
        return Err(ZkmlError::Model(format!("the model has {} outputs; one is supported", graph.output.len())));
    }
    let num_inputs: usize = input_shape.iter().product();
    lowering.next_value = u32::try_from(num_inputs).map_err(|_| ZkmlError::Model("input too large".into()))?;
    lowering.env.insert(
        input.name.clone(),
        Tensor::Values { shape: input_shape.clone(), ids: (0..lowering.next_value).collect() },
    );
    for node in &graph.node {
        for name in &node.input {
            *lowering.uses.entry(name.clone()).or_default() += 1;
        }
    }
    for node in &graph.node {
        lowering.node(node).map_err(|e| match e {
            ZkmlError::Model(msg) => ZkmlError::Model(format!("{} node '{}': {msg}", node.op_type, node.name)),
            other => other,
        })?;
    }
    let output = &graph.output[0].name;
    let (output_shape, outputs) = match lowering.env.get(output) {
        Some(Tensor::Values { shape, ids }) => (shape.clone(), ids.clone()),
        Some(Tensor::Constant { .. }) => {
            return Err(ZkmlError::Model("the output does not depend on the input".into()))
        }
        None => return Err(ZkmlError::Model(format!("the output '{output}' is never computed"))),
    };
    let mut program = Program { input_shape, output_shape, params: lowering.params, layers: lowering.layers, outputs };
    prune_params(&mut program);
    Ok(program)
}

impl Lowering {
    fn input(&self, node: &NodeProto, i: usize) -> Result<Tensor, ZkmlError> {
        let name = node.input.get(i).filter(|n| !n.is_empty()).ok_or_else(|| model(format!("missing input {i}")))?;
        self.env.get(name).cloned().ok_or_else(|| model(format!("input '{name}' is not computed before it is used")))
    }

    fn optional_input(&self, node: &NodeProto, i: usize) -> Result<Option<Tensor>, ZkmlError> {
        match node.input.get(i) {
            Some(name) if !name.is_empty() => self.input(node, i).map(Some),
            _ => Ok(None),
        }
    }

    fn param(&mut self, value: f64, is_bias: bool) -> u32 {
        self.params.push(Param { value, is_bias });
        (self.params.len() - 1) as u32
    }

    fn push_layer(&mut self, source: &NodeProto, neurons: Vec<Neuron>, activation: Activation, shape: Vec<usize>) {
        let first = self.next_value;
        self.next_value += neurons.len() as u32;
        self.layers.push(Layer { source: describe(source), neurons, activation });
        let out = &source.output[0];
        self.env.insert(out.clone(), Tensor::Values { shape, ids: (first..self.next_value).collect() });
        if activation == Activation::Identity {
            self.producer.insert(out.clone(), self.layers.len() - 1);
        }
    }

    /// The layer that produced `node`'s input `i`, when it may be changed in place.
    fn foldable(&self, node: &NodeProto, i: usize) -> Option<usize> {
        let name = &node.input[i];
        (self.uses.get(name) == Some(&1)).then(|| self.producer.get(name).copied()).flatten()
    }

    fn alias(&mut self, node: &NodeProto, tensor: Tensor, layer: Option<usize>) {
        let out = node.output[0].clone();
        self.env.insert(out.clone(), tensor);
        if let Some(layer) = layer {
            self.producer.insert(out, layer);
        }
    }

    /// `node` was folded into `layer` (changed in place): its output is the layer's.
    fn folded_into(&mut self, layer: usize, node: &NodeProto, shape: Vec<usize>, ids: Vec<u32>) {
        self.layers[layer].source += &format!(" + {}", describe(node));
        self.alias(node, Tensor::Values { shape, ids }, Some(layer));
    }

    fn node(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        if node.output.is_empty() {
            return Err(model("no output".into()));
        }
        match node.op_type.as_str() {
            "Identity" | "Dropout" => {
                let x = self.input(node, 0)?;
                let layer = self.foldable(node, 0);
                self.alias(node, x, layer);
            }
            "Constant" => {
                let t = node
                    .attribute
                    .iter()
                    .find(|a| a.name == "value")
                    .and_then(|a| a.t.as_ref())
                    .ok_or_else(|| model("only the tensor 'value' form is supported".into()))?;
                let (shape, data) = tensor_data(t)?;
                self.env.insert(node.output[0].clone(), Tensor::Constant { shape, data });
            }
            "Flatten" => {
                let (shape, ids) = values(self.input(node, 0)?)?;
                let axis = attr_int(node, "axis").unwrap_or(1);
                let axis = if axis < 0 { axis + shape.len() as i64 } else { axis } as usize;
                if axis > shape.len() {
                    return Err(model(format!("axis {axis} out of range")));
                }
                let new = vec![shape[..axis].iter().product(), shape[axis..].iter().product()];
                let layer = self.foldable(node, 0);
                self.alias(node, Tensor::Values { shape: new, ids }, layer);
            }
            "Reshape" => {
                let (shape, ids) = values(self.input(node, 0)?)?;
                let Tensor::Constant { data: target, .. } = self.input(node, 1)? else {
                    return Err(model("the target shape must be a constant".into()));
                };
                let new = reshape(&shape, &target)?;
                let layer = self.foldable(node, 0);
                self.alias(node, Tensor::Values { shape: new, ids }, layer);
            }
            "Relu" | "Sigmoid" => {
                let activation = if node.op_type == "Relu" { Activation::Relu } else { Activation::Sigmoid };
                let (shape, ids) = values(self.input(node, 0)?)?;
                if let Some(layer) = self.foldable(node, 0) {
                    self.layers[layer].activation = activation;
                    self.layers[layer].source += &format!(" + {}", describe(node));
                    self.alias(node, Tensor::Values { shape, ids }, None);
                } else {
                    let neurons =
                        ids.iter().map(|&v| Neuron { terms: vec![(v, Weight::Const(1.0))], bias: None }).collect();
                    self.push_layer(node, neurons, activation, shape);
                }
            }
            "Add" | "Sub" => self.add_sub(node)?,
            "Mul" => self.mul(node)?,
            "Gemm" => self.gemm(node)?,
            "MatMul" => self.matmul(node)?,
            "Conv" => self.conv(node)?,
            "AveragePool" => self.average_pool(node)?,
            other => return Err(ZkmlError::Unsupported(vec![format!("{other} (node '{}')", node.name)])),
        }
        Ok(())
    }

    fn add_sub(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let sign = if node.op_type == "Sub" { -1.0 } else { 1.0 };
        let (a, b) = (self.input(node, 0)?, self.input(node, 1)?);
        match (a, b) {
            (Tensor::Values { shape, ids }, Tensor::Constant { shape: cs, data }) => {
                let c = broadcast(&cs, &data, &shape)?;
                self.add_constant(node, 0, shape, ids, c.iter().map(|c| sign * c).collect());
            }
            (Tensor::Constant { shape: cs, data }, Tensor::Values { shape, ids }) => {
                // c - x: negate x, then add c.
                let c = broadcast(&cs, &data, &shape)?;
                let neurons = ids
                    .iter()
                    .zip(&c)
                    .map(|(&v, &c)| Neuron { terms: vec![(v, Weight::Const(sign))], bias: Some(self.param(c, true)) })
                    .collect();
                self.push_layer(node, neurons, Activation::Identity, shape);
            }
            (Tensor::Values { shape, ids: x }, Tensor::Values { shape: shape_b, ids: y }) => {
                if shape != shape_b {
                    return Err(model(format!("computed tensors of shapes {shape:?} and {shape_b:?}: broadcasting between computed tensors is not supported")));
                }
                let neurons = x
                    .iter()
                    .zip(&y)
                    .map(|(&x, &y)| Neuron {
                        terms: vec![(x, Weight::Const(1.0)), (y, Weight::Const(sign))],
                        bias: None,
                    })
                    .collect();
                self.push_layer(node, neurons, Activation::Identity, shape);
            }
            _ => return Err(model("constant-only arithmetic is not supported; fold it when exporting".into())),
        }
        Ok(())
    }

    /// `x + c`, folded into the layer producing `x` when possible.
    fn add_constant(&mut self, node: &NodeProto, input: usize, shape: Vec<usize>, ids: Vec<u32>, c: Vec<f64>) {
        if let Some(layer) = self.foldable(node, input) {
            for (i, c) in c.into_iter().enumerate() {
                let old = self.layers[layer].neurons[i].bias.map_or(0.0, |b| self.params[b as usize].value);
                let bias = self.param(old + c, true);
                self.layers[layer].neurons[i].bias = Some(bias);
            }
            self.folded_into(layer, node, shape, ids);
        } else {
            let neurons = ids
                .iter()
                .zip(&c)
                .map(|(&v, &c)| Neuron { terms: vec![(v, Weight::Const(1.0))], bias: Some(self.param(c, true)) })
                .collect();
            self.push_layer(node, neurons, Activation::Identity, shape);
        }
    }

    fn mul(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let (a, b) = (self.input(node, 0)?, self.input(node, 1)?);
        let (input, shape, ids, cs, data) = match (a, b) {
            (Tensor::Values { shape, ids }, Tensor::Constant { shape: cs, data }) => (0, shape, ids, cs, data),
            (Tensor::Constant { shape: cs, data }, Tensor::Values { shape, ids }) => (1, shape, ids, cs, data),
            (Tensor::Values { .. }, Tensor::Values { .. }) => {
                return Err(model("Mul of two computed tensors is not supported (only Mul by a constant)".into()))
            }
            _ => return Err(model("constant-only arithmetic is not supported; fold it when exporting".into())),
        };
        let c = broadcast(&cs, &data, &shape)?;
        if let Some(layer) = self.foldable(node, input) {
            for (i, c) in c.into_iter().enumerate() {
                let neuron = self.layers[layer].neurons[i].clone();
                let terms = neuron
                    .terms
                    .iter()
                    .map(|&(v, w)| {
                        let value = match w {
                            Weight::Param(p) => self.params[p as usize].value,
                            Weight::Const(k) => k,
                        };
                        (v, Weight::Param(self.param(value * c, false)))
                    })
                    .collect();
                let bias = neuron.bias.map(|b| {
                    let value = self.params[b as usize].value;
                    self.param(value * c, true)
                });
                self.layers[layer].neurons[i] = Neuron { terms, bias };
            }
            self.folded_into(layer, node, shape, ids);
        } else {
            let neurons = ids
                .iter()
                .zip(&c)
                .map(|(&v, &c)| Neuron { terms: vec![(v, Weight::Param(self.param(c, false)))], bias: None })
                .collect();
            self.push_layer(node, neurons, Activation::Identity, shape);
        }
        Ok(())
    }

    /// `y = x · W + c` for a row vector `x` of length `k` and `W[k][n]`
    /// given by `w(k, n)`.
    fn dense(
        &mut self,
        node: &NodeProto,
        ids: &[u32],
        n: usize,
        w: impl Fn(usize, usize) -> f64,
        bias: Option<Vec<f64>>,
        shape: Vec<usize>,
    ) {
        let weights: Vec<Vec<u32>> =
            (0..n).map(|j| (0..ids.len()).map(|i| self.param(w(i, j), false)).collect()).collect();
        let neurons = (0..n)
            .map(|j| Neuron {
                terms: ids.iter().zip(&weights[j]).map(|(&v, &p)| (v, Weight::Param(p))).collect(),
                bias: bias.as_ref().map(|b| self.param(b[j], true)),
            })
            .collect();
        self.push_layer(node, neurons, Activation::Identity, shape);
    }

    fn gemm(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let (shape, ids) = values(self.input(node, 0)?)?;
        if attr_int(node, "transA").unwrap_or(0) != 0 {
            return Err(model("transA = 1 is not supported".into()));
        }
        if shape.len() != 2 || shape[0] != 1 {
            return Err(model(format!("input A of shape {shape:?}; [1, K] is supported")));
        }
        let Tensor::Constant { shape: bs, data: b } = self.input(node, 1)? else {
            return Err(model("B must be a constant (the weights)".into()));
        };
        let trans_b = attr_int(node, "transB").unwrap_or(0) != 0;
        let k = shape[1];
        let (bk, bn) = match bs[..] {
            [r, c] if trans_b => (c, r),
            [r, c] => (r, c),
            _ => return Err(model(format!("B of shape {bs:?}; 2-D is supported"))),
        };
        if bk != k {
            return Err(model(format!("A has {k} columns but B has {bk} rows")));
        }
        let alpha = attr_float(node, "alpha").unwrap_or(1.0);
        let beta = attr_float(node, "beta").unwrap_or(1.0);
        let bias = match self.optional_input(node, 2)? {
            Some(Tensor::Constant { shape: cs, data }) => {
                Some(broadcast(&cs, &data, &[bn])?.into_iter().map(|c| beta * c).collect())
            }
            Some(Tensor::Values { .. }) => return Err(model("C must be a constant".into())),
            None => None,
        };
        let w = |i: usize, j: usize| alpha * if trans_b { b[j * bk + i] } else { b[i * bn + j] };
        self.dense(node, &ids, bn, w, bias, vec![1, bn]);
        Ok(())
    }

    fn matmul(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let (shape, ids) = match self.input(node, 0)? {
            Tensor::Values { shape, ids } => (shape, ids),
            Tensor::Constant { .. } => {
                return Err(model("a constant left operand is not supported; put the computed tensor first".into()))
            }
        };
        let Tensor::Constant { shape: bs, data: b } = self.input(node, 1)? else {
            return Err(model("the right operand must be a constant (the weights)".into()));
        };
        let k = *shape.last().ok_or_else(|| model("scalar input".into()))?;
        if shape.iter().rev().skip(1).any(|&d| d != 1) {
            return Err(model(format!("input of shape {shape:?}; a single row is supported")));
        }
        let [bk, bn] = bs[..] else { return Err(model(format!("weights of shape {bs:?}; 2-D is supported"))) };
        if bk != k {
            return Err(model(format!("input has {k} columns but the weights have {bk} rows")));
        }
        let mut out_shape = shape.clone();
        *out_shape.last_mut().expect("non-empty") = bn;
        self.dense(node, &ids, bn, |i, j| b[i * bn + j], None, out_shape);
        Ok(())
    }

    fn conv(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let (shape, ids) = values(self.input(node, 0)?)?;
        let [1, c_in, h, w] = shape[..] else {
            return Err(model(format!("input of shape {shape:?}; [1, C, H, W] is supported")));
        };
        let Tensor::Constant { shape: ks, data: kernel } = self.input(node, 1)? else {
            return Err(model("the kernel must be a constant".into()));
        };
        let [m, kc, kh, kw] = ks[..] else { return Err(model(format!("kernel of shape {ks:?}"))) };
        if attr_int(node, "group").unwrap_or(1) != 1 || kc != c_in {
            return Err(model("grouped convolutions are not supported".into()));
        }
        if attr_string(node, "auto_pad").is_some_and(|p| p != "NOTSET") {
            return Err(model("auto_pad is not supported; give explicit pads".into()));
        }
        let window = Window::new(node, [h, w], [kh, kw])?;
        let bias = match self.optional_input(node, 2)? {
            Some(Tensor::Constant { data, .. }) if data.len() == m => Some(data),
            Some(_) => return Err(model("the bias must be a constant of one value per output channel".into())),
            None => None,
        };
        let kernel_params: Vec<u32> = kernel.iter().map(|&k| self.param(k, false)).collect();
        let bias_params: Option<Vec<u32>> = bias.map(|b| b.iter().map(|&b| self.param(b, true)).collect());
        let [oh, ow] = window.out;
        let mut neurons = Vec::with_capacity(m * oh * ow);
        for out_c in 0..m {
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut terms = Vec::new();
                    for in_c in 0..c_in {
                        for (ky, kx, iy, ix) in window.taps(oy, ox) {
                            let v = ids[(in_c * h + iy) * w + ix];
                            terms.push((v, Weight::Param(kernel_params[((out_c * c_in + in_c) * kh + ky) * kw + kx])));
                        }
                    }
                    neurons.push(Neuron { terms, bias: bias_params.as_ref().map(|b| b[out_c]) });
                }
            }
        }
        self.push_layer(node, neurons, Activation::Identity, vec![1, m, oh, ow]);
        Ok(())
    }

    fn average_pool(&mut self, node: &NodeProto) -> Result<(), ZkmlError> {
        let (shape, ids) = values(self.input(node, 0)?)?;
        let [1, c, h, w] = shape[..] else {
            return Err(model(format!("input of shape {shape:?}; [1, C, H, W] is supported")));
        };
        let kernel = attr_ints(node, "kernel_shape").ok_or_else(|| model("kernel_shape is required".into()))?;
        let [kh, kw] = kernel[..] else { return Err(model("a 2-D kernel_shape is required".into())) };
        if attr_int(node, "ceil_mode").unwrap_or(0) != 0 {
            return Err(model("ceil_mode = 1 is not supported".into()));
        }
        let include_pad = attr_int(node, "count_include_pad").unwrap_or(0) != 0;
        let window = Window::new(node, [h, w], [kh as usize, kw as usize])?;
        let [oh, ow] = window.out;
        let mut neurons = Vec::with_capacity(c * oh * ow);
        for ch in 0..c {
            for oy in 0..oh {
                for ox in 0..ow {
                    let taps: Vec<_> = window.taps(oy, ox).collect();
                    let count = if include_pad { (kh * kw) as usize } else { taps.len() };
                    let terms = taps
                        .iter()
                        .map(|&(_, _, iy, ix)| (ids[(ch * h + iy) * w + ix], Weight::Const(1.0 / count as f64)))
                        .collect();
                    neurons.push(Neuron { terms, bias: None });
                }
            }
        }
        self.push_layer(node, neurons, Activation::Identity, vec![1, c, oh, ow]);
        Ok(())
    }
}

/// The sliding window of a 2-D convolution or pooling.
struct Window {
    input: [usize; 2],
    kernel: [usize; 2],
    strides: [usize; 2],
    dilations: [usize; 2],
    pads: [usize; 2],
    out: [usize; 2],
}

impl Window {
    fn new(node: &NodeProto, input: [usize; 2], kernel: [usize; 2]) -> Result<Self, ZkmlError> {
        let pair = |name: &str, default: usize| -> Result<[usize; 2], ZkmlError> {
            match attr_ints(node, name).as_deref() {
                None => Ok([default; 2]),
                Some([a, b]) if *a >= 0 && *b >= 0 => Ok([*a as usize, *b as usize]),
                Some(other) => Err(model(format!("{name} = {other:?}; two non-negative values are supported"))),
            }
        };
        let strides = pair("strides", 1)?;
        let dilations = pair("dilations", 1)?;
        let pads = match attr_ints(node, "pads").as_deref() {
            None => [0; 4],
            Some(&[t, l, b, r]) if t >= 0 && l >= 0 && b >= 0 && r >= 0 => {
                [t as usize, l as usize, b as usize, r as usize]
            }
            Some(other) => return Err(model(format!("pads = {other:?}"))),
        };
        if strides.contains(&0) || dilations.contains(&0) {
            return Err(model("zero stride or dilation".into()));
        }
        let mut out = [0; 2];
        for d in 0..2 {
            let span = (kernel[d] - 1) * dilations[d] + 1;
            let padded = input[d] + pads[d] + pads[d + 2];
            if kernel[d] == 0 || span > padded {
                return Err(model("the kernel is larger than the padded input".into()));
            }
            out[d] = (padded - span) / strides[d] + 1;
        }
        Ok(Self { input, kernel, strides, dilations, pads: [pads[0], pads[1]], out })
    }

    /// `(ky, kx, iy, ix)` of the kernel taps that fall inside the input.
    fn taps(&self, oy: usize, ox: usize) -> impl Iterator<Item = (usize, usize, usize, usize)> + '_ {
        let (ys, xs) = (0..self.kernel[0], 0..self.kernel[1]);
        ys.flat_map(move |ky| xs.clone().map(move |kx| (ky, kx))).filter_map(move |(ky, kx)| {
            let iy = (oy * self.strides[0] + ky * self.dilations[0]).checked_sub(self.pads[0])?;
            let ix = (ox * self.strides[1] + kx * self.dilations[1]).checked_sub(self.pads[1])?;
            (iy < self.input[0] && ix < self.input[1]).then_some((ky, kx, iy, ix))
        })
    }
}

/// Drops parameters no layer uses (replaced by folding) and renumbers.
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

fn model(msg: String) -> ZkmlError {
    ZkmlError::Model(msg)
}

fn values(t: Tensor) -> Result<(Vec<usize>, Vec<u32>), ZkmlError> {
    match t {
        Tensor::Values { shape, ids } => Ok((shape, ids)),
        Tensor::Constant { .. } => Err(model("a computed input is expected, not a constant".into())),
    }
}

fn value_shape(info: &pb::ValueInfoProto) -> Result<Vec<usize>, ZkmlError> {
    let Some(type_proto::Value::TensorType(t)) = info.r#type.as_ref().and_then(|t| t.value.as_ref()) else {
        return Err(model(format!("input '{}' is not a tensor", info.name)));
    };
    let dims = t.shape.as_ref().map(|s| s.dim.as_slice()).unwrap_or_default();
    // Symbolic dimensions (a batch size) are taken as 1.
    dims.iter()
        .map(|d| match d.value {
            Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) if v > 0 => Ok(v as usize),
            Some(pb::tensor_shape_proto::dimension::Value::DimValue(v)) => {
                Err(model(format!("input '{}' has dimension {v}", info.name)))
            }
            _ => Ok(1),
        })
        .collect()
}

fn tensor_data(t: &pb::TensorProto) -> Result<(Vec<usize>, Vec<f64>), ZkmlError> {
    let tensor = tract_onnx::tensor::load_tensor(&FopenDataResolver, t, None)
        .map_err(|e| model(format!("tensor '{}': {e}", t.name)))?;
    let data = tensor
        .cast_to::<f64>()
        .map_err(|e| model(format!("tensor '{}' is not numeric: {e}", t.name)))?
        .as_slice::<f64>()
        .map_err(|e| model(format!("tensor '{}': {e}", t.name)))?
        .to_vec();
    Ok((tensor.shape().to_vec(), data))
}

/// `data` of `shape` broadcast (numpy rules) to `target`.
fn broadcast(shape: &[usize], data: &[f64], target: &[usize]) -> Result<Vec<f64>, ZkmlError> {
    if shape.len() > target.len() {
        return Err(model(format!("cannot broadcast {shape:?} to {target:?}")));
    }
    let offset = target.len() - shape.len();
    for (i, &d) in shape.iter().enumerate() {
        if d != 1 && d != target[offset + i] {
            return Err(model(format!("cannot broadcast {shape:?} to {target:?}")));
        }
    }
    let total: usize = target.iter().product();
    let mut out = Vec::with_capacity(total);
    for flat in 0..total {
        let (mut rem, mut src, mut stride) = (flat, 0, 1);
        for axis in (0..target.len()).rev() {
            let idx = rem % target[axis];
            rem /= target[axis];
            if axis >= offset {
                let d = shape[axis - offset];
                if d != 1 {
                    src += idx * stride;
                }
                stride *= d;
            }
        }
        out.push(data[src]);
    }
    Ok(out)
}

fn reshape(shape: &[usize], target: &[f64]) -> Result<Vec<usize>, ZkmlError> {
    let total: usize = shape.iter().product();
    let mut out = Vec::with_capacity(target.len());
    let mut infer = None;
    for (i, &d) in target.iter().enumerate() {
        match d as i64 {
            -1 if infer.is_none() => {
                infer = Some(i);
                out.push(1);
            }
            0 => out.push(*shape.get(i).ok_or_else(|| model("0 in the shape beyond the input's rank".into()))?),
            d if d > 0 => out.push(d as usize),
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

fn attr_int(node: &NodeProto, name: &str) -> Option<i64> {
    attr(node, name).map(|a| a.i)
}

fn attr_float(node: &NodeProto, name: &str) -> Option<f64> {
    attr(node, name).map(|a| a.f as f64)
}

fn attr_ints(node: &NodeProto, name: &str) -> Option<Vec<i64>> {
    attr(node, name).map(|a| a.ints.clone())
}

fn attr_string(node: &NodeProto, name: &str) -> Option<String> {
    attr(node, name).map(|a| String::from_utf8_lossy(&a.s).into_owned())
}
