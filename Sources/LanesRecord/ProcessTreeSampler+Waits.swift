import LanesCore

extension ProcessTreeSampler {
    /// The name of the one span each sampled thread gets, from its first sample to its last: its waits are
    /// its time off the CPU (with their causes) and in the run queue; the rest is running time.
    public static let threadSpanName = "thread"
}

/// Time in `running` segments.
package func runningTime(_ segments: [ProcessTreeSampler.Segment]) -> Nanoseconds {
    segments.reduce(0) { $0 + ($1.state == .running ? $1.end - $1.start : 0) }
}

/// The waits of a thread: a `runQueue` wait per runnable segment, and for each stretch off the CPU a
/// wait per cause seen at the samples around it. Time off the CPU belongs to the wait seen at the first
/// sample after it when the thread was still off the CPU then, else to the wait seen at the sample
/// before (a thread that slept, ran and slept again between two samples slept first on what it waited
/// for at the first). Adjacent waits with one cause are merged.
package func waits(_ segments: [ProcessTreeSampler.Segment], _ causes: [CauseRun]) -> [Wait] {
    var out: [Wait] = []
    func add(_ reason: WaitReason, _ object: String?, _ start: Nanoseconds, _ end: Nanoseconds) {
        guard end > start else { return }
        if let last = out.last, last.end == start, last.reason == reason, last.object == object {
            out[out.count - 1].end = end
        } else {
            out.append(Wait(reason: reason, start: start, end: end, object: object))
        }
    }
    var k = 0
    for s in segments {
        switch s.state {
        case .running: continue
        case .runnable: add(.runQueue, nil, s.start, s.end)
        case .stopped: add(.other, "stopped (T)", s.start, s.end)
        case .sleeping, .diskWait:
            var t = s.start
            while t < s.end {
                while k < causes.count && causes[k].to <= t { k += 1 }
                let before = k > 0 ? causes[k - 1].cause : nil
                var end = s.end
                var cause: ProcessTreeSampler.WaitCause?
                if k == causes.count {
                    cause = causes.last?.cause
                } else if causes[k].from <= t {
                    // Between two samples of one run: the wait seen at both.
                    end = min(s.end, causes[k].to)
                    cause = causes[k].cause ?? before
                } else {
                    // Between the last sample of one run and the first of the next: the wait seen at the
                    // next sample if the thread was still off the CPU then, else the one seen before.
                    end = min(s.end, causes[k].from)
                    cause = s.end < causes[k].from ? before ?? causes[k].cause : causes[k].cause ?? before
                }
                let c = cause ?? ProcessTreeSampler.WaitCause(.other, s.state == .diskWait ? "disk-wait (D)" : "unknown")
                add(c.reason, c.object, t, end)
                t = end
            }
        }
    }
    return out
}

/// The waits of one process's threads, with futex waits that only one thread ever made turned from `lock`
/// into `condition`: a futex that one thread waits on while others never do is a wake-up it waits for (a
/// join, an event, a queue's condition: Python gives each waiter a lock of its own), not a lock the threads
/// contend for. A futex several threads wait on stays a lock; a condition variable that several threads
/// wait on together therefore reads as a lock too.
package func futexWaitsByOneThreadAreConditions(_ waitsByThread: [[Wait]]) -> [[Wait]] {
    var waiters: [String: Set<Int>] = [:]
    for (k, waits) in waitsByThread.enumerated() {
        for w in waits where w.reason == .lock { waiters[w.object ?? "", default: []].insert(k) }
    }
    return waitsByThread.map { waits in
        waits.map { w in
            guard w.reason == .lock, waiters[w.object ?? ""]?.count == 1 else { return w }
            var c = w
            c.reason = .condition
            return c
        }
    }
}
