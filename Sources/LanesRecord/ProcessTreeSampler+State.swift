import CLanesSupport
import LanesCore

#if canImport(Glibc)
import Glibc
#endif

/// One thread of the sampled tree: its open `/proc` files and what it has done so far.
final class SampledThread {
    let tid: Int32
    let pid: Int32
    var name = ""
    let firstSeen: Nanoseconds
    var lastTime: Nanoseconds
    var lastRun: Int64 = 0
    var lastWait: Int64 = 0
    var lastSlices: Int64 = -1
    var lastLetter = UInt8(ascii: "R")
    var ended: Nanoseconds?
    var timeline = ProcessTreeSampler.Timeline()
    private(set) var stat: ProcFile?
    private(set) var schedstat: ProcFile?
    private(set) var children: ProcFile?
    private var syscall: ProcFile?
    private let childrenPath: String
    /// Why the thread was off the CPU at each sample, run-length encoded: runs of samples with one cause
    /// (nil: on the CPU or runnable), back to back in time.
    private(set) var causes: [CauseRun] = []

    init(pid: Int32, tid: Int32, since: Nanoseconds) {
        self.pid = pid
        self.tid = tid
        firstSeen = since
        lastTime = since
        let dir = "/proc/\(pid)/task/\(tid)/"
        stat = ProcFile(dir + "stat")
        schedstat = ProcFile(dir + "schedstat")
        childrenPath = dir + "children"
    }

    /// Marks the thread ended at its last sample and closes its files (a large tree would run out).
    func finish() {
        if ended == nil { ended = lastTime }
        stat = nil
        schedstat = nil
        children = nil
        syscall = nil
    }

    /// The `children` file, opened on first use.
    func childrenFile() -> ProcFile? {
        if children == nil { children = ProcFile(childrenPath) }
        return children
    }

    /// The `syscall` file, opened on first use (only threads that wait need it).
    func syscallFile() -> ProcFile? {
        if syscall == nil, ended == nil { syscall = ProcFile("/proc/\(pid)/task/\(tid)/syscall") }
        return syscall
    }

    /// The cause seen at the last sample (nil when it was on the CPU).
    var lastCause: ProcessTreeSampler.WaitCause? { causes.last?.cause }

    /// Records the cause seen at the sample at `time`.
    func observe(_ cause: ProcessTreeSampler.WaitCause?, at time: Nanoseconds) {
        if let last = causes.last, last.cause == cause {
            causes[causes.count - 1].to = time
        } else {
            causes.append(CauseRun(from: time, to: time, cause: cause))
        }
    }
}

/// Samples from `from` to `to` at which a thread's cause of waiting was `cause`.
package struct CauseRun {
    package init(from: Nanoseconds, to: Nanoseconds, cause: ProcessTreeSampler.WaitCause?) {
        self.from = from
        self.to = to
        self.cause = cause
    }

    package var from: Nanoseconds
    package var to: Nanoseconds
    package var cause: ProcessTreeSampler.WaitCause?
}

/// One process of the sampled tree.
final class SampledProcess {
    let pid: Int32
    let parent: Int32
    var name = ""
    var commandLine = ""
    let firstSeen: Nanoseconds
    var ended: Nanoseconds?
    var exit: LanesCore.Process.Exit?
    private(set) var stat: ProcFile?
    var threads: [SampledThread] = []
    var knownTIDs = Set<Int32>()
    var needsRescan = true
    /// Still running when the command ended and the recording stopped.
    var outlivedRecording = false
    /// The writable mappings of a Python interpreter in the process (where CPython keeps its GIL), read
    /// from `/proc/PID/maps` when a thread is first seen waiting on a futex.
    private var interpreterData: [ClosedRange<UInt64>]?
    /// Names seen for the process (its command name after each `exec`), oldest first.
    var names: [(time: Nanoseconds, name: String)] = []
    /// When the process was first seen under its last name: its last `exec`, for a wrapper that became
    /// the program; nil when its name never changed.
    var lastExec: Nanoseconds? { names.count > 1 ? names.last!.time : nil }

    /// Whether a futex at `address` lies in a Python interpreter's static data: the GIL (inferred).
    func isInterpreterLock(_ address: UInt64) -> Bool {
        if interpreterData == nil { interpreterData = pythonDataMappings(of: pid) }
        return interpreterData!.contains { $0.contains(address) }
    }

    /// What descriptor `fd` of the process is: `pipe:[…]`, `socket:[…]` or a path.
    func descriptor(_ fd: Int32) -> String? { readLink("/proc/\(pid)/fd/\(fd)") }

    init(pid: Int32, parent: Int32, since: Nanoseconds) {
        self.pid = pid
        self.parent = parent
        firstSeen = since
        stat = ProcFile("/proc/\(pid)/stat")
        commandLine = LanesRecord.commandLine(of: pid)
    }

    /// Marks the process ended at `time` and closes its files and its threads'.
    func finish(at time: Nanoseconds) {
        if ended == nil { ended = time }
        stat = nil
        for t in threads { t.finish() }
    }

    var liveThreads: Int { threads.reduce(0) { $0 + ($1.ended == nil ? 1 : 0) } }
}

/// The sampling loop and the trace it builds.
struct SamplerState {
    let root: Int32
    let start: Nanoseconds
    let options: ProcessTreeSampler.Options
    private var processes: [SampledProcess] = []
    private var known = Set<Int32>()
    private var lastSample: Nanoseconds
    private var samples = 0
    private var end: Nanoseconds = 0
    private var rootExit: LanesCore.Process.Exit?
    private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 8)
    private let ticksToNanoseconds = 1_000_000_000 / Int64(max(1, sysconf(Int32(_SC_CLK_TCK))))

    init(root: Int32, start: Nanoseconds, options: ProcessTreeSampler.Options) {
        self.root = root
        self.start = start
        self.options = options
        lastSample = start
        let p = SampledProcess(pid: root, parent: getpid(), since: start)
        processes.append(p)
        known.insert(root)
    }

    /// Samples until the root process exits; the samples taken, the sampler's CPU time and the wall time.
    mutating func run() -> (exit: LanesCore.Process.Exit, samples: Int, cpu: Nanoseconds, wall: Nanoseconds) {
        let cpu0 = threadCPUNanoseconds()
        let interval = max(10_000, options.interval)
        var next = start
        while rootExit == nil {
            sample()
            var status: Int32 = 0
            let r = waitpid(root, &status, WNOHANG)
            if r == root {
                rootExit = LanesCore.Process.Exit(waitStatus: status)
            } else if r < 0 && errno != EINTR {
                rootExit = .exited(-1)
            }
            if rootExit != nil { break }
            next += interval
            let now = Int64(lanes_monotonic_ns())
            if next < now { next = now + interval }
            var ts = timespec(tv_sec: Int(next / 1_000_000_000), tv_nsec: Int(next % 1_000_000_000))
            _ = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil)
        }
        end = Int64(lanes_monotonic_ns())
        let root = processes[0]
        root.exit = rootExit
        for p in processes {
            p.outlivedRecording = p.ended == nil && p.pid != self.root
            p.finish(at: end)
        }
        buffer.deallocate()
        return (rootExit!, samples, threadCPUNanoseconds() - cpu0, end - start)
    }

    private mutating func sample() {
        let now = Int64(lanes_monotonic_ns())
        samples += 1
        var i = 0
        while i < processes.count {
            let p = processes[i]
            i += 1
            guard p.ended == nil else { continue }
            // A process gains threads and ends only through threads that ran or ended, so its own stat
            // (for its thread count, state and name) is read only after such a change.
            let changed = sampleThreads(p, now: now)
            guard changed || p.needsRescan || samples % 64 == 1 else { continue }
            guard let n = p.stat?.read(into: buffer),
                let stat = ProcStat(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            else {
                processEnded(p, at: now, status: nil)
                continue
            }
            let name = ProcStat.name(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
            if name != p.name {
                // A new name is an exec (or a rename): the command line changed with it.
                if !p.name.isEmpty { p.commandLine = LanesRecord.commandLine(of: p.pid) }
                p.names.append((now, name))
                p.name = name
            }
            // The process's state is its main thread's, which may have exited before the others.
            let othersAlive = p.threads.contains { $0.ended == nil && $0.tid != p.pid }
            if stat.state == UInt8(ascii: "Z") || stat.state == UInt8(ascii: "X"), !othersAlive {
                processEnded(p, at: now, status: stat.exitCode)
                continue
            }
            if p.needsRescan || stat.threads != p.liveThreads {
                let known = p.threads.count
                rescan(p)
                sampleThreads(p, now: now, from: known)
            }
        }
        lastSample = now
    }

    private func read(_ file: ProcFile?) -> ProcStat? {
        guard let file, let n = file.read(into: buffer) else { return nil }
        return ProcStat(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
    }

    private mutating func rescan(_ p: SampledProcess) {
        p.needsRescan = false
        let since = p.threads.isEmpty ? p.firstSeen : lastSample
        for tid in numericEntries("/proc/\(p.pid)/task") where p.knownTIDs.insert(tid).inserted {
            p.threads.append(SampledThread(pid: p.pid, tid: tid, since: since))
        }
    }

    /// Samples the process's threads from index `from` on; whether any ran, waited, started or ended.
    @discardableResult
    private mutating func sampleThreads(_ p: SampledProcess, now: Nanoseconds, from: Int = 0) -> Bool {
        var changed = false
        for t in p.threads[from...] where t.ended == nil {
            guard
                let sched = t.schedstat?.read(into: buffer).flatMap({
                    parseSchedstat(UnsafeRawBufferPointer(rebasing: buffer[..<$0]))
                }) ?? fallbackTimes(t)
            else {
                t.finish()
                p.needsRescan = true
                changed = true
                continue
            }
            let isNew = t.lastTime == t.firstSeen
            // The stat file costs several times schedstat. While no count moves, the letter stays: a
            // thread that leaves the CPU, or gets one, moves its run or slice count; one woken but still
            // waiting for a CPU shows as such once it gets one.
            let idle =
                sched.slices >= 0 && sched.run == t.lastRun && sched.wait == t.lastWait
                && sched.slices == t.lastSlices
            changed = changed || !idle || isNew
            var letter = t.lastLetter
            if isNew || !idle || samples % 64 == 1 {
                guard let n = t.stat?.read(into: buffer),
                    let stat = ProcStat(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
                else {
                    t.finish()
                    p.needsRescan = true
                    changed = true
                    continue
                }
                if t.name.isEmpty || sched.run != t.lastRun || samples % 64 == 1 {
                    t.name = ProcStat.name(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
                }
                letter =
                    stat.state == UInt8(ascii: "Z") || stat.state == UInt8(ascii: "X") ? UInt8(ascii: "S") : stat.state
            }
            if ProcessTreeSampler.ThreadState(offCPULetter: letter) != nil {
                // A thread whose counts did not move since the last sample is still in the same wait.
                if idle, !isNew, let cause = t.lastCause {
                    t.observe(cause, at: now)
                } else {
                    t.observe(readCause(t, p), at: now)
                }
            } else {
                t.observe(nil, at: now)
            }
            let ran = sched.run != t.lastRun
            t.timeline.add(
                start: t.lastTime, end: now, run: sched.run - t.lastRun, wait: sched.wait - t.lastWait,
                before: t.lastLetter,
                after: letter)
            t.lastTime = now
            t.lastRun = sched.run
            t.lastWait = sched.wait
            t.lastSlices = sched.slices
            t.lastLetter = letter
            if ran || isNew { findChildren(of: t, now: now) }
        }
        return changed
    }

    /// Why a waiting thread waits, from its `syscall` file (and `wchan` for calls the table does not know).
    private func readCause(_ t: SampledThread, _ p: SampledProcess) -> ProcessTreeSampler.WaitCause {
        guard let n = t.syscallFile()?.read(into: buffer) else { return .init(.other, "unknown (syscall not readable)") }
        let line = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[..<n]), as: UTF8.self)
        let cause = ProcessTreeSampler.cause(
            syscallLine: line.prefix { $0 != "\n" }[...], descriptor: p.descriptor,
            isInterpreterLock: p.isInterpreterLock,
            kernelFunction: { (try? readSmallFile("/proc/\(t.pid)/task/\(t.tid)/wchan", limit: 256)).flatMap { $0.isEmpty || $0 == "0" ? nil : $0 } })
        // Woken between the state and this read: it was waiting a moment ago for what it waited on before.
        return cause ?? t.lastCause ?? .init(.other, "unknown (woke while sampled)")
    }

    /// utime + stime when schedstat cannot be read (kernels without it): coarse, clock ticks.
    private func fallbackTimes(_ t: SampledThread) -> (run: Int64, wait: Int64, slices: Int64)? {
        guard t.schedstat == nil, let stat = read(t.stat) else { return nil }
        return (stat.cpuTicks * ticksToNanoseconds, 0, -1)
    }

    private mutating func findChildren(of t: SampledThread, now: Nanoseconds) {
        guard let file = t.childrenFile(), let n = file.read(into: buffer) else { return }
        for pid in parsePIDs(UnsafeRawBufferPointer(rebasing: buffer[..<n])) where known.insert(pid).inserted {
            processes.append(SampledProcess(pid: pid, parent: t.pid, since: lastSample))
        }
    }

    private func processEnded(_ p: SampledProcess, at now: Nanoseconds, status: Int32?) {
        p.finish(at: now)
        if let status, p.exit == nil { p.exit = LanesCore.Process.Exit(waitStatus: status) }
    }

    // MARK: The trace

    /// Processes that a wrapper started and that ended before it `exec`'d into the program it became
    /// (a version manager's shim asking which interpreter to run, a shell script's set-up), and their
    /// own children: the launcher's start-up, folded into the program rather than shown as its workers.
    func launcherHelpers() -> Set<Int32> {
        var helpers = Set<Int32>()
        let byPID = Dictionary(processes.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        for p in processes where p.pid != root {
            if helpers.contains(p.parent) {
                helpers.insert(p.pid)
            } else if let parent = byPID[p.parent], let exec = parent.lastExec, let ended = p.ended,
                ended <= exec + options.interval
            {
                helpers.insert(p.pid)
            }
        }
        return helpers
    }

    /// The folded launcher helpers, for the trace's metadata: "28 processes before python3's exec".
    func launcherSummary() -> String? {
        let helpers = launcherHelpers()
        guard !helpers.isEmpty else { return nil }
        let execs = processes.filter { $0.lastExec != nil && !helpers.contains($0.pid) }
            .map { "\($0.names.map(\.name).joined(separator: " → "))" }
        return "\(helpers.count) short-lived processes of a launcher before it exec'd (\(execs.joined(separator: "; "))), folded into the program"
    }

    /// The trace of everything sampled (metadata is the caller's to fill in).
    func trace() -> Trace {
        var trace = Trace()
        // Counter windows: every `counterWindow` from the start, and the end.
        let step = max(options.counterWindow, options.interval, 1)
        var windows = Array(stride(from: start, to: end, by: Int(step)))
        windows.append(end)
        var totals = [(Int64, Int64, Int64)](repeating: (0, 0, 0), count: windows.count)
        var spanID: UInt64 = 0
        func nextSpan() -> SpanID {
            spanID += 1
            return SpanID(spanID)
        }
        let helpers = launcherHelpers()
        for p in processes {
            let seen = p.threads.contains { !$0.timeline.segments.isEmpty } || p.pid == root
            guard seen, !helpers.contains(p.pid) else { continue }
            let name = p.name.isEmpty ? "process \(p.pid)" : p.name
            var note = ""
            if p.outlivedRecording {
                note = "still running when the recording ended"
            } else if p.exit == nil {
                note = "exited; status not seen"
            }
            trace.processes.append(LanesCore.Process(pid: Int64(p.pid), name: name, exit: p.exit, note: note))
            // A process is drawn as its threads, the main thread first; the main thread's span carries the
            // process's facts and its lane the exit mark. (A span for the process itself would count its
            // whole life as busy time.)
            var processAttributes = [Attribute("pid", "\(p.pid)"), Attribute("ppid", "\(p.parent)")]
            if !p.commandLine.isEmpty { processAttributes.append(Attribute("command", p.commandLine)) }
            if let exit = p.exit { processAttributes.append(Attribute("exit", exit.description)) }
            let threads = p.threads.filter { !$0.timeline.segments.isEmpty }
                .sorted { ($0.tid != p.pid ? 1 : 0, $0.tid) < ($1.tid != p.pid ? 1 : 0, $1.tid) }
            let threadWaits = futexWaitsByOneThreadAreConditions(threads.map { waits($0.timeline.segments, $0.causes) })
            for (k, t) in threads.enumerated() {
                let lane = LaneID(UInt32(trace.lanes.count))
                trace.lanes.append(
                    Lane(
                        id: lane, kind: .thread, pid: Int64(p.pid), threadID: Int64(t.tid),
                        name: t.name.isEmpty ? "thread \(t.tid)" : ThreadNames.expanded(t.name), sortIndex: Int32(k)))
                var attributes = [Attribute("tid", "\(t.tid)")]
                if k == 0 { attributes += processAttributes }
                let segments = t.timeline.segments
                trace.spans.append(
                    Span(
                        id: nextSpan(), name: ProcessTreeSampler.threadSpanName, lane: lane, threadID: Int64(t.tid),
                        start: segments.first!.start, end: segments.last!.end, cpuTime: runningTime(segments),
                        attributes: attributes, waits: threadWaits[k]))
                if k == 0, !p.outlivedRecording {
                    trace.marks.append(
                        Mark(
                            name: "exit", lane: lane, time: max(segments.last!.end, p.ended ?? end),
                            attributes: [Attribute("status", p.exit?.description ?? "not seen")]))
                }
                let counts = stateCounters(t.timeline.segments, from: t.firstSeen, to: t.ended ?? end, windows: windows)
                for (time, window, v) in counts {
                    trace.counters.append(
                        CounterSample(name: CounterName.running, lane: lane, time: time, value: Double(v.0)))
                    trace.counters.append(
                        CounterSample(name: CounterName.runQueue, lane: lane, time: time, value: Double(v.1)))
                    trace.counters.append(
                        CounterSample(name: CounterName.blocked, lane: lane, time: time, value: Double(v.2)))
                    if window >= 0 && window < totals.count {
                        totals[window].0 += v.0
                        totals[window].1 += v.1
                        totals[window].2 += v.2
                    }
                }
            }
        }
        // Average number of threads in each state over each window, stamped at the window's start (the
        // value holds until the next sample, as counter charts draw it).
        for k in windows.indices.dropFirst() {
            let time = windows[k - 1]
            let length = Double(windows[k] - time)
            let values = [Double(totals[k].0), Double(totals[k].1), Double(totals[k].2)].map { $0 / length }
            for (name, value) in zip(["threads.running", "threads.runnable", "threads.blocked"], values) {
                trace.counters.append(CounterSample(name: name, lane: nil, time: time, value: value))
            }
        }
        return trace
    }
}

/// Nanoseconds running, runnable and off the CPU in each counter window that a thread's life from `from`
/// to `to` touches, stamped with the window's end (the life's end for the last), after a zero sample at
/// the life's start, as the reports' CPU-state strip reads them.
func stateCounters(
    _ segments: [ProcessTreeSampler.Segment], from: Nanoseconds, to: Nanoseconds, windows: [Nanoseconds]
) -> [(time: Nanoseconds, window: Int, ns: (Int64, Int64, Int64))] {
    guard to > from else { return [] }
    var out: [(time: Nanoseconds, window: Int, ns: (Int64, Int64, Int64))] = [(from, -1, (0, 0, 0))]
    var k = 0
    var j = 0
    var lo = from
    while lo < to {
        while k < windows.count && windows[k] <= lo { k += 1 }
        let hi = k < windows.count ? min(windows[k], to) : to
        var v: (Int64, Int64, Int64) = (0, 0, 0)
        while j < segments.count && segments[j].end <= lo { j += 1 }
        var m = j
        while m < segments.count && segments[m].start < hi {
            let s = segments[m]
            m += 1
            let d = min(s.end, hi) - max(s.start, lo)
            switch s.state {
            case .running: v.0 += d
            case .runnable: v.1 += d
            case .sleeping, .diskWait, .stopped: v.2 += d
            }
        }
        // Time not covered by segments (before the first sample of a thread) counts as off the CPU.
        v.2 += max(0, (hi - lo) - v.0 - v.1 - v.2)
        out.append((hi, k, v))
        lo = hi
    }
    return out
}
