#!/usr/bin/env bash
# One lent-GPU session in one call (no Rust there): what `gpu_test.sh --build DIR`
# left in DIR, run with a time limit per step so that one hung kernel costs
# only its step, every log under OUT; then the PyTorch/hummingbird exports of
# scripts/zkml/export_torch.py (torch is on the GPU machines, not on ours),
# packed into OUT/exports.tar.gz.
#
#   scripts/gpu_session.sh DIR OUT
set -uo pipefail
cd "$(dirname "$0")/.."
dir="$1" out="$2"
step() { # step NAME SECONDS COMMAND...: runs, logs, never stops the session
    local name="$1" limit="$2"; shift 2
    echo "=== $name"
    local start=$SECONDS
    timeout "$limit" "$@" > "$out/$name.log" 2>&1
    local rc=$?
    tail -n 25 "$out/$name.log"
    echo "=== $name: exit $rc after $((SECONDS - start)) s"
}
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm --format=csv
if [ ! -e "$dir/nvrtc-lib/libnvrtc.so.13" ]; then
    lib=$(find /usr/local /opt -name 'libnvrtc.so.13' 2>/dev/null | head -n 1)
    mkdir -p "$dir/nvrtc-lib" && [ -n "$lib" ] && cp -L "$(dirname "$lib")"/libnvrtc*.so* "$dir/nvrtc-lib/"
fi
export LD_LIBRARY_PATH="$PWD/$dir/nvrtc-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export ZKACCEL_CUDA_CACHE=/tmp/zkaccel-cuda-cache
if [ -d .whl ]; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site .whl/*.whl \
        && export PYTHONPATH=/tmp/site
fi
(mkdir -p /tmp/exports && cp zkml/models/torch/exports.json /tmp/exports/ 2>/dev/null
 PYTHONUNBUFFERED=1 timeout 240 python3 scripts/zkml/export_torch.py --out /tmp/exports ${EXPORT_ARGS:-} > "$out/export.log" 2>&1
 tar czf "$out/exports.tar.gz" -C /tmp exports) &
step info 60 "$dir/zkaccel" info
step gpu_tests 200 "$dir/gpu_tests" --test-threads=1 --nocapture
ZKACCEL_BACKEND=cuda step selftest 60 "$dir/zkaccel" selftest
wait
ZKACCEL_BACKEND=cuda step bench "${BENCH_LIMIT:-120}" "$dir/zkaccel" bench --ops "${OPS:-msm,msm-prepared,ntt}" --sizes "${SIZES:-16,20,22}" \
    --reps 3 --json "$out/gpu_bench.json"
