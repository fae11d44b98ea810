import LanesAnalysis
import LanesCore

/// What every output of one trace shows, computed once and unit-free (no pixels, no columns): the
/// rows in display order, the row, depth and interned name of every span, the time range. The PNG
/// layout, the HTML data, the Mermaid gantt, the Markdown report and the terminal text are
/// projections of it, so they agree on which row a span is in, how deep it is drawn and what it is
/// called.
public struct Timeline: Sendable {
    /// One row of every chart: a lane (or a thread, task or process, as grouped).
    public struct Row: Hashable, Sendable {
        /// The row's name in full (outputs cut it to fit, keeping its start).
        public var label: String
        /// The process the row belongs to; rows of one process are adjacent.
        public var pid: Int64
        /// Lanes merged into the row (0 for a thread row made for task slices).
        public var lanes: Int
        /// Depth levels the row shows: 1 when it has no nested spans, at most the depth limit.
        public var levels: Int
        /// Spans nested deeper than the limit, drawn on the row's last level.
        public var foldedSpans: Int
    }

    /// The earliest and latest instants of the trace (``Trace/timeRange``).
    public let range: ClosedRange<Nanoseconds>?
    /// Rows in display order: grouped by process, task lanes by creation.
    public let rows: [Row]
    /// Every span name, interned once: index → name.
    public let names: [String]
    /// Depth levels shown per row at most (the rest are folded into the last one).
    public let depthLimit: Int
    /// Spans nested deeper than ``depthLimit`` allows, in all rows.
    public let foldedSpans: Int
    /// The part of the trace the outputs show first (``window(of:from:to:)``); nil for an empty trace.
    public let window: ClosedRange<Nanoseconds>?

    /// Row of each span by position in `trace.spans`; -1 when its lane is unknown.
    let rowOfSpan: [Int32]
    /// Name index of each span by position.
    let nameOfSpan: [Int32]
    /// Nesting depth of each span by position, capped at ``depthLimit`` (a span at the cap is folded);
    /// empty when every span is top-level.
    let depthOfSpan: [UInt8]
    let plan: RowPlan
    /// What the legend (``Legend``) needs of one name within ``window``.
    struct NameTally {
        /// Time in spans of the name (nested ones too), and in its top-level spans only.
        var time = 0.0
        var topTime = 0.0
        /// Whether a span of the name meets the window, and whether a top-level one does.
        var inWindow = false
        var topInWindow = false
    }
    /// Per name index.
    let nameTally: [NameTally]

    /// The timeline of `trace` with rows as `grouping` makes them and up to `depthLimit` levels per row;
    /// `from` and `to` (ns after the trace's start) choose the window its legend describes.
    public init(
        _ trace: Trace, grouping: ChartOptions.Grouping = .lane, depthLimit: Int = ChartOptions.defaultDepthLimit,
        from: Nanoseconds? = nil, to: Nanoseconds? = nil
    ) {
        let limit = max(1, min(depthLimit, 16))
        self.depthLimit = limit
        // One pass over the spans for the range, not one for it and another for the window.
        let range = trace.timeRange
        self.range = range
        let window = Self.window(of: range, from: from, to: to)
        self.window = window
        let lo = window?.lowerBound ?? 0, hi = window?.upperBound ?? -1
        var tally: [NameTally] = []
        let plan = RowPlan(trace, grouping: grouping)
        self.plan = plan
        // Depths up to `limit`: a span at depth `limit` is deeper than the rows show and is folded.
        let depths = SpanNesting.depths(trace, limit: limit)
        var rowOf = [Int32](repeating: -1, count: trace.spans.count)
        var nameOf = [Int32](repeating: 0, count: trace.spans.count)
        var rowLevels = [Int](repeating: 1, count: plan.rows.count)
        var rowFolded = [Int](repeating: 0, count: plan.rows.count)
        var names: [String] = []
        var nameIndex: [String: Int32] = [:]
        var folded = 0
        let lanes = trace.lanes
        trace.spans.withUnsafeBufferPointer { spans in
            // A few recent names are compared before hashing: traces tend to repeat a handful.
            var recentNames = [String](repeating: "", count: 8)
            var recentIndex = [Int32](repeating: -1, count: 8)
            var cursor = 0
            var lastName = ""
            var lastIndex: Int32 = -1
            for i in spans.indices {
                var ni: Int32 = -1
                if lastIndex >= 0, lastName == spans[i].name {
                    ni = lastIndex
                } else {
                    for (k, recent) in recentNames.enumerated() where recentIndex[k] >= 0 && recent == spans[i].name {
                        ni = recentIndex[k]
                        break
                    }
                    if ni < 0 {
                        if let known = nameIndex[spans[i].name] {
                            ni = known
                        } else {
                            ni = Int32(names.count)
                            names.append(spans[i].name)
                            nameIndex[spans[i].name] = ni
                            tally.append(NameTally())
                        }
                        recentNames[cursor] = spans[i].name
                        recentIndex[cursor] = ni
                        cursor = (cursor + 1) % recentNames.count
                    }
                    lastName = spans[i].name
                    lastIndex = ni
                }
                nameOf[i] = ni
                guard let r = plan.row(lane: spans[i].lane, threadID: spans[i].threadID, lanes: lanes) else { continue }
                rowOf[i] = Int32(r)
                // What the legend counts: time within the window, all spans and top-level ones.
                if spans[i].end >= lo, spans[i].start <= hi {
                    let a = max(spans[i].start, lo), b = min(spans[i].end, hi)
                    let t = b > a ? Double(b - a) : 0
                    let top = depths.isEmpty || depths[i] == 0
                    tally.withUnsafeMutableBufferPointer { tally in
                        let n = Int(ni)
                        tally[n].inWindow = true
                        tally[n].time += t
                        if top {
                            tally[n].topInWindow = true
                            tally[n].topTime += t
                        }
                    }
                }
                if !depths.isEmpty, depths[i] > 0 {
                    let d = Int(depths[i])
                    let level = min(d, limit - 1)
                    if level + 1 > rowLevels[r] { rowLevels[r] = level + 1 }
                    if d >= limit {
                        rowFolded[r] += 1
                        folded += 1
                    }
                }
            }
        }
        self.rows = plan.rows.indices.map { r in
            Row(
                label: plan.rows[r].label, pid: plan.rows[r].pid, lanes: plan.rows[r].lanes, levels: rowLevels[r],
                foldedSpans: rowFolded[r])
        }
        self.rowOfSpan = rowOf
        self.nameOfSpan = nameOf
        self.depthOfSpan = depths
        self.names = names
        self.foldedSpans = folded
        self.nameTally = tally
    }

    /// The part of `range` an output shows: `from` and `to` are nanoseconds after its start
    /// (``ChartOptions/from``, ``ChartOptions/to``); nil bounds are the range's own. Nil for no range.
    public static func window(
        of range: ClosedRange<Nanoseconds>?, from: Nanoseconds?, to: Nanoseconds?
    ) -> ClosedRange<Nanoseconds>? {
        guard let range else { return nil }
        let start = range.lowerBound + max(0, from ?? 0)
        var end = to.map { range.lowerBound + $0 } ?? range.upperBound
        if end <= start { end = start + 1 }
        return start...end
    }

    /// The row of the span at `index` of `trace.spans`; nil when its lane is unknown.
    public func row(ofSpan index: Int) -> Int? {
        let r = rowOfSpan[index]
        return r >= 0 ? Int(r) : nil
    }

    /// The level the span at `index` is drawn on: 0 for a top-level span (see ``SpanNesting``),
    /// at most ``depthLimit`` − 1.
    @inline(__always)
    public func level(ofSpan index: Int) -> Int {
        depthOfSpan.isEmpty ? 0 : min(Int(depthOfSpan[index]), depthLimit - 1)
    }

    /// Whether the span at `index` is top-level on its row: it starts work there, is drawn at level 0,
    /// gets a bar of its own in the gantt and counts as busy time in the text.
    @inline(__always)
    public func isTopLevel(_ index: Int) -> Bool { depthOfSpan.isEmpty || depthOfSpan[index] == 0 }

    /// The interned name of the span at `index`.
    public func name(ofSpan index: Int) -> String { names[Int(nameOfSpan[index])] }

    /// The sentence that says spans were folded, or nil when none were.
    public var foldNote: String? {
        guard foldedSpans > 0 else { return nil }
        return "\(foldedSpans) spans nested deeper than \(depthLimit) levels drawn on their row's last level"
    }
}
