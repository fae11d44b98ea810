import Foundation
import LanesCore
import LanesRecord
import Testing

/// `ProcessTreeSampler` against real programs (python3 and sh are on this machine and on CI) and its
/// layout of counts into segments against made-up samples.
@Suite struct ProcessTreeSamplerTests {
    typealias Timeline = ProcessTreeSampler.Timeline

    // MARK: Real programs

    /// Two CPU-bound Python threads share the GIL: each gets running time, they hand over many times, and
    /// they are rarely on a CPU at the same time.
    @Test(.enabled(if: python3 != nil, "python3 is not installed"))
    func twoCPUBoundPythonThreadsAlternate() throws {
        let dir = try scratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tidsFile = dir.appendingPathComponent("tids").path
        let program = dir.appendingPathComponent("gil.py")
        try Data(
            """
            import threading, time
            def spin():
                end = time.thread_time() + 0.25
                x = 0
                while time.thread_time() < end:
                    for i in range(1000): x += i * i
            ts = [threading.Thread(target=spin, name=f"spinner-{k}") for k in range(2)]
            for t in ts: t.start()
            with open("\(tidsFile)", "w") as f: f.write(" ".join(str(t.native_id) for t in ts))
            for t in ts: t.join()

            """.utf8
        ).write(to: program)
        let recording = try ProcessTreeSampler().record([python3!, program.path])
        #expect(recording.exit == .exited(0))
        let t = recording.trace
        #expect(t.validate().isEmpty)
        #expect(t.metadata.model == "recorded")
        let tids = try String(contentsOfFile: tidsFile, encoding: .utf8).split(separator: " ").compactMap { Int64($0) }
        try #require(tids.count == 2)
        let lanes = try tids.map { tid in try #require(t.lanes.first { $0.kind == .thread && $0.threadID == tid }) }
        #expect(lanes[0].pid == lanes[1].pid)
        #expect(t.processes.contains { $0.pid == lanes[0].pid })
        let spans = try lanes.map { lane in try #require(t.spans.first { $0.lane == lane.id }) }
        #expect(spans.allSatisfy { $0.name == ProcessTreeSampler.threadSpanName })
        let running = spans.map(runningParts)
        let runTime = running.map { $0.reduce(Int64(0)) { $0 + $1.1 - $1.0 } }
        // Each thread used 250 ms of CPU (its own thread clock); running stretches add up to that, and to
        // the span's CPU time.
        #expect(runTime.allSatisfy { (200_000_000...320_000_000).contains($0) }, "running time per thread: \(runTime)")
        #expect(zip(spans, runTime).allSatisfy { $0.cpuTime == $1 })
        // The GIL hands over every 5 ms: many running stretches each, separated by waits on the interpreter
        // lock: futexes in the interpreter's data (the GIL's condition, mostly, and its mutex: one structure
        // of about 100 bytes), the same addresses for both threads.
        #expect(running.allSatisfy { $0.count >= 10 }, "running stretches: \(running.map(\.count))")
        let gilObjects = spans.map { span in
            var time: [String: Int64] = [:]
            for w in span.waits where w.reason == .gil { time[w.object ?? "", default: 0] += w.duration }
            return time
        }
        for (span, objects) in zip(spans, gilObjects) {
            #expect(span.waits.filter { $0.reason == .gil }.count >= 10)
            #expect(objects.keys.allSatisfy { $0.hasPrefix("futex 0x") && $0.contains("inferred") }, "\(objects)")
            #expect(objects.count <= 6, "\(objects)")
        }
        // One structure: glibc's condition variable waits on one of two words by turn, a word apart, and the
        // mutex beside it.
        let addresses = gilObjects.flatMap(\.keys).compactMap { UInt64($0.dropFirst(8).prefix { $0 != " " }, radix: 16) }
        #expect(!addresses.isEmpty && addresses.max()! - addresses.min()! < 256, "\(gilObjects)")
        // At most one thread holds the GIL: overlap of running segments is small against their union
        // (the layout inside one sample interval is inferred, so a little overlap is expected; here it is
        // about 2%, and two threads without a GIL on two cores would overlap most of the time).
        let overlap = overlapTime(running[0], running[1])
        let union = runTime[0] + runTime[1] - overlap
        #expect(Double(overlap) < 0.25 * Double(union), "overlap \(overlap) ns of \(union) ns")
        #expect(recording.samples > 100)
        #expect(recording.samplerCPUShare > 0 && recording.samplerCPUShare < 0.5)
        #expect(t.counters.contains { $0.name == CounterName.running && $0.lane == lanes[0].id })
    }

    /// A shell that starts a child: the child gets a process lane of its own and its exit is marked;
    /// the shell's exit status is the recording's.
    @Test func shellChildProcessHasItsOwnLaneAndExit() throws {
        let recording = try ProcessTreeSampler().record(["sh", "-c", "sleep 0.3; exit 3"])
        #expect(recording.exit == .exited(3))
        let t = recording.trace
        #expect(t.validate().isEmpty)
        let shell = try #require(t.processes.first)
        #expect(shell.exit == .exited(3))
        let child = try #require(t.processes.first { $0.name == "sleep" })
        // A process is its threads: the main thread's span carries the process's facts, its lane the exit.
        let lane = try #require(t.lanes.first { $0.kind == .thread && $0.pid == child.pid })
        #expect(lane.name == "sleep")
        #expect(!t.lanes.contains { $0.kind == .process })
        let span = try #require(t.spans.first { $0.lane == lane.id })
        #expect(span.attributes.contains(Attribute("ppid", "\(shell.pid)")))
        #expect(span.duration > 200_000_000)
        #expect(t.marks.contains { $0.name == "exit" && $0.lane == lane.id })
        // The shell waits for its child; the child sleeps.
        let shellSpan = try #require(t.spans.first { t.lane($0.lane)?.pid == shell.pid })
        #expect(shellSpan.waits.contains { $0.reason == .childProcess && $0.duration > 150_000_000 })
        #expect(span.waits.contains { $0.reason == .sleep && $0.duration > 150_000_000 })
    }

    /// The recording ends with the command; a child left behind is marked as still running.
    @Test func childLeftRunningIsNotedAsSuch() throws {
        let recording = try ProcessTreeSampler().record(["sh", "-c", "sleep 2 & sleep 0.2"])
        #expect(recording.exit == .exited(0))
        let t = recording.trace
        #expect(t.validate().isEmpty)
        let sleeps = t.processes.filter { $0.name == "sleep" }
        #expect(sleeps.count == 2)
        let left = try #require(sleeps.first { $0.note == "still running when the recording ended" })
        #expect(left.exit == nil)
        let lane = try #require(t.lanes.first { $0.kind == .thread && $0.pid == left.pid })
        #expect(!t.marks.contains { $0.name == "exit" && $0.lane == lane.id })
        kill(Int32(left.pid), SIGTERM)
    }

    /// A sleeping program is waiting, not running: its time is a `sleep` wait, and it is not busy.
    @Test func sleepingProgramWaitsInASleep() throws {
        let recording = try ProcessTreeSampler().record(["sleep", "0.3"])
        #expect(recording.exit == .exited(0))
        let t = recording.trace
        let lane = try #require(t.lanes.first { $0.kind == .thread })
        let span = try #require(t.spans.first { $0.lane == lane.id })
        let sleeping = span.waits.filter { $0.reason == .sleep }.reduce(Int64(0)) { $0 + $1.duration }
        #expect(sleeping > 250_000_000)
        #expect(span.duration - span.waits.reduce(0) { $0 + $1.duration } < 50_000_000)
        #expect(span.cpuTime ?? 0 < 50_000_000)
        #expect(t.metadata.extra.contains(Attribute("record.interval", "1000000 ns")))
    }

    @Test func signalledCommandReportsTheSignal() throws {
        let recording = try ProcessTreeSampler().record(["sh", "-c", "kill -TERM $$"])
        #expect(recording.exit == .signaled(15))
        #expect(recording.trace.processes.first?.exit == .signaled(15))
    }

    @Test func badCommandsThrow() {
        #expect(throws: ProcessTreeSampler.Failure.commandNotFound("lanes-no-such-command")) {
            try ProcessTreeSampler().record(["lanes-no-such-command"])
        }
        #expect(throws: ProcessTreeSampler.Failure.emptyCommand) { try ProcessTreeSampler().record([]) }
    }

    @Test func samplerSummaryReadsWell() {
        let r = ProcessTreeSampler.Recording(
            trace: Trace(), exit: .exited(0), samples: 3400, samplerCPUTime: 40_800_000, wallTime: 3_400_000_000)
        #expect(r.samplerSummary == "sampler used 1.2% of one core over 3.4 s, 3,400 samples")
    }

    // MARK: Layout of counts into segments

    private static let R = UInt8(ascii: "R")
    private static let S = UInt8(ascii: "S")
    private static let D = UInt8(ascii: "D")

    private func states(_ t: Timeline) -> [String] {
        t.segments.map { "\($0.state) \($0.end - $0.start)" }
    }

    @Test func wakingThreadSleepsThenWaitsThenRuns() {
        var t = Timeline()
        t.add(start: 0, end: 1000, run: 300, wait: 100, before: Self.S, after: Self.R)
        #expect(states(t) == ["sleeping 600", "runnable 100", "running 300"])
    }

    @Test func blockingThreadRunsThenSleepsOrWaitsOnDisk() {
        var t = Timeline()
        t.add(start: 0, end: 1000, run: 400, wait: 0, before: Self.R, after: Self.D)
        #expect(states(t) == ["running 400", "disk-wait 600"])
    }

    @Test func burstBetweenTwoSleepsSitsInTheMiddle() {
        var t = Timeline()
        t.add(start: 0, end: 1000, run: 200, wait: 0, before: Self.S, after: Self.S)
        #expect(states(t) == ["sleeping 400", "running 200", "sleeping 400"])
    }

    /// A running thread's count advances only at scheduler ticks: intervals without a count are laid
    /// out as running while it stays `R`, and the late count repays them instead of running over.
    @Test func lateCountsOfARunningThreadAreRepaid() {
        var t = Timeline()
        t.add(start: 0, end: 1000, run: 0, wait: 0, before: Self.R, after: Self.R)
        t.add(start: 1000, end: 2000, run: 0, wait: 0, before: Self.R, after: Self.R)
        t.add(start: 2000, end: 3000, run: 2500, wait: 0, before: Self.R, after: Self.S)
        #expect(states(t) == ["running 2500", "sleeping 500"])
    }

    /// A thread waiting in the run queue stays `R` too, and its wait is counted only once it gets a CPU:
    /// time laid out on credit that the run-queue count explains becomes runnable.
    @Test func lateRunQueueCountsTurnCreditIntoRunnable() {
        var t = Timeline()
        t.add(start: 0, end: 1000, run: 0, wait: 0, before: Self.R, after: Self.R)
        t.add(start: 1000, end: 2000, run: 0, wait: 0, before: Self.R, after: Self.R)
        t.add(start: 2000, end: 3000, run: 1000, wait: 1500, before: Self.R, after: Self.S)
        #expect(states(t) == ["runnable 1500", "running 1000", "sleeping 500"])
    }

    /// A thread woken while the CPUs are busy waits in the run queue before its count moves: the wait
    /// that does not fit the interval where it gets a CPU goes before it, over what looked like sleep.
    @Test func longRunQueueWaitAfterWakingGoesBeforeTheRun() {
        var t = Timeline()
        t.add(start: 0, end: 1000, run: 0, wait: 0, before: Self.S, after: Self.S)
        t.add(start: 1000, end: 2000, run: 500, wait: 1500, before: Self.S, after: Self.R)
        #expect(states(t) == ["runnable 1500", "running 500"])
    }

    @Test func countsLargerThanTheirIntervalCarryOver() {
        var t = Timeline()
        t.add(start: 0, end: 1000, run: 1500, wait: 0, before: Self.S, after: Self.R)
        t.add(start: 1000, end: 2000, run: 0, wait: 0, before: Self.R, after: Self.S)
        #expect(states(t) == ["running 1500", "sleeping 500"])
    }

    @Test func statLineWithAwkwardNameParses() {
        let line =
            "4242 (a) b (c) S 17 4242 1 0 -1 4194560 1 0 0 0 7 5 0 0 20 0 3 0 100 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 256\n"
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { raw in
            let s = ProcStat(raw)
            #expect(s?.state == UInt8(ascii: "S"))
            #expect(s?.parent == 17)
            #expect(s?.cpuTicks == 12)
            #expect(s?.threads == 3)
            #expect(s?.exitCode == 256)
            #expect(ProcStat.name(raw) == "a) b (c")
        }
    }
}

/// The real interpreter behind `python3` in PATH (not a version manager's shim), if there is one.
private let python3: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    guard
        let found = path.split(separator: ":").map({ "\($0)/python3" }).first(where: {
            FileManager.default.isExecutableFile(atPath: $0)
        })
    else { return nil }
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

private func scratchDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-pts-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The stretches of a span outside its waits: when its thread was on a CPU.
func runningParts(_ span: Span) -> [(Int64, Int64)] {
    var out: [(Int64, Int64)] = []
    var t = span.start
    for w in span.waits.sorted(by: { $0.start < $1.start }) {
        if w.start > t { out.append((t, w.start)) }
        t = max(t, w.end)
    }
    if span.end > t { out.append((t, span.end)) }
    return out
}

/// Time covered by both lists of (start, end) intervals; each list is sorted and non-overlapping.
private func overlapTime(_ a: [(Int64, Int64)], _ b: [(Int64, Int64)]) -> Int64 {
    var i = 0
    var j = 0
    var total: Int64 = 0
    while i < a.count && j < b.count {
        total += max(0, min(a[i].1, b[j].1) - max(a[i].0, b[j].0))
        if a[i].1 < b[j].1 { i += 1 } else { j += 1 }
    }
    return total
}
