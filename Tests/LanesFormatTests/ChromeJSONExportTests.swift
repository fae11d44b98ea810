import LanesCore
import LanesFormat
import Testing

/// A trace with what the export must work around: a task lane whose spans hop threads, a process lane, waits
/// on both, overlapping (not nested) spans on one thread, zero-length spans, attributes that look like the
/// exporter's own keys, a large tid, marks, counters and flows.
func awkwardTrace() -> Trace {
    let lanes = [
        Lane(id: LaneID(3), kind: .thread, pid: 10, threadID: 9_000_000_000, name: "main"),
        Lane(id: LaneID(1), kind: .thread, pid: 10, threadID: 11, name: "worker \"1\"", sortIndex: 2),
        Lane(id: LaneID(7), kind: .task, pid: 10, taskID: 500, parentTaskID: 1, name: "fetch"),
        Lane(id: LaneID(8), kind: .process, pid: 20, name: "pool worker"),
        Lane(id: LaneID(9), kind: .task, pid: 10, name: "anonymous task"),
    ]
    var spans: [Span] = []
    func add(_ id: UInt64, _ name: String, _ lane: Int, _ start: Int64, _ end: Int64, parent: UInt64? = nil, tid: Int64? = nil,
             cpu: Int64? = nil, attributes: [Attribute] = [], waits: [Wait] = []) {
        spans.append(Span(
            id: SpanID(id), name: name, lane: lanes[lane].id, threadID: tid ?? lanes[lane].threadID ?? 77, start: start, end: end,
            cpuTime: cpu, parent: parent.map { SpanID($0) }, attributes: attributes, waits: waits))
    }
    add(1, "request", 0, 1_000, 9_000, cpu: 5_000, attributes: [Attribute("name", "n"), Attribute("lanes.span", "x"), Attribute("k", "v\nw")])
    add(2, "parse", 0, 1_500, 3_000, parent: 1, waits: [Wait(reason: .lock, start: 2_000, end: 2_500, object: "big lock")])
    add(3, "overlaps", 0, 2_800, 4_000)  // starts inside parse, ends after it
    add(4, "empty", 0, 5_000, 5_000)
    add(5, "empty", 0, 5_000, 5_000)
    add(6, "work", 1, 1_200, 8_000, waits: [Wait(reason: .sleep, start: 2_000, end: 3_000), Wait(reason: .queueGet, start: 4_000, end: 4_001)])
    add(7, "step 1", 2, 1_000, 2_000, tid: 11)
    add(8, "step 2", 2, 3_000, 6_000, tid: 12, waits: [Wait(reason: .suspended, start: 3_500, end: 5_000)])
    add(9, "inner", 2, 3_100, 3_200, parent: 8, tid: 12)
    add(10, "job", 3, 100, 10_000, tid: 20, cpu: 9_000)
    add(11, "anon", 4, 0, 1, tid: 11)
    add(1 << 40, "far id", 1, 8_500, 8_600)
    return Trace(
        metadata: Metadata(
            command: ["lanes", "run", "a b"], host: "h", cores: 4, timeSource: "tsc", scenario: "s", model: "threads",
            droppedEvents: 3, startedAt: 1_700_000_000_000_000_000, extra: [Attribute("x", "y")]),
        processes: [Process(pid: 10, name: "app"), Process(pid: 20, name: "worker", exit: .signaled(9), note: "was on item 4")],
        lanes: lanes, spans: spans,
        marks: [Mark(name: "go", lane: nil, time: 900), Mark(name: "here", lane: LaneID(1), time: 1_300, attributes: [Attribute("a", "b")]),
                Mark(name: "task mark", lane: LaneID(7), time: 1_100)],
        counters: [CounterSample(name: "depth", lane: nil, time: 1_000, value: 2), CounterSample(name: "rss", lane: LaneID(3), time: 1_100, value: 1.5e9),
                   CounterSample(name: "odd", lane: nil, time: 1_200, value: .infinity)],
        flows: [Flow(id: 99, from: SpanID(2), to: SpanID(6), fromTime: 2_900, toTime: 3_500, name: "hand-off"),
                Flow(id: 5, from: SpanID(7), to: SpanID(10), fromTime: 1_900, toTime: 5_000)])
}

/// The trace in a canonical order, so that traces that differ only in the order of spans compare equal.
func canonical(_ t: Trace) -> Trace {
    var c = t
    c.spans.sort { $0.id < $1.id }
    c.marks.sort { ($0.time, $0.name) < ($1.time, $1.name) }
    c.counters.sort { ($0.time, $0.name) < ($1.time, $1.name) }
    c.flows.sort { ($0.fromTime, $0.id) < ($1.fromTime, $1.id) }
    return c
}

@Suite struct ChromeJSONExportTests {
    @Test func roundTripKeepsEverything() throws {
        for original in [sampleTrace(), awkwardTrace()] {
            let json = ChromeJSON.encode(original)
            let back = try ChromeJSON.decode(json)
            #expect(back.warnings.isEmpty, "\(back.warnings)")
            let a = canonical(original)
            let b = canonical(back.trace)
            #expect(b.metadata == a.metadata)
            #expect(b.processes == a.processes)
            #expect(b.lanes == a.lanes)
            #expect(b.spans.count == a.spans.count)
            for (x, y) in zip(a.spans, b.spans) where x != y { Issue.record("span differs:\n\(x)\n\(y)") }
            #expect(b.marks == a.marks)
            #expect(b.counters == a.counters)
            #expect(b.flows == a.flows)
            #expect(b == a)
        }
    }

    @Test func threadTracksNeverHoldOverlappingSlices() throws {
        let json = ChromeJSON.encode(awkwardTrace())
        // Read the X events back as plain slices per (pid, tid) and check that they nest.
        let events = try ChromeJSON.decode(
            String(decoding: json, as: UTF8.self).replacingOccurrences(of: "\"lanes.", with: "\"plain."))
        var byLane: [LaneID: [Span]] = [:]
        for s in events.trace.spans where events.trace.lane(s.lane)?.kind == .thread { byLane[s.lane, default: []].append(s) }
        for (_, spans) in byLane {
            var stack: [Span] = []
            for s in spans.sorted(by: { ($0.start, -$0.end) < ($1.start, -$1.end) }) {
                while let top = stack.last, top.end <= s.start { stack.removeLast() }
                if let top = stack.last { #expect(s.end <= top.end, "\(s.name) overlaps \(top.name)") }
                stack.append(s)
            }
        }
        let text = String(decoding: json, as: UTF8.self)
        // The overlapping span went out on an async track of its process (a local id) keeping its category; waits
        // are visible as slices; tids are small.
        #expect(text.contains(#""ph":"b","cat":"span","id2":{"local":"#))
        #expect(text.contains(#""name":"wait: lock (big lock)""#))
        #expect(!text.contains("9000000000,"))
        #expect(text.contains(#""name":"thread_name""#))
    }

    @Test func writesToAFileAndReadsItBack() throws {
        let dir = "/tmp/lanes-json-\(UInt64.random(in: 0...UInt64.max))"
        let path = dir + ".json"
        let trace = awkwardTrace()
        try ChromeJSON.write(trace, to: path)
        let back = try ChromeJSON.read(path: path)
        #expect(canonical(back.trace) == canonical(trace))
        #expect(throws: ChromeJSONError.self) { try ChromeJSON.read(path: dir + "/missing.json") }
    }
}

extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        var out = ""
        var rest = self[...]
        while let r = rest.firstRange(of: a) {
            out += rest[..<r.lowerBound] + b
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

@Suite struct ChromeJSONRandomTraceTests {
    /// Random traces with every field exercised, extreme values and inconsistencies included (spans ending before
    /// they start, waits outside spans, duplicate ids): the export always reads back, and keeps every span whose
    /// lane exists.
    @Test func randomTracesReadBack() throws {
        var rng = SeededRandom(seed: 2024)
        for round in 0..<300 {
            let trace = rng.trace(maxSpans: 40)
            let json = ChromeJSON.encode(trace)
            let back: ChromeJSONReadResult
            do {
                back = try ChromeJSON.decode(json)
            } catch {
                Issue.record("round \(round): \(error)")
                continue
            }
            // Waits find their span by id: only traces with distinct span ids can keep them all.
            guard Set(trace.spans.map(\.id)).count == trace.spans.count else { continue }
            let laneIDs = Set(trace.lanes.map(\.id))
            let kept = trace.spans.filter { laneIDs.contains($0.lane) }
            // Each span comes back on its own lane, with its times and waits.
            if Set(trace.lanes.map(\.id)).count == trace.lanes.count {
                let byID = Dictionary(uniqueKeysWithValues: back.trace.spans.map { ($0.id, $0) })
                for s in kept {
                    let b = byID[s.id]
                    #expect(b?.lane == s.lane && b?.start == s.start && b?.end == s.end, "round \(round): \(s)")
                    #expect(b?.waits.count == s.waits.count, "round \(round): \(s)")
                }
            }
            #expect(back.trace.spans.count == kept.count, "round \(round)")
            #expect(Set(back.trace.spans.map(\.name)) == Set(kept.map(\.name)), "round \(round)")
            #expect(back.trace.waitCount == kept.reduce(0) { $0 + $1.waits.count }, "round \(round)")
        }
    }
}

@Suite struct ExportNestingTests {
    /// A task whose next slice began on another thread before its last slice's end was taken: the two slices
    /// overlap on the task's lane, and the later one must not be written inside the earlier one as its child.
    @Test func aSpanNestsOnlyInItsOwnParentWhenThatParentIsOnTheLane() throws {
        let lane = Lane(id: LaneID(1), kind: .task, pid: 10, taskID: 1, name: "task 1")
        let worker = Lane(id: LaneID(2), kind: .thread, pid: 10, threadID: 12, name: "worker")
        let short = Lane(id: LaneID(3), kind: .task, pid: 10, taskID: 2, name: "task 2")
        let spans = [
            Span(id: SpanID(1), name: "task", lane: lane.id, threadID: 11, start: 1_000, end: 9_000),
            Span(id: SpanID(2), name: "slice one", lane: lane.id, threadID: 11, start: 900, end: 5_000, parent: SpanID(1)),
            Span(id: SpanID(3), name: "slice two", lane: lane.id, threadID: 12, start: 4_000, end: 4_500, parent: SpanID(1)),
            Span(id: SpanID(4), name: "inner", lane: lane.id, threadID: 11, start: 1_500, end: 2_000, parent: SpanID(2)),
            // A parent on another lane says nothing about nesting here: this job stays inside the worker's loop.
            Span(id: SpanID(5), name: "loop", lane: worker.id, threadID: 12, start: 0, end: 10_000),
            Span(id: SpanID(6), name: "job", lane: worker.id, threadID: 12, start: 6_000, end: 7_000, parent: SpanID(2)),
            // A task that lived inside the one slice it ran in: the task must not be written as its slice's child.
            Span(id: SpanID(7), name: "short task slice", lane: short.id, threadID: 11, start: 100, end: 900, parent: SpanID(8)),
            Span(id: SpanID(8), name: "short task", lane: short.id, threadID: 11, start: 150, end: 850),
        ]
        let trace = Trace(metadata: Metadata(), processes: [Process(pid: 10, name: "app")], lanes: [lane, worker, short], spans: spans)
        let text = String(decoding: ChromeJSON.encode(trace), as: UTF8.self)
        func phase(_ name: String) -> String? {
            guard let r = text.range(of: #""name":"\#(name)""#) else { return nil }
            let before = text[..<r.lowerBound]
            return before.ranges(of: #"{"ph":""#).last.map { String(before[$0.upperBound...].prefix(1)) }
        }
        #expect(phase("slice one") == "X")
        #expect(phase("inner") == "X")
        #expect(phase("slice two") == "b", "slice two would nest in its sibling")
        #expect(phase("loop") == "X")
        #expect(phase("job") == "X")
        #expect(phase("short task slice") == "X")
        #expect(phase("short task") == "b", "a task would nest in its own slice")
        let back = try ChromeJSON.decode(ChromeJSON.encode(trace))
        #expect(canonical(back.trace).spans == canonical(trace).spans)
    }
}
