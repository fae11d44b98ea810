import LanesCore

/// A span or one of its waits, as an exporter writes it: an interval on its lane's track.
struct ExportSlice {
    var start: Int64
    var end: Int64
    /// The index of the span in `trace.spans`.
    var span: Int
    /// The index of the wait within the span, or -1 for the span itself.
    var wait: Int
}

/// What the Chrome JSON and the Perfetto exports share: the thread id each non-task lane is written with, and
/// each lane's slices split into those that nest on the lane's track and those that would overlap without
/// nesting (written on tracks of their own, so no viewer drops or mis-nests them).
struct ExportLayout {
    /// Per lane: the tid it is written with. A thread's own tid when it is a positive 32-bit number free in its
    /// process, else (process and task lanes too) the next free small number, unique in the trace.
    var threadIDs: [Int64]
    /// The first index in `trace.lanes` of each lane id.
    var laneIndex: [LaneID: Int]
    /// Per lane: its slices that nest, in nesting order (start, then longer first, then span before its waits).
    var nested: [[ExportSlice]]
    /// Per lane: its slices that cannot share the lane's track.
    var overflow: [[ExportSlice]]
    /// Per lane: its overflow slices in groups that each nest on a track of their own (see ``groups(_:)``).
    var overflowGroups: [[[ExportSlice]]]

    init(_ trace: Trace) {
        var used: Set<ThreadSlot> = []
        for lane in trace.lanes where lane.kind == .thread {
            if let t = lane.threadID, t > 0, t <= Int64(Int32.max) { used.insert(ThreadSlot(pid: lane.pid, tid: t)) }
        }
        var claimed: Set<ThreadSlot> = []
        var nextTid: Int64 = 1
        threadIDs = []
        threadIDs.reserveCapacity(trace.lanes.count)
        for lane in trace.lanes {
            if let t = lane.threadID, lane.kind == .thread, t > 0, t <= Int64(Int32.max),
                claimed.insert(ThreadSlot(pid: lane.pid, tid: t)).inserted
            {
                threadIDs.append(t)
                continue
            }
            while used.contains(ThreadSlot(pid: lane.pid, tid: nextTid)) || claimed.contains(ThreadSlot(pid: lane.pid, tid: nextTid)) {
                nextTid += 1
            }
            threadIDs.append(nextTid)
            claimed.insert(ThreadSlot(pid: lane.pid, tid: nextTid))
        }
        laneIndex = [:]
        for (k, lane) in trace.lanes.enumerated() where laneIndex[lane.id] == nil { laneIndex[lane.id] = k }

        var perLane: [[ExportSlice]] = Array(repeating: [], count: trace.lanes.count)
        for (k, span) in trace.spans.enumerated() {
            guard let l = laneIndex[span.lane] else { continue }
            perLane[l].append(ExportSlice(start: span.start, end: span.end, span: k, wait: -1))
            for (w, wait) in span.waits.enumerated() {
                perLane[l].append(ExportSlice(start: wait.start, end: wait.end, span: k, wait: w))
            }
        }
        nested = []
        overflow = []
        overflowGroups = []
        for slices in perLane {
            let sorted = slices.sortedStably { a, b in
                if a.start != b.start { return a.start < b.start }
                if a.end != b.end { return a.end > b.end }
                return a.wait < b.wait
            }
            // A span whose parent is on this lane nests only in that span: one that merely falls inside another
            // span's time (a task's next slice that began on another thread before the last one's end was taken)
            // would read as that span's child. A parent on another lane says nothing about this lane's nesting.
            let spans = trace.spans
            var idsOnLane: Set<SpanID>? = nil
            let mayNest = { (child: ExportSlice, top: ExportSlice) -> Bool in
                guard child.wait < 0 else { return true }
                // Nor does a span nest in its own child (a task that lived inside the one slice it ran in).
                if top.wait < 0, spans[top.span].parent == spans[child.span].id { return false }
                guard let parent = spans[child.span].parent else { return true }
                if top.wait < 0 && spans[top.span].id == parent { return true }
                if idsOnLane == nil { idsOnLane = Set(slices.lazy.filter { $0.wait < 0 }.map { spans[$0.span].id }) }
                return !idsOnLane!.contains(parent)
            }
            var (laneNested, laneOverflow, movedSpans) = ExportLayout.split(sorted, forced: [], mayNest: mayNest)
            // A wait must not stay nested on the track when its span had to leave it: it would sit in another span.
            let stranded = Set(laneNested.filter { $0.wait >= 0 && movedSpans.contains($0.span) }.map(\.span))
            if !stranded.isEmpty {
                (laneNested, laneOverflow, movedSpans) = ExportLayout.split(sorted, forced: stranded, mayNest: mayNest)
            }
            nested.append(laneNested)
            overflow.append(laneOverflow)
            overflowGroups.append(ExportLayout.groups(laneOverflow))
        }
    }

    /// Splits a lane's sorted slices into those that nest and those that cannot share the track; the waits of the
    /// spans in `forced` go with their spans, and a slice stays only where `mayNest(slice, enclosing)` allows.
    /// Also returns the spans that left the track.
    static func split(
        _ sorted: [ExportSlice], forced: Set<Int>, mayNest: (ExportSlice, ExportSlice) -> Bool = { _, _ in true }
    ) -> ([ExportSlice], [ExportSlice], Set<Int>) {
        var stack: [ExportSlice] = []
        var laneNested: [ExportSlice] = []
        var laneOverflow: [ExportSlice] = []
        var moved: Set<Int> = []
        for sl in sorted {
            while let top = stack.last, closes(top, before: sl) { stack.removeLast() }
            // A slice that starts inside another but ends after it, that is not that one's child, that ends before
            // it starts, or whose duration does not fit in 64 bits, cannot nest.
            if (sl.wait >= 0 && forced.contains(sl.span)) || stack.last.map({ sl.end > $0.end || !mayNest(sl, $0) }) == true
                || sl.end < sl.start || sl.end.subtractingReportingOverflow(sl.start).overflow
            {
                laneOverflow.append(sl)
                if sl.wait < 0 { moved.insert(sl.span) }
                continue
            }
            stack.append(sl)
            laneNested.append(sl)
        }
        return (laneNested, laneOverflow, moved)
    }

    /// The slices that left a lane's track, grouped so that each group nests on a track of its own: a span with
    /// those of its waits that fit inside it one after another, every other slice alone.
    static func groups(_ overflow: [ExportSlice]) -> [[ExportSlice]] {
        var groups: [[ExportSlice]] = []
        var groupOfSpan: [Int: Int] = [:]
        for sl in overflow {
            if sl.wait >= 0, let g = groupOfSpan[sl.span], let head = groups[g].first, let last = groups[g].last,
                sl.start >= head.start, sl.end <= head.end,
                last.wait < 0 || closes(last, before: sl)
            {
                groups[g].append(sl)
                continue
            }
            if sl.wait < 0, groupOfSpan[sl.span] == nil, sl.end >= sl.start { groupOfSpan[sl.span] = groups.count }
            groups.append([sl])
        }
        return groups
    }

    /// Whether `open` has ended by the time `next` starts (an empty slice still encloses an empty slice at its
    /// own time that follows it).
    static func closes(_ open: ExportSlice, before next: ExportSlice) -> Bool {
        open.end <= next.start && !(open.end == next.start && open.start == next.start)
    }

    /// The slices of one lane as begin (true) and end (false) events in an order that nests: each end comes
    /// before any later begin it does not enclose.
    static func beginsAndEnds(_ slices: [ExportSlice], _ emit: (ExportSlice, Bool) -> Void) {
        var open: [ExportSlice] = []
        for sl in slices {
            while let top = open.last, closes(top, before: sl) {
                emit(top, false)
                open.removeLast()
            }
            emit(sl, true)
            open.append(sl)
        }
        while let top = open.popLast() { emit(top, false) }
    }
}

struct ThreadSlot: Hashable {
    var pid: Int64
    var tid: Int64
}

extension Array {
    /// The elements sorted by `less`, equal elements keeping their order.
    func sortedStably(_ less: (Element, Element) -> Bool) -> [Element] {
        indices.sorted { a, b in
            if less(self[a], self[b]) { return true }
            if less(self[b], self[a]) { return false }
            return a < b
        }.map { self[$0] }
    }
}

extension Trace {
    /// The name a wait is written with: `wait: <reason>`, and ` (<object>)` when it has one.
    func exportName(of wait: Wait) -> String {
        "wait: \(wait.reason)" + (wait.object.map { " (\($0))" } ?? "")
    }
}

extension Lane {
    /// The name a viewer shows: the lane's, or for an unnamed lane its label (`task 3`, `thread 812`).
    var displayName: String { name.isEmpty ? label : name }
}
