import LanesCore

extension Detectors {
    /// A Python trace whose threads take turns in one piece of code that the trace shows no lock call for (the
    /// `with lock:` case, which profilers do not see as a call): spans of one name on several threads never
    /// overlap while the threads around them are alive and not in any recognised wait.
    static func inferredLockContention(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard trace.isPythonTrace, p.wall > 0 else { return nil }
        for process in PythonThreads.all(trace) {
            if let f = inferredLock(trace, process, p) { return f }
        }
        return nil
    }

    /// The exclusive section of one process, if its threads show one: the name, its spans' union, and how
    /// long other threads stood waiting (alive, not in a recognised wait) while one was inside.
    struct ExclusiveSection {
        var name: String
        var lanes: [LaneID]
        var count: Int
        var inside: Nanoseconds
        var waiting: Nanoseconds
        var range: ClosedRange<Nanoseconds>
        var spans: [SpanID]

        /// Long enough (a share of `wall`) and with others standing by long enough to be a contended lock.
        func isContended(wall: Nanoseconds) -> Bool {
            ratio(inside, wall) >= 0.3 && ratio(waiting, inside) >= 0.5
        }
    }

    static func exclusiveSection(_ trace: Trace, _ process: PythonThreads) -> ExclusiveSection? {
        let laneSet = Set(process.threads.map(\.lane))
        guard laneSet.count >= 2 else { return nil }
        var byName: [String: [Span]] = [:]
        for s in trace.spans where laneSet.contains(s.lane) && s.parent != nil { byName[s.name, default: []].append(s) }
        // Handing a lock over takes VizTracer a few microseconds: overlaps shorter than this are not overlaps.
        let slack: Nanoseconds = 20_000
        var best: ExclusiveSection?
        for (name, spans) in byName where spans.count >= 3 {
            let lanes = Set(spans.map(\.lane))
            guard lanes.count >= 2 else { continue }
            let sorted = spans.sorted { $0.start < $1.start }
            var exclusive = true
            var holderEnd = Nanoseconds.min, holder = sorted[0].lane
            for s in sorted {
                if s.lane != holder && s.start + slack < holderEnd {
                    exclusive = false
                    break
                }
                if s.end > holderEnd {
                    holderEnd = s.end
                    holder = s.lane
                }
            }
            guard exclusive else { continue }
            let insideAll = Intervals(sorted.map { ($0.start, $0.end) })
            var waiting: Nanoseconds = 0
            for t in process.threads {
                let mine = Intervals(sorted.filter { $0.lane == t.lane }.map { ($0.start, $0.end) })
                waiting += t.running.intersecting(insideAll).subtracting(mine).length
            }
            let candidate = ExclusiveSection(
                name: name, lanes: lanes.sorted(), count: spans.count, inside: insideAll.length, waiting: waiting,
                range: sorted[0].start...(sorted.map(\.end).max()!),
                spans: sorted.sorted { $0.duration > $1.duration }.prefix(100).map(\.id))
            // The longest section wins; on a tie, the outer one (a span that is not itself a wait).
            if best == nil || candidate.inside > best!.inside
                || (candidate.inside == best!.inside && sorted.allSatisfy { $0.waits.isEmpty })
            {
                best = candidate
            }
        }
        return best
    }

    /// Time threads of a Python trace stood waiting for an exclusive section that the trace shows no lock for
    /// (see ``inferredLockContention``): waiting, though it reads as running.
    static func hiddenLockWaiting(_ trace: Trace) -> Nanoseconds {
        guard let range = trace.timeRange else { return 0 }
        let wall = range.upperBound - range.lowerBound
        var total: Nanoseconds = 0
        for process in PythonThreads.all(trace) {
            if let x = exclusiveSection(trace, process), x.isContended(wall: wall) { total += x.waiting }
        }
        return total
    }

    static func inferredLock(_ trace: Trace, _ process: PythonThreads, _ p: TraceProfile) -> Finding? {
        guard let x = exclusiveSection(trace, process) else { return nil }
        let share = ratio(x.inside, p.wall)
        // On average, how many other threads stood still while one was inside.
        let standing = ratio(x.waiting, x.inside)
        guard x.isContended(wall: p.wall) else { return nil }
        let sure = standing >= 0.5 * Double(x.lanes.count - 1) ? "strong" : "some"
        return Finding(
            kind: .lockContention, severity: standing >= 1 ? .critical : .warning,
            title:
                "Threads take turns in '\(x.name)': probably one lock (\(sure) evidence; the trace shows no lock call)",
            evidence:
                "\(x.count) calls of \(x.name) on \(x.lanes.count) threads never overlapped, for \(formatDuration(x.inside)) (\(pct(share)) of the wall time); meanwhile \(dec(standing)) other threads on average stood inside their callers, in no call the trace recognises as a wait: the shape of a `with lock:` (or an acquire the profiler does not show) around \(x.name)",
            lesson:
                "A lock makes its critical section sequential: keep it to the shared update alone (not a sleep or I/O), or give each thread its own data and combine at the end.",
            range: x.range, lanes: x.lanes, spans: x.spans,
            figures: [
                "share": share, "waiting": Double(x.waiting), "inside": Double(x.inside), "threads": Double(x.lanes.count),
                "standing": standing, "inferred": 1,
            ])
    }
}
