#!/usr/bin/env bash
# Everything the tests need, then every test. CI runs exactly this (.ci/run).
#
# The tests need the Rust toolchain (with rustfmt and clippy) and, for the EVM
# verifier tests, a `solc`: solc-js from npm behind scripts/solc/solc (the native
# compiler cannot be downloaded here). Later steps install Verilator/yosys
# (apt-get) and the NVRTC wheel (pip) here.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "test.sh: $1 is required ($2)" >&2; exit 1; }; }
need cargo "install Rust stable with rustup"
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy

echo "== solc (solc-js from npm, for the EVM verifier tests)"
./scripts/install_solc.sh
export ZKACCEL_SOLC="$PWD/scripts/solc/solc"
"$ZKACCEL_SOLC" --version | tail -1

echo "== format"
cargo fmt --all --check

echo "== lints"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --features zkaccel-core/testing

echo "== tests"
# Release mode: the conformance suite runs MSMs and NTTs up to 2^16.
cargo test --workspace --release --locked

echo "== skipped"
# Backends this machine cannot run are not tested here; say so instead of passing silently.
./target/release/zkaccel info | awk '$2 == "unavailable" {
    $2 = $3 = $4 = $5 = ""; sub(/^ +/, "", $0); name = $1; $1 = "";
    gsub(/^ +/, "", $0); printf "SKIPPED: %s backend tests: %s\n", name, $0 }'
