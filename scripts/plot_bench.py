#!/usr/bin/env python3
"""Plot `zkaccel bench --json` records as an SVG: median time against input size,
one panel per operation, one line per implementation (log-log axes).

Usage: scripts/plot_bench.py RECORDS.json OUT.svg [TITLE]
Only the standard library is needed.
"""
import json
import math
import sys
from collections import defaultdict

COLORS = {
    "zkaccel": "#d62728",
    "halo2curves": "#1f77b4",
    "arkworks": "#2ca02c",
    "serial-montgomery": "#9467bd",
}
PANEL_W, PANEL_H = 360, 260
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 64, 16, 40, 48


def nice_ticks(lo, hi):
    """Powers of ten (and 2x, 5x) between lo and hi, for a log axis."""
    ticks = []
    e = math.floor(math.log10(lo))
    while 10**e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10**e
            if lo / 1.0001 <= v <= hi * 1.0001:
                ticks.append(v)
        e += 1
    return ticks


def panel(op, series, x0, y0):
    out = []
    sizes = sorted({s for pts in series.values() for s, _ in pts})
    times = [t for pts in series.values() for _, t in pts]
    t_lo, t_hi = min(times) / 1.3, max(times) * 1.3
    s_lo, s_hi = min(sizes) - 0.5, max(sizes) + 0.5
    w = PANEL_W - MARGIN_L - MARGIN_R
    h = PANEL_H - MARGIN_T - MARGIN_B

    def px(log_size):
        return x0 + MARGIN_L + (log_size - s_lo) / (s_hi - s_lo) * w

    def py(ms):
        f = (math.log10(ms) - math.log10(t_lo)) / (math.log10(t_hi) - math.log10(t_lo))
        return y0 + MARGIN_T + (1 - f) * h

    out.append(f'<text x="{x0 + PANEL_W / 2}" y="{y0 + 22}" text-anchor="middle" font-weight="bold">{op}</text>')
    out.append(
        f'<rect x="{x0 + MARGIN_L}" y="{y0 + MARGIN_T}" width="{w}" height="{h}" fill="none" stroke="#888"/>'
    )
    for s in sizes:
        out.append(f'<text x="{px(s)}" y="{y0 + PANEL_H - MARGIN_B + 16}" text-anchor="middle">2^{s}</text>')
    for t in nice_ticks(t_lo, t_hi):
        y = py(t)
        out.append(f'<line x1="{x0 + MARGIN_L}" x2="{x0 + MARGIN_L + w}" y1="{y}" y2="{y}" stroke="#eee"/>')
        label = f"{t:g}"
        out.append(f'<text x="{x0 + MARGIN_L - 4}" y="{y + 4}" text-anchor="end">{label}</text>')
    out.append(
        f'<text x="{x0 + 14}" y="{y0 + MARGIN_T + h / 2}" transform="rotate(-90 {x0 + 14} {y0 + MARGIN_T + h / 2})" '
        f'text-anchor="middle">median ms</text>'
    )
    for k, (impl, pts) in enumerate(sorted(series.items())):
        color = COLORS.get(impl, "#555")
        pts = sorted(pts)
        path = " ".join(f"{'M' if i == 0 else 'L'}{px(s):.1f},{py(t):.1f}" for i, (s, t) in enumerate(pts))
        out.append(f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for s, t in pts:
            out.append(f'<circle cx="{px(s):.1f}" cy="{py(t):.1f}" r="3" fill="{color}"/>')
        ly = y0 + MARGIN_T + 12 + 14 * k
        lx = x0 + MARGIN_L + 8
        out.append(f'<line x1="{lx}" x2="{lx + 16}" y1="{ly - 4}" y2="{ly - 4}" stroke="{color}" stroke-width="2"/>')
        out.append(f'<text x="{lx + 20}" y="{ly}">{impl}</text>')
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    records = json.load(open(sys.argv[1]))
    title = sys.argv[3] if len(sys.argv) > 3 else "zkaccel bench"
    by_op = defaultdict(lambda: defaultdict(list))
    for r in records:
        by_op[r["op"]][r["implementation"]].append((r["log_size"], r["median_ms"]))
    ops = list(by_op)
    cols = min(2, len(ops))
    rows = math.ceil(len(ops) / cols)
    width, height = cols * PANEL_W, rows * PANEL_H + 30
    body = [f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>']
    for i, op in enumerate(ops):
        body += panel(op, by_op[op], (i % cols) * PANEL_W, 30 + (i // cols) * PANEL_H)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">\n<rect width="100%" height="100%" fill="white"/>\n'
        + "\n".join(body)
        + "\n</svg>\n"
    )
    open(sys.argv[2], "w").write(svg)


if __name__ == "__main__":
    main()
