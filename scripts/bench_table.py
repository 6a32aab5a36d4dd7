#!/usr/bin/env python3
"""Print `zkaccel bench --json` records as a Markdown table: one row per
(operation, size), one column per implementation (median ms), and zkaccel's
speed-up over each peer (peer median / zkaccel median).

Usage: scripts/bench_table.py RECORDS.json
"""
import json
import sys
from collections import OrderedDict


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    records = json.load(open(sys.argv[1]))
    rows = OrderedDict()
    impls = []
    for r in records:
        rows.setdefault((r["op"], r["log_size"]), {})[r["implementation"]] = r["median_ms"]
        if r["implementation"] not in impls:
            impls.append(r["implementation"])
    peers = [i for i in impls if i != "zkaccel"]
    header = ["operation", "size"] + [f"{i} ms" for i in impls] + [f"vs {p}" for p in peers]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for (op, log_size), times in rows.items():
        ours = times.get("zkaccel")
        cells = [op, f"2^{log_size}"]
        cells += [f"{times[i]:.1f}" if i in times else "" for i in impls]
        cells += [f"{times[p] / ours:.2f}×" if p in times and ours else "" for p in peers]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
