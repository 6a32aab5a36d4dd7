#!/usr/bin/env python3
"""Trains the zkML example models on scikit-learn's bundled 8x8 digits and
writes them as ONNX, with sample inputs and calibration data.

    python3 scripts/zkml/make_models.py [--out zkml/models]

Needs numpy, scikit-learn and onnx (PyPI). Deterministic: fixed seeds.

Models (inputs are pixel intensities / 16, so in [0, 1]):
  digits_mlp      Gemm 64->16, Relu, Gemm 16->10            (the shipped model)
  digits_conv     Conv 1->4 (3x3), Relu, AveragePool 2x2, Flatten, Gemm 36->10
  digits_sigmoid  Sub, Mul, MatMul+Add 64->12, Sigmoid, MatMul+Add 12->10, Reshape
  digits_lenet    LeNet-5 class on 28x28 (digits scaled 3x, padded by 2): Conv 1->6 (5x5),
                  Relu, AveragePool 2x2, Conv 6->16 (5x5), Relu, AveragePool 2x2, Flatten,
                  Gemm 256->120, Relu, Gemm 120->84, Relu, Gemm 84->10 (the prover benchmark's
                  model: fixed random filters, dense layers trained)

    python3 scripts/zkml/make_models.py --models digits_lenet   # one model only
"""
import argparse
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

OPSET = 13


def tensor(name, array):
    return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)


def save(model_graph, path):
    model = helper.make_model(model_graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="zkaccel make_models.py")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, path)


def mlp_relu(x_train, y_train):
    clf = MLPClassifier(hidden_layer_sizes=(16,), activation="relu", max_iter=600, random_state=0)
    clf.fit(x_train, y_train)
    (w1, w2), (b1, b2) = clf.coefs_, clf.intercepts_
    graph = helper.make_graph(
        [
            helper.make_node("Gemm", ["input", "w1", "b1"], ["h"], transB=1),
            helper.make_node("Relu", ["h"], ["h_relu"]),
            helper.make_node("Gemm", ["h_relu", "w2", "b2"], ["logits"], transB=1),
        ],
        "digits_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        [tensor("w1", w1.T), tensor("b1", b1), tensor("w2", w2.T), tensor("b2", b2)],
    )
    return graph, lambda x: np.maximum(x @ w1 + b1, 0) @ w2 + b2


def conv_features(x, kernels, bias):
    """Conv 1->4 (3x3, no padding), Relu, AveragePool 2x2: (n, 64) -> (n, 36)."""
    images = x.reshape(-1, 8, 8)
    n = images.shape[0]
    conv = np.zeros((n, 4, 6, 6))
    for m in range(4):
        for i in range(6):
            for j in range(6):
                conv[:, m, i, j] = np.einsum("nab,ab->n", images[:, i:i + 3, j:j + 3], kernels[m, 0]) + bias[m]
    relu = np.maximum(conv, 0)
    pooled = relu.reshape(n, 4, 3, 2, 3, 2).mean(axis=(3, 5))
    return pooled.reshape(n, 36)


def conv_relu_pool(x_train, y_train):
    # Fixed edge and blob filters; only the classifier on top is trained.
    kernels = np.array([
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
        [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
    ], dtype=np.float64).reshape(4, 1, 3, 3) / 4.0
    bias = np.array([0.0, 0.0, 0.1, -0.5])
    features = conv_features(x_train, kernels, bias)
    clf = LogisticRegression(max_iter=2000, C=10.0)
    clf.fit(features, y_train)
    w, b = clf.coef_, clf.intercept_
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["input", "k", "kb"], ["c"], kernel_shape=[3, 3], pads=[0, 0, 0, 0], strides=[1, 1]),
            helper.make_node("Relu", ["c"], ["c_relu"]),
            helper.make_node("AveragePool", ["c_relu"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
            helper.make_node("Flatten", ["p"], ["f"], axis=1),
            helper.make_node("Gemm", ["f", "w", "b"], ["logits"], transB=1),
        ],
        "digits_conv",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 8, 8])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        [tensor("k", kernels), tensor("kb", bias), tensor("w", w), tensor("b", b)],
    )
    return graph, lambda x: conv_features(x, kernels, bias) @ w.T + b


def mlp_sigmoid(x_train, y_train):
    mean = x_train.mean(axis=0)
    gain = 2.0
    clf = MLPClassifier(hidden_layer_sizes=(12,), activation="logistic", max_iter=1500, random_state=0)
    clf.fit((x_train - mean) * gain, y_train)
    (w1, w2), (b1, b2) = clf.coefs_, clf.intercepts_
    graph = helper.make_graph(
        [
            helper.make_node("Sub", ["input", "mean"], ["centered"]),
            helper.make_node("Mul", ["centered", "gain"], ["scaled"]),
            helper.make_node("MatMul", ["scaled", "w1"], ["h0"]),
            helper.make_node("Add", ["h0", "b1"], ["h"]),
            helper.make_node("Sigmoid", ["h"], ["h_sig"]),
            helper.make_node("MatMul", ["h_sig", "w2"], ["o0"]),
            helper.make_node("Add", ["o0", "b2"], ["o"]),
            helper.make_node("Reshape", ["o", "shape"], ["logits"]),
        ],
        "digits_sigmoid",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        [tensor("mean", mean), tensor("gain", [gain]), tensor("w1", w1), tensor("b1", b1), tensor("w2", w2),
         tensor("b2", b2), numpy_helper.from_array(np.array([1, 10], dtype=np.int64), "shape")],
    )
    sigmoid = lambda z: 1.0 / (1.0 + np.exp(-z))
    return graph, lambda x: sigmoid(((x - mean) * gain) @ w1 + b1) @ w2 + b2


def lenet_images(x):
    """8x8 digits as 28x28 images: each pixel 3x3, a 2-pixel border of zeros."""
    images = np.kron(x.reshape(-1, 8, 8), np.ones((3, 3)))
    return np.pad(images, ((0, 0), (2, 2), (2, 2)))[:, None, :, :]


def conv2d(images, kernels, bias):
    """Valid (no padding), stride 1: (n, c, h, w) x (m, c, k, k) -> (n, m, h-k+1, w-k+1)."""
    n, _, h, w = images.shape
    m, _, k, _ = kernels.shape
    out = np.zeros((n, m, h - k + 1, w - k + 1))
    for i in range(h - k + 1):
        for j in range(w - k + 1):
            out[:, :, i, j] = np.einsum("ncab,mcab->nm", images[:, :, i:i + k, j:j + k], kernels) + bias
    return out


def pool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).mean(axis=(3, 5))


def lenet(x_train, y_train):
    rng = np.random.default_rng(5)
    k1 = rng.normal(0.0, 1.0 / 5.0, (6, 1, 5, 5))
    b1 = rng.normal(0.0, 0.05, 6)
    k2 = rng.normal(0.0, 1.0 / np.sqrt(150.0), (16, 6, 5, 5))
    b2 = rng.normal(0.0, 0.05, 16)

    def features(x):
        h = pool2(np.maximum(conv2d(lenet_images(x), k1, b1), 0))
        return pool2(np.maximum(conv2d(h, k2, b2), 0)).reshape(len(x), 256)

    clf = MLPClassifier(hidden_layer_sizes=(120, 84), activation="relu", max_iter=800, random_state=0)
    clf.fit(features(x_train), y_train)
    (w1, w2, w3), (c1, c2, c3) = clf.coefs_, clf.intercepts_
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["input", "k1", "b1"], ["c1"], kernel_shape=[5, 5]),
            helper.make_node("Relu", ["c1"], ["r1"]),
            helper.make_node("AveragePool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
            helper.make_node("Conv", ["p1", "k2", "b2"], ["c2"], kernel_shape=[5, 5]),
            helper.make_node("Relu", ["c2"], ["r2"]),
            helper.make_node("AveragePool", ["r2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
            helper.make_node("Flatten", ["p2"], ["f"], axis=1),
            helper.make_node("Gemm", ["f", "w1", "c1b"], ["h1"], transB=1),
            helper.make_node("Relu", ["h1"], ["h1r"]),
            helper.make_node("Gemm", ["h1r", "w2", "c2b"], ["h2"], transB=1),
            helper.make_node("Relu", ["h2"], ["h2r"]),
            helper.make_node("Gemm", ["h2r", "w3", "c3b"], ["logits"], transB=1),
        ],
        "digits_lenet",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 10])],
        [tensor("k1", k1), tensor("b1", b1), tensor("k2", k2), tensor("b2", b2), tensor("w1", w1.T),
         tensor("c1b", c1), tensor("w2", w2.T), tensor("c2b", c2), tensor("w3", w3.T), tensor("c3b", c3)],
    )
    forward = lambda x: np.maximum(np.maximum(features(x) @ w1 + c1, 0) @ w2 + c2, 0) @ w3 + c3
    return graph, forward, lambda x: lenet_images(x).reshape(len(x), -1)


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "..", "zkml", "models"))
    parser.add_argument("--models", help="comma-separated names to build (default: all)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    digits = load_digits()
    x = digits.data / 16.0
    x_train, x_test, y_train, y_test = train_test_split(x, digits.target, test_size=0.25, random_state=0)
    builders = [("digits_mlp", mlp_relu), ("digits_conv", conv_relu_pool), ("digits_sigmoid", mlp_sigmoid),
                ("digits_lenet", lenet)]
    chosen = args.models.split(",") if args.models else [name for name, _ in builders]
    summary_path = os.path.join(args.out, "models.json")
    summary = {}
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            summary = json.load(f)
    for name, build in builders:
        if name not in chosen:
            continue
        built = build(x_train, y_train)
        graph, forward = built[0], built[1]
        # The model's own input layout (the LeNet's is the 28x28 image).
        as_input = built[2] if len(built) > 2 else (lambda x: x)
        save(graph, os.path.join(args.out, f"{name}.onnx"))
        accuracy = float((forward(x_test).argmax(axis=1) == y_test).mean())
        # Sample inputs are rounded to 1/16 steps already (pixel values are integers 0..16).
        write_json(os.path.join(args.out, f"{name}.input.json"), {"input_data": [as_input(x_test[:1])[0].tolist()]})
        write_json(os.path.join(args.out, f"{name}.calibration.json"),
                   {"input_data": [row.tolist() for row in as_input(x_test[1:33])]})
        summary[name] = {"test_accuracy": round(accuracy, 4), "test_samples": len(y_test),
                         "sample_label": int(y_test[0])}
        print(f"{name}: test accuracy {accuracy:.4f}")
    write_json(os.path.join(args.out, "models.json"), summary)


if __name__ == "__main__":
    main()
