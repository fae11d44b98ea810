#!/usr/bin/env python3
"""Chrome Trace JSON import: Lanes against Python's orjson.loads and json.loads, on the same file, in one run.

Writes a synthetic trace (default 1M "X" events over 64 threads in 4 processes, ~100 MB) unless it exists,
times reading + parsing it with orjson and json (best of N, file in the page cache for all three), runs the
Swift importer (json-import-bench, release build), and prints ratios. The last two lines are machine-readable:

    json-import-speedup-vs-orjson: X
    json-import-speedup-vs-python-json: Y

Usage: python3 tools/benchmarks/json_import_bench.py [--events N] [--rounds R] [--file PATH] [--keep]
"""
import argparse
import gc
import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

NAMES = ["request", "parse", "compute", "io.read", "lock.acquire", "alloc", "serialize", "handler (app/server.py:120)"]


def write_trace(path, events, threads, processes, seed=7):
    """A trace like a tracer writes: per-thread nested slices in time order, some with args, threads interleaved."""
    rng = random.Random(seed)
    per_thread = events // threads
    threads_per_process = threads // processes
    clocks = [1_000_000.0 + t * 3.5 for t in range(threads)]
    with open(path, "w") as f:
        f.write('{"traceEvents":[\n')
        first = True
        for p in range(processes):
            pid = 4000 + p
            f.write('%s{"ph":"M","name":"process_name","pid":%d,"tid":%d,"args":{"name":"worker-%d"}}' % ("" if first else ",\n", pid, pid, p))
            first = False
            for k in range(threads_per_process):
                tid = pid * 100 + k
                f.write(',\n{"ph":"M","name":"thread_name","pid":%d,"tid":%d,"args":{"name":"thread-%d"}}' % (pid, tid, k))
        written = 0
        rounds = per_thread
        for _ in range(rounds):
            for t in range(threads):
                pid = 4000 + t // threads_per_process
                tid = pid * 100 + t % threads_per_process
                ts = clocks[t]
                dur = rng.randint(1, 400_000) / 1000.0
                clocks[t] = ts + dur + rng.randint(1, 50_000) / 1000.0
                name = NAMES[rng.randrange(len(NAMES))]
                if rng.random() < 0.25:
                    f.write(',\n{"ph":"X","cat":"app","name":"%s","pid":%d,"tid":%d,"ts":%.3f,"dur":%.3f,"args":{"item":%d}}'
                            % (name, pid, tid, ts, dur, written))
                else:
                    f.write(',\n{"ph":"X","cat":"app","name":"%s","pid":%d,"tid":%d,"ts":%.3f,"dur":%.3f}'
                            % (name, pid, tid, ts, dur))
                written += 1
        f.write('\n],"displayTimeUnit":"ms","otherData":{"generator":"json_import_bench.py"}}\n')
    return written


def best_of(rounds, fn):
    """Best and median time of fn(). The result is kept until the clock stops (its freeing is not timed), and the
    cyclic garbage collector is off while timing, as a careful user would run a big load: Python's best case."""
    times = []
    for _ in range(rounds):
        gc.collect()
        gc.disable()
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        gc.enable()
        del result
        times.append(elapsed)
    return min(times), sorted(times)[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--threads", type=int, default=64)
    ap.add_argument("--processes", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--file", default="/tmp/lanes-json-import-bench.json")
    ap.add_argument("--keep", action="store_true", help="keep the trace file for the next run")
    args = ap.parse_args()

    if not os.path.exists(args.file):
        n = write_trace(args.file, args.events, args.threads, args.processes)
        print(f"wrote {n} X events to {args.file}")
    size = os.path.getsize(args.file)
    print(f"file: {args.file}, {size / 1e6:.1f} MB")

    subprocess.run(["swift", "build", "-c", "release", "--package-path", HERE, "--product", "json-import-bench"],
                   check=True, stdout=subprocess.DEVNULL)
    bin_dir = subprocess.run(["swift", "build", "-c", "release", "--package-path", HERE, "--show-bin-path"],
                             check=True, capture_output=True, text=True).stdout.strip()

    def read():
        with open(args.file, "rb") as f:
            return f.read()

    import orjson

    read()  # into the page cache
    orjson_best, orjson_median = best_of(args.rounds, lambda: orjson.loads(read()))
    json_best, json_median = best_of(max(2, args.rounds // 2), lambda: json.loads(read()))
    out = subprocess.run([os.path.join(bin_dir, "json-import-bench"), args.file, str(args.rounds)],
                         check=True, capture_output=True, text=True).stdout
    figures = dict(line.split(": ", 1) for line in out.strip().splitlines())
    lanes_best = float(figures["lanes-import-seconds"])
    lanes_median = float(figures["lanes-import-median-seconds"])
    print(f"  orjson.loads (read + parse)      best {orjson_best:.3f} s  median {orjson_median:.3f} s")
    print(f"  json.loads (read + parse)        best {json_best:.3f} s  median {json_median:.3f} s")
    print(f"  Lanes ChromeJSON.read (model)    best {lanes_best:.3f} s  median {lanes_median:.3f} s"
          f"  ({size / lanes_best / 1e6:.0f} MB/s; {figures['lanes-import-spans']})")
    print(f"  Lanes peak RSS {int(figures['lanes-import-peak-rss-bytes']) / 1e6:.0f} MB: the model (anonymous memory)"
          f" {int(figures['lanes-import-model-anon-bytes']) / 1e6:.0f} MB, the rest the file's mapped pages"
          f" ({size / 1e6:.0f} MB, page cache, not copied)")
    if not args.keep:
        os.remove(args.file)
    print(f"json-import-speedup-vs-orjson: {orjson_best / lanes_best:.2f}")
    print(f"json-import-speedup-vs-python-json: {json_best / lanes_best:.2f}")


if __name__ == "__main__":
    sys.exit(main())
