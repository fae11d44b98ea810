import LanesCore

extension Detectors {
    /// Waits on one lock (not a queue's own) summing to a large share of wall time, from two lanes or more.
    static func lockContention(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard p.wall > 0 else { return nil }
        // A traced queue's own mutex is named after the queue: its waits are the queue's, reported as
        // producer/consumer findings, not a critical section of the program's.
        var queues = Set(trace.counters.lazy.map(\.name))
        for s in trace.spans {
            for w in s.waits where w.reason == .queueGet || w.reason == .queuePut { queues.insert(w.object ?? "") }
        }
        struct Lock {
            var time: Nanoseconds = 0, count = 0, lanes: Set<LaneID> = []
            var lo = Nanoseconds.max, hi = Nanoseconds.min
            var spans: [(wait: Nanoseconds, id: SpanID)] = []

            mutating func add(_ w: Wait, lane: LaneID) {
                time += w.duration
                count += 1
                lanes.insert(lane)
                lo = min(lo, w.start)
                hi = max(hi, w.end)
            }
        }
        var byLock: [String: Lock] = [:]
        for s in trace.spans {
            var waited: [String: Nanoseconds] = [:]
            for w in s.waits where w.reason == .lock && !queues.contains(w.object ?? "\u{0}") {
                // Changed in place: a copy taken out and stored back copied the lane set each time,
                // quadratic in the lanes (issue 19, defect 7).
                byLock[w.object ?? "", default: Lock()].add(w, lane: s.lane)
                waited[w.object ?? "", default: 0] += w.duration
            }
            for (lock, time) in waited { byLock[lock]!.spans.append((time, s.id)) }
        }
        guard let (name, worst) = byLock.max(by: { $0.value.time < $1.value.time }) else { return nil }
        let share = ratio(worst.time, p.wall)
        guard share >= 0.2, worst.lanes.count >= 2 else { return nil }
        let label = name.isEmpty ? "one lock" : "lock '\(name)'"
        return Finding(
            kind: .lockContention, severity: share >= 1 ? .critical : .warning,
            title: "Lock contention on \(label): \(dec(share))× the wall time spent waiting",
            evidence:
                "\(worst.lanes.count) lanes waited \(worst.count) times on \(label) for \(formatDuration(worst.time)) in all, \(pct(share)) of the wall time of \(formatDuration(p.wall)) (on average \(dec(share)) lanes waiting)",
            lesson:
                "A lock makes its critical section sequential: keep it to the shared update alone, or give each worker its own data and combine at the end.",
            range: worst.lo...worst.hi, lanes: worst.lanes.sorted(),
            // The spans that waited longest on it, at most 100.
            spans: worst.spans.sorted { $0.wait != $1.wait ? $0.wait > $1.wait : $0.id < $1.id }.prefix(100).map(\.id),
            figures: [
                "wait": Double(worst.time), "share": share, "waits": Double(worst.count),
                "lanes": Double(worst.lanes.count),
            ])
    }
}
