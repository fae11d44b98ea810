import LanesCore

/// The thread lanes of one process of a Python trace, with the intervals the Python detectors reason about.
struct PythonThreads {
    struct Thread {
        var lane: LaneID
        /// Inside the lane's top-level spans.
        var busy: Intervals
        /// Inside a recognised wait (a blocking call of the vocabulary).
        var waiting: Intervals
        /// Busy and not waiting: running Python code, or waiting for something the trace does not show (the
        /// GIL, a lock taken by `with lock:`). Module imports, the plumbing of a process pool (see
        /// ``LanesCore/Span/isProcessPoolPlumbing``) and, in a py-spy trace, time the thread was not seen in Python
        /// code are left out.
        var running: Intervals
    }

    var pid: Int64
    var threads: [Thread]

    /// Per process of `trace`, its thread lanes (task lanes are left out: they run on the loop's thread).
    static func all(_ trace: Trace) -> [PythonThreads] {
        var tops: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        var waits: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        let threadLanes = Set(trace.lanes.lazy.filter { $0.kind == .thread }.map(\.id))
        var plumbing: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        for s in trace.spans where threadLanes.contains(s.lane) {
            if s.parent == nil { tops[s.lane, default: []].append((s.start, s.end)) }
            if s.isProcessPoolPlumbing { plumbing[s.lane, default: []].append((s.start, s.end)) }
            for w in s.waits { waits[s.lane, default: []].append((w.start, w.end)) }
        }
        // Not the program's Python code running: module imports (start-up), and in a py-spy trace the time a
        // thread was not seen in Python code (see ``PySpyStretches``).
        let imports = trace.pythonImports
        let stretches = PySpyStretches(trace)
        var byPid: [Int64: [Thread]] = [:]
        var order: [Int64] = []
        for lane in trace.lanes where threadLanes.contains(lane.id) {
            let busy = Intervals(tops[lane.id] ?? [])
            let waiting = Intervals(waits[lane.id] ?? [])
            var running = busy.subtracting(waiting)
            if let startup = imports[lane.id] { running = running.subtracting(startup) }
            if let list = plumbing[lane.id] { running = running.subtracting(Intervals(list)) }
            if let stretches { running = running.subtracting(stretches.unseen(lane.id)) }
            if byPid[lane.pid] == nil { order.append(lane.pid) }
            byPid[lane.pid, default: []].append(Thread(lane: lane.id, busy: busy, waiting: waiting, running: running))
        }
        return order.map { PythonThreads(pid: $0, threads: byPid[$0]!) }
    }

    /// Time during which at least `n` of `sets` hold.
    static func covered(atLeast n: Int, _ sets: [Intervals]) -> Nanoseconds {
        var events: [(Nanoseconds, Int)] = []
        for set in sets { for p in set.parts { events += [(p.start, 1), (p.end, -1)] } }
        events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var open = 0, last: Nanoseconds = 0, total: Nanoseconds = 0
        for (t, d) in events {
            if open >= n { total += t - last }
            open += d
            last = t
        }
        return total
    }
}

extension Span {
    /// A frame of multiprocessing's or a ProcessPoolExecutor's own code (`multiprocessing/`,
    /// `concurrent/futures/process.py`): a parent setting up its pool, its manager and queue-feeder threads
    /// pickling and sending items. Hand-offs to processes, not the work; their threads do not take turns at it.
    var isProcessPoolPlumbing: Bool {
        attributes.contains {
            ($0.key == "file" || $0.key == "filename")
                && ($0.value.contains("/multiprocessing/") || $0.value.hasSuffix("concurrent/futures/process.py"))
        }
    }
}
