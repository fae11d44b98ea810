#!/usr/bin/env python3
"""HTML report size and load time: a 10k-span and a 1M-span page, loaded in headless Chromium in one run.

Writes two synthetic Chrome JSON traces (8 threads in 2 processes; nested spans, lock waits on one span in
ten, CPU times and attributes on some), builds each page with `lanes report TRACE --html OUT.html` (the PNG
chart embedded, as users get it), then loads each page from file:// several times, alternating, and takes
the median time from navigation start to the first frame after the page's first draw (the page records it
in `window.lanesReport.firstPaint()`). The last two lines are machine-readable:

    html-bytes-per-span: N     (bytes of the 1M-span page per span)
    html-load-1m-over-10k: N   (median load+first paint, 1M-span page over 10k-span page)

Usage: python3 tools/benchmarks/html_load_bench.py [--lanes PATH] [--out DIR] [--rounds R] [--large N]
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "browser"))

NAMES = ["request", "parse", "compute", "io.read", "serialize", "handler", "alloc", "flush"]


def write_trace(path, spans, seed=7):
    """About `spans` spans (waits are separate `cat: wait` slices, not spans); returns the exact count."""
    rng = random.Random(seed)
    threads = 8
    per_thread = spans // threads
    count = 0
    with open(path, "w") as f:
        f.write('{"traceEvents":[\n')
        f.write('{"ph":"M","name":"process_name","pid":1,"tid":1,"args":{"name":"server"}},\n')
        f.write('{"ph":"M","name":"process_name","pid":2,"tid":5,"args":{"name":"worker"}}')
        for t in range(threads):
            pid, tid = (1, 1 + t) if t < 4 else (2, 5 + t - 4)
            f.write(',\n{"ph":"M","name":"thread_name","pid":%d,"tid":%d,"args":{"name":"thread-%d"}}' % (pid, tid, t))
            clock = 1000.0 + t * 0.7
            made = 0
            while made < per_thread:
                dur = rng.choice((2.0, 3.5, 5.0, 8.0, 20.0, 60.0)) + rng.random()
                name = NAMES[rng.randrange(len(NAMES))]
                has_wait = made % 10 == 3
                args = []
                if made % 7 == 0:
                    args.append('"item":"%d"' % made)
                if has_wait:
                    span_id = 1_000_000_000 + t * 10_000_000 + made
                    args.append('"lanes.span":"%d"' % span_id)
                extra = ',"tdur":%.3f' % (dur * 0.6) if made % 7 == 0 else ""
                if args:
                    extra += ',"args":{%s}' % ",".join(args)
                f.write(',\n{"ph":"X","name":"%s","pid":%d,"tid":%d,"ts":%.3f,"dur":%.3f%s}' % (name, pid, tid, clock, dur, extra))
                made += 1
                if has_wait:
                    f.write(',\n{"ph":"X","cat":"wait","name":"wait: lock","pid":%d,"tid":%d,"ts":%.3f,"dur":%.3f,'
                            '"args":{"lanes.wait":"lock","lanes.span":"%d","lanes.object":"m%d"}}'
                            % (pid, tid, clock + dur * 0.2, dur * 0.3, span_id, t % 3))
                if made % 4 == 1 and made < per_thread and dur > 4:
                    f.write(',\n{"ph":"X","name":"%s","pid":%d,"tid":%d,"ts":%.3f,"dur":%.3f}' % ("inner", pid, tid, clock + dur * 0.55, dur * 0.3))
                    made += 1
                clock += dur + rng.choice((0.5, 1.0, 3.0))
            count += made
        f.write("\n]}\n")
    return count


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lanes", default=os.path.join(ROOT, ".build", "debug", "lanes"))
    ap.add_argument("--out", default="/tmp/lanes-html-bench")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--large", type=int, default=1_000_000)
    args = ap.parse_args()
    args.out = os.path.abspath(args.out)  # pages are loaded by file:// URL, which needs an absolute path
    os.makedirs(args.out, exist_ok=True)
    from html_check import load, make_driver  # noqa: E402 (selenium is only needed here)

    pages = {}
    for label, n in (("small", args.small), ("large", args.large)):
        trace = os.path.join(args.out, f"{label}-{n}.json")
        html = os.path.join(args.out, f"{label}-{n}.html")
        spans = write_trace(trace, n)
        t = time.time()
        r = subprocess.run([args.lanes, "report", trace, "--html", html], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"lanes report {trace} failed: {r.stderr.strip()}")
        size = os.path.getsize(html)
        print(f"{label}: {spans} spans, page {size / 1e6:.2f} MB = {size / spans:.1f} bytes/span "
              f"(built in {time.time() - t:.1f} s)")
        pages[label] = (html, spans, size)

    driver = make_driver()
    times = {"small": [], "large": []}
    try:
        load(driver, pages["small"][0])  # warm the browser up
        for _ in range(args.rounds):
            for label in ("small", "large"):
                driver.get("about:blank")
                times[label].append(load(driver, pages[label][0], timeout=180))
        shown = driver.execute_script("return window.lanesReport.spanCount()")
        if shown != pages["large"][1]:
            sys.exit(f"the large page shows {shown} spans, expected {pages['large'][1]}")
    finally:
        driver.quit()
    small, large = statistics.median(times["small"]), statistics.median(times["large"])
    print(f"load + first paint, median of {args.rounds}: {args.small} spans {small:.0f} ms, "
          f"{args.large} spans {large:.0f} ms (all: {[round(x) for x in times['small']]} / {[round(x) for x in times['large']]})")
    print(f"html-bytes-per-span: {pages['large'][2] / pages['large'][1]:.1f}")
    print(f"html-load-1m-over-10k: {large / small:.1f}")


if __name__ == "__main__":
    main()
