import LanesCore
import LanesFormat
import Testing

/// Imports `text` or fails the test with the error.
private func importJSON(_ text: String) throws -> ChromeJSONReadResult {
    try ChromeJSON.decode(text)
}

/// The error importing `text` gives, if any.
private func importError(_ text: String) -> ChromeJSONError? {
    do {
        _ = try ChromeJSON.decode(text)
        return nil
    } catch {
        return error
    }
}

/// The byte offset of the `occurrence`-th (from 0) `needle` in `text`.
func byteOffset(of needle: String, in text: String, occurrence: Int = 0) -> Int {
    let h = Array(text.utf8)
    let n = Array(needle.utf8)
    var seen = 0
    for i in 0...(h.count - n.count) where Array(h[i..<(i + n.count)]) == n {
        if seen == occurrence { return i }
        seen += 1
    }
    return -1
}

@Suite struct ChromeJSONImportTests {
    @Test func objectFormWithCompleteEvents() throws {
        let r = try importJSON(
            """
            {"traceEvents": [
              {"ph": "M", "name": "process_name", "pid": 7, "tid": 0, "args": {"name": "app"}},
              {"ph": "M", "name": "thread_name", "pid": 7, "tid": 70, "args": {"name": "MainThread"}},
              {"ph": "X", "name": "outer", "pid": 7, "tid": 70, "ts": 10, "dur": 5.5, "args": {"n": 3, "s": "x"}},
              {"ph": "X", "name": "inner", "pid": 7, "tid": 70, "ts": 11.25, "dur": 1.0005}
            ], "displayTimeUnit": "ms", "otherData": {"version": "1.0"}}
            """)
        let t = r.trace
        #expect(r.warnings.isEmpty)
        #expect(r.events == 4)
        #expect(t.processes == [Process(pid: 7, name: "app")])
        #expect(t.lanes.count == 1)
        #expect(t.lanes[0].name == "MainThread" && t.lanes[0].threadID == 70 && t.lanes[0].kind == .thread)
        #expect(t.spans.count == 2)
        let outer = t.spans[0]
        let inner = t.spans[1]
        #expect(outer.name == "outer" && outer.start == 10_000 && outer.end == 15_500)
        #expect(inner.name == "inner" && inner.start == 11_250 && inner.end == 12_251)  // 1.0005 µs rounds to 1001 ns
        #expect(inner.parent == outer.id)
        #expect(outer.attributes == [Attribute("n", "3"), Attribute("s", "x")])
        #expect(t.metadata.clock == .imported("chrome-trace"))
        #expect(t.validate().isEmpty)
    }

    @Test func bareArrayWithoutClosingBracket() throws {
        for tail in ["", ",", ",\n  ", "\n"] {
            let text = #"[{"ph":"X","name":"a","pid":1,"tid":2,"ts":1,"dur":2}"# + tail
            let r = try importJSON(text)
            #expect(r.trace.spans.count == 1)
            #expect(r.warnings == [.missingClosingBracket(offset: text.utf8.count)])
        }
        let closed = try importJSON(#"[{"ph":"X","name":"a","pid":1,"tid":2,"ts":1,"dur":2},]"#)
        #expect(closed.warnings.isEmpty && closed.trace.spans.count == 1)
        let empty = try importJSON("[]")
        #expect(empty.trace.spans.isEmpty && empty.warnings.isEmpty)
    }

    @Test func bareArrayCutInsideAnEventKeepsWhatCameBefore() throws {
        let text = #"[{"ph":"X","name":"a","pid":1,"tid":2,"ts":1,"dur":2},{"ph":"X","name":"b","pi"#
        let r = try importJSON(text)
        #expect(r.trace.spans.map(\.name) == ["a"])
        #expect(r.warnings == [.truncatedEvent(eventOffset: byteOffset(of: "{", in: text, occurrence: 1), offset: text.utf8.count)])
    }

    @Test func beginEndMatchedPerThreadInAnyOrder() throws {
        // E before its B in the file; two threads interleaved; an unmatched E and an unclosed B.
        let r = try importJSON(
            """
            [{"ph":"E","pid":1,"tid":1,"ts":30},
             {"ph":"B","name":"outer","pid":1,"tid":1,"ts":10},
             {"ph":"B","name":"other","pid":1,"tid":2,"ts":12},
             {"ph":"B","name":"inner","pid":1,"tid":1,"ts":15},
             {"ph":"E","pid":1,"tid":1,"ts":20},
             {"ph":"E","pid":1,"tid":2,"ts":40},
             {"ph":"E","pid":1,"tid":2,"ts":41},
             {"ph":"B","name":"never closed","pid":1,"tid":2,"ts":50}]
            """)
        // Each thread's spans in start order (threads one after the other).
        let names = r.trace.spans.map(\.name)
        #expect(names == ["outer", "inner", "other"])
        let outer = r.trace.spans[0]
        #expect(outer.start == 10_000 && outer.end == 30_000)
        #expect(r.trace.spans[1].parent == outer.id)
        #expect(r.trace.spans[2].start == 12_000 && r.trace.spans[2].end == 40_000)
        #expect(r.warnings.contains { if case .unmatchedEnds(1, _) = $0 { true } else { false } })
        #expect(r.warnings.contains { if case .unclosedBegins(1, _) = $0 { true } else { false } })
    }

    @Test func instantsCountersAndMetadata() throws {
        let text = """
            {"traceEvents":[
             {"ph":"i","name":"global","pid":1,"tid":1,"ts":5,"s":"g"},
             {"ph":"I","name":"here","pid":1,"tid":1,"ts":6},
             {"ph":"C","name":"queue","pid":1,"ts":7,"args":{"depth":3,"waiting":1.5}},
             {"ph":"C","name":"mem","pid":1,"tid":1,"ts":8,"args":{"value":100,"bad":"x"}},
             {"ph":"M","name":"thread_sort_index","pid":1,"tid":1,"args":{"sort_index":-2}},
             {"ph":"M","name":"process_sort_index","pid":1,"args":{"sort_index":1}}
            ]}
            """
        let r = try importJSON(text)
        let t = r.trace
        #expect(t.marks.map(\.name) == ["global", "here"])
        #expect(t.marks[0].lane == nil && t.marks[1].lane == t.lanes[0].id)
        #expect(t.counters.map(\.name) == ["queue depth", "queue waiting", "mem"])
        #expect(t.counters.map(\.value) == [3, 1.5, 100])
        #expect(t.counters[0].lane == nil && t.counters[2].lane == t.lanes[0].id)
        #expect(t.lanes[0].sortIndex == -2)
        // The warning points at the value's first byte (its opening quote), as errors do.
        #expect(r.warnings == [.nonNumericCounters(count: 1, firstOffset: byteOffset(of: "\"x\"", in: text))])
    }

    @Test func asyncEventsBecomeTaskLanes() throws {
        let r = try importJSON(
            """
            [{"ph":"b","cat":"asyncio","id":"0x1f","name":"fetch","pid":3,"tid":30,"ts":1},
             {"ph":"b","cat":"asyncio","id":"0x1f","name":"parse","pid":3,"tid":31,"ts":2},
             {"ph":"n","cat":"asyncio","id":"0x1f","name":"got","pid":3,"tid":31,"ts":2.5},
             {"ph":"e","cat":"asyncio","id":"0x1f","name":"parse","pid":3,"tid":31,"ts":3},
             {"ph":"e","cat":"asyncio","id":"0x1f","name":"fetch","pid":3,"tid":30,"ts":4},
             {"ph":"b","cat":"asyncio","id":7,"name":"other","pid":3,"tid":30,"ts":1},
             {"ph":"e","cat":"asyncio","id":7,"name":"other","pid":3,"tid":30,"ts":9},
             {"ph":"e","cat":"asyncio","id":8,"pid":3,"tid":30,"ts":9},
             {"ph":"b","cat":"asyncio","id":"job-a","name":"named id","pid":3,"tid":30,"ts":1},
             {"ph":"e","cat":"asyncio","id":"job-a","pid":3,"tid":30,"ts":2}]
            """)
        let t = r.trace
        let tasks = t.lanes.filter { $0.kind == .task }
        #expect(tasks.count == 3)
        let fetchLane = try #require(tasks.first { $0.taskID == 0x1f })
        #expect(fetchLane.name == "fetch" && fetchLane.pid == 3)
        let onFetch = t.spans.filter { $0.lane == fetchLane.id }
        #expect(onFetch.map(\.name) == ["fetch", "parse"])
        #expect(onFetch[1].threadID == 31 && onFetch[1].parent == onFetch[0].id)
        #expect(t.marks.map(\.name) == ["got"] && t.marks[0].lane == fetchLane.id)
        #expect(tasks.contains { $0.taskID == 7 })
        #expect(r.warnings.contains { if case .unmatchedAsyncEnds(1, _) = $0 { true } else { false } })
    }

    @Test func flowsBindToEnclosingSlices() throws {
        let r = try importJSON(
            """
            [{"ph":"X","name":"produce","pid":1,"tid":1,"ts":0,"dur":10},
             {"ph":"X","name":"consume","pid":1,"tid":2,"ts":20,"dur":10},
             {"ph":"s","id":5,"name":"item","cat":"q","pid":1,"tid":1,"ts":5},
             {"ph":"f","id":5,"name":"item","cat":"q","pid":1,"tid":2,"ts":25,"bp":"e"},
             {"ph":"s","id":6,"name":"nowhere","cat":"q","pid":1,"tid":1,"ts":50}]
            """)
        let t = r.trace
        #expect(t.flows.count == 1)
        #expect(t.flows[0].from == t.spans[0].id && t.flows[0].to == t.spans[1].id)
        #expect(t.flows[0].fromTime == 5_000 && t.flows[0].toTime == 25_000 && t.flows[0].name == "item")
        #expect(r.warnings.contains { if case .unboundFlows(1, _) = $0 { true } else { false } })
        #expect(t.validate().isEmpty)
    }

    @Test func stringPidsAndTidsAndOddNumbers() throws {
        let r = try importJSON(
            """
            [{"ph":"X","name":"a","pid":"renderer","tid":"worker","ts":1.5e3,"dur":0.001},
             {"ph":"X","name":"c\\u00e9\\ud83e\\uddf5","pid":42,"tid":7,"ts":0.0004,"dur":1E0},
             {"ph":"X","name":"b","pid":"42","tid":"7","ts":-3,"dur":0}]
            """)
        let t = r.trace
        #expect(t.spans.count == 3)
        // "b" comes after "c" in the file but starts before it on the same lane, so all spans are sorted by start.
        #expect(t.spans.map(\.name) == ["b", "cé🧵", "a"])
        #expect(t.spans.map(\.start) == [-3_000, 0, 1_500_000])
        #expect(t.spans[2].end == 1_500_001)
        #expect(t.spans[1].end == 1_000)
        #expect(t.processes.contains { $0.name == "renderer" })
        #expect(t.processes.contains { $0.pid == 42 })
        #expect(t.lanes.contains { $0.name == "worker" })
        #expect(t.spans[0].threadID == 7 && t.spans[0].lane == t.spans[1].lane)
    }

    @Test func unknownPhasesAreCountedOnce() throws {
        let text = """
            [{"ph":"P","pid":1,"tid":1,"ts":1},{"ph":"O","pid":1,"ts":1,"id":1},{"ph":"P","pid":1,"tid":1,"ts":2},
             {"ph":"X","name":"a","pid":1,"tid":1,"ts":1,"dur":1},{"name":"no phase"},{"ph":"X","name":"no ts","dur":1},{}]
            """
        let r = try importJSON(text)
        #expect(r.trace.spans.count == 1)
        #expect(r.warnings == [
            .unknownPhase(phase: "P", count: 2, firstOffset: 1), .unknownPhase(phase: "O", count: 1, firstOffset: byteOffset(of: #"{"ph":"O""#, in: text)),
            .missingField(phase: "?", field: "ph", count: 2, firstOffset: byteOffset(of: #"{"name":"no phase""#, in: text)),
            .missingField(phase: "X", field: "ts", count: 1, firstOffset: byteOffset(of: #"{"ph":"X","name":"no ts""#, in: text)),
        ])
    }

    @Test func largeUnrelatedFieldsAreSkipped() throws {
        let source = String(repeating: "def f(x):\\n    return \\\"}]\\\" + x\\n", count: 2000)
        let r = try importJSON(
            """
            {"file_info": {"files": {"/a.py": ["\(source)", 2000]}, "functions": {"f": ["/a.py", 1]}},
             "traceEvents": [{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":1}],
             "viztracer_metadata": {"version": "0.16.3"}}
            """)
        #expect(r.trace.spans.count == 1 && r.warnings.isEmpty)
    }

    @Test func malformedInputsGiveTheDocumentedErrors() {
        #expect(importError("") == .notATrace(offset: 0, found: "empty"))
        #expect(importError("  42") == .notATrace(offset: 2, found: "a number"))
        #expect(importError(#"{"foo": 1}"#) == .notATrace(offset: 0, found: "an object without \"traceEvents\""))
        #expect(importError(#"{"traceEvents": 3}"#) == .wrongType(field: "traceEvents", offset: 16, expected: "an array", found: "a number"))
        #expect(importError(#"[{"ph":"X" "ts":1}]"#) == .invalidJSON(offset: 11, field: "an event", expected: "',' or '}'", found: "\"\"ts\":1}]\""))
        #expect(importError(#"[{"ph":X}]"#) == .wrongType(field: "ph", offset: 7, expected: "a string", found: "\"X}]\""))
        #expect(importError(#"[{"ph":"X","ts":1,"dur":1,"args":{"a":tru}}]"#)
            == .invalidJSON(offset: 38, field: "args", expected: "a value", found: "\"tru}}]\""))
        #expect(importError(#"{"traceEvents":[{"ph":"X","ts":1,"dur":1}"#) == .unexpectedEnd(offset: 41, field: "traceEvents"))
        #expect(importError(#"[{"ph":"X","stack":[1,2,fals]}]"#)
            == .invalidJSON(offset: 24, field: "stack", expected: "a value", found: "\"fals]}]\""))
        #expect(importError(#"{"traceEvents":[],"file_info":{"a":"b"]}"#) != nil)
        #expect(importError(#"[{"ph":"C","name":"q","ts":1,"args":{"depth":1.5.2}}]"#)
            == .invalidJSON(offset: 45, field: "args", expected: "a value", found: "\"1.5.2}}]\""))
        #expect(importError(#"{"traceEvents":[{"ph":"X","name":"a\"#) == .unexpectedEnd(offset: 36, field: "name"))
    }

    /// One bad event (a string where a number belongs, a negative duration, a time out of range, a name that is
    /// no string) is skipped with a warning counted per reason, as Chrome and Perfetto import; the rest is kept.
    /// Python's json.dump writes a blank after every colon: the warning still points at the event's first byte.
    @Test(arguments: [
        (#"{"ph": "X", "ts": 1, "dur": -5, "pid": 1, "tid": 1}"#, "dur: a duration cannot be negative"),
        ("{\"ph\": \"X\", \"name\": \"a\", \"ts\": 1, \"dur\":\n\t -2.5}", "dur: a duration cannot be negative"),
        (#"{"ph": "X", "ts": 9223372036854775, "dur": 9223372036854775}"#, "dur: ts + dur is out of range"),
        (#"{"ph": "X", "ts": 1, "dur": "long"}"#, "dur is not a number (µs)"),
        (#"{"ph": "X", "ts": 1e300, "dur": 1}"#, "ts: not a number in range"),
        (#"{"ph": "X", "ts": 99999999999999999999, "dur": 1}"#, "ts: out of range"),
        (#"{"ph": "X", "ts": "soon", "dur": 1}"#, "ts is not a number (µs)"),
        (#"{"ph": "X", "ts": 1, "dur": 1, "pid": [1]}"#, "pid is not a number or a string"),
        (#"{"ph": "X", "ts": 1, "dur": 1, "tid": true}"#, "tid is not a number or a string"),
        (#"{"ph": "b", "ts": 1, "id": [2]}"#, "id is not a number or a string"),
        (#"{"ph": "X", "ts": 1, "dur": 1, "tdur": "1"}"#, "tdur is not a number (µs)"),
        (#"{"ph": "X", "name": 5, "ts": 1, "dur": 1}"#, "name is not a string"),
        (#"{"ph": "b", "cat": {"a": 1}, "id": 1, "ts": 1}"#, "cat is not a string"),
        (#"{"ph":"M","name":["process_name"],"pid":1,"args":{"name":"p"}}"#, "name is not a string"),
        ("3", "the event is not an object"),
    ])
    func aBadEventIsSkippedWithAWarning(_ bad: String, _ reason: String) throws {
        let good = #"{"ph":"X","name":"good","pid":1,"tid":1,"ts":1,"dur":2}"#
        for (text, count) in [("[\(good), \(bad), \(bad), \(good)]", 2), ("{\"traceEvents\": [\(bad), \(good)]}", 1)] {
            let r = try importJSON(text)
            #expect(r.warnings == [.skippedEvents(reason: reason, count: count, firstOffset: byteOffset(of: bad, in: text))])
            #expect(r.trace.spans.map(\.name) == Array(repeating: "good", count: count))
        }
        // And `lanes info` prints it as one line.
        let r = try importJSON("[\(bad)]")
        #expect(r.warnings.first?.description == "skipped 1 event where \(reason) (the first at byte 1)")
    }

    @Test func aNullNameOrCategoryIsAbsent() throws {
        // null is as if the field were absent: an empty name, no category.
        let r = try importJSON(#"[{"ph":"X","name":null,"cat":null,"pid":1,"tid":1,"ts":1,"dur":1,"tdur":null}]"#)
        #expect(r.trace.spans.map(\.name) == [""] && r.trace.spans[0].cpuTime == nil && r.warnings.isEmpty)
    }

    @Test func aNegativeThreadDurationIsDroppedWithAWarning() throws {
        let text = """
            [{"ph":"X","name":"a","pid":1,"tid":1,"ts":1,"dur":5,"tdur": -2},
             {"ph":"X","name":"b","pid":1,"tid":1,"ts":10,"dur":5,"tdur":3},
             {"ph":"B","name":"c","pid":1,"tid":2,"ts":1,"tdur":-0.5},{"ph":"E","pid":1,"tid":2,"ts":4}]
            """
        let r = try importJSON(text)
        // The slices stay; only the negative CPU times go.
        #expect(r.trace.spans.map(\.name) == ["a", "b", "c"])
        #expect(r.trace.spans.map(\.cpuTime) == [nil, 3_000, nil])
        let first = byteOffset(of: "-2}", in: text)
        #expect(first == 61)
        #expect(r.warnings == [.negativeCPUTimes(count: 2, firstOffset: first)])
        #expect(
            r.warnings.map(\.description) == [
                "dropped 2 negative thread durations (\"tdur\"); those slices have no CPU time (the first at byte 61)"
            ])
        #expect(r.trace.validate().isEmpty)
    }

    @Test func noInputCrashes() {
        // Every prefix and some byte flips of a small valid trace: each imports or throws, none traps.
        let valid = Array(
            #"{"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":1.5,"dur":2,"args":{"k":[1,{"x":"y"}]}},{"ph":"B","pid":1,"tid":1,"ts":1},{"ph":"b","id":"0x1","pid":1,"ts":1},{"ph":"s","id":1,"pid":1,"tid":1,"ts":2}]}"#
                .utf8)
        for n in 0...valid.count { _ = try? ChromeJSON.decode(Array(valid[0..<n])) }
        var rng = SeededRandom(seed: 11)
        for _ in 0..<2000 {
            var bytes = valid
            for _ in 0..<rng.int(1...3) {
                bytes[rng.int(0...(bytes.count - 1))] = rng.pick(Array("{}[]\",:0-.eE\\ ".utf8) + [0, 0xFF])
            }
            _ = try? ChromeJSON.decode(bytes)
        }
    }
}
