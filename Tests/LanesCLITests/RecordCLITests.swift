import Foundation
import LanesCore
import LanesFormat
import Testing

/// `lanes record -- COMMAND`: exit status, streams, signals, errors, and a trace `lanes report` draws.
@Suite struct RecordCLITests {
    @Test func forwardsExitStatusAndStreamsAndWritesATraceReportsDraw() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("r.lanes").path
        let r = try runLanes([
            "record", "--interval", "2ms", "--out", out, "--", "sh", "-c", "echo hello; sleep 0.1; exit 7",
        ])
        #expect(r.status == 7)
        // The command's output passes through untouched; lanes' own lines go to standard error.
        #expect(r.stdout == "hello\n")
        #expect(r.stderr.contains("wrote \(out)"))
        #expect(r.stderr.contains("sampler used "))
        let trace = try LanesFile.read(path: out).trace
        #expect(trace.metadata.command == ["sh", "-c", "echo hello; sleep 0.1; exit 7"])
        #expect(trace.metadata.model == "recorded")
        #expect(trace.processes.first?.exit == .exited(7))
        #expect(trace.validate().isEmpty)
        let png = dir.appendingPathComponent("r.png").path
        let report = try runLanes(["report", out, "--png", png])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: png))
    }

    /// A one-thread command is "1 process, 1 thread", not "1 processes, 1 threads".
    @Test func countsOfOneAreSingular() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("one.lanes").path
        let r = try runLanes(["record", "-o", out, "--", "sleep", "0.05"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("wrote \(out): 1 process, 1 thread, "), "\(r.stderr)")
    }

    @Test func commandKilledBySignalExitsWith128PlusTheSignal() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runLanes([
            "record", "-o", dir.appendingPathComponent("k.lanes").path, "--", "sh", "-c", "kill -KILL $$",
        ])
        #expect(r.status == 128 + 9)
    }

    /// SIGTERM sent to lanes reaches the command, which ends; lanes exits as the command did.
    @Test func forwardsSIGTERMToTheCommand() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: lanesBinary)
        process.arguments = [
            "record", "-o", dir.appendingPathComponent("t.lanes").path, "--", "sh", "-c", "echo ready; exec sleep 30",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        let started = Date()
        try process.run()
        // Wait for the command to be running (it says so) before signalling.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("ready") {
            let chunk = out.fileHandleForReading.availableData
            try #require(!chunk.isEmpty, "the command never started")
            seen.append(chunk)
        }
        process.terminate()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 128 + 15)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.lanes").path))
    }

    @Test func badInvocationsFailWithOneLine() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("x.lanes").path
        let missing = try runLanes(["record", "-o", out, "--", "lanes-no-such-command", "arg"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("command not found: lanes-no-such-command"))
        #expect(missing.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
        let none = try runLanes(["record", "-o", out])
        #expect(none.status != 0)
        #expect(none.stderr.contains("no command to record"))
        let interval = try runLanes(["record", "--interval", "fast", "-o", out, "--", "true"])
        #expect(interval.status != 0)
        #expect(interval.stderr.contains("--interval must be a duration"))
        let unwritable = try runLanes(["record", "-o", "/nonexistent-dir/x.lanes", "--", "true"])
        #expect(unwritable.status != 0)
        #expect(unwritable.stderr.contains("/nonexistent-dir"))
        // The name chooses the format: one that chooses none is refused before the command runs.
        let marker = dir.appendingPathComponent("ran").path
        let text = dir.appendingPathComponent("x.txt").path
        let named = try runLanes(["record", "-o", text, "--", "touch", marker])
        #expect(named.status != 0)
        #expect(
            named.stderr
                == "Error: cannot write \(text): the name must end in .lanes, .json or .pftrace, which chooses the format\n"
        )
        #expect(!FileManager.default.fileExists(atPath: text))
        #expect(!FileManager.default.fileExists(atPath: marker))
    }
}
