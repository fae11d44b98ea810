import LanesCore

extension Detectors {
    /// Several lanes worked but, between them, hardly more than one ran at a time, and what they waited on
    /// was the interpreter lock, a mutex or an actor.
    static func serialisedCPU(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        let workers = p.lanes.filter { $0.workCount > 0 }
        let isActor = trace.metadata.modelKind == .actor
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
        // CPU work: the lanes wanted a CPU (running, or runnable in the run queue) at least half the time.
        // Threads that wait on a lock held across a sleep serialise waiting, not computing.
        let demand = ratio(p.running + p.runQueueWait, p.wall)
        let lockBound = lock > max(gil, actor)
        guard parallelism <= 1.3, !lockBound || demand >= 0.5, ratio(serialising, p.wall) >= 0.5 else { return nil }
        if lockBound, !lockHoldersComputed(trace, p) { return nil }
        // A /proc recording infers the interpreter lock from futex waits in the interpreter's own data.
        let inferred = gil > 0 && trace.spans.contains { $0.waits.contains { $0.reason == .gil && $0.object?.contains("inferred") == true } }
        let (what, lesson): (String, String) =
            gil >= max(lock, actor)
            ? (
                inferred ? "the interpreter lock (inferred: its futex lies in the interpreter's data)" : "the interpreter lock",
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
                "actor": Double(actor), "wall": Double(p.wall), "demand": demand,
            ])
    }

    /// Whether the lanes that waited on a lock wanted a CPU (ran, or waited in the run queue) for at least half
    /// of their time outside those waits: a lock held across a sleep keeps its waiters from sleeping, not from
    /// computing, however busy another lane is meanwhile.
    static func lockHoldersComputed(_ trace: Trace, _ p: TraceProfile) -> Bool {
        var lockWaits: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:], runQueue: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        for s in trace.spans {
            for w in s.waits where w.reason == .lock || w.reason == .runQueue {
                if w.reason == .lock { lockWaits[s.lane, default: []].append((w.start, w.end)) }
                else { runQueue[s.lane, default: []].append((w.start, w.end)) }
            }
        }
        var outside: Nanoseconds = 0, computing: Nanoseconds = 0
        for lane in p.lanes {
            guard let waits = lockWaits[lane.lane] else { continue }
            outside += max(0, lane.busy - Intervals(waits).length)
            computing += lane.running + Intervals(runQueue[lane.lane] ?? []).length
        }
        return ratio(computing, outside) >= 0.5
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
}
