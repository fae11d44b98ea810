import LanesCore

extension Detectors {
    /// Async task slices that held their thread through a blocking wait (a sleep, a read, a lock) rather than
    /// suspending: while they did, other tasks could not run on that thread.
    static func blockedCooperativePool(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        var slicesByLane: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        // Only the task lanes: a map of every lane cost more than the rest on traces of many thread lanes.
        let taskLanes = Set(trace.lanes.lazy.filter { $0.kind == .task }.map(\.id))
        guard !taskLanes.isEmpty else { return nil }
        for s in trace.spans where s.name == taskSlice && taskLanes.contains(s.lane) {
            slicesByLane[s.lane, default: []].append((s.start, s.end))
        }
        guard !slicesByLane.isEmpty else { return nil }
        var held: Nanoseconds = 0
        var offenders: [SpanID] = []
        var lanes: Set<LaneID> = []
        var lo = Nanoseconds.max, hi = Nanoseconds.min
        var names: [String: Int] = [:]
        let slices = slicesByLane.mapValues { Intervals($0) }
        for s in trace.spans where taskLanes.contains(s.lane) && s.name != taskSlice && !s.waits.isEmpty {
            guard let running = slices[s.lane] else { continue }
            let blocking = Intervals(s.waits.filter { $0.reason != .suspended }.map { ($0.start, $0.end) })
            let overlap = blocking.intersecting(running).length
            // A wait that blocks happens inside one job, so the task's slices cover all of it; a task that suspends
            // leaves its thread for the wait, so a gap in its slices lies inside it as long as the wait itself
            // (however long a busy machine kept the thread before the task suspended, or after it resumed).
            guard overlap > 0, (blocking.length - overlap) * 100 <= blocking.length else { continue }
            held += overlap
            offenders.append(s.id)
            lanes.insert(s.lane)
            names[s.name, default: 0] += 1
            lo = min(lo, s.start)
            hi = max(hi, s.end)
        }
        let share = ratio(held, p.wall)
        guard share >= 0.05 else { return nil }
        let threads = Set(trace.spans.lazy.filter { $0.name == taskSlice }.map(\.threadID)).count
        let top = names.max { $0.value < $1.value }?.key ?? "task"
        return Finding(
            kind: .blockedCooperativePool, severity: share >= 0.3 ? .critical : .warning,
            title: "Async tasks blocked their threads: \(offenders.count) spans (\(top)…) waited without suspending",
            evidence:
                "\(offenders.count) spans on \(lanes.count) task lanes held an executor thread for \(formatDuration(held)) of blocking waits (\(pct(share)) of the wall time); the executor ran tasks on \(threads) threads, so other tasks waited to run",
            lesson:
                "Pitfall 2: a blocking call inside async code stalls every task sharing that thread; await a suspending API (Task.sleep, async I/O) or move the call to a thread of its own.",
            range: lo <= hi ? lo...hi : nil, lanes: lanes.sorted(), spans: offenders,
            figures: [
                "held": Double(held), "share": share, "spans": Double(offenders.count), "threads": Double(threads),
            ])
    }
}
