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
        /// GIL, a lock taken by `with lock:`).
        var running: Intervals
    }

    var pid: Int64
    var threads: [Thread]

    /// Per process of `trace`, its thread lanes (task lanes are left out: they run on the loop's thread).
    static func all(_ trace: Trace) -> [PythonThreads] {
        var tops: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        var waits: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        let threadLanes = Set(trace.lanes.lazy.filter { $0.kind == .thread }.map(\.id))
        for s in trace.spans where threadLanes.contains(s.lane) {
            if s.parent == nil { tops[s.lane, default: []].append((s.start, s.end)) }
            for w in s.waits { waits[s.lane, default: []].append((w.start, w.end)) }
        }
        var byPid: [Int64: [Thread]] = [:]
        var order: [Int64] = []
        for lane in trace.lanes where threadLanes.contains(lane.id) {
            let busy = Intervals(tops[lane.id] ?? [])
            let waiting = Intervals(waits[lane.id] ?? [])
            if byPid[lane.pid] == nil { order.append(lane.pid) }
            byPid[lane.pid, default: []].append(
                Thread(lane: lane.id, busy: busy, waiting: waiting, running: busy.subtracting(waiting)))
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
