import LanesCore

extension Trace {
    /// A py-spy trace in which no idle frame was sampled, only joins: recorded with `--gil` (only the thread
    /// holding the GIL is sampled) or without `--idle` (only threads on a CPU are). A waiting thread leaves no
    /// sample there, and py-spy's Chrome output stretches its last frames to its next sample.
    var isPySpyWithoutIdleFrames: Bool {
        metadata.extra.contains(Attribute("py-spy.sampled", "true"))
            && !spans.contains(where: { $0.waits.contains { $0.reason != .join } })
    }

    /// A py-spy trace whose threads were hardly ever sampled waiting: no wait but joins, or waits (other than
    /// joins) under a tenth of the threads' time. With `--gil` a thread is sampled only holding the GIL, so a
    /// blocking call shows only when the sample fell just before it let go (a `Condition.wait` entered); with
    /// `--idle` waiting threads are sampled throughout their waits, which then fill much of their time.
    var isPySpyMostlyWithoutIdleFrames: Bool {
        guard metadata.extra.contains(Attribute("py-spy.sampled", "true")) else { return false }
        var busy: Nanoseconds = 0, waiting: Nanoseconds = 0
        for s in spans {
            if s.parent == nil { busy += s.duration }
            for w in s.waits where w.reason != .join { waiting += w.duration }
        }
        return waiting * 10 < busy
    }

    /// How long a stretch without any sampled change must last to count as unsampled: five samples at py-spy's
    /// default rate (100 a second), ten at 200. Threads that take turns in Python code change the sampled stack
    /// far more often (the GIL changes hands every 5 ms).
    static let pySpyGap: Nanoseconds = 50_000_000

    /// In a trace of ``isPySpyMostlyWithoutIdleFrames``, the running time of each lane (summed over lanes) inside
    /// stretches of at least ``pySpyGap`` in which py-spy wrote nothing for any thread. py-spy writes an event
    /// only when a sampled stack changes, so such a stretch is either no thread seen running Python code (a
    /// thread that sleeps, waits on I/O, a lock or a queue, or runs native code that released the GIL) or one
    /// thread that kept one stack throughout. The file cannot tell the two apart; the advice counts the stretch
    /// as waiting and says so. 0 for other traces.
    var pySpyUnsampled: Nanoseconds {
        guard let stretches = pySpyUnsampledStretches else { return 0 }
        var byLane: [LaneID: (tops: [(Nanoseconds, Nanoseconds)], waits: [(Nanoseconds, Nanoseconds)])] = [:]
        for s in spans {
            if s.parent == nil { byLane[s.lane, default: ([], [])].tops.append((s.start, s.end)) }
            for w in s.waits { byLane[s.lane, default: ([], [])].waits.append((w.start, w.end)) }
        }
        return byLane.values.reduce(0) { total, lane in
            total + Intervals(lane.tops).subtracting(Intervals(lane.waits)).intersecting(stretches).length
        }
    }

    /// The stretches of at least ``pySpyGap`` in which py-spy wrote nothing for any thread, in a trace of
    /// ``isPySpyMostlyWithoutIdleFrames``; nil for other traces and when there are none.
    var pySpyUnsampledStretches: Intervals? {
        guard isPySpyMostlyWithoutIdleFrames else { return nil }
        var times: [Nanoseconds] = []
        times.reserveCapacity(spans.count * 2)
        for s in spans {
            times.append(s.start)
            times.append(s.end)
        }
        times.sort()
        var gaps: [(Nanoseconds, Nanoseconds)] = []
        for (a, b) in zip(times, times.dropFirst()) where b - a >= Self.pySpyGap { gaps.append((a, b)) }
        return gaps.isEmpty ? nil : Intervals(gaps)
    }
}
