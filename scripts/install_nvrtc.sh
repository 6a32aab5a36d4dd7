#!/usr/bin/env bash
# NVRTC from PyPI (the nvidia-cuda-nvrtc wheel, CUDA 13: the major version of
# the driver on the GPU machines we target, 580) into target/nvrtc, for the
# CUDA backend's kernel-compilation tests on machines without a CUDA toolkit.
# Prints the library directory to put on LD_LIBRARY_PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/target/nvrtc"
version="13.0.88"
lib="$dir/nvidia/cu13/lib"
if [ ! -e "$lib/libnvrtc.so.13" ]; then
    mkdir -p "$dir"
    python3 -m pip --version >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq python3-pip >/dev/null; }
    python3 -m pip download -q --no-deps --only-binary=:all: -d "$dir/wheel" "nvidia-cuda-nvrtc==$version" >&2
    python3 -m zipfile -e "$dir"/wheel/nvidia_cuda_nvrtc-*.whl "$dir"
    rm -rf "$dir/wheel"
fi
echo "$lib"
