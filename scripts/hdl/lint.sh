#!/usr/bin/env bash
# Verilator lint (-Wall) of every top-level RTL module: warnings are errors.
set -euo pipefail
cd "$(dirname "$0")/../../hdl/rtl"
# Unconnected outputs (valid bits of multipliers that share a valid) and
# derived parameters are deliberate.
flags=(--lint-only -Wall -Wno-UNUSEDSIGNAL -Wno-UNUSEDPARAM -Wno-PINCONNECTEMPTY)
for top in zk_mont_mul zk_g1_add zk_msm_engine zk_ntt_butterfly zk_ntt_stage zk_ntt_stream zk_lane_product zk_fr_inverse \
           zk_axi_read zk_axi_write zk_axil_ctrl krnl_msm; do
    verilator "${flags[@]}" --top-module "$top" ./*.v
    echo "lint ok: $top"
done
