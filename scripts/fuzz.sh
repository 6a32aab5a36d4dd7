#!/usr/bin/env bash
# Runs the fuzz targets (fuzz/src/lib.rs) under libFuzzer on stable Rust:
# the `zkaccel-fuzz` binary built with SanitizerCoverage instrumentation
# (the flags cargo-fuzz passes, minus the nightly-only sanitizers; a panic
# that escapes a target aborts and is the crash). New coverage lands in
# fuzz/corpus/<target>/, crashes in fuzz/artifacts/<target>/.
#
#   scripts/fuzz.sh [SECONDS] [TARGET ...]     (default: 60 s each, every target)
#
# Targets run one at a time on all cores (-fork). ZKACCEL_FUZZ_BUILD_ONLY=1 builds only.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(onnx inputs_json settings_json compiled_json public_json proof vk srs kernels)
fi
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
# An explicit --target keeps the flags off build scripts and proc macros.
host="$(rustc -vV | sed -n 's/^host: //p')"
cargo build --release --locked -p zkaccel-fuzz --features libfuzzer --bin zkaccel-fuzz --target-dir target/fuzz \
    --target "$host"
binary="target/fuzz/$host/release/zkaccel-fuzz"
[ "${ZKACCEL_FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0
jobs="${ZKACCEL_FUZZ_JOBS:-$(nproc)}"
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    echo "== $target: ${seconds} s on $jobs jobs"
    ZKACCEL_FUZZ_TARGET="$target" "$binary" "fuzz/corpus/$target" \
        -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=4096 -timeout=20 \
        -artifact_prefix="fuzz/artifacts/$target/" -fork="$jobs" -ignore_crashes=0 -print_final_stats=1
done
