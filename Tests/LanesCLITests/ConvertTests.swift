import Foundation
import LanesCore
import LanesFormat
import Testing

@Suite(.serialized) struct ConvertTests {
    /// A small trace with two threads, a task lane, nesting and waits.
    func trace() -> Trace {
        let main = Lane(id: LaneID(0), kind: .thread, pid: 42, threadID: 42, name: "main")
        let worker = Lane(id: LaneID(1), kind: .thread, pid: 42, threadID: 43, name: "worker")
        let task = Lane(id: LaneID(2), kind: .task, pid: 42, taskID: 9, name: "download")
        let spans = [
            Span(id: SpanID(1), name: "request", lane: main.id, threadID: 42, start: 1_000, end: 9_000),
            Span(
                id: SpanID(2), name: "parse", lane: main.id, threadID: 42, start: 2_000, end: 3_000, parent: SpanID(1),
                waits: [Wait(reason: .lock, start: 2_100, end: 2_400, object: "m")]),
            Span(
                id: SpanID(3), name: "nap", lane: worker.id, threadID: 43, start: 0, end: 5_000_000,
                waits: [Wait(reason: .sleep, start: 10, end: 4_000_010)]),
            Span(
                id: SpanID(4), name: "fetch", lane: task.id, threadID: 43, start: 500, end: 8_000,
                waits: [Wait(reason: .suspended, start: 600, end: 7_000)]),
        ]
        return Trace(
            metadata: Metadata(command: ["demo"], host: "box", cores: 2, timeSource: "tsc"),
            processes: [Process(pid: 42, name: "demo")], lanes: [main, worker, task], spans: spans)
    }

    @Test func convertsBothWaysAndInfoReadsJSON() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lanesPath = dir.appendingPathComponent("a.lanes").path
        let jsonPath = dir.appendingPathComponent("a.json").path
        let backPath = dir.appendingPathComponent("b.lanes").path
        let original = trace()
        try LanesFile.write(original, to: lanesPath)

        let toJSON = try runLanes(["convert", lanesPath, jsonPath])
        #expect(toJSON.status == 0, "\(toJSON.stderr)")
        #expect(toJSON.stdout.contains("4 spans on 3 lanes, 3 waits"))
        let toLanes = try runLanes(["convert", jsonPath, backPath])
        #expect(toLanes.status == 0, "\(toLanes.stderr)")
        #expect(toLanes.stderr.isEmpty)
        let back = try LanesFile.read(path: backPath).trace
        #expect(back.spans.sorted { $0.id < $1.id } == original.spans)
        #expect(back.lanes == original.lanes)

        let info = try runLanes(["info", jsonPath])
        #expect(info.status == 0, "\(info.stderr)")
        let lines = info.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("spans") && $0.hasSuffix("4 (4 distinct names)") })
        #expect(lines.contains { $0.hasPrefix("lanes") && $0.hasSuffix("3 (2 threads, 1 task)") })
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "sleep         1 totalling 4.00 ms" })
    }

    @Test func convertsToPerfettoProtobufAndRefusesToReadIt() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lanesPath = dir.appendingPathComponent("a.lanes").path
        let pfPath = dir.appendingPathComponent("a.pftrace").path
        let original = trace()
        try LanesFile.write(original, to: lanesPath)
        let run = try runLanes(["convert", lanesPath, pfPath])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("4 spans on 3 lanes, 3 waits"))
        // The file is the library's encoding of the trace: a protobuf Trace whose first field is a packet.
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pfPath)))
        #expect(bytes == PerfettoTrace.encode(original))
        #expect(bytes.first == 0x0A)
        // Lanes does not read it back, and says so in one line.
        let back = try runLanes(["info", pfPath])
        #expect(back.status != 0)
        #expect(
            back.stderr.hasPrefix("Error: cannot read \(pfPath): Lanes writes Perfetto's .pftrace but does not read it")
        )
        #expect(back.stderr.filter { $0 == "\n" }.count == 1)
    }

    @Test func infoReadsForeignJSONAndReportsWarnings() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("py.json").path
        // A bare array cut short, with an unknown phase: both reported, the trace still read.
        try Data(
            #"[{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":2},{"ph":"P","pid":1,"tid":1,"ts":2},"#.utf8
        ).write(to: URL(fileURLWithPath: path))
        let run = try runLanes(["info", path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("imported (chrome-trace)"))
        #expect(run.stdout.contains("warning: skipped 1 events of unknown phase \"P\""))
        #expect(run.stdout.contains("warning: the event array has no closing ']'"))
    }

    @Test func badJSONIsOneLineWithTheOffset() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("bad.json").path
        try Data(#"{"traceEvents":[{"ph":"X","ts":1,"dur":tru}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        for args in [["info", path], ["convert", path, dir.appendingPathComponent("out.lanes").path]] {
            let run = try runLanes(args)
            #expect(run.status != 0)
            #expect(run.stderr.split(separator: "\n").count == 1)
            #expect(run.stderr.contains("cannot read \(path): dur at byte 39: expected a number (µs)"))
        }
        // A well-formed event with a bad value is skipped; `lanes info` lists the warning.
        let skipped = dir.appendingPathComponent("skipped.json").path
        try Data(#"{"traceEvents":[{"ph":"X","ts":1,"dur":-1},{"ph":"X","name":"ok","ts":1,"dur":1}]}"#.utf8)
            .write(to: URL(fileURLWithPath: skipped))
        let info = try runLanes(["info", skipped])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(
            info.stdout.contains(
                "warning: skipped 1 event where dur: a duration cannot be negative (the first at byte 16)"))
        let unwritable = try runLanes(["convert", path, "/nonexistent/dir/x.json"])
        #expect(unwritable.status != 0)
    }

    /// The output's name chooses its format, so a name that is neither .lanes nor .json is refused before
    /// anything is read or written.
    @Test func refusesAnOutputNameThatChoosesNoFormat() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lanesPath = dir.appendingPathComponent("s.lanes").path
        try LanesFile.write(trace(), to: lanesPath)
        for name in ["out.txt", "out", "out.lanes.bak"] {
            let out = dir.appendingPathComponent(name).path
            let run = try runLanes(["convert", lanesPath, out])
            #expect(run.status != 0)
            #expect(run.stdout.isEmpty)
            #expect(
                run.stderr
                    == "Error: cannot write \(out): the name must end in .lanes, .json or .pftrace, which chooses the format\n"
            )
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        // Also before the input is read: a missing input does not hide it.
        let out = dir.appendingPathComponent("x.txt").path
        let missing = try runLanes(["convert", dir.appendingPathComponent("none.lanes").path, out])
        #expect(missing.status != 0 && missing.stderr.contains("cannot write \(out)"))
        // Upper-case extensions choose a format too.
        let upper = try runLanes(["convert", lanesPath, dir.appendingPathComponent("S.JSON").path])
        #expect(upper.status == 0, "\(upper.stderr)")
    }

    /// Reading goes by the content, never the name: a .lanes file named `.trace` and JSON named `.txt` are both
    /// read (before, the JSON failed as "not a Lanes file"), and what is neither fails in one line.
    @Test func anInputIsReadByItsContentNotItsName() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lanesNamedOddly = dir.appendingPathComponent("s.trace").path
        try LanesFile.write(trace(), to: lanesNamedOddly)
        let ok = try runLanes(["convert", lanesNamedOddly, dir.appendingPathComponent("s.json").path])
        #expect(ok.status == 0, "\(ok.stderr)")
        let jsonNamedOddly = dir.appendingPathComponent("j.txt").path
        try Data(#"[{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":2}]"#.utf8).write(
            to: URL(fileURLWithPath: jsonNamedOddly))
        let out = dir.appendingPathComponent("j.lanes").path
        let good = try runLanes(["convert", jsonNamedOddly, out])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try LanesFile.read(path: out).trace.spans.map(\.name) == ["f"])
        let lanesNamedJSON = dir.appendingPathComponent("l.json").path
        try LanesFile.write(trace(), to: lanesNamedJSON)
        let info = try runLanes(["info", lanesNamedJSON])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("(.lanes, complete)"))
        let neither = dir.appendingPathComponent("n.json").path
        try Data("hello".utf8).write(to: URL(fileURLWithPath: neither))
        let bad = try runLanes(["convert", neither, dir.appendingPathComponent("n.lanes").path])
        #expect(bad.status == 1)
        #expect(bad.stderr.split(separator: "\n").count == 1)
        #expect(bad.stderr.contains("cannot read \(neither): not a trace: it starts with bytes [68 65 6c 6c 6f]"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("n.lanes").path))
    }

    /// Counts read as words: "1 span", "1 lane", "2 processes".
    @Test func countsAreSingularForOne() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("one.json").path
        try Data(#"[{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":2}]"#.utf8).write(to: URL(fileURLWithPath: json))
        let convert = try runLanes(["convert", json, dir.appendingPathComponent("one.lanes").path])
        #expect(convert.status == 0, "\(convert.stderr)")
        #expect(convert.stdout.hasSuffix(": 1 span on 1 lane, 0 waits\n"))

        let path = dir.appendingPathComponent("procs.lanes").path
        let lanes = [
            Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "main"),
            Lane(id: LaneID(1), kind: .process, pid: 2, name: "worker-1"),
            Lane(id: LaneID(2), kind: .process, pid: 3, name: "worker-2"),
        ]
        let spans = lanes.enumerated().map { i, lane in
            Span(id: SpanID(UInt64(i + 1)), name: "work", lane: lane.id, threadID: lane.pid, start: 0, end: 100)
        }
        let processes = [Process(pid: 1, name: "main"), Process(pid: 2, name: "w1"), Process(pid: 3, name: "w2")]
        try LanesFile.write(Trace(processes: processes, lanes: lanes, spans: spans), to: path)
        let info = try runLanes(["info", path])
        #expect(info.status == 0, "\(info.stderr)")
        let lines = info.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("lanes") && $0.hasSuffix("3 (1 thread, 2 processes)") })
        #expect(lines.contains { $0.hasSuffix("pid 2 w1: 1 lane") })
        #expect(lines.contains { $0.hasPrefix("spans") && $0.hasSuffix("3 (1 distinct name)") })
    }
}
