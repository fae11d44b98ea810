import Foundation
import LanesCore
import LanesFormat
import Testing

// The programs behind the fixtures in Fixtures/RecordedTraces.swift.
//
// threads.py (VizTracer):  two threads `worker-0`, `worker-1`, each 3 × (spin(20000); sleep 2 ms).
// procs.py (VizTracer):    two multiprocessing.Process children (forked) running spin(50000).
// aio.py (VizTracer --log_async):  asyncio.gather of three `fetch(i)` coroutines sleeping 5, 10, 15 ms.
// spy_threads.py (py-spy record --threads -r 100 -f chrometrace):  two threads spinning 0.3 s, then sleeping 0.1 s.

@Suite struct ChromeJSONRecordedTraceTests {
    @Test func vizTracerThreads() throws {
        let r = try ChromeJSON.decode(vizTracerThreadsJSON)
        let t = r.trace
        #expect(r.warnings.isEmpty)
        #expect(t.metadata.clock == .imported("viztracer"))
        #expect(t.metadata.extra.contains(Attribute("viztracer.version", "1.1.1")))
        #expect(t.processes.map(\.name) == ["MainProcess"])
        #expect(Set(t.lanes.map(\.name)) == ["MainThread", "worker-0", "worker-1"])
        #expect(t.lanes.allSatisfy { $0.kind == .thread && $0.pid == t.processes[0].pid })
        for name in ["worker-0", "worker-1"] {
            let lane = try #require(t.lanes.first { $0.name == name })
            let spans = t.spans.filter { $0.lane == lane.id }
            // Names lose VizTracer's " (file:line)"; the file and line stay as attributes.
            let worker = try #require(spans.first { $0.name == "worker" })
            #expect(worker.attributes.contains(Attribute("file", "/tmp/pyt/threads.py")))
            #expect(worker.attributes.contains(Attribute("line", "7")))
            let spins = spans.filter { $0.name == "spin" }
            #expect(spins.count == 3)
            #expect(spins.allSatisfy { $0.parent == worker.id && $0.threadID == lane.threadID })
            let sleeps = spans.filter { $0.name == "time.sleep" }
            #expect(sleeps.count == 3)
            // time.sleep is a wait, not computing.
            #expect(sleeps.allSatisfy { $0.waits.map(\.reason) == [.sleep] && $0.blockedTime == $0.duration })
        }
        #expect(t.validate().isEmpty)
    }

    @Test func vizTracerForkedChildrenAreTheirOwnProcesses() throws {
        let r = try ChromeJSON.decode(vizTracerProcessesJSON)
        let t = r.trace
        #expect(r.warnings.isEmpty)
        #expect(Set(t.processes.map(\.name)) == ["MainProcess", "Process-1", "Process-2"])
        // The forked children inherit the parent's thread ident; the pid tells them apart.
        let children = t.processes.filter { $0.name.hasPrefix("Process-") }
        let childLanes = children.map { p in t.lanes.filter { $0.pid == p.pid } }
        #expect(childLanes.allSatisfy { $0.count == 1 })
        #expect(childLanes[0][0].threadID == childLanes[1][0].threadID)
        #expect(childLanes[0][0].id != childLanes[1][0].id)
        for lanes in childLanes {
            #expect(t.spans.contains { $0.lane == lanes[0].id && $0.name == "spin" })
        }
        #expect(t.validate().isEmpty)
    }

    @Test func vizTracerAsyncTasksBecomeTaskLanes() throws {
        let r = try ChromeJSON.decode(vizTracerAsyncJSON)
        let t = r.trace
        #expect(r.warnings.isEmpty)
        let tasks = t.lanes.filter { $0.kind == .task }
        #expect(tasks.map(\.name).sorted() == (1...6).map { "Task-\($0)" })
        #expect(tasks.allSatisfy { $0.taskID != nil && $0.threadID == nil })
        #expect(t.lanes.filter { $0.kind == .thread }.map(\.name) == ["MainThread"])
        // Each of the three fetch coroutines runs on a task lane of its own.
        let fetchLanes = Set(t.spans.filter { $0.name == "fetch" }.map(\.lane))
        #expect(fetchLanes.count == 3)
        #expect(fetchLanes.allSatisfy { id in tasks.contains { $0.id == id } })
        #expect(t.validate().isEmpty)
    }

    @Test func pySpyThreadsAreNamedFromTheirRootFrames() throws {
        let r = try ChromeJSON.decode(pySpyThreadsJSON)
        let t = r.trace
        #expect(r.warnings.isEmpty)
        #expect(t.metadata.clock == .imported("py-spy"))
        #expect(Set(t.lanes.map(\.name)) == ["MainThread", "worker-0", "worker-1"])
        // The OS thread ids from the root frames, not the pthread ids py-spy uses as tids.
        #expect(t.lanes.allSatisfy { ($0.threadID ?? 0) < 1 << 22 })
        let worker0 = try #require(t.lanes.first { $0.name == "worker-0" })
        let spins = t.spans.filter { $0.lane == worker0.id && $0.name == "spin" }
        #expect(!spins.isEmpty)
        #expect(spins.allSatisfy { $0.threadID == worker0.threadID })
        #expect(t.validate().isEmpty)
    }

    @Test func recordedTracesSurviveTheRoundTrip() throws {
        for text in [vizTracerThreadsJSON, vizTracerProcessesJSON, vizTracerAsyncJSON, pySpyThreadsJSON] {
            let t = try ChromeJSON.decode(text).trace
            let back = try ChromeJSON.decode(ChromeJSON.encode(t))
            #expect(back.warnings.isEmpty)
            #expect(canonical(back.trace) == canonical(t))
        }
    }

    /// Records a fresh trace with the VizTracer installed here (CI installs it with pip), so the fixtures do
    /// not go stale against newer versions of the tool.
    @Test(.enabled(if: executableInPath("viztracer") != nil, "viztracer is not installed"))
    func liveVizTracerRecording() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-vt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = dir.appendingPathComponent("prog.py")
        try Data(
            """
            import threading, multiprocessing, asyncio
            def spin(n):
                return sum(i * i for i in range(n))
            async def fetch(i):
                await asyncio.sleep(0.002 * (i + 1))
            async def main():
                await asyncio.gather(*(fetch(i) for i in range(2)))
            if __name__ == "__main__":
                ts = [threading.Thread(target=spin, args=(20000,), name=f"w{k}") for k in range(2)]
                for t in ts: t.start()
                for t in ts: t.join()
                p = multiprocessing.Process(target=spin, args=(20000,))
                p.start(); p.join()
                asyncio.run(main())

            """.utf8
        ).write(to: program)
        let out = dir.appendingPathComponent("trace.json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executableInPath("viztracer")!)
        process.arguments = ["--quiet", "--log_async", "-o", out, program.path]
        process.currentDirectoryURL = dir
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let r = try ChromeJSON.read(path: out)
        let t = r.trace
        #expect(r.warnings.isEmpty)
        #expect(t.processes.count == 2)
        #expect(t.lanes.contains { $0.name == "w0" && $0.kind == .thread })
        #expect(t.lanes.contains { $0.name == "w1" && $0.kind == .thread })
        #expect(t.lanes.filter { $0.kind == .task }.count >= 2)
        // VizTracer draws a slice for each step of a coroutine; each fetch runs on a task lane of its own.
        let fetchLanes = Set(t.spans.filter { $0.name == "fetch" }.map(\.lane))
        #expect(fetchLanes.count == 2)
        #expect(fetchLanes.allSatisfy { id in t.lane(id)?.kind == .task })
        #expect(t.validate().isEmpty)
    }

    /// Records a fresh trace with py-spy (sampling from outside, `--threads`), when it is installed and may
    /// attach (it needs ptrace).
    @Test(.enabled(if: executableInPath("py-spy") != nil && executableInPath("python3") != nil, "py-spy is not installed"))
    func livePySpyRecording() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-spy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = dir.appendingPathComponent("prog.py")
        try Data(
            """
            import threading, time
            def spin(seconds):
                end = time.time() + seconds
                while time.time() < end:
                    pass
            ts = [threading.Thread(target=spin, args=(0.3,), name=f"spinner-{k}") for k in range(2)]
            for t in ts: t.start()
            for t in ts: t.join()

            """.utf8
        ).write(to: program)
        let out = dir.appendingPathComponent("trace.json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executableInPath("py-spy")!)
        process.arguments = [
            "record", "--threads", "-r", "100", "-f", "chrometrace", "-o", out, "--", executableInPath("python3")!, program.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "py-spy could not record (ptrace not permitted?)")
        let r = try ChromeJSON.read(path: out)
        let t = r.trace
        #expect(r.warnings.isEmpty)
        #expect(t.metadata.clock == .imported("py-spy"))
        // Both spinning threads show up with their OS tids; py-spy names a thread only once it has read the
        // name from the interpreter, which a short run sometimes never does, so names may be missing.
        let spinning = Set(t.spans.filter { $0.name == "spin" }.map(\.lane))
        #expect(spinning.count == 2)
        #expect(t.lanes.allSatisfy { ($0.threadID ?? 0) > 0 && ($0.threadID ?? 0) < 1 << 22 })
        #expect(t.lanes.allSatisfy { ["", "MainThread", "spinner-0", "spinner-1"].contains($0.name) })
        #expect(t.validate().isEmpty)
    }
}

/// The full path of `name` in `PATH`, if it is there.
func executableInPath(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for dir in path.split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
