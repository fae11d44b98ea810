import LanesCore

extension Detectors {
    /// More runnable work than cores: run-queue waits while the trace's own other lanes held every core
    /// (waits behind other programs on the machine do not count), or more spans running at once than cores.
    static func oversubscription(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard p.wall > 0, p.running > 0 else { return nil }
        let cores = st.cores
        var runQueue = p.runQueueWait
        var external: Nanoseconds = 0
        if cores > 0, ratio(runQueue, p.running) >= 0.25, let own = ownRunQueueWait(trace, cores: cores) {
            external = runQueue - own
            runQueue = own
        }
        let rq = ratio(runQueue, p.running)
        let excess = cores > 0 ? p.runningParallelism / Double(cores) : 0
        let lesson =
            "More CPU-bound threads than cores only take turns; size the pool to the cores for CPU work and keep larger pools for work that waits."
        if rq >= 0.25 {
            let outside =
                external > 0
                ? "; another \(formatDuration(external)) while fewer of its threads than cores ran (behind other programs, or brief wake-ups)"
                : ""
            return Finding(
                kind: .oversubscription, severity: rq >= 1 ? .critical : .warning,
                title: "Oversubscribed: \(formatDuration(runQueue)) runnable but waiting for a CPU",
                evidence:
                    "threads waited \(formatDuration(runQueue)) in the run queue while as many others of the program ran as there are cores, against \(formatDuration(p.running)) running (\(pct(rq)))\(cores > 0 ? " on \(cores) cores" : "")\(outside)",
                lesson: lesson,
                figures: ["runQueue": Double(runQueue), "share": rq, "cores": Double(cores), "external": Double(external)])
        }
        if cores > 0, excess >= 2 {
            return Finding(
                kind: .oversubscription, severity: .warning,
                title: "Oversubscribed: \(dec(p.runningParallelism)) spans running at once on \(cores) cores",
                evidence:
                    "on average \(dec(p.runningParallelism)) spans were running (not waiting) at once with \(cores) cores, so about \(dec(p.runningParallelism - Double(cores))) of them sat in the run queue each moment",
                lesson: lesson,
                figures: ["parallelism": p.runningParallelism, "cores": Double(cores), "share": excess])
        }
        return nil
    }

    /// Run-queue waits (as waits, not counters) during which at least as many of the trace's other lanes
    /// were running as there are cores: the part of the run queue the program itself caused. A thread that
    /// waits for a CPU while fewer of its program's threads than cores run is waiting behind other programs
    /// (or a moment's wake-up, as threads waiting for an interpreter lock do). Nil when the trace records
    /// its run-queue time only as counters.
    static func ownRunQueueWait(_ trace: Trace, cores: Int) -> Nanoseconds? {
        var events: [(time: Nanoseconds, delta: Int)] = []
        var runnable: [(Nanoseconds, Nanoseconds)] = []
        for s in trace.spans where s.parent == nil && s.end > s.start {
            let queued = s.waits.filter { $0.reason == .runQueue }.map { ($0.start, $0.end) }
            runnable += queued
            let running = Intervals([(s.start, s.end)]).subtracting(Intervals(s.waits.map { ($0.start, $0.end) }))
            for part in running.parts {
                events.append((part.start, 1))
                events.append((part.end, -1))
            }
        }
        guard !runnable.isEmpty else { return nil }
        events.sort { $0.time != $1.time ? $0.time < $1.time : $0.delta < $1.delta }
        var crowded: [(Nanoseconds, Nanoseconds)] = []
        var open = 0
        var since: Nanoseconds = 0
        for e in events {
            let was = open
            open += e.delta
            if was < cores && open >= cores { since = e.time }
            if was >= cores && open < cores { crowded.append((since, e.time)) }
        }
        let over = Intervals(crowded).parts
        var own: Nanoseconds = 0
        var j = 0
        for (start, end) in runnable.sorted(by: { $0.0 < $1.0 }) {
            while j < over.count && over[j].end <= start { j += 1 }
            var k = j
            while k < over.count && over[k].start < end {
                own += min(end, over[k].end) - max(start, over[k].start)
                k += 1
            }
        }
        return own
    }
}
