import LanesCore

extension Detectors {
    /// Worker processes whose start-up and pipe traffic per item cost more than the item's work. A worker's
    /// start-up is the time from the trace's start to its first span; pipe traffic is reads and writes.
    static func processOverhead(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard let work = p.workName, let first = trace.spans.min(by: { $0.start < $1.start }) else { return nil }
        // The parent: the trace's first process with lanes (a recorder lists its own first, then its
        // workers'); a worker can record before the parent does, so the earliest span is only the fallback.
        let withLanes = Set(trace.lanes.map(\.pid))
        let root = trace.processes.first { withLanes.contains($0.pid) }?.pid ?? first.laneProcess(trace)
        var firstEvent: [Int64: Nanoseconds] = [:], firstItem: [Int64: Nanoseconds] = [:]
        var pipe: Nanoseconds = 0
        var items = 0
        var itemWork: Nanoseconds = 0
        var workerLanes: Set<LaneID> = []
        let commands = commandsWaitedFor(trace)
        for s in trace.spans {
            let pid = s.laneProcess(trace)
            if pid != root, !commands.contains(pid) {
                firstEvent[pid] = min(firstEvent[pid] ?? .max, s.start)
                workerLanes.insert(s.lane)
                if s.name == work {
                    items += 1
                    itemWork += s.duration
                    firstItem[pid] = min(firstItem[pid] ?? .max, s.start)
                }
            }
            // Pipe traffic: writes and reads on either side; a worker's wait for its next item is idle, not cost.
            for w in s.waits where w.reason == .ioWrite || w.reason == .ioRead { pipe += w.duration }
        }
        guard items > 0, !firstEvent.isEmpty else { return nil }
        // A recorder in the workers starts them with the trace; py-spy `--subprocesses` sees a worker from its first
        // sample, near its fork, after the parent's own start-up: there a worker starts from its first sample to its
        // first item.
        let sampled = trace.isPySpyTrace
        let startup = firstEvent.reduce(0) { total, worker in
            total + (sampled ? max(0, (firstItem[worker.key] ?? worker.value) - worker.value) : worker.value - p.start)
        }
        let perItem = (startup + pipe) / Nanoseconds(items)
        let perWork = itemWork / Nanoseconds(items)
        guard perItem > perWork else { return nil }
        return Finding(
            kind: .processOverhead, severity: perItem > 10 * perWork ? .critical : .warning,
            title: "Process overhead: \(formatDuration(perItem)) per item against \(formatDuration(perWork)) of work",
            evidence:
                "\(firstEvent.count) worker processes took \(formatDuration(startup)) in all to start\(sampled ? " (from their first sample to their first item)" : "") and \(formatDuration(pipe)) of pipe traffic for \(items) items of \(formatDuration(perWork)) each"
                + (trace.isPySpyTrace
                    ? " (as sampled: py-spy joins back-to-back calls with the same stack into one, so there may be more items than counted, each shorter; the overhead against the work is the same)"
                    : ""),
            lesson:
                "Starting processes and sending items over pipes costs milliseconds; use processes for items that take much longer than that (not for 10 ms functions), or batch the items.",
            lanes: workerLanes.sorted(),
            figures: [
                "perItem": Double(perItem), "perItemWork": Double(perWork), "startup": Double(startup),
                "pipe": Double(pipe),
                "items": Double(items), "workers": Double(firstEvent.count),
            ])
    }

    /// Processes a parent ran as commands, one after another, rather than workers it handed work to: the
    /// parent waited for them to end (a `childProcess` wait during their life, give or take a sample
    /// interval) and none of them overlapped a sibling (by more than an interval). Only traces that say
    /// who started each process (a `ppid` attribute, as `lanes record` writes) have them.
    static func commandsWaitedFor(_ trace: Trace) -> Set<Int64> {
        var parent: [Int64: Int64] = [:]
        var life: [Int64: (Nanoseconds, Nanoseconds)] = [:]
        var childWaits: [Int64: [(Nanoseconds, Nanoseconds)]] = [:]
        for s in trace.spans {
            let pid = s.laneProcess(trace)
            if let ppid = s.attributes.first(where: { $0.key == "ppid" }).flatMap({ Int64($0.value) }) {
                parent[pid] = ppid
            }
            let l = life[pid] ?? (s.start, s.end)
            life[pid] = (min(l.0, s.start), max(l.1, s.end))
            for w in s.waits where w.reason == .childProcess { childWaits[pid, default: []].append((w.start, w.end)) }
        }
        let interval =
            trace.metadata.extra.first { $0.key == "record.interval" }
            .flatMap { Nanoseconds($0.value.prefix { $0.isNumber }) } ?? 0
        var children: [Int64: [Int64]] = [:]
        for (pid, ppid) in parent { children[ppid, default: []].append(pid) }
        var out = Set<Int64>()
        for (ppid, pids) in children {
            guard let waits = childWaits[ppid].map(Intervals.init) else { continue }
            let lives = pids.compactMap { pid in life[pid].map { (pid, $0.0, $0.1) } }.sorted { $0.1 < $1.1 }
            for (k, c) in lives.enumerated() {
                let overlapsSibling = lives.indices.contains {
                    $0 != k && min(c.2, lives[$0].2) - max(c.1, lives[$0].1) > interval
                }
                let waited = waits.intersecting(Intervals([(c.1 - interval, c.2 + interval)])).length > 0
                if waited && !overlapsSibling { out.insert(c.0) }
            }
        }
        return out
    }
}
