import Foundation
import LanesCore
import LanesFormat
import LanesRecord
import Testing

@Suite(.serialized) struct CLITests {
    @Test func printsItsVersion() throws {
        let run = try runLanes(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test func infoSummarisesARecordedTrace() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("run.lanes").path
        // Built by hand (the recorder's own tests cover recording; only one recorder may run per
        // process, and test suites run in parallel).
        let main = Lane(id: LaneID(0), kind: .thread, pid: 42, threadID: 42, name: "main")
        let sleeper = Lane(id: LaneID(1), kind: .thread, pid: 42, threadID: 43, name: "sleeper")
        var spans = (0..<10).map { i in
            Span(
                id: SpanID(UInt64(i + 1)), name: "work", lane: main.id, threadID: 42, start: Int64(i) * 100,
                end: Int64(i) * 100 + 50)
        }
        spans.append(
            Span(
                id: SpanID(100), name: "nap", lane: sleeper.id, threadID: 43, start: 0, end: 6_000_000,
                waits: [Wait(reason: .sleep, start: 10, end: 5_000_010)]))
        spans.append(
            Span(
                id: SpanID(101), name: "join", lane: main.id, threadID: 42, start: 1_000, end: 6_000_100,
                waits: [Wait(reason: .join, start: 1_000, end: 6_000_100)]))
        let trace = Trace(
            metadata: Metadata(
                command: ["demo"], host: "box", cores: 2, timeSource: "tsc", scenario: "smoke", model: "threads"),
            processes: [Process(pid: 42, name: "demo")], lanes: [main, sleeper], spans: spans)
        try LanesFile.write(trace, to: path)

        let run = try runLanes(["info", path])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("trace") && $0.hasSuffix("(.lanes, complete)") })
        #expect(lines.contains { $0.hasPrefix("spans") && $0.hasSuffix("12 (3 distinct names)") })
        #expect(lines.contains { $0.hasPrefix("scenario") && $0.hasSuffix("smoke") })
        #expect(lines.contains { $0.hasPrefix("model") && $0.hasSuffix("threads") })
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "sleep         1 totalling 5.00 ms" })
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces) == "join          1 totalling 6.00 ms" })
        #expect(lines.contains { $0.hasPrefix("duration") && $0.hasSuffix("6.00 ms") })
        #expect(lines.contains { $0.hasPrefix("lanes") && $0.hasSuffix("2 (2 threads)") })
        #expect(lines.contains { $0.hasPrefix("clock") && $0.contains("CLOCK_MONOTONIC") })
        #expect(lines.contains { $0.hasPrefix("dropped events") && $0.hasSuffix(" 0") })
    }

    @Test func sampleRecordsATraceThatInfoReads() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sample.lanes").path
        let run = try runLanes(["sample", "--out", path, "--items", "20", "--cpu", "span"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("wrote \(path): "))
        let result = try LanesFile.read(path: path)
        #expect(result.isComplete)
        let trace = result.trace
        #expect(trace.spans.filter { $0.name == "produce" }.count == 40)
        #expect(trace.spans.filter { $0.name == "consume" }.count == 40)
        #expect(trace.spans.filter { $0.name == "consume" }.allSatisfy { $0.cpuTime != nil })
        #expect(Set(trace.lanes.map(\.name)).isSuperset(of: ["producer-0", "producer-1", "consumer-0", "consumer-1"]))
        #expect(trace.validate().isEmpty)
        let info = try runLanes(["info", path])
        #expect(info.status == 0)
        #expect(info.stdout.contains("sleep"))
    }

    /// The recorder streams .lanes, so `lanes sample` refuses any other name before recording anything.
    @Test func sampleWritesOnlyLanesFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("sample.json").path
        let run = try runLanes(["sample", "--out", path, "--items", "1"])
        #expect(run.status != 0)
        #expect(
            run.stderr == "Error: cannot write \(path): the recorder writes .lanes, so the name must end in .lanes\n")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func aMissingTraceIsOneLineAndAFailure() throws {
        let run = try runLanes(["info", "/nonexistent/trace.lanes"])
        #expect(run.status != 0)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(run.stderr.contains("/nonexistent/trace.lanes"))
        #expect(run.stderr.contains("No such file"))
    }

    @Test func aFileThatIsNotATraceIsOneLineAndAFailure() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("notes.lanes").path
        try Data("hello, this is not a trace\n".utf8).write(to: URL(fileURLWithPath: path))
        let run = try runLanes(["info", path])
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1)
        #expect(run.stderr.contains("not a trace"))
        // Reading never writes: the file is as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello, this is not a trace\n")
    }

    @Test func aBadFlagIsOneLineAndAFailure() throws {
        let run = try runLanes(["info", "--frobnicate", "x.lanes"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--frobnicate"))
    }

    /// Timestamps are CLOCK_MONOTONIC nanoseconds in every process, so a child's spans fall inside
    /// the parent's reading of the same clock before it started and after it ended.
    @Test func aChildProcessTraceLinesUpWithTheParentClock() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("child.lanes").path
        func monotonic() -> Int64 {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
        }
        let before = monotonic()
        let run = try runLanes(["_spin", "--out", path, "--spans", "20000"])
        let after = monotonic()
        #expect(run.status == 0, "\(run.stderr)")
        let trace = try LanesFile.read(path: path).trace
        let range = try #require(trace.timeRange)
        #expect(range.lowerBound >= before)
        #expect(range.upperBound <= after)
        #expect(trace.spans.count >= 40_000)
    }

    /// A process that records spans and is killed with SIGKILL mid-run leaves its temporary file
    /// (`.killed.lanes.XXXXXXXX.partial`), which reads up to its last flushed chunk; the path itself is
    /// written only when the recording finishes.
    @Test func aKilledRecorderLeavesAReadableFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("killed.lanes").path
        let child = try ChildProcess(path: lanesBinary, arguments: ["_spin", "--out", target, "--flush-ms", "5"])
        func partial() -> String? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.first { $0.hasPrefix(".killed.lanes.") && $0.hasSuffix(".partial") }
                .map { dir.appendingPathComponent($0).path }
        }
        // Wait (bounded) until the child has flushed a few chunks, then kill it mid-run.
        var before = 0
        var path = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let p = partial(), let seen = try? LanesFile.read(path: p), seen.chunks >= 4 {
                path = p
                before = seen.trace.spans.count
                break
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        child.kill(SIGKILL)
        #expect(try child.wait() == .signaled(SIGKILL))
        #expect(before > 0, "the child flushed nothing in 30 s")
        #expect(!FileManager.default.fileExists(atPath: target), "the unfinished recording did not replace the path")

        let result = try LanesFile.read(path: path)
        #expect(!result.isComplete)
        #expect(result.trace.spans.count >= before)
        #expect(result.trace.spans.allSatisfy { $0.name == "tick" || $0.name == "work" || $0.name == "sleep" })
        let info = try runLanes(["info", path])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(!info.stdout.contains("(complete)"))
    }
}
