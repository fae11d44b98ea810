#!/usr/bin/env python3
"""Prints the table program x recorder x verdict: `lanes advise --json` on every trace in a directory.
   verdicts.py LANES_BINARY TRACE_DIR"""
import json, os, subprocess, sys

lanes, folder = sys.argv[1], sys.argv[2]
rows = []
for f in sorted(os.listdir(folder)):
    if not f.endswith(".json") or f.count(".") != 2:
        continue
    program, recorder, _ = f.split(".")
    r = subprocess.run([lanes, "advise", "--json", os.path.join(folder, f)], capture_output=True, text=True)
    if r.returncode != 0:
        rows.append((program, recorder, "ERROR", r.stderr.strip()[:60], ""))
        continue
    run = json.loads(r.stdout)["runs"][0]
    a = run["advice"]
    findings = ", ".join(x["kind"] for x in run["findings"]) or "-"
    rows.append((program, recorder, a["workClass"], a["models"][0] if a["models"] else "-", findings))
w = [max(len(str(r[i])) for r in rows + [("program", "recorder", "work", "first model", "findings")]) for i in range(5)]
for r in [("program", "recorder", "work", "first model", "findings")] + rows:
    print(" | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
