#!/usr/bin/env bash
# Everything the tests need, then every test. CI runs exactly this (.ci/run).
#
# The tests need the Rust toolchain (with rustfmt and clippy); for the EVM
# verifier tests, a `solc`: solc-js from npm behind scripts/solc/solc (the native
# compiler cannot be downloaded here); for the FPGA RTL, Verilator, yosys and
# libclang from Debian; for the CUDA kernels' compilation test, NVRTC from PyPI
# (scripts/install_nvrtc.sh). The GPU tests need a GPU: scripts/gpu_test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step's heading says when it began (seconds since the start), so CI's log shows where the time goes.
step() { echo "== $* [+${SECONDS}s]"; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "test.sh: $1 is required ($2)" >&2; exit 1; }; }
need cargo "install Rust stable with rustup"
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

step "solc (solc-js from npm, for the EVM verifier tests)"
./scripts/install_solc.sh
export ZKACCEL_SOLC="$PWD/scripts/solc/solc"
"$ZKACCEL_SOLC" --version | tail -1

step "HDL tools (Verilator, yosys, libclang from Debian)"
./scripts/hdl/install_tools.sh
verilator --version
yosys -V

step "format"
cargo fmt --all --check

# The CLI's optional commands: `zkaccel bench` (the peers) and `zkaccel evm`.
cli_features=(--features zkaccel-cli/bench,zkaccel-cli/evm)

step "lints (the CLI with and without its optional commands)"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --workspace --all-targets --locked "${cli_features[@]}" -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked "${cli_features[@]}"

step "the default CLI links none of the peers"
peers="$(cargo tree -p zkaccel-cli -e normal --prefix none --locked | grep -E '^(ark-[a-z0-9-]+|halo2curves|criterion|snark-verifier|revm) ' || true)"
if [ -n "$peers" ]; then
    echo "the default zkaccel-cli build links: $peers" >&2
    exit 1
fi

step "packages (cargo publish --dry-run; the light crates also built from their packages)"
# --allow-dirty: the check is of what the packages hold, and test.sh also runs on work in progress.
cargo publish --workspace --dry-run --no-verify --locked --allow-dirty
cargo package --locked --allow-dirty -p zkaccel-core -p zkaccel-backend-cpu -p zkaccel-backend-cuda -p zkaccel-backend-fpga

step "tests"
# Release mode: the conformance suite runs MSMs and NTTs up to 2^16. The zkML
# suite's largest models (LeNet-5, MLP 784; 2^17 and 2^15 rows) and PyTorch's
# own nanoGPT export (2^19 rows) prove in the next step, beside the suite's
# nanoGPT-style decoder checked against tract.
cargo test --workspace --release --locked "${cli_features[@]}" -- --skip the_largest_suite_models \
    --skip torch_exported_nanogpt --skip the_suite_decoder

step "the zkML suite's largest models (LeNet-5 with BatchNormalization and MaxPool, MLP 784-256-128-10, nanoGPT as PyTorch exports it; the suite's decoder against tract)"
cargo test --workspace --release --locked "${cli_features[@]}" --test suite_large -- --nocapture
# The default CLI build: its optional commands say how to get them.
cargo test --release --locked -p zkaccel-cli --test cli --test zkml without_the_feature

if grep -qw avx512ifma /proc/cpuinfo 2>/dev/null; then
    step "the CPU backend's scalar paths on this IFMA machine (ZKACCEL_NO_IFMA=1)"
    ZKACCEL_NO_IFMA=1 cargo test --release --locked -p zkaccel-backend-cpu
fi

step "CUDA kernels without a GPU: NVRTC compiles every kernel; their bodies, built for the host, vs zkaccel-core"
nvrtc_lib="$(./scripts/install_nvrtc.sh)"
cargo clippy --release --locked -p zkaccel-backend-cuda --features host-kernels,gpu-tests --all-targets -- -D warnings
LD_LIBRARY_PATH="$nvrtc_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ZKACCEL_REQUIRE_NVRTC=1 \
    cargo test --release --locked -p zkaccel-backend-cuda --features host-kernels

step "FPGA RTL: lint, Verilator testbenches, the fpga-sim backend"
./scripts/hdl/lint.sh
# One feature set for both commands, so the RTL is verilated and compiled once.
fpga_sim=(--release --locked -p zkaccel -p zkaccel-backend-fpga --features zkaccel/fpga-sim)
cargo clippy "${fpga_sim[@]}" --all-targets -- -D warnings
# --nocapture shows the measured cycles per point (docs/fpga.md's throughput model).
cargo test "${fpga_sim[@]}" --lib --test rtl --test fpga_sim --test selection -- --nocapture

step "FPGA: one 2^16-point NTT on the RTL (four-step on the verilated cores)"
cargo test "${fpga_sim[@]}" --test rtl a_2_16_point_ntt_on_the_rtl -- --ignored --nocapture

step "FPGA synthesis (yosys synth_xilinx, UltraScale+) -> hdl/reports/"
python3 ./scripts/hdl/synth.py

step "skipped"
# Backends this machine cannot run are not tested here; say so instead of passing silently.
# (fpga-sim is absent from this default build but ran in the FPGA step above.)
grep -qw avx512ifma /proc/cpuinfo 2>/dev/null ||
    echo "SKIPPED: the CPU backend's IFMA NTT and MSM tests: this CPU has no AVX-512 IFMA (the scalar paths were tested)"
./target/release/zkaccel info | awk '$2 == "unavailable" && $1 != "fpga-sim" {
    $2 = $3 = $4 = $5 = ""; sub(/^ +/, "", $0); name = $1; $1 = "";
    gsub(/^ +/, "", $0); printf "SKIPPED: %s backend tests: %s\n", name, $0 }'
