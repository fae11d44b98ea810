#!/usr/bin/env python3
"""Makes a recorded trace small enough to commit as a fixture: keeps of VizTracer's file_info only the sources of the programs here
and every complete event shorter than MIN_US microseconds (default 1000) except the programs' own frames
(a shorter parent never holds a longer child, so nesting stays whole); py-spy's B/E pairs are kept, without the
file and line of the frames inside an import.
Paths under the user's home and the checkout are shortened.
   trim.py IN OUT [MIN_US]"""
import json, re, sys

src, dst = sys.argv[1], sys.argv[2]
min_us = float(sys.argv[3]) if len(sys.argv) > 3 else 1000.0
data = json.load(open(src))
events = data["traceEvents"] if isinstance(data, dict) else data
# The programs' own frames (coroutine steps are short) and asyncio's awaitables (what a step awaited) are kept
# whatever their length.
awaitables = ("sleep (", "Semaphore.acquire (", "Lock.acquire (", "Queue.get (", "Queue.put (", "Event.wait (")
kept = [
    e for e in events
    if e.get("ph") != "X" or e.get("dur", 0) >= min_us or "/Tests/Fixtures/python/" in e.get("name", "")
    or ("/asyncio/" in e.get("name", "") and e.get("name", "").startswith(awaitables))
]


def short(s):
    if isinstance(s, str):
        for prefix in ("/root/.pyenv/versions/3.11.7/lib/python3.11/",):
            s = s.replace(prefix, "/usr/lib/python3.11/")
        # The checkout's path, wherever it stands (a frame's file, py-spy's `process PID:"python3 PATH"`), is /src/.
        s = re.sub(r'/[^\s"():]*/Tests/Fixtures/python/', "/src/", s)
    return s


for e in kept:
    if "name" in e:
        e["name"] = short(e["name"])
    if isinstance(e.get("args"), dict) and "filename" in e["args"]:
        e["args"]["filename"] = short(e["args"]["filename"])
    for k in ("ts", "dur"):
        if isinstance(e.get(k), float):
            e[k] = round(e[k], 1)
if isinstance(data, dict):
    # Keep the sources of the programs here (the importer reads blocking calls VizTracer could not show from
    # them), under their shortened paths; drop the standard library's.
    info = data.pop("file_info", None) or {}
    files = {short(" (" + k + ":1)")[2:-3]: v for k, v in info.get("files", {}).items() if "/Tests/Fixtures/python/" in k}
    if files:
        data["file_info"] = {"files": files, "functions": {}}
    data["traceEvents"] = kept
    out = data
else:
    # py-spy: the args (file, line) of the frames inside an import are dropped, their events kept (the time between
    # events is what the importer reads). py-spy keeps one stack per thread id, so B/E pair on one stack per tid.
    stacks = {}
    for e in kept:
        stack = stacks.setdefault(e.get("tid"), [])
        if e.get("ph") == "B":
            if "_find_and_load" in stack:
                e.pop("args", None)
            stack.append(e.get("name"))
        elif e.get("ph") == "E" and stack:
            stack.pop()
            if "_find_and_load" in stack:
                e.pop("args", None)
    out = kept
json.dump(out, open(dst, "w"), separators=(",", ":"))
