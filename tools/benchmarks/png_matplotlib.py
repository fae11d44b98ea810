#!/usr/bin/env python3
"""The matplotlib side of the PNG benchmark: the Gantt chart Python users draw.

Renders the synthetic trace that `lanes-png-benchmark` renders (the same spans, computed by the
same formula) with one `broken_barh` per lane and `savefig`, 2000x1200 pixels, and prints the
median wall time of the render (figure, bars, axes, save) as `matplotlib-seconds: X`.

Run it alone: python3 tools/benchmarks/png_matplotlib.py [--spans 100000] [--rounds 3] [--out f.png]
"""
import argparse
import os
import statistics
import tempfile
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NAMES = ["parse", "compute", "io", "encode", "wait", "send"]
COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]
LANES = 16
TOTAL_NS = 10_000_000_000


def synthetic(spans):
    """Per lane: (start, duration) pairs in ns and a colour per span. Same formula as main.swift."""
    per_lane = spans // LANES
    period = TOTAL_NS // per_lane
    quarter = max(1, period // 4)
    lanes = []
    for lane in range(LANES):
        bars, colors = [], []
        for k in range(per_lane):
            start = k * period + (k * 7919 + lane * 104729) % quarter
            duration = period // 2 + (k * 31 + lane * 17) % quarter
            bars.append((start / 1e6, duration / 1e6))  # ms on the axis
            colors.append(COLORS[(k * 3 + lane) % len(NAMES)])
        lanes.append((bars, colors))
    return lanes


def render(lanes, path):
    fig, ax = plt.subplots(figsize=(20, 12), dpi=100)
    for i, (bars, colors) in enumerate(lanes):
        ax.broken_barh(bars, (i - 0.4, 0.8), facecolors=colors)
    ax.set_yticks(range(len(lanes)))
    ax.set_yticklabels([f"t{i}" for i in range(len(lanes))])
    ax.set_xlabel("time (ms)")
    ax.set_title(f"synthetic: {len(lanes)} lanes")
    ax.invert_yaxis()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--spans", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", default=None)
    a = p.parse_args()
    lanes = synthetic(a.spans)
    out = a.out or os.path.join(tempfile.mkdtemp(), "matplotlib.png")
    times = []
    for _ in range(a.rounds):
        t0 = time.perf_counter()
        render(lanes, out)
        times.append(time.perf_counter() - t0)
    print(f"matplotlib-seconds: {statistics.median(times):.4f}")
    print(f"matplotlib-bytes: {os.path.getsize(out)}")
    if a.out is None:
        os.remove(out)
        os.rmdir(os.path.dirname(out))


if __name__ == "__main__":
    main()
