#!/usr/bin/env bash
# Builds krnl_msm.xclbin from hdl/rtl for AWS F1 or an Alveo U250.
#   [WORD=64] hdl/vitis/build.sh f1|u250 [window-bits (default 12)] [out-dir]
# WORD is the multiplier's word width (256/WORD + 1 stages): lower it if timing fails.
# Needs Vitis/Vivado 2021.2+ on PATH (and, for f1, the aws-fpga repo's
# Vitis setup). None of this runs on zkaccel's CI; see docs/fpga.md.
set -euo pipefail
target=${1:?usage: build.sh f1|u250 [window-bits] [out-dir]}
window_bits=${2:-12}
out=${3:-build-$target}
word=${WORD:-64}
here=$(cd "$(dirname "$0")" && pwd)
case "$target" in
    f1) platform=${AWS_PLATFORM:-xilinx_aws-vu9p-f1_shell-v04261818_201920_3}; part=xcvu9p-flgb2104-2-i ;;
    u250) platform=${PLATFORM:-xilinx_u250_gen3x16_xdma_4_1_202210_1}; part=xcu250-figd2104-2L-e ;;
    *) echo "unknown target $target (f1 or u250)" >&2; exit 2 ;;
esac
for tool in vivado v++; do
    command -v "$tool" >/dev/null 2>&1 || { echo "build.sh: $tool is not on PATH (source the Vitis settings64.sh)" >&2; exit 1; }
done
mkdir -p "$out" && cd "$out"
vivado -mode batch -nojournal -nolog -source "$here/package_xo.tcl" -tclargs "$part" "$window_bits" "$word" krnl_msm.xo
v++ --link -t hw --platform "$platform" --config "$here/$target.cfg" -o krnl_msm.xclbin krnl_msm.xo
echo "built $out/krnl_msm.xclbin (C = $window_bits): run with ZKACCEL_XCLBIN=$PWD/krnl_msm.xclbin ZKACCEL_FPGA_WINDOW_BITS=$window_bits"
if [ "$target" = f1 ]; then
    echo "next: make an AFI with \$AWS_FPGA_REPO_DIR/Vitis/tools/create_vitis_afi.sh -xclbin=krnl_msm.xclbin -o=krnl_msm -s3_bucket=<bucket> -s3_dcp_key=dcp -s3_logs_key=logs"
fi
