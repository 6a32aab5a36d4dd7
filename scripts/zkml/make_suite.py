#!/usr/bin/env python3
"""Builds the zkML operator suite: small ONNX models that cover every operator the
lowering accepts, alone and in combination (some in PyTorch's export style, with
shape arithmetic), and the named ones (LeNet-5 with BatchNormalization and MaxPool,
a ResNet basic block, a MobileNet depthwise-separable block, an MLP 784-256-128-10).

    python3 scripts/zkml/make_suite.py [--out zkml/models/suite] [--only NAME ...]

Needs numpy, onnx and onnxruntime (PyPI), and for the tree ensembles scikit-learn and skl2onnx. Deterministic: every model is seeded by its
name. Weights are random (He-style scale), not trained: the suite tests the
lowering and the circuit, not accuracy. For each model it writes NAME.onnx,
NAME.calibration.json (16 inputs), NAME.input.json (one more input, with
onnxruntime's outputs as "reference" so that models tract cannot run still have
an independent float reference) and suite.json (the list, with the operators each
model uses).
"""
import argparse
import json
import os
import zlib

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


class Graph:
    def __init__(self, name, seed, opset=13):
        self.name, self.opset = name, opset
        self.rng = np.random.default_rng(seed)
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self.count = 0
        self.ranges = {}
        # A model made by another exporter (sklearn-onnx) instead of the nodes above.
        self.exported = None
        # (sklearn's predict, inputs) that a hand-exported tree ensemble must match.
        self.sklearn_check = None

    def fresh(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def input(self, shape, low=-1.0, high=1.0, name=None, dtype=TensorProto.FLOAT):
        name = name or f"input{len(self.inputs)}"
        self.inputs.append(helper.make_tensor_value_info(name, dtype, shape))
        self.ranges[name] = (low, high, shape, dtype)
        return name

    def const(self, array, dtype=np.float32, prefix="c"):
        name = self.fresh(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(array, dtype=dtype), name))
        return name

    def weight(self, shape, fan_in=None, scale=1.0):
        fan_in = fan_in or int(np.prod(shape[1:])) or 1
        return self.const(self.rng.normal(0, scale * np.sqrt(2.0 / fan_in), shape))

    def bias(self, n, scale=0.1):
        return self.const(self.rng.normal(0, scale, n))

    def op(self, op_type, inputs, outputs=1, **attrs):
        names = [self.fresh(op_type.lower()) for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, name=self.fresh(op_type + "_"), **attrs))
        return names[0] if outputs == 1 else names

    def conv(self, x, c_in, c_out, k=3, group=1, **attrs):
        """A 2-D convolution with every attribute written out, as PyTorch exports it (EZKL
        needs `strides`; `conv1d` keeps ONNX's defaults tested)."""
        w = self.weight([c_out, c_in // group, k, k], fan_in=c_in // group * k * k)
        if "auto_pad" not in attrs:
            attrs.setdefault("pads", [0, 0, 0, 0])
        attrs.setdefault("strides", [1, 1])
        attrs.setdefault("dilations", [1, 1])
        return self.op("Conv", [x, w, self.bias(c_out)], kernel_shape=[k, k], group=group, **attrs)

    def max_pool(self, x, k=2):
        """PyTorch's `MaxPool2d(k)`, attributes written out."""
        return self.op("MaxPool", [x], kernel_shape=[k, k], strides=[k, k], pads=[0, 0, 0, 0], ceil_mode=0)

    def bn(self, x, c):
        scale = self.const(self.rng.uniform(0.5, 1.5, c))
        shift = self.const(self.rng.normal(0, 0.1, c))
        mean = self.const(self.rng.normal(0, 0.1, c))
        var = self.const(self.rng.uniform(0.5, 2.0, c))
        return self.op("BatchNormalization", [x, scale, shift, mean, var], epsilon=1e-5)

    def gemm(self, x, k, n, **attrs):
        return self.op("Gemm", [x, self.weight([n, k], fan_in=k), self.bias(n)], transB=1, **attrs)

    def torch_flatten(self, x):
        """PyTorch's `x.view(x.size(0), -1)`: Shape, Gather, Unsqueeze, Concat, Reshape."""
        shape = self.op("Shape", [x])
        batch = self.op("Gather", [shape, self.const(0, np.int64)], axis=0)
        if self.opset >= 13:
            batch = self.op("Unsqueeze", [batch, self.const([0], np.int64)])
        else:
            batch = self.op("Unsqueeze", [batch], axes=[0])
        target = self.op("Concat", [batch, self.const([-1], np.int64)], axis=0)
        return self.op("Reshape", [x, target])

    def output(self, name, shape=None):
        self.outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))

    def model(self):
        if self.exported is not None:
            self.exported.ir_version = 8
            onnx.checker.check_model(self.exported)
            return self.exported
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", self.opset)],
                                  producer_name="zkaccel make_suite.py")
        model.ir_version = 8
        model = onnx.shape_inference.infer_shapes(model)
        onnx.checker.check_model(model)
        return model

    def sample(self, rng):
        out = []
        for i in self.inputs:
            low, high, shape, dtype = self.ranges[i.name]
            n = int(np.prod(shape))
            if dtype == TensorProto.FLOAT:
                out.extend(rng.uniform(low, high, n).tolist())
            else:
                out.extend(float(v) for v in rng.integers(int(low), int(high) + 1, n))
        return out


MODELS = {}


def model(fn):
    MODELS[fn.__name__] = fn
    return fn


# ---- plumbing -------------------------------------------------------------------------

@model
def reshape_only(g):
    """A model whose output is its input, reshaped: computes nothing."""
    x = g.input([1, 2, 3])
    g.output(g.op("Reshape", [x, g.const([3, 2], np.int64)]))


@model
def transpose_flatten(g):
    x = g.input([1, 3, 4, 2])
    t = g.op("Transpose", [x], perm=[0, 3, 1, 2])
    f = g.op("Flatten", [t], axis=1)
    g.output(g.gemm(f, 24, 5))


@model
def torch_shape_arithmetic(g):
    """PyTorch-style flatten and a reshape whose target is computed with Cast, Div and Mul."""
    x = g.input([1, 2, 4, 4])
    c = g.conv(x, 2, 4, pads=[1, 1, 1, 1])
    f = g.torch_flatten(c)
    shape = g.op("Shape", [c])
    channels = g.op("Gather", [shape, g.const([1], np.int64)], axis=0)
    half = g.op("Div", [g.op("Cast", [channels], to=TensorProto.INT64), g.const([2], np.int64)])
    rest = g.op("Mul", [half, g.const([32], np.int64)])
    target = g.op("Concat", [g.const([1], np.int64), rest], axis=0)
    r = g.op("Reshape", [c, target])
    g.output(g.gemm(f, 64, 3))
    g.output(g.gemm(r, 64, 2))


@model
def expand_tile_constant_of_shape(g):
    x = g.input([1, 4])
    row = g.op("ConstantOfShape", [g.const([1, 4], np.int64)],
               value=numpy_helper.from_array(np.array([0.5], np.float32)))
    shift = g.op("Expand", [g.const([[0.1], [0.2]]), g.const([2, 4], np.int64)])
    tiled = g.op("Tile", [x, g.const([2, 1], np.int64)])
    y = g.op("Add", [g.op("Add", [tiled, shift]), row])
    idx = g.op("Range", [g.const(0, np.int64), g.const(4, np.int64), g.const(2, np.int64)])
    picked = g.op("Gather", [y, idx], axis=1)
    g.output(g.op("Relu", [picked]))


@model
def slice_split_concat(g):
    x = g.input([1, 6, 4])
    a = g.op("Slice", [x, g.const([1, 0], np.int64), g.const([5, 4], np.int64), g.const([1, 2], np.int64),
                       g.const([1, 1], np.int64)])
    b = g.op("Slice", [x, g.const([-1], np.int64), g.const([-7], np.int64), g.const([1], np.int64),
                       g.const([-2], np.int64)])
    p, q = g.op("Split", [a, g.const([1, 3], np.int64)], outputs=2, axis=1)
    sq = g.op("Squeeze", [p, g.const([1], np.int64)])
    un = g.op("Unsqueeze", [sq, g.const([1], np.int64)])
    cat = g.op("Concat", [un, q, b], axis=1)
    g.output(g.op("Relu", [g.op("Flatten", [cat])]))


@model
def pad_modes(g):
    x = g.input([1, 1, 4, 4])
    a = g.op("Pad", [x, g.const([0, 0, 1, 1, 0, 0, 1, 1], np.int64), g.const(0.25)], mode="constant")
    b = g.op("Pad", [x, g.const([0, 0, 1, 2, 0, 0, 1, 0], np.int64)], mode="reflect")
    c = g.op("Pad", [x, g.const([0, 0, 2, 0, 0, 0, 0, 2], np.int64)], mode="edge")
    cat = g.op("Concat", [a, b, c], axis=1)
    g.output(g.conv(cat, 3, 2))


@model
def gather_constant_indices(g):
    x = g.input([1, 5, 3])
    rows = g.op("Gather", [x, g.const([[4, 0], [2, 2]], np.int64)], axis=1)
    cols = g.op("Gather", [rows, g.const([-1, 0], np.int64)], axis=3)
    g.output(g.op("Relu", [g.op("Flatten", [cols])]))


@model
def resize_nearest(g):
    x = g.input([1, 2, 3, 3])
    up = g.op("Resize", [x, "", g.const([1, 1, 2, 2])], mode="nearest")
    sized = g.op("Resize", [x, "", "", g.const([1, 2, 4, 5], np.int64)], mode="nearest",
                 coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    g.output(g.conv(up, 2, 2))
    g.output(g.op("Relu", [sized]))


@model
def two_inputs_two_outputs(g):
    x = g.input([1, 8])
    y = g.input([1, 8], 0.0, 2.0)
    s = g.op("Sub", [x, y])
    h = g.op("Relu", [g.gemm(s, 8, 6)])
    g.output(g.gemm(h, 6, 3))
    g.output(g.op("Add", [g.op("MatMul", [y, g.weight([8, 2])]), g.const([0.5, -0.5])]))


@model
def integer_and_boolean_inputs(g):
    """An integer and a boolean input beside a float one; casts of computed values to integers
    (truncation) and booleans (x != 0)."""
    x = g.input([1, 4])
    counts = g.input([1, 4], 0, 5, dtype=TensorProto.INT64)
    mask = g.input([1, 4], 0, 1, dtype=TensorProto.BOOL)
    cat = g.op("Concat", [x, g.op("Cast", [counts], to=TensorProto.FLOAT), g.op("Cast", [mask], to=TensorProto.FLOAT)],
               axis=1)
    y = g.gemm(cat, 12, 4)
    g.output(y)
    g.output(g.op("Cast", [g.op("Cast", [g.op("Mul", [y, g.const(3.0)])], to=TensorProto.INT64)], to=TensorProto.FLOAT))
    g.output(g.op("Cast", [g.op("Cast", [g.op("Floor", [y])], to=TensorProto.BOOL)], to=TensorProto.FLOAT))


@model
def torch_shape_logic(g):
    """Shape arithmetic as exporters write it around a reshape: Size, Equal/Where on the shape,
    comparisons, Not/And/Or, Mod, CastLike, Identity, Dropout and a Constant node."""
    g.opset = 15
    x = g.input([1, 2, 3, 4])
    shape = g.op("Shape", [x])
    size = g.op("Size", [x])
    last = g.op("Gather", [shape, g.const([3], np.int64)], axis=0)
    is_one = g.op("Equal", [shape, g.const([1, 1, 1, 1], np.int64)])
    # Where the dimension is 1 keep it, else -1 for the first such: [1, 2, 3, 4] -> [1, -1, 4].
    keep = g.op("Where", [is_one, shape, g.const([1, 1, 1, 1], np.int64)])
    big = g.op("Greater", [shape, g.const(2, np.int64)])
    small = g.op("Less", [shape, g.const(3, np.int64)])
    both = g.op("And", [g.op("Not", [big]), small])
    within = g.op("And", [g.op("LessOrEqual", [shape, g.const(3, np.int64)]),
                          g.op("GreaterOrEqual", [shape, g.const(2, np.int64)])])
    either = g.op("Or", [g.op("Or", [both, big]), within])
    odd = g.op("Mod", [size, g.const(2, np.int64)])
    seven = g.op("Constant", [], value=numpy_helper.from_array(np.array([7], np.int64)))
    like = g.op("CastLike", [odd, seven])
    head = g.op("Gather", [keep, g.const([0], np.int64)], axis=0)
    target = g.op("Concat", [head, g.op("Add", [like, g.const([-1], np.int64)]), last], axis=0)
    flags = g.op("Cast", [either], to=TensorProto.FLOAT)
    y = g.op("Reshape", [g.op("Dropout", [g.op("Identity", [x])]), target])
    g.output(g.op("Mul", [g.op("Relu", [y]), g.op("Unsqueeze", [g.op("Gather", [flags, g.const([3], np.int64)], axis=0),
                                                                g.const([0, 1], np.int64)])]), [1, 6, 4])


@model
def upsample_opset9(g):
    g.opset = 9
    x = g.input([1, 2, 2, 3])
    u = g.op("Upsample", [x, g.const([1.0, 1.0, 2.0, 3.0])], mode="nearest")
    g.output(g.op("Relu", [u]))


@model
def gelu_opset20(g):
    g.opset = 20
    x = g.input([1, 8], -3.0, 3.0)
    g.output(g.op("Gelu", [x]))
    g.output(g.op("Gelu", [x], approximate="tanh"))


# ---- linear ---------------------------------------------------------------------------

@model
def conv_batchnorm(g):
    x = g.input([1, 3, 6, 6])
    g.output(g.bn(g.conv(x, 3, 4, pads=[1, 1, 1, 1]), 4))


@model
def mul_div_neg_constants(g):
    x = g.input([1, 3, 4])
    y = g.op("Mul", [x, g.const(g.rng.uniform(0.5, 2, [3, 1]))])
    y = g.op("Div", [y, g.const([2.0, 4.0, -3.0, 0.5])])
    y = g.op("Neg", [g.op("Sub", [g.const(1.0), y])])
    g.output(g.op("Relu", [y]))


@model
def reduce_sum_mean(g):
    x = g.input([1, 3, 4, 5])
    a = g.op("ReduceSum", [x, g.const([2], np.int64)], keepdims=0)
    b = g.op("ReduceMean", [x], axes=[1, 3], keepdims=1)
    g.output(a)
    g.output(b)


@model
def global_average_pool(g):
    x = g.input([1, 4, 5, 5])
    c = g.op("Relu", [g.conv(x, 4, 6)])
    g.output(g.op("Flatten", [g.op("GlobalAveragePool", [c])]))


@model
def average_pool_padding(g):
    x = g.input([1, 2, 7, 7])
    a = g.op("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=0)
    b = g.op("AveragePool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], count_include_pad=1)
    c = g.op("AveragePool", [x], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    g.output(a)
    g.output(b)
    g.output(c)


@model
def conv_stride_dilation_autopad(g):
    x = g.input([1, 2, 9, 9])
    a = g.conv(x, 2, 3, strides=[2, 2], dilations=[2, 2], pads=[2, 1, 0, 1])
    b = g.conv(x, 2, 2, auto_pad="SAME_UPPER", strides=[2, 2])
    g.output(g.op("Relu", [a]))
    g.output(b)


@model
def conv_depthwise_groups(g):
    x = g.input([1, 4, 6, 6])
    d = g.conv(x, 4, 4, group=4, pads=[1, 1, 1, 1])
    gr = g.conv(d, 4, 6, group=2)
    g.output(gr)


@model
def conv_transpose(g):
    x = g.input([1, 3, 4, 4])
    w = g.weight([3, 2, 3, 3], fan_in=27)
    a = g.op("ConvTranspose", [x, w, g.bias(2)], strides=[2, 2], pads=[1, 1, 0, 0], output_padding=[1, 1])
    w2 = g.weight([3, 1, 2, 2], fan_in=12)
    b = g.op("ConvTranspose", [x, w2], group=3, strides=[2, 2])
    g.output(g.op("Relu", [a]))
    g.output(b)


@model
def conv1d(g):
    x = g.input([1, 3, 12])
    w = g.weight([4, 3, 3], fan_in=9)
    c = g.op("Conv", [x, w, g.bias(4)], kernel_shape=[3], pads=[1, 1], strides=[2])
    p = g.op("MaxPool", [g.op("Relu", [c])], kernel_shape=[2], strides=[2])
    g.output(g.op("Flatten", [p]))


@model
def gemm_attributes(g):
    x = g.input([3, 4])
    a = g.op("Gemm", [x, g.weight([3, 5], fan_in=3), g.bias([1, 5])], transA=1, alpha=0.5, beta=2.0)
    b = g.op("Gemm", [g.weight([2, 3], fan_in=3), x], alpha=1.5)
    g.output(a)
    g.output(b)


@model
def matmul_batched(g):
    x = g.input([2, 3, 4])
    a = g.op("MatMul", [x, g.weight([4, 5], fan_in=4)])
    b = g.op("MatMul", [g.weight([2, 2, 3], fan_in=3), x])
    c = g.op("MatMul", [x, g.weight([4], fan_in=4)])
    g.output(a)
    g.output(b)
    g.output(c)


@model
def residual_add_sub(g):
    x = g.input([1, 2, 5, 5])
    c = g.op("Relu", [g.conv(x, 2, 2, pads=[1, 1, 1, 1])])
    d = g.conv(c, 2, 2, pads=[1, 1, 1, 1])
    s = g.op("Add", [d, x])
    t = g.op("Sub", [s, g.op("Mul", [c, g.const(0.5)])])
    g.output(g.op("Relu", [t]))


@model
def sum_mean_variadic(g):
    x = g.input([1, 6])
    a = g.gemm(x, 6, 4)
    b = g.gemm(x, 6, 4)
    s = g.op("Sum", [a, b, g.const([1.0, 0.0, -1.0, 0.5])])
    m = g.op("Mean", [a, b, s])
    g.output(g.op("Relu", [m]))


# ---- piecewise linear ------------------------------------------------------------------

@model
def maxpool_padding_ceil(g):
    x = g.input([1, 2, 7, 7])
    a = g.op("MaxPool", [x], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    b = g.op("MaxPool", [x], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    c = g.op("MaxPool", [x], kernel_shape=[2, 2], dilations=[2, 2])
    g.output(a)
    g.output(b)
    g.output(c)


@model
def reduce_max_min_global_max(g):
    x = g.input([1, 3, 4, 4])
    a = g.op("ReduceMax", [x], axes=[2, 3], keepdims=0)
    b = g.op("ReduceMin", [x], axes=[1], keepdims=1)
    c = g.op("GlobalMaxPool", [x])
    g.output(a)
    g.output(b)
    g.output(c)


@model
def max_min_elementwise(g):
    x = g.input([1, 6])
    y = g.input([1, 6])
    a = g.op("Max", [x, y, g.const(-0.25)])
    b = g.op("Min", [x, g.gemm(y, 6, 6)])
    g.output(a)
    g.output(b)


@model
def clip_relu6(g):
    x = g.input([1, 8], -8.0, 8.0)
    a = g.op("Clip", [x, g.const(0.0), g.const(6.0)])
    b = g.op("Clip", [x, g.const(-1.0)])
    c = g.op("Clip", [x, "", g.const(2.5)])
    g.output(a)
    g.output(b)
    g.output(c)


@model
def leaky_relu_prelu(g):
    x = g.input([1, 3, 2, 2], -2.0, 2.0)
    a = g.op("LeakyRelu", [x], alpha=0.1)
    b = g.op("PRelu", [x, g.const([[[0.25]], [[0.5]], [[-0.5]]])])
    g.output(a)
    g.output(b)


@model
def hard_sigmoid(g):
    x = g.input([1, 10], -6.0, 6.0)
    g.output(g.op("HardSigmoid", [x], alpha=0.2, beta=0.5))


@model
def abs_sign(g):
    x = g.input([1, 8], -2.0, 2.0)
    g.output(g.op("Abs", [x]))
    g.output(g.op("Sign", [g.op("Sub", [x, g.const(0.25)])]))


@model
def argmax_argmin(g):
    x = g.input([1, 3, 5])
    a = g.op("ArgMax", [x], axis=2, keepdims=0)
    b = g.op("ArgMin", [x], axis=1, keepdims=1, select_last_index=1)
    g.output(g.op("Cast", [a], to=TensorProto.FLOAT))
    g.output(g.op("Cast", [b], to=TensorProto.FLOAT))


@model
def round_floor_ceil(g):
    x = g.input([1, 8], -3.0, 3.0)
    g.output(g.op("Floor", [x]))
    g.output(g.op("Ceil", [x]))
    g.output(g.op("Round", [g.op("Mul", [x, g.const(1.3)])]))


# ---- by table -------------------------------------------------------------------------

@model
def sigmoid_tanh(g):
    x = g.input([1, 8], -4.0, 4.0)
    h = g.op("Sigmoid", [g.gemm(x, 8, 8)])
    g.output(g.op("Tanh", [g.gemm(h, 8, 4)]))


@model
def exp_log(g):
    x = g.input([1, 8], -2.0, 2.0)
    e = g.op("Exp", [x])
    l = g.op("Log", [g.op("Add", [g.op("Relu", [x]), g.const(0.5)])])
    g.output(e)
    g.output(l)


@model
def sqrt_reciprocal(g):
    x = g.input([1, 8], -2.0, 2.0)
    s = g.op("Sqrt", [g.op("Add", [g.op("Abs", [x]), g.const(0.25)])])
    r = g.op("Reciprocal", [g.op("Add", [g.op("Relu", [x]), g.const(1.0)])])
    d = g.op("Div", [g.const(2.0), g.op("Add", [g.op("Relu", [x]), g.const(2.0)])])
    g.output(s)
    g.output(r)
    g.output(d)


@model
def erf_pow(g):
    x = g.input([1, 8], -2.0, 2.0)
    g.output(g.op("Erf", [x]))
    g.output(g.op("Pow", [x, g.const(2.0)]))
    g.output(g.op("Pow", [g.op("Add", [g.op("Relu", [x]), g.const(1.0)]), g.const(0.5)]))


@model
def elu_selu_celu(g):
    x = g.input([1, 8], -3.0, 3.0)
    g.output(g.op("Elu", [x], alpha=0.8))
    g.output(g.op("Selu", [x]))
    g.output(g.op("Celu", [x], alpha=1.5))


@model
def softplus_softsign_thresholded(g):
    x = g.input([1, 8], -4.0, 4.0)
    g.output(g.op("Softplus", [x]))
    g.output(g.op("Softsign", [x]))
    g.output(g.op("ThresholdedRelu", [x], alpha=0.5))


@model
def mish_opset18(g):
    g.opset = 18
    x = g.input([1, 8], -3.0, 3.0)
    m = g.op("Mish", [x])
    g.output(g.op("ReduceMean", [m, g.const([1], np.int64)], keepdims=0))
    g.output(m)


@model
def sin_cos(g):
    x = g.input([1, 8], -3.0, 3.0)
    g.output(g.op("Sin", [x]))
    g.output(g.op("Cos", [g.op("Mul", [x, g.const(0.5)])]))


@model
def hard_swish(g):
    g.opset = 14
    x = g.input([1, 2, 3, 3], -4.0, 4.0)
    g.output(g.op("HardSwish", [g.conv(x, 2, 2, pads=[1, 1, 1, 1])]))


# ---- combinations -------------------------------------------------------------------------

@model
def cnn_bn_maxpool(g):
    x = g.input([1, 1, 8, 8], 0.0, 1.0)
    c = g.op("Relu", [g.bn(g.conv(x, 1, 4, pads=[1, 1, 1, 1]), 4)])
    p = g.max_pool(c)
    g.output(g.gemm(g.op("Flatten", [p]), 64, 10))


@model
def torch_cnn_relu6(g):
    """A PyTorch-style export: Clip(0, 6) activations and a Shape/Gather/Concat flatten."""
    x = g.input([1, 2, 6, 6])
    c = g.op("Clip", [g.conv(x, 2, 4, pads=[1, 1, 1, 1]), g.const(0.0), g.const(6.0)])
    p = g.op("AveragePool", [c], kernel_shape=[2, 2], strides=[2, 2])
    f = g.torch_flatten(p)
    h = g.op("Clip", [g.gemm(f, 36, 12), g.const(0.0), g.const(6.0)])
    g.output(g.gemm(h, 12, 4))


@model
def unet_skip(g):
    x = g.input([1, 2, 6, 6])
    e = g.op("Relu", [g.conv(x, 2, 4, pads=[1, 1, 1, 1])])
    d = g.max_pool(e)
    m = g.op("Relu", [g.conv(d, 4, 4, pads=[1, 1, 1, 1])])
    u = g.op("Resize", [m, "", g.const([1, 1, 2, 2])], mode="nearest")
    cat = g.op("Concat", [u, e], axis=1)
    g.output(g.conv(cat, 8, 1, k=1))


@model
def mlp_sigmoid_tanh_leaky(g):
    x = g.input([1, 12])
    h = g.op("LeakyRelu", [g.gemm(x, 12, 16)], alpha=0.05)
    h = g.op("Tanh", [g.gemm(h, 16, 8)])
    g.output(g.op("Sigmoid", [g.gemm(h, 8, 3)]))


@model
def classifier_argmax(g):
    x = g.input([1, 10])
    logits = g.gemm(g.op("Relu", [g.gemm(x, 10, 8)]), 8, 4)
    g.output(logits)
    g.output(g.op("Cast", [g.op("ArgMax", [logits], axis=1)], to=TensorProto.FLOAT))


# ---- the named models ------------------------------------------------------------------

# ---- products of computed tensors, attention ------------------------------------------

@model
def products_mul_div_pow(g):
    """Products of two computed tensors: Mul, Div by a computed tensor (the exact
    rounded quotient, its remainder checked), Pow with integer exponents (squares and
    products)."""
    x = g.input([1, 8])
    y = g.input([1, 8])
    h = g.op("Relu", [g.gemm(x, 8, 8)])
    g.output(g.op("Mul", [h, y]))
    g.output(g.op("Div", [x, g.op("Add", [g.op("Relu", [y]), g.const(1.0)])]))
    g.output(g.op("Pow", [g.op("Add", [x, y]), g.const(3.0)]))
    g.output(g.op("Pow", [x, g.const(2.0)]))


@model
def softmax_logsoftmax(g):
    x = g.input([2, 6], -2.0, 2.0)
    h = g.gemm(x, 6, 6)
    g.output(g.op("Softmax", [h], axis=-1))
    g.output(g.op("LogSoftmax", [h], axis=0))


@model
def softmax_opset11(g):
    """Before opset 13 Softmax flattens the axes from `axis` on into one group."""
    g.opset = 11
    x = g.input([2, 3, 4], -2.0, 2.0)
    g.output(g.op("Softmax", [x], axis=1))


@model
def layer_instance_norm(g):
    g.opset = 17
    x = g.input([1, 4, 8])
    h = g.gemm(g.op("Reshape", [x, g.const([4, 8], np.int64)]), 8, 8)
    scale = g.const(g.rng.uniform(0.5, 1.5, 8))
    g.output(g.op("LayerNormalization", [h, scale, g.bias(8)], axis=-1, epsilon=1e-5))
    y = g.input([1, 2, 4, 4])
    c = g.conv(y, 2, 2, pads=[1, 1, 1, 1])
    g.output(g.op("InstanceNormalization", [c, g.const(g.rng.uniform(0.5, 1.5, 2)), g.bias(2)], epsilon=1e-5))


def attention(g, x, t, d, heads):
    """Multi-head self-attention as PyTorch writes it out: projections, heads split by
    Reshape and Transpose, Q·Kᵀ/√(d/heads), Softmax, P·V, heads merged, output
    projection."""
    hd = d // heads

    def project(x):
        return g.op("Add", [g.op("MatMul", [x, g.weight([d, d], fan_in=d)]), g.bias(d)])

    def split(x):
        return g.op("Transpose", [g.op("Reshape", [x, g.const([1, t, heads, hd], np.int64)])], perm=[0, 2, 1, 3])

    q, k, v = (split(project(x)) for _ in range(3))
    scores = g.op("Div", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]), g.const(np.sqrt(hd))])
    p = g.op("Softmax", [scores], axis=-1)
    a = g.op("Reshape", [g.op("Transpose", [g.op("MatMul", [p, v])], perm=[0, 2, 1, 3]),
                         g.const([1, t, d], np.int64)])
    return project(a)


@model
def logic_on_computed(g):
    """Comparisons, logic and Where of computed tensors (tree ensembles' and masks'
    building blocks), cast back to float."""
    x = g.input([1, 8], -2.0, 2.0)
    y = g.input([1, 8], -2.0, 2.0)
    h = g.gemm(x, 8, 8)
    f = lambda b: g.op("Cast", [b], to=TensorProto.FLOAT)
    less = g.op("Less", [h, y])
    ge = g.op("GreaterOrEqual", [h, g.const(0.25)])
    eq = g.op("Equal", [g.op("Round", [x]), g.op("Round", [y])])
    g.output(f(g.op("Or", [g.op("And", [less, ge]), g.op("Not", [eq])])))
    g.output(f(g.op("LessOrEqual", [x, y])))
    g.output(f(g.op("Greater", [g.const(0.5), y])))
    g.output(g.op("Where", [g.op("Greater", [h, x]), h, g.op("Mul", [y, g.const(2.0)])]))
    g.output(g.op("Where", [g.op("Less", [x, g.const(0.0)]), g.const(-1.0), x]))


@model
def gather_computed_trilu(g):
    """Gather at computed indices (an embedding lookup from integer ids, and from
    computed data), Trilu of a computed tensor and a causal mask from Trilu of ones."""
    g.opset = 14
    ids = g.input([1, 4], 0, 5, dtype=TensorProto.INT64)
    x = g.input([1, 6], -1.0, 1.0)
    g.output(g.op("Gather", [g.weight([6, 3], fan_in=1), ids], axis=0))
    h = g.op("Relu", [g.gemm(x, 6, 6)])
    g.output(g.op("Gather", [h, ids], axis=1))
    m = g.op("MatMul", [g.op("Reshape", [x, g.const([6, 1], np.int64)]), g.op("Reshape", [h, g.const([1, 6], np.int64)])])
    g.output(g.op("Trilu", [m], upper=1))
    mask = g.op("Trilu", [g.const(np.ones([6, 6])), g.const(0, np.int64)], upper=0)
    scores = g.op("Where", [g.op("Equal", [mask, g.const(0.0)]), g.const(-np.inf), m])
    g.output(g.op("Softmax", [scores], axis=-1))


def decoder(g, vocab, t, d, heads, layers, mask_value=-np.inf):
    """A nanoGPT-style decoder as PyTorch exports it: token embedding by Gather,
    learned positions, pre-norm blocks with causal self-attention (the mask a
    constant lower triangle, `masked_fill(-inf)` as Where) and a GELU MLP (erf
    form, as nn.GELU exports it), final LayerNorm, LM head."""
    g.opset = 17
    ids = g.input([1, t], 0, vocab - 1, dtype=TensorProto.INT64)
    x = g.op("Add", [g.op("Gather", [g.weight([vocab, d], fan_in=1, scale=0.1), ids], axis=0),
                     g.weight([t, d], fan_in=1, scale=0.1)])
    ln = lambda h: g.op("LayerNormalization", [h, g.const(g.rng.uniform(0.8, 1.2, d)), g.bias(d, 0.02)], axis=-1)
    hd = d // heads
    mask = g.op("Equal", [g.const(np.tril(np.ones([1, 1, t, t]))), g.const(0.0)])
    for _ in range(layers):
        a = ln(x)
        proj = lambda h, n=d: g.op("Add", [g.op("MatMul", [h, g.weight([d, n], fan_in=d)]), g.bias(n, 0.02)])
        qkv = g.op("Split", [proj(a, 3 * d), g.const([d, d, d], np.int64)], outputs=3, axis=2)
        q, k, v = (g.op("Transpose", [g.op("Reshape", [h, g.const([1, t, heads, hd], np.int64)])], perm=[0, 2, 1, 3])
                   for h in qkv)
        att = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]), g.const(1.0 / np.sqrt(hd))])
        att = g.op("Softmax", [g.op("Where", [mask, g.const(mask_value), att])], axis=-1)
        y = g.op("Reshape", [g.op("Transpose", [g.op("MatMul", [att, v])], perm=[0, 2, 1, 3]),
                             g.const([1, t, d], np.int64)])
        x = g.op("Add", [x, proj(y)])
        m = g.op("Add", [g.op("MatMul", [ln(x), g.weight([d, 4 * d], fan_in=d)]), g.bias(4 * d, 0.02)])
        gelu = g.op("Mul", [g.op("Mul", [m, g.op("Add", [g.op("Erf", [g.op("Div", [m, g.const(np.sqrt(2.0))])]),
                                                           g.const(1.0)])]), g.const(0.5)])
        x = g.op("Add", [x, g.op("Add", [g.op("MatMul", [gelu, g.weight([4 * d, d], fan_in=4 * d)]), g.bias(d, 0.02)])])
    g.output(g.op("MatMul", [ln(x), g.weight([d, vocab], fan_in=d)]))


@model
def torch_gpt_block(g):
    """One nanoGPT block as torch.onnx.export writes it at opset 14, dynamic shapes and
    all: `B, T, C = x.size()` as Shape and Gather, `view(B, T, n_head, C // n_head)` as
    Div, Unsqueeze and Concat into Reshape, LayerNorm decomposed (ReduceMean, Sub, Pow,
    ReduceMean, Add, Sqrt, Div), `1/math.sqrt(k.size(-1))` from the shape, the causal
    mask sliced from a registered buffer to T and applied with Where(-inf), NewGELU
    (tanh form with Pow 3), and the residual stream."""
    g.opset = 14
    t, d, heads = 8, 16, 2
    x = g.input([1, t, d], -1.0, 1.0)

    def dim(h, i):
        return g.op("Gather", [g.op("Shape", [h]), g.const(i, np.int64)], axis=0)

    def unsq(v):
        return g.op("Unsqueeze", [v, g.const([0], np.int64)])

    def layer_norm(h):
        mean = g.op("ReduceMean", [h], axes=[-1], keepdims=1)
        centred = g.op("Sub", [h, mean])
        var = g.op("ReduceMean", [g.op("Pow", [centred, g.const(2.0)])], axes=[-1], keepdims=1)
        normed = g.op("Div", [centred, g.op("Sqrt", [g.op("Add", [var, g.const(1e-5)])])])
        return g.op("Add", [g.op("Mul", [normed, g.const(g.rng.uniform(0.8, 1.2, d))]), g.bias(d, 0.02)])

    def linear(h, n_in, n_out):
        return g.op("Add", [g.op("MatMul", [h, g.weight([n_in, n_out], fan_in=n_in)]), g.bias(n_out, 0.02)])

    a = layer_norm(x)
    b_, t_, c_ = dim(a, 0), dim(a, 1), dim(a, 2)
    head_dim = g.op("Div", [c_, g.const(heads, np.int64)])
    split_shape = g.op("Concat", [unsq(b_), unsq(t_), g.const([heads], np.int64), unsq(head_dim)], axis=0)
    qkv = g.op("Split", [linear(a, d, 3 * d), g.const([d, d, d], np.int64)], outputs=3, axis=2)
    q, k, v = (g.op("Transpose", [g.op("Reshape", [h, split_shape])], perm=[0, 2, 1, 3]) for h in qkv)
    scale = g.op("Div", [g.const(1.0), g.op("Sqrt", [g.op("Cast", [dim(k, 3)], to=TensorProto.FLOAT)])])
    att = g.op("Mul", [g.op("MatMul", [q, g.op("Transpose", [k], perm=[0, 1, 3, 2])]), scale])
    buffer = g.const(np.tril(np.ones([1, 1, 32, 32])))
    zero = g.const([0], np.int64)
    window = g.op("Slice", [buffer, g.op("Concat", [zero, zero], axis=0),
                            g.op("Concat", [unsq(t_), unsq(t_)], axis=0), g.const([2, 3], np.int64)])
    att = g.op("Where", [g.op("Equal", [window, g.const(0.0)]), g.const(-np.inf), att])
    y = g.op("MatMul", [g.op("Softmax", [att], axis=-1), v])
    merged = g.op("Concat", [unsq(b_), unsq(t_), unsq(c_)], axis=0)
    y = g.op("Reshape", [g.op("Transpose", [y], perm=[0, 2, 1, 3]), merged])
    x = g.op("Add", [x, linear(y, d, d)])
    m = linear(layer_norm(x), d, 4 * d)
    inner = g.op("Mul", [g.const(np.sqrt(2.0 / np.pi)),
                         g.op("Add", [m, g.op("Mul", [g.const(0.044715), g.op("Pow", [m, g.const(3.0)])])])])
    gelu = g.op("Mul", [g.op("Mul", [g.const(0.5), m]), g.op("Add", [g.const(1.0), g.op("Tanh", [inner])])])
    g.output(g.op("Add", [x, linear(gelu, 4 * d, d)]))


@model
def tiny_decoder(g):
    """nanoGPT-style, 1 layer, 2 heads, width 16, context 8, vocabulary 16."""
    decoder(g, vocab=16, t=8, d=16, heads=2, layers=1)


@model
def tiny_decoder_finite_mask(g):
    """tiny_decoder with the causal mask's fill −30 instead of −∞ (EZKL rejects −∞):
    exp(−30) is 10⁻¹³, so the outputs are the same to float precision."""
    decoder(g, vocab=16, t=8, d=16, heads=2, layers=1, mask_value=-30.0)


@model
def nanogpt_decoder(g):
    """nanoGPT-style, 2 layers, 2 heads, width 64, context 16, vocabulary 64."""
    decoder(g, vocab=64, t=16, d=64, heads=2, layers=2)


@model
def nanogpt_decoder_finite_mask(g):
    """nanogpt_decoder with the causal mask's fill −30 instead of −∞, for EZKL (which
    rejects −∞) beside it in `zkaccel bench --ops zkml`."""
    decoder(g, vocab=64, t=16, d=64, heads=2, layers=2, mask_value=-30.0)


@model
def lstm_16_steps(g):
    """An LSTM over 16 steps (hidden 8, peepholes, both states out), then a dense head
    on its last output."""
    t, i, h = 16, 4, 8
    x = g.input([t, 1, i])
    w = g.const(g.rng.normal(0, 0.5, [1, 4 * h, i]))
    r = g.const(g.rng.normal(0, 0.3, [1, 4 * h, h]))
    b = g.const(g.rng.normal(0, 0.1, [1, 8 * h]))
    p = g.const(g.rng.normal(0, 0.1, [1, 3 * h]))
    y, y_h, y_c = g.op("LSTM", [x, w, r, b, "", "", "", p], outputs=3, hidden_size=h)
    g.output(y_h)
    g.output(y_c)
    g.output(g.gemm(g.op("Reshape", [y_h, g.const([1, h], np.int64)]), h, 2))


@model
def gru_16_steps(g):
    """A GRU over 16 steps, a batch of 2, both reset placements (two nodes)."""
    t, i, h = 16, 4, 8
    x = g.input([t, 2, i])
    weights = lambda: [g.const(g.rng.normal(0, 0.5, [1, 3 * h, i])), g.const(g.rng.normal(0, 0.3, [1, 3 * h, h])),
                       g.const(g.rng.normal(0, 0.1, [1, 6 * h]))]
    y, _ = g.op("GRU", [x] + weights(), outputs=2, hidden_size=h)
    _, y_h = g.op("GRU", [x] + weights(), outputs=2, hidden_size=h, linear_before_reset=1)
    g.output(y)
    g.output(y_h)


@model
def rnn_bidirectional(g):
    """A bidirectional RNN (Tanh one way, Relu the other) with an initial state."""
    t, i, h = 6, 3, 4
    x = g.input([t, 1, i])
    h0 = g.input([2, 1, h], -0.5, 0.5)
    w = g.const(g.rng.normal(0, 0.5, [2, h, i]))
    r = g.const(g.rng.normal(0, 0.3, [2, h, h]))
    b = g.const(g.rng.normal(0, 0.1, [2, 2 * h]))
    y, y_h = g.op("RNN", [x, w, r, b, "", h0], outputs=2, hidden_size=h, direction="bidirectional",
                  activations=["Tanh", "Relu"])
    g.output(y)
    g.output(y_h)


@model
def lstm_cell_written_out(g):
    """An LSTM written out as MatMul, Sigmoid, Tanh, Mul and Add over 6 steps, as a
    scripted cell exports it (Split of the fused gates, Slice of the sequence)."""
    t, i, h = 6, 4, 8
    x = g.input([t, i])
    w = g.weight([i + h, 4 * h], fan_in=i + h)
    b = g.bias(4 * h)
    hid = g.const(np.zeros([1, h]))
    cell = g.const(np.zeros([1, h]))
    for step in range(t):
        xt = g.op("Slice", [x, g.const([step], np.int64), g.const([step + 1], np.int64), g.const([0], np.int64)])
        z = g.op("Add", [g.op("MatMul", [g.op("Concat", [xt, hid], axis=1), w]), b])
        i_, f_, gg, o_ = g.op("Split", [z, g.const([h] * 4, np.int64)], outputs=4, axis=1)
        cell = g.op("Add", [g.op("Mul", [g.op("Sigmoid", [f_]), cell]),
                            g.op("Mul", [g.op("Sigmoid", [i_]), g.op("Tanh", [gg])])])
        hid = g.op("Mul", [g.op("Sigmoid", [o_]), g.op("Tanh", [cell])])
    g.output(hid)


def sklearn_model(g, estimator, features=6, classes=3):
    """Trains `estimator` on a seeded nonlinear problem over `features` inputs in
    [-2, 2] and exports it with sklearn-onnx (ai.onnx.ml tree ensembles,
    probabilities as a tensor, not ZipMap's dictionaries)."""
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType
    name = g.input([1, features], -2.0, 2.0)
    x = g.rng.uniform(-2, 2, (400, features)).astype(np.float32)
    signal = x[:, 0] + x[:, 1] * x[:, 2] - 0.5 * np.abs(x[:, 3])
    if classes == 0:
        y = signal + 0.1 * g.rng.normal(size=400)
    else:
        y = np.digitize(signal, np.quantile(signal, np.linspace(0, 1, classes + 1)[1:-1]))
    estimator.fit(x, y)
    options = {id(estimator): {"zipmap": False}} if classes else None
    g.exported = to_onnx(estimator, initial_types=[(name, FloatTensorType([1, features]))], options=options,
                         target_opset={"": 13, "ai.onnx.ml": 3})


@model
def random_forest_classifier(g):
    """sklearn RandomForestClassifier, 24 trees of depth 4, 3 classes (TreeEnsembleClassifier)."""
    from sklearn.ensemble import RandomForestClassifier
    sklearn_model(g, RandomForestClassifier(n_estimators=24, max_depth=4, random_state=0))


@model
def gradient_boosting_binary(g):
    """sklearn GradientBoostingClassifier, 24 trees of depth 3, two classes (the binary case,
    LOGISTIC post transform)."""
    from sklearn.ensemble import GradientBoostingClassifier
    sklearn_model(g, GradientBoostingClassifier(n_estimators=24, max_depth=3, random_state=0), classes=2)


@model
def gradient_boosting_regressor(g):
    """sklearn GradientBoostingRegressor, 20 trees of depth 3 (TreeEnsembleRegressor)."""
    from sklearn.ensemble import GradientBoostingRegressor
    sklearn_model(g, GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0), classes=0)


def trained_trees(g, estimator, features=6, classes=0):
    """Fits `estimator` on the problem `sklearn_model` uses; returns its input name, the
    fitted estimator and the problem's inputs (to check a hand-exported graph against
    sklearn's own predictions)."""
    name = g.input([1, features], -2.0, 2.0)
    x = g.rng.uniform(-2, 2, (400, features)).astype(np.float32)
    signal = x[:, 0] + x[:, 1] * x[:, 2] - 0.5 * np.abs(x[:, 3])
    y = signal + 0.1 * g.rng.normal(size=400) if classes == 0 else (signal > np.median(signal)).astype(int)
    estimator.fit(x, y)
    return name, estimator, x


def tree_arrays(tree, scale=1.0):
    """sklearn's tree as (left, right, feature, threshold, value·scale) arrays; leaves
    have left = right = -1. sklearn goes left when x[feature] <= threshold."""
    t = tree.tree_
    return t.children_left, t.children_right, t.feature, t.threshold.astype(np.float32), t.value[:, 0, 0] * scale


def check_against_sklearn(g, predict, x):
    """The hand-exported graph must compute what sklearn does: stores a check run by
    `write` through onnxruntime on the training inputs."""
    g.sklearn_check = (predict, x)


def hummingbird_gemm(g, x, trees, base, scale=1.0):
    """Hummingbird's GEMM strategy (its choice for trees of depth <= 3), node for node
    as its torch module exports: one MatMul picks every internal node's feature,
    LessOrEqual against the thresholds, a MatMul by the +1/-1 path matrix, Equal to
    each leaf's count of left turns, a MatMul by the leaf values, ReduceSum over
    the trees."""
    arrays = [tree_arrays(t, scale) for t in trees]
    internal = [[i for i in range(len(a[0])) if a[0][i] >= 0] for a in arrays]
    leaves = [[i for i in range(len(a[0])) if a[0][i] < 0] for a in arrays]
    n_trees, features = len(trees), int(g.ranges[x][2][1])
    n_int, n_leaf = max(map(len, internal)), max(map(len, leaves))
    w1 = np.zeros((n_trees * n_int, features), np.float32)
    b1 = np.zeros((n_trees * n_int, 1), np.float32)
    w2 = np.zeros((n_trees, n_leaf, n_int), np.float32)
    b2 = np.full((n_trees * n_leaf, 1), -1.0, np.float32)  # padding leaves never match
    w3 = np.zeros((n_trees, 1, n_leaf), np.float32)
    for t, (left, right, feature, threshold, value) in enumerate(arrays):
        for j, node in enumerate(internal[t]):
            w1[t * n_int + j, feature[node]] = 1.0
            b1[t * n_int + j, 0] = threshold[node]
        position = {node: j for j, node in enumerate(internal[t])}
        for l, leaf in enumerate(leaves[t]):
            # The path from the root: +1 where it turns left, -1 where right.
            node, lefts, path = 0, 0, {}
            while node != leaf:
                def under(n, target):
                    return n == target or (left[n] >= 0 and (under(left[n], target) or under(right[n], target)))
                go_left = under(left[node], leaf)
                path[position[node]] = 1.0 if go_left else -1.0
                lefts += go_left
                node = left[node] if go_left else right[node]
            for j, sign in path.items():
                w2[t, l, j] = sign
            b2[t * n_leaf + l, 0] = lefts
            w3[t, 0, l] = value[leaf]
    xt = g.op("Transpose", [x], perm=[1, 0])
    h = g.op("LessOrEqual", [g.op("MatMul", [g.const(w1), xt]), g.const(b1)])
    h = g.op("Cast", [g.op("Reshape", [h, g.const([n_trees, n_int, -1], np.int64)])], to=TensorProto.FLOAT)
    h = g.op("Reshape", [g.op("MatMul", [g.const(w2), h]), g.const([n_trees * n_leaf, -1], np.int64)])
    h = g.op("Equal", [h, g.const(b2)])
    h = g.op("Cast", [g.op("Reshape", [h, g.const([n_trees, n_leaf, -1], np.int64)])], to=TensorProto.FLOAT)
    h = g.op("MatMul", [g.const(w3), h])
    h = g.op("ReduceSum", [h, g.const([0], np.int64)], keepdims=0)
    return g.op("Add", [g.op("Transpose", [h], perm=[1, 0]), g.const([[base]])])


def perfect_tree(left, right, feature, threshold, value, depth):
    """A tree padded to a perfect one of `depth` levels, as hummingbird's
    PerfectTreeTraversal needs: a leaf above the last level becomes a node on
    feature 0 whose both children are that leaf. Returns per level the
    (feature, threshold) of its 2^d nodes, and the 2^depth leaf values; at level d
    node p's children are 2p + 1 (x <= threshold, sklearn's left) and 2p."""
    levels, frontier = [], [0]
    for _ in range(depth):
        levels.append([(feature[n], threshold[n]) if left[n] >= 0 else (0, 0.0) for n in frontier])
        frontier = [c for n in frontier for c in ((right[n], left[n]) if left[n] >= 0 else (n, n))]
    return levels, [value[n] for n in frontier]


def hummingbird_perfect_traversal(g, x, trees, base, depth, scale=1.0):
    """Hummingbird's PerfectTreeTraversal strategy (its choice for depth 4..10): the
    root's feature Gathered by constant index, then per level the node index
    doubled plus the comparison's bit, Gather at that computed index for the
    node's feature and threshold, GatherElements of the input at the computed
    feature, and at the end a Gather of the leaf values."""
    n_trees = len(trees)
    padded = [perfect_tree(*tree_arrays(t, scale), depth) for t in trees]
    level = lambda d, k: np.array([lv[d][p][k] for lv, _ in padded for p in range(2 ** d)])
    leaf_values = np.array([v for _, leaves in padded for v in leaves], np.float32).reshape(-1, 1)
    root = g.op("Gather", [x, g.const(level(0, 0), np.int64)], axis=1)
    bit = g.op("Cast", [g.op("LessOrEqual", [root, g.const(level(0, 1))])], to=TensorProto.INT64)
    index = g.op("Reshape", [g.op("Add", [bit, g.const(np.arange(n_trees) * 2, np.int64)]),
                             g.const([-1], np.int64)])
    for d in range(1, depth):
        # prev holds t*2^d + p; its node arrays are laid out the same way.
        features = g.op("Reshape", [g.op("Gather", [g.const(level(d, 0), np.int64), index], axis=0),
                                    g.const([-1, n_trees], np.int64)])
        values = g.op("Reshape", [g.op("GatherElements", [x, features], axis=1), g.const([-1], np.int64)])
        thresholds = g.op("Gather", [g.const(level(d, 1)), index], axis=0)
        bit = g.op("Cast", [g.op("LessOrEqual", [values, thresholds])], to=TensorProto.INT64)
        index = g.op("Add", [g.op("Mul", [g.const(2, np.int64), index]), bit])
    out = g.op("Reshape", [g.op("Gather", [g.const(leaf_values), index], axis=0), g.const([-1, n_trees, 1], np.int64)])
    return g.op("Add", [g.op("ReduceSum", [out, g.const([1], np.int64)], keepdims=0), g.const([[base]])])


def hummingbird_traversal(g, x, trees):
    """Hummingbird's TreeTraversal strategy (its choice for deep, unbalanced trees):
    every tree's nodes in one array, and per level Gathers at the current node
    indices of its feature, threshold and both children, GatherElements of the
    input, and Where choosing the next node; the leaves' values Gathered at the
    end, averaged over the trees (a random forest)."""
    arrays = [tree_arrays(t) for t in trees]
    offsets = np.cumsum([0] + [len(a[0]) for a in arrays[:-1]])
    depth = max(t.get_depth() for t in trees)
    # A leaf points at itself, so extra levels keep it.
    lefts = np.concatenate([np.where(a[0] >= 0, a[0], np.arange(len(a[0]))) for a in arrays])
    rights = np.concatenate([np.where(a[1] >= 0, a[1], np.arange(len(a[1]))) for a in arrays])
    feats = np.concatenate([np.maximum(a[2], 0) for a in arrays])
    thresholds = np.concatenate([a[3] for a in arrays])
    values = np.concatenate([a[4] for a in arrays]).astype(np.float32)
    n_trees = len(trees)
    offsets_c = g.const(offsets.reshape(1, -1), np.int64)
    index = g.op("Reshape", [g.op("Expand", [offsets_c, g.const([1, n_trees], np.int64)]), g.const([-1], np.int64)])
    for _ in range(depth):
        feature = g.op("Reshape", [g.op("Gather", [g.const(feats, np.int64), index], axis=0),
                                   g.const([-1, n_trees], np.int64)])
        value = g.op("GatherElements", [x, feature], axis=1)
        threshold = g.op("Reshape", [g.op("Gather", [g.const(thresholds), index], axis=0),
                                     g.const([-1, n_trees], np.int64)])
        left = g.op("Gather", [g.const(lefts, np.int64), index], axis=0)
        right = g.op("Gather", [g.const(rights, np.int64), index], axis=0)
        go_left = g.op("LessOrEqual", [value, threshold])
        local = g.op("Where", [go_left, g.op("Reshape", [left, g.const([-1, n_trees], np.int64)]),
                               g.op("Reshape", [right, g.const([-1, n_trees], np.int64)])])
        index = g.op("Reshape", [g.op("Add", [local, offsets_c]), g.const([-1], np.int64)])
    out = g.op("Reshape", [g.op("Gather", [g.const(values), index], axis=0), g.const([-1, n_trees], np.int64)])
    return g.op("ReduceMean", [out], axes=[1], keepdims=1)


@model
def hummingbird_gemm_boosting(g):
    """A GradientBoostingRegressor of 20 trees of depth 3 as hummingbird exports it with its
    GEMM strategy (MatMul, LessOrEqual, Cast, Equal, ReduceSum), written with onnx.helper
    node for node (torch, which hummingbird exports through, is not installed)."""
    from sklearn.ensemble import GradientBoostingRegressor
    x, gb, data = trained_trees(g, GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0))
    trees = [e[0] for e in gb.estimators_]
    base = float(gb._raw_predict_init(data[:1])[0, 0])
    # The learning rate scales every leaf.
    g.output(hummingbird_gemm(g, x, trees, base, gb.learning_rate))
    check_against_sklearn(g, gb.predict, data)


@model
def hummingbird_perfect_tree_boosting(g):
    """A binary GradientBoostingClassifier of 8 trees of depth 4 as hummingbird exports it
    with its PerfectTreeTraversal strategy (Gather and GatherElements at computed indices,
    index arithmetic in int64), then its Sigmoid: the probability of class 1."""
    from sklearn.ensemble import GradientBoostingClassifier
    x, gb, data = trained_trees(g, GradientBoostingClassifier(n_estimators=8, max_depth=4, random_state=0), classes=2)
    trees = [e[0] for e in gb.estimators_]
    base = float(gb._raw_predict_init(data[:1])[0, 0])
    g.output(g.op("Sigmoid", [hummingbird_perfect_traversal(g, x, trees, base, 4, gb.learning_rate)]))
    check_against_sklearn(g, lambda d: gb.predict_proba(d)[:, 1], data)


@model
def hummingbird_traversal_forest(g):
    """A RandomForestRegressor of 4 trees of depth 3 as hummingbird exports it with its
    TreeTraversal strategy (Gather of node arrays at computed indices, GatherElements,
    Where on computed conditions and branches, ReduceMean)."""
    from sklearn.ensemble import RandomForestRegressor
    x, rf, data = trained_trees(g, RandomForestRegressor(n_estimators=4, max_depth=3, random_state=0))
    g.output(hummingbird_traversal(g, x, rf.estimators_))
    check_against_sklearn(g, rf.predict, data)


@model
def topk_gather_elements(g):
    """TopK of a computed tensor (largest and smallest, ties to the lower index), its
    indices used by GatherElements at computed indices; TopK and GatherElements of
    constants; GatherElements at constant indices."""
    x = g.input([2, 6], -2.0, 2.0)
    h = g.gemm(x, 6, 6)
    values, indices = g.op("TopK", [h, g.const([3], np.int64)], outputs=2, axis=1)
    g.output(values)
    g.output(g.op("Cast", [indices], to=TensorProto.FLOAT))
    low, _ = g.op("TopK", [x, g.const([2], np.int64)], outputs=2, axis=1, largest=0)
    g.output(low)
    g.output(g.op("GatherElements", [x, indices], axis=1))
    g.output(g.op("GatherElements", [h, g.const([[5, 0], [1, 1]], np.int64)], axis=1))
    cv, ci = g.op("TopK", [g.const([[3.0, 1.0, 3.0, 2.0]]), g.const([2], np.int64)], outputs=2, axis=1)
    g.output(g.op("Add", [g.op("Mul", [x, g.op("ReduceSum", [cv], keepdims=0)]),
                          g.op("Cast", [g.op("ReduceSum", [ci], keepdims=0)], to=TensorProto.FLOAT)]))


@model
def self_attention_block(g):
    """A pre-norm transformer block: LayerNorm, 2-head self-attention, residual,
    LayerNorm, MLP with GELU (tanh form written out with Pow and Tanh), residual."""
    g.opset = 17
    t, d = 8, 16
    x = g.input([1, t, d])
    ln = lambda h: g.op("LayerNormalization", [h, g.const(g.rng.uniform(0.8, 1.2, d)), g.bias(d)], axis=-1)
    h = g.op("Add", [x, attention(g, ln(x), t, d, 2)])
    m = g.op("Add", [g.op("MatMul", [ln(h), g.weight([d, 2 * d], fan_in=d)]), g.bias(2 * d)])
    cube = g.op("Pow", [m, g.const(3.0)])
    inner = g.op("Mul", [g.op("Add", [m, g.op("Mul", [cube, g.const(0.044715)])]), g.const(np.sqrt(2 / np.pi))])
    gelu = g.op("Mul", [g.op("Mul", [m, g.const(0.5)]), g.op("Add", [g.op("Tanh", [inner]), g.const(1.0)])])
    out = g.op("Add", [h, g.op("MatMul", [gelu, g.weight([2 * d, d], fan_in=2 * d)])])
    g.output(out)


@model
def lenet5(g):
    """LeNet-5 on 28x28 with BatchNormalization and MaxPool."""
    x = g.input([1, 1, 28, 28], 0.0, 1.0)
    c = g.op("Relu", [g.bn(g.conv(x, 1, 6, k=5, pads=[2, 2, 2, 2]), 6)])
    p = g.max_pool(c)
    c = g.op("Relu", [g.bn(g.conv(p, 6, 16, k=5), 16)])
    p = g.max_pool(c)
    f = g.op("Flatten", [p])
    h = g.op("Relu", [g.gemm(f, 400, 120)])
    h = g.op("Relu", [g.gemm(h, 120, 84)])
    g.output(g.gemm(h, 84, 10))


@model
def resnet_basic_block(g):
    x = g.input([1, 8, 8, 8])
    c = g.op("Relu", [g.bn(g.conv(x, 8, 8, pads=[1, 1, 1, 1]), 8)])
    c = g.bn(g.conv(c, 8, 8, pads=[1, 1, 1, 1]), 8)
    g.output(g.op("Relu", [g.op("Add", [c, x])]))


@model
def mobilenet_block(g):
    x = g.input([1, 8, 8, 8])
    d = g.op("Clip", [g.bn(g.conv(x, 8, 8, group=8, pads=[1, 1, 1, 1]), 8), g.const(0.0), g.const(6.0)])
    p = g.op("Clip", [g.bn(g.conv(d, 8, 16, k=1), 16), g.const(0.0), g.const(6.0)])
    g.output(p)


@model
def mlp784(g):
    x = g.input([1, 784], 0.0, 1.0)
    h = g.op("Relu", [g.gemm(x, 784, 256)])
    h = g.op("Relu", [g.gemm(h, 256, 128)])
    g.output(g.gemm(h, 128, 10))


def write(out, name, build, seed):
    g = Graph(name, seed)
    build(g)
    m = g.model()
    path = os.path.join(out, f"{name}.onnx")
    onnx.save(m, path)
    rng = np.random.default_rng(seed + 1)
    calibration = [g.sample(rng) for _ in range(16)]
    sample = g.sample(rng)
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds, offset = {}, 0
    numpy_type = {TensorProto.FLOAT: np.float32, TensorProto.INT64: np.int64, TensorProto.BOOL: np.bool_}
    for i in g.inputs:
        _, _, shape, dtype = g.ranges[i.name]
        n = int(np.prod(shape))
        feeds[i.name] = np.array(sample[offset:offset + n]).astype(numpy_type[dtype]).reshape(shape)
        offset += n
    reference = [float(v) for o in sess.run(None, feeds) for v in np.asarray(o, np.float64).ravel()]
    if g.sklearn_check is not None:
        predict, x = g.sklearn_check
        x = x[:64]
        ours = np.concatenate([sess.run(None, {g.inputs[0].name: row[None, :]})[0].ravel() for row in x])
        assert np.allclose(ours, predict(x), atol=1e-4), f"{name}: the graph differs from sklearn"
    with open(os.path.join(out, f"{name}.calibration.json"), "w") as f:
        json.dump({"input_data": calibration}, f)
    with open(os.path.join(out, f"{name}.input.json"), "w") as f:
        json.dump({"input_data": [sample], "reference": reference}, f)
    return {"name": name, "opset": g.opset, "operators": sorted({n.op_type for n in m.graph.node}),
            "doc": (build.__doc__ or "").strip()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "../../zkml/models/suite"))
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    entries = []
    for name, build in MODELS.items():
        if args.only and name not in args.only:
            continue
        # Seeded by name, so that adding a model changes no other.
        entries.append(write(args.out, name, build, zlib.crc32(name.encode())))
        print(f"{name}: {', '.join(entries[-1]['operators'])}")
    if not args.only:
        with open(os.path.join(args.out, "suite.json"), "w") as f:
            json.dump({"models": entries}, f, indent=1)
        ops = sorted({op for e in entries for op in e["operators"]})
        print(f"{len(entries)} models, {len(ops)} operators: {', '.join(ops)}")


if __name__ == "__main__":
    main()
