#!/usr/bin/env python3
"""Runs `lanes demo --quick` into a temporary folder and checks that every file it promises exists
and is valid: a comparison PNG per scenario (PNG signature and IHDR, and pngcheck when installed),
a readable trace per run (`lanes info`), REPORT.md whose Mermaid blocks mermaid.js parses and
renders (tools/mermaid/validate.py) and whose images exist, and index.html, checked in headless
Chromium by tools/browser/html_check.py --demo-page.

Usage: check-demo.py [--lanes PATH] [--keep DIR]
Exit status: 0 all good, 1 something missing or invalid.
"""
import argparse
import glob
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
problems = []


def problem(text):
    problems.append(text)
    print(f"check-demo: {text}", file=sys.stderr)


def check_png(path):
    with open(path, "rb") as f:
        head = f.read(33)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return problem(f"{path}: not a PNG")
    width, height = struct.unpack(">II", head[16:24])
    if width < 320 or height < 100:
        problem(f"{path}: {width}×{height} is too small for a chart")
    if shutil.which("pngcheck"):
        r = subprocess.run(["pngcheck", "-q", path], capture_output=True, text=True)
        if r.returncode != 0:
            problem(f"{path}: pngcheck: {r.stdout.strip() or r.stderr.strip()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lanes", default=os.path.join(ROOT, ".build/debug/lanes"))
    ap.add_argument("--keep", help="write the demo here and keep it")
    args = ap.parse_args()
    out = args.keep or tempfile.mkdtemp(prefix="lanes-demo-")
    os.makedirs(out, exist_ok=True)

    started = time.monotonic()
    r = subprocess.run([args.lanes, "demo", "--quick", "--out", out], capture_output=True, text=True)
    took = time.monotonic() - started
    print(r.stdout, end="")
    if r.returncode != 0:
        print(r.stderr, file=sys.stderr, end="")
        problem(f"lanes demo --quick exited with {r.returncode}")
    print(f"lanes demo --quick took {took:.1f} s")

    scenarios = subprocess.run([args.lanes, "scenarios"], capture_output=True, text=True, check=True).stdout
    names = [line.split()[0] for line in scenarios.splitlines() if line and not line.startswith(" ") and line != "models:"]
    for name in names:
        png = os.path.join(out, f"{name}.png")
        if not os.path.isfile(png):
            problem(f"no comparison chart {png}")
        else:
            check_png(png)
        traces = glob.glob(os.path.join(out, "traces", f"{name}-*.lanes"))
        if not traces:
            problem(f"no traces for {name} in {out}/traces")
    for trace in sorted(glob.glob(os.path.join(out, "traces", "*.lanes"))):
        info = subprocess.run([args.lanes, "info", trace], capture_output=True, text=True)
        if info.returncode != 0 or info.stderr.strip():
            problem(f"{trace}: lanes info: {info.stderr.strip() or info.returncode}")

    report = os.path.join(out, "REPORT.md")
    if not os.path.isfile(report):
        problem("no REPORT.md")
    else:
        text = open(report, encoding="utf-8").read()
        for name in names:
            if f"\n## {name}\n" not in text:
                problem(f"REPORT.md has no section for {name}")
        for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            if not os.path.isfile(os.path.join(out, image)):
                problem(f"REPORT.md shows {image}, which is not there")
        blocks = re.findall(r"```mermaid\n(.*?)```", text, flags=re.S)
        if not blocks:
            problem("REPORT.md has no Mermaid block")
        mmd = tempfile.mkdtemp(prefix="lanes-demo-mermaid-")
        for i, block in enumerate(blocks):
            with open(os.path.join(mmd, f"report-{i:03}.mmd"), "w", encoding="utf-8") as f:
                f.write(block)
        v = subprocess.run([sys.executable, os.path.join(ROOT, "tools/mermaid/validate.py"), mmd])
        if v.returncode != 0:
            problem("REPORT.md: some Mermaid blocks do not parse or render")
        shutil.rmtree(mmd, ignore_errors=True)

    index = os.path.join(out, "index.html")
    if not os.path.isfile(index):
        problem("no index.html")
    else:
        h = subprocess.run([sys.executable, os.path.join(ROOT, "tools/browser/html_check.py"), "--demo-page", index])
        if h.returncode != 0:
            problem("index.html fails the browser check")

    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    if problems:
        print(f"check-demo: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"check-demo: every promised file is there and valid ({len(names)} scenarios)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
