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
        let recorder = try Recorder.start(.init(output: .file(path), scenario: "smoke", model: "threads"))
        let t = try TracedThread(name: "sleeper") { span("nap") { tracedSleep(.milliseconds(5)) } }
        t.join()
        for _ in 0..<10 { span("work") {} }
        _ = try recorder.stop()

        let run = try runLanes(["info", path])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("trace") && $0.hasSuffix("(complete)") })
        #expect(lines.contains { $0.hasPrefix("spans") && $0.contains("12 (") })
        #expect(lines.contains { $0.hasPrefix("scenario") && $0.hasSuffix("smoke") })
        #expect(lines.contains { $0.hasPrefix("model") && $0.hasSuffix("threads") })
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("sleep") })
        #expect(lines.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("join") })
        #expect(lines.contains { $0.hasPrefix("clock") && $0.contains("CLOCK_MONOTONIC") })
        #expect(lines.contains { $0.hasPrefix("dropped events") && $0.hasSuffix(" 0") })
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
        #expect(run.stderr.contains("not a Lanes file"))
        // Reading never writes: the file is as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "hello, this is not a trace\n")
    }

    @Test func aBadFlagIsOneLineAndAFailure() throws {
        let run = try runLanes(["info", "--frobnicate", "x.lanes"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--frobnicate"))
    }

    /// A process that records spans and is killed with SIGKILL mid-run leaves a file that reads up
    /// to its last flushed chunk.
    @Test func aKilledRecorderLeavesAReadableFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("killed.lanes").path
        let child = try ChildProcess(path: lanesBinary, arguments: ["_spin", "--out", path, "--flush-ms", "5"])
        // Wait (bounded) until the child has flushed a few chunks, then kill it mid-run.
        var before = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let seen = try? LanesFile.read(path: path), seen.chunks >= 4 {
                before = seen.trace.spans.count
                break
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
        child.kill(SIGKILL)
        #expect(try child.wait() == .signaled(SIGKILL))
        #expect(before > 0, "the child flushed nothing in 30 s")

        let result = try LanesFile.read(path: path)
        #expect(!result.isComplete)
        #expect(result.trace.spans.count >= before)
        #expect(result.trace.spans.allSatisfy { $0.name == "tick" || $0.name == "work" || $0.name == "sleep" })
        let info = try runLanes(["info", path])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(!info.stdout.contains("(complete)"))
    }
}
