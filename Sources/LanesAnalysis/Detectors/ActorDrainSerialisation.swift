import LanesCore

extension Detectors {
    /// In a recorded trace (`lanes record`): one actor lane's drain jobs cover at least half the wall time, their
    /// threads computed through them (by the `/proc` sampler's thread states, when the trace has them), hardly
    /// more than one thread of the process wanted a CPU meanwhile with two cores or more, and the tasks that had
    /// started ran little outside the drains: the work ran one job at a time because of the actor.
    ///
    /// A default actor runs its queued jobs inside drain jobs ("actor drain" spans on an actor lane); the
    /// callers' code in the actor runs inside them, so the callers' own lanes show no slice there.
    static func actorDrainSerialisation(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        // The built-in actor model has its own actor lane and finding (``serialisedThroughAnActor``).
        guard trace.metadata.modelKind != .actor, st.cores != 1, p.wall > 0 else { return nil }
        let taskLanes = Dictionary(
            trace.lanes.lazy.filter { $0.kind == .task }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var drains: [LaneID: [Span]] = [:]
        for s in trace.spans where s.name.hasPrefix("actor drain") && taskLanes[s.lane]?.taskID == nil {
            if taskLanes[s.lane] != nil { drains[s.lane, default: []].append(s) }
        }
        guard
            let (lane, spans) = drains.max(by: { a, b in
                Intervals(a.value.map { ($0.start, $0.end) }).length
                    < Intervals(b.value.map { ($0.start, $0.end) }).length
            }), let actorLane = taskLanes[lane]
        else { return nil }
        let pid = actorLane.pid
        let union = Intervals(spans.map { ($0.start, $0.end) })
        let drainTime = union.length, share = ratio(drainTime, p.wall)
        // Drains of one actor overlap a little: a thread that released the actor runs the leaving task on to its
        // next suspension inside the old drain while another thread drains the next job. Drains of several
        // actors that ran side by side (the lane of separate drain jobs is shared) raise the parallelism below.
        let summed = spans.reduce(0) { $0 + ($1.end - $1.start) }
        guard share >= 0.5 else { return nil }

        // The /proc sampler's threads: when each wanted a CPU (its span less its waits other than the run queue).
        var wanting: [Int64: Intervals] = [:]
        var threadOf: [LaneID: Int64] = [:]
        for l in trace.lanes where l.kind == .thread && l.pid == pid { threadOf[l.id] = l.threadID ?? 0 }
        var pieces: [Int64: [(Nanoseconds, Nanoseconds)]] = [:], off: [Int64: [(Nanoseconds, Nanoseconds)]] = [:]
        for s in trace.spans {
            guard let tid = threadOf[s.lane] else { continue }
            pieces[tid, default: []].append((s.start, s.end))
            for w in s.waits where w.reason != .runQueue { off[tid, default: []].append((w.start, w.end)) }
        }
        for (tid, list) in pieces { wanting[tid] = Intervals(list).subtracting(Intervals(off[tid] ?? [])) }
        let parallelism: Double
        var computing = 1.0
        let sampled = !wanting.isEmpty
        if !sampled {
            // No thread states: the task slices and drains of the process that ran during the drains.
            let ran = trace.spans.lazy.filter { s in
                (s.name == taskSlice || s.name.hasPrefix("actor drain")) && taskLanes[s.lane]?.pid == pid
            }
            parallelism = ratio(
                ran.reduce(0) { $0 + Intervals([($1.start, $1.end)]).intersecting(union).length }, drainTime)
        } else {
            parallelism = ratio(wanting.values.reduce(0) { $0 + $1.intersecting(union).length }, drainTime)
            var onCPU: Nanoseconds = 0
            for (tid, group) in Dictionary(grouping: spans, by: \.threadID) {
                onCPU += Intervals(group.map { ($0.start, $0.end) }).intersecting(wanting[tid] ?? Intervals()).length
            }
            computing = ratio(onCPU, summed)
        }
        // The tasks that had started by the end of the drains, and how long their own slices ran during them:
        // a caller's code in the actor runs inside a drain (and, once it has gone through the actor, often the rest
        // of its code too: the thread that released the actor runs it on), so its lane shows no slice there.
        guard let drainsEnd = union.parts.last?.end else { return nil }
        var firstSeen: [LaneID: Nanoseconds] = [:], own: [(Nanoseconds, Nanoseconds)] = []
        for s in trace.spans where taskLanes[s.lane]?.taskID != nil && taskLanes[s.lane]?.pid == pid {
            firstSeen[s.lane] = min(firstSeen[s.lane] ?? s.start, s.start)
            if s.name == taskSlice { own.append((s.start, s.end)) }
        }
        let started = firstSeen.values.filter { $0 < drainsEnd }.count
        let ownShare = ratio(Intervals(own).intersecting(union).length, drainTime)
        // The sampler's thread states are as fine as its samples (sparse on a loaded machine): a drain thread that
        // computed throughout was seen on or waiting for a CPU 59% of the time on 2 busy cores. A drain that sleeps
        // or blocks (a wait inside the actor) is near 0.
        // Hardly more than one: the thread that released the actor finishes its drain while the next one runs, a
        // tail a loaded host stretches (1.10–1.19 threads wanting a CPU at a load of 6 on 2 cores); work spread
        // over 2 cores is 2.
        guard computing >= 0.3, parallelism <= 1.5, started >= 2, ownShare <= 0.3 else { return nil }
        let cores = st.cores > 0 ? " of \(st.cores) cores" : ""
        return Finding(
            kind: .serialisedCPU, severity: parallelism <= 1.1 && share >= 0.7 ? .critical : .warning,
            title:
                "CPU work serialised: one actor's drain jobs ran \(pct(share)) of the wall time, parallelism \(dec(parallelism))",
            evidence:
                "\(spans.count) drain jobs of one actor (lane \"\(actorLane.label)\") ran for \(formatDuration(drainTime)) (\(pct(share)) of the wall time of \(formatDuration(p.wall))), \(sampled ? "on a CPU or runnable \(pct(computing)) of it by the /proc sampler" : "no thread states recorded"); meanwhile \(started) tasks had started, their own slices ran for \(pct(ownShare)) of that time, and \(dec(parallelism)) \(sampled ? "threads" : "slices or drains")\(cores) \(sampled ? "wanted a CPU" : "ran at once on average")",
            lesson:
                "An actor runs one job at a time; CPU work funnelled through it is sequential however many tasks send it, so keep the work outside the actor (nonisolated, in the tasks) and send it only the shared update.",
            range: union.parts.first.map { $0.start...(union.parts.last?.end ?? $0.end) }, lanes: [lane],
            figures: [
                "drain": Double(drainTime), "share": share, "parallelism": parallelism, "tasks": Double(started),
                "own": ownShare, "computing": computing, "wall": Double(p.wall), "drains": Double(spans.count),
            ])
    }
}
