#!/usr/bin/env python3
"""Proves an ONNX model with EZKL (PyPI `ezkl`), the peer of `zkaccel bench --ops zkml`.

    python3 scripts/zkml/ezkl_prove.py MODEL.onnx INPUT.json CALIBRATION.json WORKDIR [--reps N]

Settings: gen_settings with public input, fixed parameters, public output, then
calibrate_settings(target="resources") on the calibration file; a local SRS from
gen_srs (insecure, for benchmarking only: get_srs needs the network). Prints one
JSON object: EZKL's version and settings, the median prove time over --reps
proofs, whether the proof verified, and EZKL's quantized outputs beside the
float outputs (onnxruntime) on the input.
"""
import argparse
import json
import os
import statistics
import time

import ezkl
import numpy as np
import onnxruntime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("input")
    parser.add_argument("calibration")
    parser.add_argument("workdir")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    path = lambda name: os.path.join(args.workdir, name)

    run_args = ezkl.PyRunArgs()
    run_args.input_visibility = "public"
    run_args.param_visibility = "fixed"
    run_args.output_visibility = "public"
    assert ezkl.gen_settings(args.model, path("settings.json"), py_run_args=run_args)
    assert ezkl.calibrate_settings(args.calibration, args.model, path("settings.json"), "resources")
    assert ezkl.compile_circuit(args.model, path("model.compiled"), path("settings.json"))
    with open(path("settings.json")) as f:
        settings = json.load(f)
    logrows = settings["run_args"]["logrows"]
    ezkl.gen_srs(path("kzg.srs"), logrows)
    start = time.perf_counter()
    assert ezkl.setup(path("model.compiled"), path("vk.key"), path("pk.key"), path("kzg.srs"))
    setup_ms = (time.perf_counter() - start) * 1e3
    ezkl.gen_witness(args.input, path("model.compiled"), path("witness.json"))

    times = []
    for _ in range(args.reps):
        start = time.perf_counter()
        ezkl.prove(path("witness.json"), path("model.compiled"), path("pk.key"), path("proof.json"), path("kzg.srs"))
        times.append((time.perf_counter() - start) * 1e3)
    start = time.perf_counter()
    verified = bool(ezkl.verify(path("proof.json"), path("settings.json"), path("vk.key"), path("kzg.srs")))
    verify_ms = (time.perf_counter() - start) * 1e3
    with open(path("proof.json")) as f:
        proof = json.load(f)
    proof_bytes = len(bytes.fromhex(proof["hex_proof"].removeprefix("0x"))) if proof.get("hex_proof") else len(proof["proof"])

    with open(path("witness.json")) as f:
        witness = json.load(f)
    outputs = [ezkl.felt_to_float(x, scale)
               for values, scale in zip(witness["outputs"], settings["model_output_scales"]) for x in values]
    with open(args.input) as f:
        data = json.load(f)["input_data"]
    session = onnxruntime.InferenceSession(args.model)
    # EZKL's input format: one flat list per model input.
    feeds = {}
    for feed, values in zip(session.get_inputs(), data):
        shape = [d if isinstance(d, int) else 1 for d in feed.shape]
        # Each input in its declared type (token ids are int64, masks bool).
        dtype = {"tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(bool)": np.bool_}.get(feed.type, np.float32)
        feeds[feed.name] = np.array(values, dtype=np.float64).astype(dtype).reshape(shape)
    floats = [float(v) for o in session.run(None, feeds) for v in np.asarray(o, np.float64).ravel()]
    print(json.dumps({
        "ezkl_version": ezkl.__version__,
        "settings": {k: settings["run_args"][k] for k in ("input_scale", "param_scale", "logrows", "lookup_range")
                     if k in settings["run_args"]} | {"num_rows": settings.get("num_rows")},
        "setup_ms": setup_ms,
        "prove_ms": times,
        "prove_median_ms": statistics.median(times),
        "verified": verified,
        "verify_ms": verify_ms,
        "proof_bytes": proof_bytes,
        "pk_bytes": os.path.getsize(path("pk.key")),
        "vk_bytes": os.path.getsize(path("vk.key")),
        "outputs": outputs,
        "float_outputs": floats,
        "max_abs_error": max(abs(a - b) for a, b in zip(outputs, floats)),
    }))


if __name__ == "__main__":
    main()
