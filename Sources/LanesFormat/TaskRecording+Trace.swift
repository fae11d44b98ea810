import LanesCore

extension TaskRecording {
    /// Adds the recorded tasks to `base` (the `/proc` sampler's trace of the same run, or an empty
    /// trace): per process, a lane per task ordered by creation with one span for the task's life
    /// (first enqueue to last slice, or to the end of the recording when it was still waiting to run)
    /// holding a `Span.taskSliceName` span per job on the thread that ran it, `suspended` waits between
    /// them (`sleep` where a timer woke it: `Task.sleep`), and flows parent → child and waker → woken.
    /// Main-queue slices carry the attribute `queue=main`. Actors' drain jobs (task id 0) go on a lane
    /// per actor. The timer tasks of `Task.sleep` get no lane of their own: they are the wakers.
    ///
    /// A task that already has a lane in `base` (a ``Recorder``'s, where the task's own spans are) keeps it:
    /// its slices go there with no span of their own around them, and nest under the task's spans.
    public func trace(adding base: Trace = Trace()) -> Trace {
        trace(adding: base, firstSpanID: nil, firstFlowID: nil, wholeTasks: true)
    }

    /// As ``trace(adding:)``, numbering new spans and flows from the ids given (by default, after the
    /// largest in `base`). Without `wholeTasks` (the jobs of one task executor, which sees only the tasks
    /// run on it): no span for a task's life around its slices, whose gaps its own spans' suspensions
    /// show, and no lane or inferred slice for a task that only handed jobs to it (it ran elsewhere).
    package func trace(adding base: Trace, firstSpanID: UInt64?, firstFlowID: UInt64?, wholeTasks: Bool) -> Trace {
        var trace = base
        var nextSpan = firstSpanID ?? (trace.spans.map(\.id.rawValue).max() ?? 0) + 1
        var nextFlow = firstFlowID ?? (trace.flows.map(\.id).max() ?? 0) + 1
        // Wrapping: the lanes of a damaged or forged file may use the largest id (new ones then reuse low ids).
        var nextLane = trace.lanes.map { $0.id.rawValue &+ 1 }.max() ?? 0
        func newLane() -> LaneID {
            defer { nextLane &+= 1 }
            return LaneID(nextLane)
        }
        let recordingEnd = max(
            slices.map(\.end).max() ?? 0, enqueues.map(\.time).max() ?? 0, trace.timeRange?.upperBound ?? 0)

        for pid in processes {
            if !trace.processes.contains(where: { $0.pid == pid }) { trace.processes.append(Process(pid: pid)) }
            let mySlices = slices.filter { $0.pid == pid }
            let myEnqueues = enqueues.filter { $0.pid == pid }
            // Timer tasks (Task.sleep's): first handed over by dispatch_after_f.
            var firstEnqueue: [UInt64: Enqueue] = [:]
            for e in myEnqueues where e.task != 0 && firstEnqueue[e.task] == nil { firstEnqueue[e.task] = e }
            let timers = Set(firstEnqueue.values.filter(\.timer).map(\.task))
            var slicesByTask: [UInt64: [Slice]] = [:]
            for s in mySlices where s.task != 0 && !timers.contains(s.task) { slicesByTask[s.task, default: []].append(s) }
            // A task that handed over jobs before its first recorded slice ran without being dispatched (the
            // main task's first job runs directly on the main thread): that slice is inferred from its enqueues.
            var inferred: Set<UInt64> = []
            for (by, group) in Dictionary(grouping: myEnqueues.filter { $0.by != 0 }, by: \.by) where wholeTasks {
                let firstRun = slicesByTask[by]?.first?.start ?? Int64.max
                let before = group.filter { $0.time < firstRun }
                guard let a = before.first, let b = before.last, !timers.contains(by) else { continue }
                let slice = Slice(
                    pid: pid, threadID: a.threadID, task: by, kind: 0, priority: 0, onMainQueue: false, timer: false,
                    start: a.time, end: b.time, job: 0)
                slicesByTask[by, default: []].insert(slice, at: 0)
                inferred.insert(by)
            }
            var enqueuesByTask: [UInt64: [Enqueue]] = [:]
            for e in myEnqueues where e.task != 0 && !timers.contains(e.task) {
                enqueuesByTask[e.task, default: []].append(e)
            }
            let tasks = Set(slicesByTask.keys).union(enqueuesByTask.keys).sorted { a, b in
                let ta = enqueuesByTask[a]?.first?.time ?? slicesByTask[a]?.first?.start ?? 0
                let tb = enqueuesByTask[b]?.first?.time ?? slicesByTask[b]?.first?.start ?? 0
                return (ta, a) < (tb, b)
            }
            // Timer task → the task that started it (whose sleep it ends).
            var timerOwner: [UInt64: UInt64] = [:]
            for t in timers { if let e = firstEnqueue[t], e.by != 0 { timerOwner[t] = e.by } }

            // The lanes `base` has for tasks of this process: those tasks' slices go there, without an owner span.
            var existing: [UInt64: Int] = [:]
            for (i, l) in trace.lanes.enumerated() where l.kind == .task && l.pid == pid {
                if let t = l.taskID, existing[t] == nil { existing[t] = i }
            }
            // Owner span ids first, so a child's span can name its parent's whatever their order.
            var ownerOf: [UInt64: SpanID] = [:]
            for task in tasks where existing[task] == nil && wholeTasks {
                ownerOf[task] = SpanID(nextSpan)
                nextSpan += 1
            }
            // Tasks with a timer started and never fired: asleep (Task.sleep) when recording ended.
            let firedTimers = Set(mySlices.lazy.filter { timers.contains($0.task) }.map(\.task))
            let asleepAtEnd = Set(timers.subtracting(firedTimers).compactMap { timerOwner[$0] })
            // Where the sampler saw each thread of the process off CPU (not running, not runnable).
            let offCPU = TaskRecording.offCPUStretches(in: trace, pid: pid)
            var sliceSpans: [UInt64: [(slice: Slice, id: SpanID)]] = [:]
            var laneOf: [UInt64: LaneID] = [:]
            for (order, task) in tasks.enumerated() {
                let runs = slicesByTask[task] ?? []
                let enq = enqueuesByTask[task] ?? []
                let parent = enq.first.map(\.by).flatMap { $0 != 0 && $0 != task ? $0 : nil }
                let laneID: LaneID
                if let i = existing[task] {
                    laneID = trace.lanes[i].id
                    if trace.lanes[i].parentTaskID == nil { trace.lanes[i].parentTaskID = parent }
                } else {
                    laneID = newLane()
                    let mainOnly = !runs.isEmpty && runs.allSatisfy(\.onMainQueue)
                    trace.lanes.append(
                        Lane(
                            id: laneID, kind: .task, pid: pid, taskID: task, parentTaskID: parent,
                            name: mainOnly ? "task \(task) (main actor)" : "", sortIndex: Int32(clamping: 1000 + order)))
                }
                laneOf[task] = laneID
                let start = min(enq.first?.time ?? Int64.max, runs.first?.start ?? Int64.max)
                var end = runs.map(\.end).max() ?? start
                // Handed over again after its last slice and never run: still waiting at the end.
                var unfinished = false
                if recordingEnd > end, asleepAtEnd.contains(task) || (enq.last.map { $0.time >= end } ?? false) {
                    end = recordingEnd
                    unfinished = true
                }
                let ownerID = ownerOf[task]
                var waits: [Wait] = []
                var t = start
                var e = 0  // enqueues before e happened before the slice being looked at
                for s in runs {
                    if s.start > t {
                        // Woken by a timer (Task.sleep) or by another task: the gap is a sleep or a suspension.
                        while e < enq.count && enq[e].time <= s.start { e += 1 }
                        let wake = e > 0 && enq[e - 1].time >= t ? enq[e - 1] : nil
                        let slept = wake.map { timers.contains($0.by) } ?? false
                        waits.append(Wait(reason: slept ? .sleep : .suspended, start: t, end: s.start))
                    }
                    t = max(t, s.end)
                }
                if end > t { waits.append(Wait(reason: .suspended, start: t, end: end)) }
                // A slice during which its thread was off CPU held the thread without suspending (a blocking call).
                for s in runs {
                    guard let stretches = offCPU[s.threadID] else { continue }
                    // Stretches of one thread do not overlap: the first that ends after the slice starts, onwards.
                    var k = firstIndex(in: stretches, where: { $0.end > s.start })
                    while k < stretches.count, stretches[k].start < s.end {
                        let b = stretches[k]
                        k += 1
                        let a = max(b.start, s.start), z = min(b.end, s.end)
                        guard z - a >= 200_000 else { continue }
                        waits.append(Wait(reason: b.reason, start: a, end: z, object: b.object))
                    }
                }
                waits.sort { $0.start < $1.start }
                // Two slices of one task can touch or overlap by a clock read on different threads: their waits
                // must not overlap, so each starts where the one before ended.
                var kept: [Wait] = []
                for var w in waits {
                    if let last = kept.last, w.start < last.end { w.start = last.end }
                    if w.end > w.start { kept.append(w) }
                }
                waits = kept
                var attributes = [Attribute("task", "\(task)")]
                if let p = parent { attributes.append(Attribute("parent task", "\(p)")) }
                if let p = runs.first?.priority ?? nil { attributes.append(Attribute("priority", "\(p)")) }
                if unfinished { attributes.append(Attribute("unfinished", "still waiting to run when recording ended")) }
                if let ownerID {
                    trace.spans.append(
                        Span(
                            id: ownerID, name: "task \(task)", lane: laneID, threadID: runs.first?.threadID ?? 0,
                            start: start, end: max(start, end), parent: parent.flatMap { ownerOf[$0] }, attributes: attributes,
                            waits: waits))
                }
                for (i, s) in runs.enumerated() {
                    let id = SpanID(nextSpan)
                    nextSpan += 1
                    sliceSpans[task, default: []].append((s, id))
                    var attributes = s.onMainQueue ? [Attribute("queue", "main")] : []
                    if i == 0 && inferred.contains(task) {
                        attributes.append(Attribute("inferred", "ran before any dispatched job: from its first to its last enqueue"))
                    }
                    trace.spans.append(
                        Span(
                            id: id, name: Span.taskSliceName, lane: laneID, threadID: s.threadID, start: s.start, end: s.end,
                            parent: ownerID, attributes: attributes))
                }
            }

            // Jobs that are not tasks: an actor's inline drain job (kind 192) lives in its actor, so its address
            // names the actor and gets a lane; the other kinds share a lane per kind.
            var jobLanes: [UInt64: LaneID] = [:]
            for s in mySlices where s.task == 0 {
                let key = s.kind == 192 ? s.job : UInt64(s.kind)
                let lane: LaneID
                if let l = jobLanes[key] {
                    lane = l
                } else {
                    lane = newLane()
                    jobLanes[key] = lane
                    trace.lanes.append(
                        Lane(
                            id: lane, kind: .task, pid: pid, name: TaskRecording.jobLaneName(kind: s.kind, job: s.job),
                            sortIndex: Int32(clamping: 1000 + tasks.count + jobLanes.count)))
                }
                trace.spans.append(
                    Span(
                        id: SpanID(nextSpan), name: TaskRecording.jobSpanName(kind: s.kind), lane: lane,
                        threadID: s.threadID, start: s.start, end: s.end,
                        attributes: [Attribute("job kind", "\(s.kind)")] + (s.onMainQueue ? [Attribute("queue", "main")] : [])))
                nextSpan += 1
            }

            // Flows: from the slice of the task that was running at the enqueue to the slice it led to.
            func slice(of task: UInt64, at time: Int64) -> SpanID? {
                guard let list = sliceSpans[task] else { return nil }
                var k = firstIndex(in: list, where: { $0.slice.start > time }) - 1
                // Slices of one task overlap only at a hand-over: a few steps back are enough.
                var steps = 0
                while k >= 0, steps < 8 {
                    if list[k].slice.end >= time { return list[k].id }
                    k -= 1
                    steps += 1
                }
                return nil
            }
            // The task whose job was running on a thread at a moment: the waker of an enqueue made when the
            // runtime no longer reports a current task (a finishing child resuming its parent).
            var runningByThread: [Int64: [Slice]] = [:]
            for s in mySlices where s.task != 0 { runningByThread[s.threadID, default: []].append(s) }
            func running(on thread: Int64, at time: Int64) -> UInt64? {
                guard let list = runningByThread[thread] else { return nil }
                let k = firstIndex(in: list, where: { $0.start > time }) - 1
                return k >= 0 && list[k].end >= time ? list[k].task : nil
            }
            for task in tasks {
                guard let runs = sliceSpans[task] else { continue }
                var seen = false
                for e in enqueuesByTask[task] ?? [] {
                    defer { seen = true }
                    var from = e.by != 0 ? e.by : running(on: e.threadID, at: e.time) ?? 0
                    if timers.contains(from) { continue }  // a timer's wake: the gap is a sleep, no arrow
                    if from == 0 || from == task { continue }
                    if let owner = timerOwner[from] { from = owner }
                    guard let source = slice(of: from, at: e.time),
                        case let k = firstIndex(in: runs, where: { $0.slice.start >= e.time }), k < runs.count
                    else { continue }
                    let target = runs[k]
                    trace.flows.append(
                        Flow(
                            id: nextFlow, from: source, to: target.id, fromTime: e.time, toTime: target.slice.start,
                            name: seen ? "wake" : "spawn"))
                    nextFlow += 1
                }
            }
        }
        return trace
    }
}

extension TaskRecording {
    /// The runtime's job kinds that are not tasks (`JobKind` in the Swift runtime's MetadataValues.h).
    static func jobSpanName(kind: UInt8) -> String {
        switch kind {
        case 192: "actor drain"
        case 193: "actor drain (separate job)"
        case 194: "actor drain (priority override)"
        case 195: "continuation resume"
        case 196: "isolated deinit"
        default: "runtime job \(kind)"
        }
    }

    static func jobLaneName(kind: UInt8, job: UInt64) -> String {
        kind == 192 ? "actor 0x\(String(job, radix: 16))" : jobSpanName(kind: kind) + " jobs"
    }
}

extension TaskRecording {
    /// A stretch during which the `/proc` sampler saw a thread neither running nor runnable.
    struct OffCPU {
        var start: Int64
        var end: Int64
        var reason: WaitReason
        var object: String?
    }

    /// Per thread id of process `pid`, the sampler's off-CPU stretches in `trace`: the waits of its thread
    /// lanes (each sampled thread is a span whose waits are its time off a CPU, with the reason /proc gave)
    /// other than run-queue time, which is time wanting a CPU, not a blocking call.
    static func offCPUStretches(in trace: Trace, pid: Int64) -> [Int64: [OffCPU]] {
        var threadLanes: [LaneID: Int64] = [:]
        for l in trace.lanes where l.kind == .thread && l.pid == pid { threadLanes[l.id] = l.threadID ?? 0 }
        var out: [Int64: [OffCPU]] = [:]
        for s in trace.spans {
            guard let tid = threadLanes[s.lane] else { continue }
            for w in s.waits where w.reason != .runQueue {
                out[tid, default: []].append(OffCPU(start: w.start, end: w.end, reason: w.reason, object: w.object))
            }
        }
        return out.mapValues { $0.sorted { $0.start < $1.start } }
    }
}

/// The index of the first element of `list` for which `predicate` holds, `list.count` if none; `predicate`
/// must be false for a prefix of `list` and true for the rest.
func firstIndex<T>(in list: [T], where predicate: (T) -> Bool) -> Int {
    var lo = 0, hi = list.count
    while lo < hi {
        let mid = (lo + hi) / 2
        if predicate(list[mid]) { hi = mid } else { lo = mid + 1 }
    }
    return lo
}
