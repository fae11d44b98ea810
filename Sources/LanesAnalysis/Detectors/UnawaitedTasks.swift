import LanesCore

extension Detectors {
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
}
