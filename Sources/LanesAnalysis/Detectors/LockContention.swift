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
            var time: Nanoseconds = 0, count = 0
            var lo = Nanoseconds.max, hi = Nanoseconds.min
            var spans: [(wait: Nanoseconds, id: SpanID)] = []
            /// Span indices, for the lanes that waited (found for the worst lock only: a set of lanes per lock
            /// cost more per span the more lanes a trace had, issue 19 defect 7).
            var indices: [Int] = []

            mutating func add(_ w: Wait) {
                time += w.duration
                count += 1
                lo = min(lo, w.start)
                hi = max(hi, w.end)
            }
        }
        var byLock: [String: Lock] = [:]
        for (i, s) in trace.spans.enumerated() {
            var waited: [(lock: String, time: Nanoseconds)] = []
            for w in s.waits where w.reason == .lock && !queues.contains(w.object ?? "\u{0}") {
                let lock = w.object ?? ""
                byLock[lock, default: Lock()].add(w)
                if let k = waited.firstIndex(where: { $0.lock == lock }) {
                    waited[k].time += w.duration
                } else {
                    waited.append((lock, w.duration))
                }
            }
            for (lock, time) in waited {
                byLock[lock]!.spans.append((time, s.id))
                byLock[lock]!.indices.append(i)
            }
        }
        guard let (name, worst) = byLock.max(by: { $0.value.time < $1.value.time }) else { return nil }
        let share = ratio(worst.time, p.wall)
        guard share >= 0.2 else { return nil }
        let positions = LanePositions(trace)
        var seen = [Bool](repeating: false, count: positions.count)
        var lanes: [LaneID] = []
        for i in worst.indices where !seen[Int(positions.ofSpan[i])] {
            seen[Int(positions.ofSpan[i])] = true
            lanes.append(trace.spans[i].lane)
        }
        guard lanes.count >= 2 else { return nil }
        let label = name.isEmpty ? "one lock" : "lock '\(name)'"
        return Finding(
            kind: .lockContention, severity: share >= 1 ? .critical : .warning,
            title: "Lock contention on \(label): \(dec(share))× the wall time spent waiting",
            evidence:
                "\(lanes.count) lanes waited \(worst.count) times on \(label) for \(formatDuration(worst.time)) in all, \(pct(share)) of the wall time of \(formatDuration(p.wall)) (on average \(dec(share)) lanes waiting)",
            lesson:
                "A lock makes its critical section sequential: keep it to the shared update alone, or give each worker its own data and combine at the end.",
            range: worst.lo...worst.hi, lanes: lanes.sorted(),
            // The spans that waited longest on it, at most 100.
            spans: worst.spans.sorted { $0.wait != $1.wait ? $0.wait > $1.wait : $0.id < $1.id }.prefix(100).map(\.id),
            figures: [
                "wait": Double(worst.time), "share": share, "waits": Double(worst.count),
                "lanes": Double(lanes.count),
            ])
    }
}
