import LanesCore

/// Stretches of a py-spy trace in which py-spy wrote nothing for any thread, long against the trace's own pace.
///
/// py-spy writes an event only when a sampled stack changes, and with `--gil` (only the thread holding the GIL
/// is sampled) or without `--idle` (only threads on a CPU are) a waiting thread is not sampled at all: its last
/// frames stretch to its next sample. Code that computes changes the sampled stack every few samples (a line, a
/// call, the GIL changing hands), so the stretches between changes are short and alike; a program that sleeps or
/// waits leaves stretches many times longer than its usual ones. A stretch counts when it is at least ten times
/// the trace's median time between changes (when it has at least five), and at least ``floor`` (five samples at
/// py-spy's default rate).
struct PySpyStretches {
    static let floor: Nanoseconds = 50_000_000

    /// The stretches, merged.
    var parts: Intervals
    /// The length from which a stretch counted.
    var threshold: Nanoseconds

    /// Per lane, the time its root frame (py-spy's `thread (OS_TID)`) was on the stack alone: samples with no
    /// Python frame of that thread (with `--gil`, a thread not holding the GIL; otherwise one in native code
    /// before or after its Python code). Not Python code running, whatever the stretches are.
    var bareRoots: [LaneID: Intervals] = [:]
    /// Per lane whose Python frames were all opened at one instant and never changed (a thread caught by one
    /// sample, its frames stretched until it ended): the time of those frames. One sample decides nothing; a
    /// thread computing changes its stack (a line, a call) from sample to sample. Only in a trace without idle
    /// frames (``Trace/isPySpyWithoutIdleFrames``), where a thread that waits is not sampled.
    var thinLanes: [LaneID: Intervals] = [:]
    /// Per lane, in a trace without idle frames, the time a frame of asyncio's own machinery (`Handle._run`,
    /// `BaseEventLoop.time`, …) stayed the innermost frame for ``floor`` or more: the loop between callbacks takes
    /// microseconds, so its thread was waiting (in its selector, or in a call that released the GIL) and unseen.
    var loopLeaves: [LaneID: Intervals] = [:]
    /// Whether waiting threads leave no frames in the trace (``Trace/pySpyMissesWaitingThreads``).
    var missesWaits = false
    /// Per lane, the time a leaf frame of the program's own code in no blocking call was on the stack, in a trace
    /// with idle frames whose source lines were read: computing, stretches or not.
    var computing: [LaneID: Intervals] = [:]
    /// Per lane, its running time: its top-level spans less its recognised waits (read by ``unsampled(_:)``,
    /// ``unseenImports(_:)`` and ``heldOff(_:)``).
    private var running: [LaneID: Intervals] = [:]

    /// The stretches of `trace`; nil when it is not a py-spy trace.
    init?(_ trace: Trace) {
        guard trace.isPySpyTrace else { return nil }
        bareRoots = trace.pySpyBareRoots()
        // With idle frames (`--idle`, not `--gil`) every thread is sampled every time: a stack that never changed
        // was there all along.
        missesWaits = trace.pySpyMissesWaitingThreads
        if missesWaits {
            thinLanes = trace.pySpyThinLanes(longerThan: Self.floor)
            loopLeaves = trace.pySpyAsyncioLeaves(longerThan: Self.floor)
        }
        var times: [Nanoseconds] = []
        times.reserveCapacity(trace.spans.count * 2)
        var byLane: [LaneID: (tops: [(Nanoseconds, Nanoseconds)], waits: [(Nanoseconds, Nanoseconds)])] = [:]
        for s in trace.spans {
            times.append(s.start)
            times.append(s.end)
            if s.parent == nil { byLane[s.lane, default: ([], [])].tops.append((s.start, s.end)) }
            for w in s.waits { byLane[s.lane, default: ([], [])].waits.append((w.start, w.end)) }
        }
        running = byLane.mapValues { Intervals($0.tops).subtracting(Intervals($0.waits)) }
        times.sort()
        var gaps: [(Nanoseconds, Nanoseconds)] = []
        for (a, b) in zip(times, times.dropFirst()) where b > a { gaps.append((a, b)) }
        let lengths = gaps.map { $0.1 - $0.0 }.sorted()
        // A handful of changes sets no pace (a thread sampled twice in a sleep-filled run): the floor alone then.
        let median = lengths.count >= 5 ? lengths[(lengths.count - 1) / 2] : 0
        let threshold = max(Self.floor, 10 * median)
        self.threshold = threshold
        parts = Intervals(gaps.filter { $0.1 - $0.0 >= threshold })
        // With idle frames (`--idle`, not `--gil`) every thread is sampled every time, so a stack that did not change
        // was on the stack throughout; where the source lines of the sampled frames were read (the importer says
        // so), a leaf frame of the program's own code in no blocking call was computing there, not waiting.
        let linesRead = trace.metadata.extra.contains(Attribute("py-spy.source-lines", "read"))
        if !missesWaits && linesRead {
            var parents: Set<SpanID> = []
            for s in trace.spans { if let p = s.parent { parents.insert(p) } }
            var leaves: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
            for s in trace.spans where !parents.contains(s.id) && s.waits.isEmpty && s.isProgramCode {
                leaves[s.lane, default: []].append((s.start, s.end))
            }
            computing = leaves.mapValues { Intervals($0) }
        }
    }

    /// The time of `lane` in which it was not seen running Python code: inside the stretches, or with its root
    /// frame alone on the stack.
    func unseen(_ lane: LaneID) -> Intervals {
        let stretched = computing[lane].map { parts.subtracting($0) } ?? parts
        let extra = (bareRoots[lane]?.parts ?? []) + (thinLanes[lane]?.parts ?? []) + (loopLeaves[lane]?.parts ?? [])
        guard !extra.isEmpty else { return stretched }
        return Intervals(stretched.parts.map { ($0.start, $0.end) } + extra.map { ($0.start, $0.end) })
    }

    /// The running time of each lane (its top-level spans less its recognised waits) inside the stretches or
    /// with its root frame alone, summed over lanes: time the threads were not seen running Python code, or
    /// (what the file cannot tell apart) one long call that kept its stack.
    /// With idle frames an import that kept its stack was importing all along: start-up (``Trace/pythonImports``),
    /// left out here. Without them, an import's frames stretched to the thread's next sample as any frames do: that
    /// time counts here (and ``unseenImports(_:)`` says how much of the import time it is).
    func unsampled(_ trace: Trace) -> Nanoseconds {
        let (all, inImports) = unseenRunning(trace)
        return missesWaits ? all : all - inImports
    }

    /// Without idle frames, the import time inside the stretches or bare roots (counted in ``unsampled(_:)``, not
    /// start-up); 0 with idle frames.
    func unseenImports(_ trace: Trace) -> Nanoseconds {
        missesWaits ? unseenRunning(trace).inImports : 0
    }

    /// The lanes' running time (top-level spans less recognised waits) that was unseen, summed; and the part of it in
    /// imports.
    private func unseenRunning(_ trace: Trace) -> (all: Nanoseconds, inImports: Nanoseconds) {
        let imports = trace.pythonImports
        var all: Nanoseconds = 0, inImports: Nanoseconds = 0
        for (lane, running) in running {
            let hidden = running.intersecting(unseen(lane))
            all += hidden.length
            if let i = imports[lane] { inImports += hidden.intersecting(i).length }
        }
        return (all, inImports)
    }

    /// In a trace with idle frames (``Trace/pySpySampledIdleFrames``: every thread sampled every time), the bare root
    /// time of the first process's threads before their first Python frame or after their last, summed: the
    /// interpreter starting a thread or exiting in native code, neither computing nor waiting on I/O. (With `--gil` a
    /// bare root is a thread not holding the GIL, which may be waiting anywhere.) Worker processes' bare roots are
    /// ``childBareRoots(_:)``.
    func edgeBareRoots(_ trace: Trace) -> Nanoseconds {
        guard trace.pySpySampledIdleFrames, let first = trace.processes.first?.pid else { return 0 }
        var frames: [LaneID: (Nanoseconds, Nanoseconds)] = [:]
        for s in trace.spans where bareRoots[s.lane] != nil && !s.isPySpyRootFrame {
            let old = frames[s.lane] ?? (s.start, s.end)
            frames[s.lane] = (min(old.0, s.start), max(old.1, s.end))
        }
        return bareRoots.reduce(0) { total, lane in
            guard trace.lane(lane.key)?.pid == first else { return total }
            guard let (lo, hi) = frames[lane.key] else { return total + lane.value.length }
            return total + lane.value.subtracting(Intervals([(lo, hi)])).length
        }
    }

    /// With `--gil` (or without `--idle`), the unsampled time of each lane (``unsampled(_:)``) during which another
    /// thread of its process was seen running Python code, summed over lanes: a thread left unseen while another held
    /// the GIL waited for the GIL or in a blocking call, which the file cannot tell apart; not evidence of I/O.
    /// A worker process's bare root frames (``childBareRoots(_:)``) are left out, counted there.
    func heldOff(_ trace: Trace) -> Nanoseconds {
        guard missesWaits else { return 0 }
        let first = trace.processes.first?.pid
        var unseenRunning: [LaneID: Intervals] = [:], seen: [LaneID: Intervals] = [:]
        for (lane, running) in running {
            var hidden = running.intersecting(unseen(lane))
            if let pid = trace.lane(lane)?.pid, pid != first, let bare = bareRoots[lane] {
                hidden = hidden.subtracting(bare.subtracting(parts))
            }
            unseenRunning[lane] = hidden
            seen[lane] = running.subtracting(unseen(lane))
        }
        var total: Nanoseconds = 0
        for (lane, hidden) in unseenRunning where hidden.length > 0 {
            let pid = trace.lane(lane)?.pid
            let others = seen.filter { $0.key != lane && trace.lane($0.key)?.pid == pid }.values
            let busy = Intervals(others.flatMap { $0.parts.map { ($0.start, $0.end) } })
            total += hidden.intersecting(busy).length
        }
        return total
    }

    /// The bare root time of the lanes of worker processes (every process but the first, the one py-spy started),
    /// outside the stretches, summed.
    func childBareRoots(_ trace: Trace) -> Nanoseconds {
        guard let first = trace.processes.first?.pid else { return 0 }
        return bareRoots.reduce(0) { total, lane in
            trace.lane(lane.key)?.pid == first ? total : total + lane.value.subtracting(parts).length
        }
    }

    /// The time of bare root frames, of threads caught by one sample and of asyncio's machinery left innermost,
    /// summed over lanes.
    var bareRootTime: Nanoseconds {
        bareRoots.values.reduce(0) { $0 + $1.length } + thinLanes.values.reduce(0) { $0 + $1.length }
            + loopLeaves.values.reduce(0) { $0 + $1.length }
    }
}

extension Trace {
    /// Whether a py-spy trace looks recorded so that waiting threads leave no frames (`--gil`, or without
    /// `--idle`): no idle frame was sampled (``isPySpyWithoutIdleFrames``), not even a join (a thread waiting
    /// in `Thread.join`, `Future.result` or `as_completed` holds no GIL, and is sampled there with `--idle`;
    /// `Thread.start` and multiprocessing's `wait`, which `--gil` catches in their Python code, do not count).
    var pySpyMissesWaitingThreads: Bool {
        isPySpyWithoutIdleFrames
            && !spans.contains { s in
                s.waits.contains {
                    $0.reason == .join && ["Thread.join", "Future.result", "as_completed"].contains($0.object)
                }
            }
    }

    /// Whether the trace was written by py-spy.
    var isPySpyTrace: Bool { metadata.extra.contains(Attribute("py-spy.sampled", "true")) }

    /// Per lane of a py-spy trace, the time its top-level spans held only py-spy's own root frames (`thread
    /// (OS_TID)`, and `process PID:"command"` with `--subprocesses`), no Python frame.
    func pySpyBareRoots() -> [LaneID: Intervals] {
        let threadLanes = Set(lanes.lazy.filter { $0.kind == .thread }.map(\.id))
        var roots: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:], children: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        for s in spans where threadLanes.contains(s.lane) {
            if s.parent == nil { roots[s.lane, default: []].append((s.start, s.end)) }
            if !s.isPySpyRootFrame { children[s.lane, default: []].append((s.start, s.end)) }
        }
        var out: [LaneID: Intervals] = [:]
        for (lane, list) in roots {
            let bare = Intervals(list).subtracting(Intervals(children[lane] ?? []))
            if !bare.parts.isEmpty { out[lane] = bare }
        }
        return out
    }

    /// Per thread lane of a py-spy trace whose frames under the root (imports aside) all began at one instant
    /// and lasted `longerThan` or more, while no other thread's stack changed: the time of those frames.
    func pySpyThinLanes(longerThan floor: Nanoseconds) -> [LaneID: Intervals] {
        let threadLanes = Set(lanes.lazy.filter { $0.kind == .thread }.map(\.id))
        var starts: [LaneID: Set<Nanoseconds>] = [:], frames: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        // An import's callees are imports too: on one thread's stack, the frames within an import's time.
        let imports = pythonImports
        for s in spans where threadLanes.contains(s.lane) && s.parent != nil {
            if imports[s.lane]?.parts.contains(where: { $0.start <= s.start && s.end <= $0.end }) == true { continue }
            if s.isPySpyRootFrame { continue }
            starts[s.lane, default: []].insert(s.start)
            frames[s.lane, default: []].append((s.start, s.end))
        }
        // Every lane's samples of Python code (a Python frame beginning): a thread caught once while other threads
        // were sampled in Python code meanwhile was one of several taking turns at the GIL (computing, each sampled
        // seldom), not a thread left unseen. Frames only ending (another thread's stack falling back to its bare
        // root frame as the interpreter exits) are no such sample.
        var events: [LaneID: [Nanoseconds]] = [:]
        for s in spans where threadLanes.contains(s.lane) && !s.isPySpyRootFrame {
            events[s.lane, default: []].append(s.start)
        }
        var out: [LaneID: Intervals] = [:]
        for (lane, set) in starts where set.count == 1 {
            let time = Intervals(frames[lane] ?? [])
            guard time.length >= floor else { continue }
            // The events of one sample lie some microseconds apart: 2 ms around the frames' ends are that sample.
            let slack: Nanoseconds = 2_000_000
            let othersChanged = events.contains { other, times in
                other != lane
                    && times.contains { t in time.parts.contains { $0.start + slack < t && t + slack < $0.end } }
            }
            if !othersChanged { out[lane] = time }
        }
        return out
    }

    /// Per lane of a py-spy trace, the time leaf frames from asyncio's own files lasted `longerThan` or more.
    func pySpyAsyncioLeaves(longerThan floor: Nanoseconds) -> [LaneID: Intervals] {
        var parents: Set<SpanID> = []
        for s in spans { if let p = s.parent { parents.insert(p) } }
        var out: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        for s in spans where !parents.contains(s.id) && s.duration >= floor {
            guard let file = s.attributes.first(where: { $0.key == "filename" })?.value, file.contains("/asyncio/")
            else { continue }
            out[s.lane, default: []].append((s.start, s.end))
        }
        return out.mapValues { Intervals($0) }
    }

    /// Per lane, the time a Python program spent importing modules (inside `_find_and_load`) or starting its
    /// interpreter (the `site` module reading `.pth` files, a `zipimport` importer reading its archive, which a
    /// sampling profiler catches): start-up, not the work.
    var pythonImports: [LaneID: Intervals] {
        var byLane: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        for s in spans where s.name == "_find_and_load" || s.isInterpreterStartUp {
            byLane[s.lane, default: []].append((s.start, s.end))
        }
        return byLane.mapValues { Intervals($0) }
    }
}

extension Trace {
    /// Whether a py-spy trace holds a waiting frame the vocabulary knows (a `select`, a `Condition.wait`, a
    /// `Thread._wait_for_tstate_lock`) other than a join: idle frames, as `--idle` records. Waits read from a sampled
    /// source line (`with lock:`) do not count. Not proof: `--gil` may catch a thread in the Python code of such a
    /// call (`Queue.get`) just before it waits.
    var pySpySampledIdleFrames: Bool {
        isPySpyTrace
            && spans.contains { s in
                s.waits.contains { w in
                    w.reason != .join && !(w.object ?? "").hasPrefix("line ")
                        && !(w.object ?? "").hasPrefix("inferred from the source")
                }
            }
    }

    /// A py-spy trace in which no idle frame was sampled, only joins: recorded with `--gil` or without `--idle`.
    var isPySpyWithoutIdleFrames: Bool {
        isPySpyTrace
            && !spans.contains(where: { $0.waits.contains { $0.reason != .join } })
    }
}

extension Span {
    /// A frame of the program's own code: a file that is not the standard library's, an installed package's or a
    /// frozen module's.
    var isProgramCode: Bool {
        guard let file = attributes.first(where: { $0.key == "filename" })?.value, !file.isEmpty else { return false }
        return !file.hasPrefix("<") && !file.contains("/lib/python") && !file.contains("site-packages")
    }

    /// A frame of the interpreter's start-up outside the import system's `_find_and_load`: the frozen `site` and
    /// `zipimport` modules (processing `.pth` files, reading a zip archive on `sys.path`).
    var isInterpreterStartUp: Bool {
        guard let file = attributes.first(where: { $0.key == "filename" || $0.key == "file" })?.value else {
            return false
        }
        return file == "<frozen site>" || file == "<frozen zipimport>"
    }

    /// One of the frames py-spy puts above a thread's Python frames: `thread (OS_TID)[: name]`, and with
    /// `--subprocesses` `process PID:"command"`; they have no file.
    var isPySpyRootFrame: Bool {
        (name.hasPrefix("thread (") || name.hasPrefix("process "))
            && attributes.first { $0.key == "filename" }.map { $0.value.isEmpty } != false
    }
}
