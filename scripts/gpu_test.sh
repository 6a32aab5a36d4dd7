#!/usr/bin/env bash
# The CUDA backend's GPU tests, one command:
#
#   ./scripts/gpu_test.sh                 on a machine with Rust, a GPU and NVRTC: builds and runs
#   ./scripts/gpu_test.sh --build DIR     here (no GPU): builds the test binaries and the CLI into DIR
#   ./scripts/gpu_test.sh --run DIR       there (a GPU, no Rust): runs what --build left in DIR
#
# Runs: the conformance suite on the GPU against the CPU backend (backend-cuda/tests/gpu.rs),
# `zkaccel info`, `ZKACCEL_BACKEND=cuda zkaccel selftest`, and `zkaccel bench` on MSM and NTT
# beside the CPU backend. NVRTC comes from LD_LIBRARY_PATH or from the wheel
# scripts/install_nvrtc.sh fetches (carried in DIR by --build).
set -euo pipefail
cd "$(dirname "$0")/.."

build() {
    local dir="$1"
    mkdir -p "$dir"
    local bin
    bin=$(cargo test --release --locked -p zkaccel-backend-cuda --features gpu-tests --test gpu --no-run \
        --message-format=json 2>/dev/null | python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "gpu":
        print(m["executable"])')
    cp "$bin" "$dir/gpu_tests"
    cargo build --release --locked --bin zkaccel --features bench
    cp target/release/zkaccel "$dir/zkaccel"
    cp -r "$(./scripts/install_nvrtc.sh)" "$dir/nvrtc-lib"
}

run() {
    local dir="$1"
    if [ -d "$dir/nvrtc-lib" ]; then export LD_LIBRARY_PATH="$dir/nvrtc-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; fi
    export ZKACCEL_CUDA_CACHE="${ZKACCEL_CUDA_CACHE:-/tmp/zkaccel-cuda-cache}"
    nvidia-smi -L || true
    "$dir/zkaccel" info
    "$dir/gpu_tests" --test-threads=1
    ZKACCEL_BACKEND=cuda "$dir/zkaccel" selftest
    ZKACCEL_BACKEND=cuda "$dir/zkaccel" bench --ops msm,ntt --sizes "${ZKACCEL_GPU_BENCH_SIZES:-16,20,24}" \
        --json "${ZKACCEL_GPU_BENCH_JSON:-$dir/gpu_bench.json}"
}

case "${1:-}" in
    --build) build "${2:?--build DIR}" ;;
    --run) run "${2:?--run DIR}" ;;
    "") build target/gpu-tests && run target/gpu-tests ;;
    *) echo "usage: $0 [--build DIR | --run DIR]" >&2; exit 2 ;;
esac
