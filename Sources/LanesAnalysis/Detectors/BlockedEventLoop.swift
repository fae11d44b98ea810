import LanesCore

extension Detectors {
    /// An event loop that stood still: a thread that idles in `poll` waits (select, poll, epoll: a loop waiting
    /// for I/O or a timer) went at least `threshold` (``AnalysisOptions/blockedLoopThreshold``) between two of them, running or blocked in
    /// another wait (a sleep, a blocking read). Meanwhile none of that loop's callbacks, timers or ready sockets
    /// was served.
    ///
    /// The rule needs only `poll` waits on a lane, so it holds for every source that gives them: a `/proc`
    /// sampling of any process, a VizTracer or py-spy trace of an asyncio program, Lanes' own reactor.
    static func blockedEventLoop(
        _ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile, threshold blockedLoopThreshold: Nanoseconds
    ) -> Finding? {
        var polls: [LaneID: [Wait]] = [:]
        for s in trace.spans {
            for w in s.waits where w.reason == .poll { polls[s.lane, default: []].append(w) }
        }
        struct Stall {
            var lane: LaneID
            var range: ClosedRange<Nanoseconds>
            var length: Nanoseconds { range.upperBound - range.lowerBound }
        }
        // Waits in `Thread.start` per process: a loop's default executor starting its worker threads on first use
        // (`run_in_executor`, `to_thread`), which a loaded machine can stretch past the threshold. Start-up of the
        // remedy, not a blocking call in a coroutine.
        var threadStarts: [Int64: [(Nanoseconds, Nanoseconds)]] = [:]
        for s in trace.spans {
            for w in s.waits where w.reason == .join && w.object == "Thread.start" {
                threadStarts[s.laneProcess(trace), default: []].append((w.start, w.end))
            }
        }
        let startUps = threadStarts.mapValues { Intervals($0) }
        // Lanes whose polls are asyncio's: a `BaseEventLoop._run_once` frame from asyncio's files. A sampling profiler
        // merges the samples of a stack that did not change, so a loop whose callbacks are too short to be sampled
        // shows one poll before a stall and one after.
        var asyncioLoops: Set<LaneID> = []
        for s in trace.spans where s.name == "BaseEventLoop._run_once" && polls[s.lane] != nil {
            if s.attributes.contains(where: {
                ($0.key == "file" || $0.key == "filename") && $0.value.contains("asyncio/")
            }) {
                asyncioLoops.insert(s.lane)
            }
        }
        var stalls: [Stall] = []
        var loops = 0
        for (lane, waits) in polls {
            // One poll and a long wait elsewhere is not a loop (a `subprocess.communicate`, say); a loop polls again
            // and again, or is asyncio's.
            guard waits.count >= 3 || (waits.count >= 2 && asyncioLoops.contains(lane)) else { continue }
            loops += 1
            var end = Nanoseconds.min
            for w in waits.sorted(by: { $0.start < $1.start }) {
                if end != .min, w.start - end >= blockedLoopThreshold {
                    let starting =
                        startUps[trace.lane(lane)?.pid ?? -1]?.intersecting(Intervals([(end, w.start)])).length ?? 0
                    if starting * 2 < w.start - end { stalls.append(Stall(lane: lane, range: end...w.start)) }
                }
                end = max(end, w.end)
            }
        }
        guard
            let worst = stalls.max(by: {
                $0.length != $1.length ? $0.length < $1.length : $0.range.lowerBound > $1.range.lowerBound
            })
        else { return nil }
        let stalled = stalls.reduce(0) { $0 + $1.length }

        // What filled the worst stall: the waits on that lane inside it, by reason, and the innermost span that
        // covers most of it (the callback or coroutine step that did not return to the loop).
        var waited: [WaitReason: Nanoseconds] = [:]
        var objectTime: [String: Nanoseconds] = [:]
        var covering: [Span] = []
        var caller: (span: Span, time: Nanoseconds)?
        let (lo, hi) = (worst.range.lowerBound, worst.range.upperBound)
        // VizTracer's `--log_async` draws the coroutine steps the loop ran on task lanes of their own: the stall's
        // coroutine and blocking call are there, on the loop's process.
        let loopPid = trace.lane(worst.lane)?.pid
        let taskLanes = Set(trace.lanes.lazy.filter { $0.kind == .task && $0.pid == loopPid }.map(\.id))
        var onTasks = false
        // Nested waits (a blocking call's callees carry its wait) count once.
        var pieces: [WaitReason: [(Nanoseconds, Nanoseconds)]] = [:]
        for s in trace.spans where (s.lane == worst.lane || taskLanes.contains(s.lane)) && s.end > lo && s.start < hi {
            var own: Nanoseconds = 0
            for w in s.waits where w.reason != .poll {
                let overlap = min(w.end, hi) - max(w.start, lo)
                guard overlap > 0 else { continue }
                pieces[w.reason, default: []].append((max(w.start, lo), min(w.end, hi)))
                own += overlap
                if let o = w.object { objectTime[o, default: 0] += overlap }
            }
            // A span that polls is the loop itself (a sampled thread, `run_forever`'s select), not a callback
            // or a call inside it.
            if s.waits.contains(where: { $0.reason == .poll }) { continue }
            if own > 0, own > caller?.time ?? 0 { caller = (s, own) }
            if (min(s.end, hi) - max(s.start, lo)) * 2 >= worst.length {
                covering.append(s)
                if taskLanes.contains(s.lane) { onTasks = true }
            }
        }
        for (reason, list) in pieces { waited[reason] = Intervals(list).length }
        if onTasks { covering.removeAll { !taskLanes.contains($0.lane) } }
        // The blocking call is the span that holds most of the waiting; the callback is the innermost span around
        // the stall that is not that call.
        // A call that held a sliver of the stall (an `asyncio.sleep` step) did not block it.
        let blockingCall = caller.flatMap { $0.time * 10 >= worst.length ? $0.span : nil }
        // Innermost: the shortest; among equal ones (a sampled stack's frames share their times) the deepest,
        // which comes last in start order.
        let callback = covering.enumerated().sorted {
            $0.element.duration != $1.element.duration
                ? $0.element.duration < $1.element.duration : $0.offset > $1.offset
        }.map(\.element).first { $0.id != blockingCall?.id && !$0.isWaitCopy(of: blockingCall) }
        let blocked = waited.values.reduce(0, +)
        let running = max(0, worst.length - blocked)
        let label = trace.lane(worst.lane)?.label ?? "lane \(worst.lane.rawValue)"
        var inside: [String] = []
        var dominant: String?
        if let (reason, time) = waited.max(by: { $0.value < $1.value }) {
            let object = objectTime.max(by: { $0.value < $1.value })?.key
            let call = blockingCall.map { " in '\($0.name)'" } ?? ""
            dominant = "\(reason)\(object.map { " (\($0))" } ?? "")"
            inside.append("\(formatDuration(time)) blocked in \(dominant!)\(call)")
        }
        if running > 0 {
            inside.append("\(formatDuration(running)) not waiting (running, or a wait the trace does not show)")
        }
        var spanNote = callback.map { " in '\($0.name)'" } ?? ""
        if let call = blockingCall, call.id != callback?.id { spanNote += ", blocked in '\(call.name)'" }
        // With no span to name (a sampled thread has one span for its life), the wait says what blocked it.
        if spanNote.isEmpty, let dominant, waited.values.reduce(0, +) * 2 >= worst.length {
            spanNote = ", blocked in \(dominant)"
        }
        let share = ratio(stalled, p.wall)
        return Finding(
            kind: .blockedEventLoop,
            severity: worst.length >= 5 * blockedLoopThreshold || share >= 0.3 ? .critical : .warning,
            title: "Event loop blocked: \(label) did not poll for \(formatDuration(worst.length))\(spanNote)",
            evidence:
                "the loop on \(label) stood still \(stalls.count) time\(stalls.count == 1 ? "" : "s") for \(formatDuration(stalled)) in all (\(pct(share)) of the wall time) between polls (a gap counts from \(formatDuration(blockedLoopThreshold))); the longest, \(formatDuration(worst.length))\(spanNote): \(inside.joined(separator: ", "))",
            lesson:
                "Pitfall 2: a blocking call or a long computation inside a callback or coroutine stalls every task on the loop; await an asynchronous API instead, or move the call to a thread (run_in_executor, to_thread) or, for CPU work, to a process pool.",
            range: worst.range, lanes: [worst.lane], spans: [callback?.id, blockingCall?.id].compactMap { $0 },
            figures: [
                "threshold": Double(blockedLoopThreshold), "longest": Double(worst.length), "stalled": Double(stalled),
                "share": share,
                "stalls": Double(stalls.count), "blocked": Double(blocked), "running": Double(running),
                "loops": Double(loops),
            ])
    }
}

extension Span {
    /// Whether this span lies inside `call` and carries only `call`'s wait (a callee of a blocking call).
    func isWaitCopy(of call: Span?) -> Bool {
        guard let call, let w = call.waits.first else { return false }
        return start >= call.start && end <= call.end && waits.count == 1 && waits[0].reason == w.reason
            && waits[0].object == w.object
    }
}
