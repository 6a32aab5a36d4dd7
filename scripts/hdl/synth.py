#!/usr/bin/env python3
"""yosys synth_xilinx (UltraScale+) of the FPGA RTL; LUT, FF, DSP and BRAM counts
per module and in total, against the AWS F1 VU9P, into hdl/reports/.

Three runs cover every module: krnl_msm (the kernel, with its multiplier, point
adder, bucket engine, AXI masters and control slave) at the F1 build's window
size, a 1024-point streaming NTT (stages, butterflies, the Fr multiplier), and
the 8-lane running-product core of the grand-product kernel.
The hierarchy is kept, so each module is synthesized once and counted per
instance in the totals. No place and route, so no timing: Fmax needs Vivado.

    python3 scripts/hdl/synth.py [--window-bits 12] [--ntt-log-n 10]
"""
import argparse
import concurrent.futures
import json
import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
RTL = ROOT / "hdl" / "rtl"
REPORTS = ROOT / "hdl" / "reports"

# Xilinx VU9P (AWS F1) resources, from the UltraScale+ product table.
VU9P = {"LUT": 1_182_240, "FF": 2_364_480, "DSP": 6_840, "BRAM36": 2_160, "URAM": 960}


def counts(cells):
    """Cell counts grouped into the resources a utilization report names."""
    lut = sum(n for c, n in cells.items() if re.fullmatch(r"LUT[1-6]", c))
    lutram = sum(n for c, n in cells.items() if re.fullmatch(r"RAM\d+[MSX]\d*|RAM\d+M\d*|SRL\w+", c))
    ff = sum(n for c, n in cells.items() if re.fullmatch(r"FD[RSCP]E", c))
    return {
        "LUT": lut,
        "LUTRAM/SRL": lutram,
        "FF": ff,
        "DSP": cells.get("DSP48E2", 0),
        "BRAM36": cells.get("RAMB36E2", 0) + cells.get("RAMB18E2", 0) / 2,
        "URAM": cells.get("URAM288", 0),
        "CARRY": sum(n for c, n in cells.items() if c.startswith("CARRY")),
    }


def parse_stat(text):
    """Per-module cell counts and the hierarchy total from yosys `stat`."""
    modules, current = {}, None
    for line in text.splitlines():
        m = re.match(r"=== (.+) ===", line.strip())
        if m:
            name = m.group(1)
            if name == "design hierarchy":
                current = "TOTAL"
            else:
                # "$paramod$<hash>\name" or "$paramod\name\PARAM=..." -> name; variants numbered.
                base = re.sub(r"^\$paramod(\$[0-9a-f]+)?\\", "", name).split("\\")[0]
                current, k = base, 1
                while current in modules:
                    k += 1
                    current = f"{base} (variant {k})"
            modules[current] = {}
            continue
        m = re.match(r"\s+([A-Z][A-Z0-9_]+)\s+(\d+)$", line)
        if current and m:
            modules[current][m.group(1)] = int(m.group(2))
    return modules


def run(target, top, params, out):
    sources = " ".join(str(p) for p in sorted(RTL.glob("*.v")))
    chparams = "".join(f"chparam -set {k} {v} {top}; " for k, v in params.items())
    stat = out / f"{target}.stat.txt"
    script = (
        f"read_verilog -I{RTL} {sources}; {chparams}"
        f"synth_xilinx -family xcup -top {top}; tee -q -o {stat} stat"
    )
    start = time.time()
    proc = subprocess.run(["yosys", "-q", "-p", script], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"yosys failed on {target}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return target, parse_stat(stat.read_text()), time.time() - start


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--window-bits", type=int, default=12, help="krnl_msm's C (the F1 build's default)")
    ap.add_argument("--ntt-log-n", type=int, default=10)
    args = ap.parse_args()
    REPORTS.mkdir(parents=True, exist_ok=True)
    jobs = [
        (f"krnl_msm_c{args.window_bits}", "krnl_msm", {"C": args.window_bits}),
        (f"zk_ntt_stream_n{1 << args.ntt_log_n}", "zk_ntt_stream", {"LOG_N": args.ntt_log_n}),
        ("zk_lane_product_l8", "zk_lane_product", {"LOG_LANES": 3}),
    ]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda j: run(*j, REPORTS), jobs))

    yosys = subprocess.run(["yosys", "-V"], capture_output=True, text=True).stdout.strip()
    summary = {"tool": yosys, "command": "synth_xilinx -family xcup (hierarchy kept)", "device": "xcvu9p", "targets": {}}
    lines = [
        "# FPGA synthesis counts",
        "",
        f"Written by `scripts/hdl/synth.py` ({yosys}; `synth_xilinx -family xcup`, hierarchy kept, no place",
        "and route, so no timing). Per module: one instance; totals count every instance. Percentages are of",
        "the AWS F1 VU9P (before the F1 shell's own share).",
        "",
    ]
    keys = ["LUT", "LUTRAM/SRL", "FF", "DSP", "BRAM36", "URAM", "CARRY"]
    for target, modules, seconds in results:
        summary["targets"][target] = {m: counts(c) for m, c in modules.items()}
        lines += [f"## {target} ({seconds:.0f} s)", "", "| module | " + " | ".join(keys) + " |", "|---" * (len(keys) + 1) + "|"]
        for module, cells in sorted(modules.items(), key=lambda kv: (kv[0] == "TOTAL", kv[0])):
            c = counts(cells)
            row = [f"{c[k]:g}" for k in keys]
            if module == "TOTAL":
                row = [f"**{c[k]:g}**" + (f" ({100 * c[k] / VU9P[k]:.1f}%)" if k in VU9P else "") for k in keys]
            lines.append(f"| {module} | " + " | ".join(row) + " |")
        lines.append("")
        print(f"{target}: " + ", ".join(f"{k} {counts(modules['TOTAL'])[k]:g}" for k in keys) + f" ({seconds:.0f} s)")
    (REPORTS / "utilization.md").write_text("\n".join(lines))
    (REPORTS / "utilization.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(f"wrote {REPORTS / 'utilization.md'}")


if __name__ == "__main__":
    main()
