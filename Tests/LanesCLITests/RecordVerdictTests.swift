import Foundation
import LanesCore
import LanesFormat
import Testing

/// `lanes record` on small real programs, then `lanes advise --json` on the trace: each gets the verdict
/// a systems engineer would give from `top`, `/proc` and `perf sched`.
@Suite(.enabled(if: realPython3 != nil, "python3 is not installed"))
struct RecordVerdictTests {
    /// What `lanes advise --json` said about one recording, and the trace.
    struct Verdict: CustomStringConvertible {
        var trace: Trace
        var workClass: String
        var models: [String]
        var findings: [(kind: String, title: String, figures: [String: Double])]
        var blockedShare: Double

        func has(_ kind: String) -> Bool { findings.contains { $0.kind == kind } }
        func lacks(_ kind: String) -> Bool { !has(kind) }
        var summary: String { "\(workClass), \(models), \(findings.map { "\($0.kind): \($0.title)" })" }
        /// Short, for failure messages (the trace is large).
        var description: String { summary }
    }

    private func record(_ command: [String], in dir: URL) throws -> Verdict {
        let out = dir.appendingPathComponent("r.lanes").path
        let r = try runLanes(["record", "-o", out, "--"] + command)
        try #require(r.status == 0, "\(r.stderr)")
        let advice = try runLanes(["advise", "--json", out])
        try #require(advice.status == 0, "\(advice.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(advice.stdout.utf8)) as? [String: Any])
        let run = try #require((json["runs"] as? [[String: Any]])?.first)
        let a = try #require(run["advice"] as? [String: Any])
        let st = try #require(run["statistics"] as? [String: Any])
        let findings = (run["findings"] as? [[String: Any]] ?? []).map {
            (
                kind: $0["kind"] as? String ?? "", title: $0["title"] as? String ?? "",
                figures: ($0["figures"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.doubleValue }
            )
        }
        return Verdict(
            trace: try LanesFile.read(path: out).trace, workClass: a["workClass"] as? String ?? "",
            models: a["models"] as? [String] ?? [], findings: findings,
            blockedShare: (st["blockedShare"] as? NSNumber)?.doubleValue ?? -1)
    }

    private func python(_ source: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("program.py")
        try Data(source.utf8).write(to: path)
        return path.path
    }

    /// Five pool threads that sleep: I/O-bound, mostly blocked, and nothing oversubscribed or serialised.
    @Test func threadPoolOfSleepersIsIOBound() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = try python(
            """
            from concurrent.futures import ThreadPoolExecutor
            import time
            with ThreadPoolExecutor(max_workers=5) as pool:
                list(pool.map(lambda i: time.sleep(0.1), range(20)))
            """, in: dir)
        let v = try record([realPython3!, program], in: dir)
        #expect(v.workClass == "I/O-bound", "\(v.summary)")
        #expect(v.blockedShare >= 0.5, "\(v.blockedShare)")
        #expect(v.lacks("oversubscription"), "\(v.summary)")
        #expect(v.lacks("serialised-cpu"), "\(v.summary)")
        #expect(v.models.first == "threads", "\(v.summary)")
        // The sleeps are sleep waits, not running: the workers' spans are mostly waiting.
        let sleep = v.trace.spans.flatMap(\.waits).filter { $0.reason == .sleep }.reduce(Int64(0)) { $0 + $1.duration }
        #expect(sleep >= 1_500_000_000, "\(sleep) ns of sleep for 20 sleeps of 100 ms")
    }

    /// Four CPU-bound Python threads take turns under the GIL: serialised, and processes recommended.
    @Test func cpuBoundPythonThreadsAreSerialisedByTheGIL() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = try python(
            """
            import threading, time
            def spin():
                end = time.thread_time() + 0.25
                x = 0
                while time.thread_time() < end:
                    for i in range(1000): x += i * i
            ts = [threading.Thread(target=spin) for _ in range(4)]
            for t in ts: t.start()
            for t in ts: t.join()
            """, in: dir)
        let v = try record([realPython3!, program], in: dir)
        let serialised = try #require(v.findings.first { $0.kind == "serialised-cpu" }, "\(v.summary)")
        #expect(serialised.title.contains("interpreter lock (inferred"), "\(serialised.title)")
        #expect(v.workClass == "CPU-bound", "\(v.summary)")
        #expect(v.models.first == "processes", "\(v.summary)")
        #expect(v.lacks("oversubscription"), "\(v.summary)")
    }

    /// Two C threads computing: CPU-bound, run at the same time, and no serialisation claimed.
    @Test(.enabled(if: which("cc") != nil, "no C compiler"))
    func cThreadsComputingRunInParallel() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = try compileC(threads: 2, in: dir)
        let v = try record([binary], in: dir)
        #expect(v.workClass == "CPU-bound", "\(v.summary)")
        #expect(v.models.first == "threads", "\(v.summary)")
        #expect(v.lacks("serialised-cpu"), "\(v.summary)")
        #expect(v.lacks("lock-contention"), "\(v.summary)")
        // The two workers (the threads other than main) were on CPUs at the same time for a good part of
        // their running time (generous: this machine is shared).
        let workers = v.trace.spans.filter { $0.threadID != Int64(v.trace.processes[0].pid) }
        try #require(workers.count == 2)
        let running = workers.map(runningStretches)
        let overlap = overlapOf(running[0], running[1])
        let shorter = running.map { $0.reduce(Int64(0)) { $0 + $1.1 - $1.0 } }.min()!
        #expect(shorter > 200_000_000)
        #expect(Double(overlap) >= 0.05 * Double(shorter), "overlap \(overlap) of \(shorter) ns")
        // The main thread's join is a wake-up it waits for, not a lock.
        let main = try #require(v.trace.spans.first { $0.threadID == Int64(v.trace.processes[0].pid) })
        #expect(main.waits.contains { $0.reason == .condition && $0.duration > 100_000_000 })
    }

    /// Three C threads per core computing: each waits in the run queue while others of its program hold
    /// every core: oversubscribed.
    @Test(.enabled(if: which("cc") != nil, "no C compiler"))
    func moreCThreadsThanCoresAreOversubscribed() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let binary = try compileC(threads: 3 * ProcessInfo.processInfo.activeProcessorCount, in: dir)
        let v = try record([binary], in: dir)
        let found = try #require(v.findings.first { $0.kind == "oversubscription" }, "\(v.summary)")
        #expect((found.figures["share"] ?? 0) >= 0.25, "\(found.figures)")
        #expect(v.workClass == "CPU-bound", "\(v.summary)")
    }

    /// A C program whose threads each compute for 0.3 s of CPU time.
    private func compileC(threads: Int, in dir: URL) throws -> String {
        let source = dir.appendingPathComponent("cpu.c")
        try Data(
            """
            #include <pthread.h>
            #include <time.h>
            static double cpu(void) {
                struct timespec ts; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); return ts.tv_sec + ts.tv_nsec / 1e9;
            }
            static void *work(void *arg) {
                volatile unsigned long x = 0; double end = cpu() + 0.3;
                while (cpu() < end) for (int i = 0; i < 10000; i++) x += i * i;
                return arg;
            }
            int main(void) {
                pthread_t t[\(threads)];
                for (int i = 0; i < \(threads); i++) pthread_create(&t[i], 0, work, 0);
                for (int i = 0; i < \(threads); i++) pthread_join(t[i], 0);
                return 0;
            }
            """.utf8
        ).write(to: source)
        let binary = dir.appendingPathComponent("cpu").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: which("cc")!)
        cc.arguments = ["-O1", "-pthread", source.path, "-o", binary]
        try cc.run()
        cc.waitUntilExit()
        try #require(cc.terminationStatus == 0)
        return binary
    }

    /// Threads contending for one `threading.Lock` held across a sleep: lock contention on one address,
    /// not serialised CPU work.
    @Test func pythonThreadsOnOneLockContendOnOneAddress() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = try python(
            """
            import threading, time
            lock = threading.Lock()
            def work():
                for _ in range(3):
                    with lock:
                        time.sleep(0.04)
            ts = [threading.Thread(target=work) for _ in range(4)]
            for t in ts: t.start()
            for t in ts: t.join()
            """, in: dir)
        let v = try record([realPython3!, program], in: dir)
        let contention = try #require(v.findings.first { $0.kind == "lock-contention" }, "\(v.summary)")
        #expect(contention.title.contains("futex 0x"), "\(contention.title)")
        #expect((contention.figures["lanes"] ?? 0) >= 3, "\(contention.figures)")
        #expect(v.lacks("serialised-cpu"), "\(v.summary)")
        #expect(v.lacks("oversubscription"), "\(v.summary)")
        // All the lock waits longer than a few samples are on one address.
        let long = v.trace.spans.flatMap(\.waits).filter { $0.reason == .lock && $0.duration > 5_000_000 }
        #expect(long.count >= 4)
        #expect(Set(long.compactMap(\.object)).count == 1, "\(Set(long.compactMap(\.object)))")
    }

    /// An asyncio loop that idles in epoll, then runs a coroutine that calls time.sleep: a blocked loop.
    @Test func asyncioLoopBlockedBySleepIsFound() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = try python(
            """
            import asyncio, time
            async def tick():
                for _ in range(10):
                    await asyncio.sleep(0.01)
            async def blocker():
                await asyncio.sleep(0.05)
                time.sleep(0.3)
            async def main():
                await asyncio.gather(tick(), blocker(), tick())
            asyncio.run(main())
            """, in: dir)
        let v = try record([realPython3!, program], in: dir)
        let blocked = try #require(v.findings.first { $0.kind == "blocked-event-loop" }, "\(v.summary)")
        // The 300 ms sleep is the stall (give or take a sample), not the 10 ms ticks around it.
        #expect((250_000_000...400_000_000).contains(blocked.figures["longest"] ?? 0), "\(blocked.figures)")
        #expect(blocked.figures["stalls"] == 1, "\(blocked.figures)")
        // The title names the wait, not the sampled thread's one span.
        #expect(blocked.title.contains("blocked in sleep") && !blocked.title.contains("'thread'"), "\(blocked.title)")
        // A program that waits in an event loop keeps its loop: async first, not a thread pool.
        if v.workClass == "I/O-bound" { #expect(v.models.first == "async", "\(v.summary)") }
        let waits = v.trace.spans.flatMap(\.waits)
        #expect(waits.contains { $0.reason == .poll })
        #expect(waits.contains { $0.reason == .sleep && $0.duration >= 250_000_000 })
    }

    /// A shell that sets things up in child processes and then `exec`s the program: one process, named
    /// after the program, and no process overhead.
    @Test func wrapperThatExecsIsOneProcess() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let program = try python("import time\nfor _ in range(3): time.sleep(0.05)\n", in: dir)
        let script = "v=$(echo 1); d=$(dirname /a/b); b=$(basename /a/b); exec \(realPython3!) \(program)"
        for command in [["sh", "-c", "exec \(realPython3!) \(program)"], ["sh", "-c", script], ["python3", program]] {
            let v = try record(command, in: dir)
            #expect(v.trace.processes.count == 1, "\(command): \(v.trace.processes.map(\.name))")
            #expect(v.trace.processes.first?.name.hasPrefix("python") == true, "\(v.trace.processes.map(\.name))")
            #expect(v.lacks("process-overhead"), "\(command): \(v.summary)")
        }
    }

    /// A script that runs short commands one after another waits for each: they are its commands, not
    /// workers it hands work to, so no process overhead (before, 3 of them read as workers).
    @Test func commandsRunOneByOneAreNotWorkers() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let v = try record(["sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 0.02; done"], in: dir)
        #expect(v.trace.processes.count >= 5, "\(v.trace.processes.map(\.name))")
        #expect(v.lacks("process-overhead"), "\(v.summary)")
        #expect(v.lacks("oversubscription"), "\(v.summary)")
        // The shell waits for its children; each child sleeps.
        let waits = v.trace.spans.flatMap(\.waits)
        #expect(waits.contains { $0.reason == .childProcess })
        #expect(waits.contains { $0.reason == .sleep })
    }
}

/// The stretches of a span outside its waits.
private func runningStretches(_ span: Span) -> [(Int64, Int64)] {
    var out: [(Int64, Int64)] = []
    var t = span.start
    for w in span.waits.sorted(by: { $0.start < $1.start }) {
        if w.start > t { out.append((t, w.start)) }
        t = max(t, w.end)
    }
    if span.end > t { out.append((t, span.end)) }
    return out
}

private func overlapOf(_ a: [(Int64, Int64)], _ b: [(Int64, Int64)]) -> Int64 {
    var i = 0
    var j = 0
    var total: Int64 = 0
    while i < a.count && j < b.count {
        total += max(0, min(a[i].1, b[j].1) - max(a[i].0, b[j].0))
        if a[i].1 < b[j].1 { i += 1 } else { j += 1 }
    }
    return total
}

/// An executable found in PATH.
func which(_ name: String) -> String? {
    (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(name)" }
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// The real interpreter behind `python3` in PATH (not a version manager's shim), if there is one.
let realPython3: String? = {
    guard let found = which("python3") else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: found)
    p.arguments = ["-c", "import sys; print(sys.executable)"]
    let out = Pipe()
    p.standardOutput = out
    guard (try? p.run()) != nil else { return nil }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let real = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return real.isEmpty ? found : real
}()
