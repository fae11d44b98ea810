import LanesCore

/// The pitfall detectors: each looks at one trace and returns at most one finding.
///
/// Thresholds are shares of wall time (or of a lane's time), so a detector means the same at any scale; they
/// are set so that the good variants of the scenario catalog stay quiet and the bad ones do not.
enum Detectors {
    static func all(_ trace: Trace, _ st: TraceStatistics, _ profile: TraceProfile) -> [Finding] {
        let detectors: [(Trace, TraceStatistics, TraceProfile) -> Finding?] = [
            serialisedCPU, blockedCooperativePool, unawaitedTasks, lockContention, oversubscription,
            processOverhead, stragglers, producerConsumer,
        ]
        return detectors.compactMap { $0(trace, st, profile) }
    }

    static func pct(_ x: Double) -> String { TraceStatistics.percent(x) }
    static func dec(_ x: Double) -> String { TraceStatistics.decimal(x) }
    static func ratio(_ a: Nanoseconds, _ b: Nanoseconds) -> Double { b > 0 ? Double(a) / Double(b) : 0 }

    /// Several lanes worked but, between them, hardly more than one ran at a time, and what they waited on
    /// was the interpreter lock, a mutex or an actor.
    static func serialisedCPU(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        let workers = p.lanes.filter { $0.workCount > 0 }
        let isActor = trace.metadata.model == "actor"
        if isActor, st.cores != 1, workers.count == 1, workers[0].workCount >= 2,
            let finding = serialisedThroughAnActor(trace, workers[0], p)
        {
            return finding
        }
        guard workers.count >= 2, st.cores != 1, p.wall > 0 else { return nil }
        let gil = st.blockedByReason[.gil] ?? 0, lock = st.blockedByReason[.lock] ?? 0
        let actor = isActor ? st.blockedByReason[.suspended] ?? 0 : 0
        let serialising = gil + lock + actor
        let parallelism = p.runningParallelism
        guard parallelism <= 1.3, ratio(serialising, p.wall) >= 0.5 else { return nil }
        let (what, lesson): (String, String) =
            gil >= max(lock, actor)
            ? (
                "the interpreter lock",
                "Pitfall 1: under a GIL threads take turns, so CPU-bound work gains nothing from them; use processes (or, in Swift, threads without the lock)."
            )
            : lock >= actor
                ? (
                    "a lock",
                    "Work inside one lock runs one thread at a time; shrink the critical section or give each worker its own data and combine at the end."
                )
                : (
                    "one actor",
                    "An actor runs one job at a time; CPU work funnelled through it is sequential however many tasks send it."
                )
        return Finding(
            kind: .serialisedCPU, severity: parallelism <= 1.1 ? .critical : .warning,
            title: "CPU work serialised: \(workers.count) lanes, parallelism \(dec(parallelism)), waiting on \(what)",
            evidence:
                "\(workers.count) lanes ran \(p.workName ?? "work") but on average \(dec(parallelism)) ran at a time; they waited \(formatDuration(serialising)) on \(what) (\(dec(ratio(serialising, p.wall)))× the wall time of \(formatDuration(p.wall)))",
            lesson: lesson, range: p.start...(p.start + p.wall), lanes: workers.map(\.lane),
            figures: [
                "parallelism": parallelism, "lanes": Double(workers.count), "gil": Double(gil), "lock": Double(lock),
                "actor": Double(actor), "wall": Double(p.wall),
            ])
    }

    /// Under the `actor` model: every item ran on the actor's one lane while the tasks that sent them waited.
    static func serialisedThroughAnActor(_ trace: Trace, _ lane: LaneStatistics, _ p: TraceProfile) -> Finding? {
        let tasks = Set(trace.lanes.lazy.filter { $0.kind == .task }.map(\.id))
        let senders = Set(trace.spans.lazy.filter { tasks.contains($0.lane) }.map(\.lane)).count
        let share = ratio(lane.workTime, p.wall)
        guard senders >= 2, share >= 0.5 else { return nil }
        // An actor that mostly waited inside its items (sleeps, reads) serialised waiting, not computing.
        let computing = lane.busy > 0 && lane.running * 2 >= lane.busy
        return Finding(
            kind: .serialisedCPU, severity: .warning,
            title:
                "\(computing ? "CPU work" : "Work (mostly waiting)") serialised: all \(lane.workCount) items ran on one actor (\(lane.label))",
            evidence:
                "\(senders) tasks sent \(lane.workCount) items of \(p.workName ?? "work") to one actor, which ran them one at a time on \(lane.label) for \(formatDuration(lane.workTime)) (\(pct(share)) of the wall time)",
            lesson: computing
                ? "An actor runs one job at a time; CPU work funnelled through it is sequential however many tasks send it, so keep the work outside the actor and send it only the shared update."
                : "An actor runs one job at a time, and a blocking wait inside it holds the actor: await outside the actor (or suspend instead of blocking) and send it only the shared update.",
            range: lane.workRange, lanes: [lane.lane],
            figures: ["parallelism": p.runningParallelism, "lanes": 1, "tasks": Double(senders), "share": share])
    }

    /// Async task slices that held their thread through a blocking wait (a sleep, a read, a lock) rather than
    /// suspending: while they did, other tasks could not run on that thread.
    static func blockedCooperativePool(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        var slicesByLane: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        var isTask: [LaneID: Bool] = [:]
        for l in trace.lanes { isTask[l.id] = l.kind == .task }
        for s in trace.spans where s.name == taskSlice && isTask[s.lane] == true {
            slicesByLane[s.lane, default: []].append((s.start, s.end))
        }
        guard !slicesByLane.isEmpty else { return nil }
        var held: Nanoseconds = 0
        var offenders: [SpanID] = []
        var lanes: Set<LaneID> = []
        var lo = Nanoseconds.max, hi = Nanoseconds.min
        var names: [String: Int] = [:]
        let slices = slicesByLane.mapValues { Intervals($0) }
        for s in trace.spans where isTask[s.lane] == true && s.name != taskSlice && !s.waits.isEmpty {
            guard let running = slices[s.lane] else { continue }
            let blocking = Intervals(s.waits.filter { $0.reason != .suspended }.map { ($0.start, $0.end) })
            let overlap = blocking.intersecting(running).length
            // A task that suspends still runs a little into its wait (the await's own work); one that blocks
            // holds the thread for most of it.
            guard overlap > 0, overlap * 2 >= blocking.length else { continue }
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

    /// Spans that end after the span that started them: work nobody awaited.
    static func unawaitedTasks(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        let index = spanIndex(trace.spans, needing: Set(trace.spans.lazy.compactMap(\.parent)))
        var late: [SpanID] = []
        var lanes: Set<LaneID> = []
        var parents: Set<SpanID> = []
        var outlived: Nanoseconds = 0
        for s in trace.spans where s.name != taskSlice {
            guard let pid = s.parent, let j = index[pid] else { continue }
            let parent = trace.spans[j]
            guard parent.lane != s.lane, s.end > parent.end else { continue }
            late.append(s.id)
            lanes.insert(s.lane)
            parents.insert(parent.id)
            outlived = max(outlived, s.end - parent.end)
        }
        guard !late.isEmpty else { return nil }
        return Finding(
            kind: .unawaitedTasks, severity: .warning,
            title: "\(late.count) tasks outlived the span that started them",
            evidence:
                "\(late.count) spans on \(lanes.count) lanes ended after their parent span ended (by up to \(formatDuration(outlived))): nothing awaited them, and tasks still running at the end are cut off",
            lesson:
                "Pitfall 4: a task that is never awaited can outlive its caller, lose its errors, or be cut off at exit; keep a handle and await it, or use a task group.",
            lanes: lanes.sorted(), spans: late,
            figures: ["tasks": Double(late.count), "outlived": Double(outlived), "parents": Double(parents.count)])
    }

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
        }
        var byLock: [String: Lock] = [:]
        for s in trace.spans {
            var waited: [String: Nanoseconds] = [:]
            for w in s.waits where w.reason == .lock && !queues.contains(w.object ?? "\u{0}") {
                var e = byLock[w.object ?? "", default: Lock()]
                e.time += w.duration
                e.count += 1
                e.lanes.insert(s.lane)
                e.lo = min(e.lo, w.start)
                e.hi = max(e.hi, w.end)
                byLock[w.object ?? ""] = e
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

    /// More runnable work than cores: run-queue waits, or more spans running at once than cores.
    static func oversubscription(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard p.wall > 0, p.running > 0 else { return nil }
        let rq = ratio(p.runQueueWait, p.running)
        let cores = st.cores
        let excess = cores > 0 ? p.runningParallelism / Double(cores) : 0
        if rq >= 0.25 {
            return Finding(
                kind: .oversubscription, severity: rq >= 1 ? .critical : .warning,
                title: "Oversubscribed: \(formatDuration(p.runQueueWait)) runnable but waiting for a CPU",
                evidence:
                    "threads waited \(formatDuration(p.runQueueWait)) in the run queue against \(formatDuration(p.running)) running (\(pct(rq)))\(cores > 0 ? " on \(cores) cores" : "")",
                lesson:
                    "More CPU-bound threads than cores only take turns; size the pool to the cores for CPU work and keep larger pools for work that waits.",
                figures: ["runQueue": Double(p.runQueueWait), "share": rq, "cores": Double(cores)])
        }
        if cores > 0, excess >= 2 {
            return Finding(
                kind: .oversubscription, severity: .warning,
                title: "Oversubscribed: \(dec(p.runningParallelism)) spans running at once on \(cores) cores",
                evidence:
                    "on average \(dec(p.runningParallelism)) spans were running (not waiting) at once with \(cores) cores, so about \(dec(p.runningParallelism - Double(cores))) of them sat in the run queue each moment",
                lesson:
                    "More CPU-bound threads than cores only take turns; size the pool to the cores for CPU work and keep larger pools for work that waits.",
                figures: ["parallelism": p.runningParallelism, "cores": Double(cores), "share": excess])
        }
        return nil
    }

    /// Worker processes whose start-up and pipe traffic per item cost more than the item's work. A worker's
    /// start-up is the time from the trace's start to its first span; pipe traffic is reads and writes.
    static func processOverhead(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard let work = p.workName, let first = trace.spans.min(by: { $0.start < $1.start }) else { return nil }
        // The parent: the trace's first process with lanes (a recorder lists its own first, then its
        // workers'); a worker can record before the parent does, so the earliest span is only the fallback.
        let withLanes = Set(trace.lanes.map(\.pid))
        let root = trace.processes.first { withLanes.contains($0.pid) }?.pid ?? first.laneProcess(trace)
        var firstEvent: [Int64: Nanoseconds] = [:]
        var pipe: Nanoseconds = 0
        var items = 0
        var itemWork: Nanoseconds = 0
        var workerLanes: Set<LaneID> = []
        for s in trace.spans {
            let pid = s.laneProcess(trace)
            if pid != root {
                firstEvent[pid] = min(firstEvent[pid] ?? .max, s.start)
                workerLanes.insert(s.lane)
                if s.name == work {
                    items += 1
                    itemWork += s.duration
                }
            }
            // Pipe traffic: writes and reads on either side; a worker's wait for its next item is idle, not cost.
            for w in s.waits where w.reason == .ioWrite || w.reason == .ioRead { pipe += w.duration }
        }
        guard items > 0, !firstEvent.isEmpty else { return nil }
        let startup = firstEvent.values.reduce(0) { $0 + ($1 - p.start) }
        let perItem = (startup + pipe) / Nanoseconds(items)
        let perWork = itemWork / Nanoseconds(items)
        guard perItem > perWork else { return nil }
        return Finding(
            kind: .processOverhead, severity: perItem > 10 * perWork ? .critical : .warning,
            title: "Process overhead: \(formatDuration(perItem)) per item against \(formatDuration(perWork)) of work",
            evidence:
                "\(firstEvent.count) worker processes took \(formatDuration(startup)) in all to start and \(formatDuration(pipe)) of pipe traffic for \(items) items of \(formatDuration(perWork)) each",
            lesson:
                "Starting processes and sending items over pipes costs milliseconds; use processes for items that take much longer than that (not for 10 ms functions), or batch the items.",
            lanes: workerLanes.sorted(),
            figures: [
                "perItem": Double(perItem), "perItemWork": Double(perWork), "startup": Double(startup),
                "pipe": Double(pipe),
                "items": Double(items), "workers": Double(firstEvent.count),
            ])
    }

    /// Workers that finish long after the others, or carry much more of the work.
    static func stragglers(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        // Workers: lanes that took several items (a thread or task per item has no share to balance).
        let workers = p.lanes.filter { $0.workRange != nil && $0.workCount >= 2 }
        guard workers.count >= 2, p.wall > 0, let item = p.workName.flatMap({ p.statistics(of: $0) })?.p50 else {
            return nil
        }
        let ends = workers.map { $0.workRange!.upperBound }.sorted()
        let median = ends[(ends.count - 1) / 2]
        let lag = ends.last! - median
        let lagShare = ratio(lag, p.wall)
        // Finishing one item later than the others is the granularity of the work, not a straggler.
        guard lag >= 2 * item, lagShare >= 0.25 || (p.loadImbalance >= 1 && lagShare >= 0.1) else { return nil }
        let last = workers.max { $0.workRange!.upperBound < $1.workRange!.upperBound }!
        // A lane that finished last with less than its share of the work was held up, not handed too much.
        let work = workers.map(\.workTime).sorted()
        guard last.workTime >= work[(work.count - 1) / 2] else { return nil }
        return Finding(
            kind: .stragglers, severity: lagShare >= 0.5 ? .critical : .warning,
            title: "Straggler: \(last.label) finished \(formatDuration(lag)) after the median worker",
            evidence:
                "of \(workers.count) lanes running \(p.workName ?? "work"), the last finished \(formatDuration(lag)) (\(pct(lagShare)) of the wall time) after the median; the busiest did \(dec(p.loadImbalance + 1))× the mean work",
            lesson:
                "A parallel run lasts as long as its slowest worker; split the work into more, smaller items so a free worker can take the rest.",
            range: median...ends.last!, lanes: [last.lane],
            figures: [
                "lag": Double(lag), "share": lagShare, "imbalance": p.loadImbalance, "workers": Double(workers.count),
            ])
    }

    /// A queue that starves its consumers or holds back its producers.
    static func producerConsumer(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard p.wall > 0 else { return nil }
        struct Side {
            var time: Nanoseconds = 0
            var lanes: Set<LaneID> = []
        }
        var gets: [String: Side] = [:], puts: [String: Side] = [:]
        for s in trace.spans {
            for w in s.waits where w.reason == .queueGet || w.reason == .queuePut {
                let key = w.object ?? ""
                if w.reason == .queueGet {
                    gets[key, default: Side()].time += w.duration
                    gets[key, default: Side()].lanes.insert(s.lane)
                } else {
                    puts[key, default: Side()].time += w.duration
                    puts[key, default: Side()].lanes.insert(s.lane)
                }
            }
        }
        // Share of the waiting lanes' time: how much of their life they spent on this side of the queue.
        func share(_ side: Side) -> Double { ratio(side.time, p.wall * Nanoseconds(max(1, side.lanes.count))) }
        let candidates =
            gets.map { (queue: $0.key, side: $0.value, starving: true) }
            + puts.map { (queue: $0.key, side: $0.value, starving: false) }
        // One idle consumer waiting for work is not starvation; several are.
        guard
            let worst = candidates.filter({ !$0.starving || $0.side.lanes.count >= 2 })
                .max(by: { share($0.side) < share($1.side) }), share(worst.side) >= 0.5
        else { return nil }
        let s = share(worst.side)
        let label = worst.queue.isEmpty ? "the queue" : "queue '\(worst.queue)'"
        // The queue's depth counter (named after the queue) confirms it: mostly empty, or often at its top.
        let depth = trace.counters.filter { $0.name == worst.queue }
        var depthNote = ""
        var confirmed = false
        if !depth.isEmpty {
            let empty = depth.filter { $0.value <= 0 }.count
            let top = depth.map(\.value).max() ?? 0
            let full = depth.filter { $0.value >= top }.count
            depthNote = "; its depth was 0 in \(empty) of \(depth.count) samples and at most \(Int(top))"
            confirmed = worst.starving ? empty * 2 >= depth.count : top > 0 && full * 4 >= depth.count
        }
        return Finding(
            kind: .producerConsumer, severity: confirmed && s >= 0.6 ? .warning : .info,
            title: worst.starving
                ? "Consumers starved: they waited on an empty \(label) \(pct(s)) of the time"
                : "Back-pressure: producers waited on a full \(label) \(pct(s)) of the time",
            evidence:
                "\(worst.side.lanes.count) lanes waited \(formatDuration(worst.side.time)) to \(worst.starving ? "get from" : "put into") \(label)\(depthNote)",
            lesson: worst.starving
                ? "Consumers waiting on an empty queue mean the producers are the bottleneck: add producers or fewer consumers."
                : "Producers waiting on a full queue mean the consumers are the bottleneck: add consumers; the bound keeps memory in check.",
            lanes: worst.side.lanes.sorted(),
            figures: ["wait": Double(worst.side.time), "share": s, "lanes": Double(worst.side.lanes.count)])
    }
}

extension Span {
    /// The pid of the process the span's lane belongs to (-1 when the lane is unknown).
    func laneProcess(_ trace: Trace) -> Int64 { trace.lane(lane)?.pid ?? -1 }
}
