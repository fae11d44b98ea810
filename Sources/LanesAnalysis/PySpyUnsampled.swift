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

    /// The stretches of `trace`; nil when it is not a py-spy trace or has none.
    init?(_ trace: Trace) {
        guard trace.metadata.extra.contains(Attribute("py-spy.sampled", "true")) else { return nil }
        var times: [Nanoseconds] = []
        times.reserveCapacity(trace.spans.count * 2)
        for s in trace.spans {
            times.append(s.start)
            times.append(s.end)
        }
        times.sort()
        var gaps: [(Nanoseconds, Nanoseconds)] = []
        for (a, b) in zip(times, times.dropFirst()) where b > a { gaps.append((a, b)) }
        guard !gaps.isEmpty else { return nil }
        let lengths = gaps.map { $0.1 - $0.0 }.sorted()
        // A handful of changes sets no pace (a thread sampled twice in a sleep-filled run): the floor alone then.
        let median = lengths.count >= 5 ? lengths[(lengths.count - 1) / 2] : 0
        let threshold = max(Self.floor, 10 * median)
        let long = gaps.filter { $0.1 - $0.0 >= threshold }
        guard !long.isEmpty else { return nil }
        self.threshold = threshold
        parts = Intervals(long)
    }

    /// The running time of each lane (its top-level spans less its recognised waits) inside the stretches,
    /// summed over lanes: time the threads were not seen running Python code, or (what the file cannot tell
    /// apart) one long call that kept its stack.
    func unsampled(_ trace: Trace) -> Nanoseconds {
        var byLane: [LaneID: (tops: [(Nanoseconds, Nanoseconds)], waits: [(Nanoseconds, Nanoseconds)])] = [:]
        for s in trace.spans {
            if s.parent == nil { byLane[s.lane, default: ([], [])].tops.append((s.start, s.end)) }
            for w in s.waits { byLane[s.lane, default: ([], [])].waits.append((w.start, w.end)) }
        }
        return byLane.values.reduce(0) { total, lane in
            total + Intervals(lane.tops).subtracting(Intervals(lane.waits)).intersecting(parts).length
        }
    }
}

extension Trace {
    /// A py-spy trace in which no idle frame was sampled, only joins: recorded with `--gil` or without `--idle`.
    var isPySpyWithoutIdleFrames: Bool {
        metadata.extra.contains(Attribute("py-spy.sampled", "true"))
            && !spans.contains(where: { $0.waits.contains { $0.reason != .join } })
    }
}
