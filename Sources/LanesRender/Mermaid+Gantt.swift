import LanesCore

extension Mermaid {
    /// How a trace becomes a `gantt`.
    public struct GanttOptions: Hashable, Sendable {
        /// What one section is, as in the PNG chart.
        public var groupBy: ChartOptions.Grouping
        /// At most this many sections; the lanes beyond are folded into one "+ N more lanes" section.
        public var maxSections: Int
        /// The diagram is kept under this many UTF-16 code units (what Mermaid's size limit counts)
        /// by merging spans.
        public var maxCharacters: Int
        /// At most this many bars; more are merged.
        public var maxTasks: Int
        /// At most this many bars in one section, so that a section stays readable at GitHub's
        /// width (about 800 px of chart: 20 px a bar); more are merged.
        public var maxTasksPerSection: Int
        /// A title to use instead of the one made from the metadata.
        public var title: String?
        /// Nesting levels a lane shows, as in the PNG: level 1 in the lane's section, each deeper
        /// level in a section of its own under it ("↳ level 2"); deeper spans join the last.
        public var depthLimit: Int

        public init(
            groupBy: ChartOptions.Grouping = .lane, maxSections: Int = 24, maxCharacters: Int = 40_000,
            maxTasks: Int = 200, maxTasksPerSection: Int = 40,
            title: String? = nil, depthLimit: Int = ChartOptions.defaultDepthLimit
        ) {
            self.depthLimit = max(1, min(depthLimit, 16))
            self.maxTasksPerSection = max(1, maxTasksPerSection)
            self.groupBy = groupBy
            self.maxSections = max(1, maxSections)
            self.maxCharacters = max(2_000, min(maxCharacters, Mermaid.maxDiagramCharacters))
            self.maxTasks = max(1, maxTasks)
            self.title = title
        }
    }

    /// A `gantt` diagram and what it had to leave out to stay within the limits.
    public struct Gantt: Hashable, Sendable {
        /// One bar: a span, or spans merged into one.
        public struct Task: Hashable, Sendable {
            /// The task id in the diagram (`t1`, `t2`, …).
            public var id: String
            /// The title as Mermaid shows it.
            public var title: String
            /// Start and end in axis units (milliseconds of the scaled time).
            public var start: Int64
            public var end: Int64
            /// The section (index into ``Gantt/sections``).
            public var section: Int
            /// Spans merged into the bar.
            public var spans: Int
        }

        /// The diagram's text, without a Markdown fence.
        public var text: String
        /// The title as Mermaid shows it.
        public var title: String
        /// Section names as Mermaid shows them.
        public var sections: [String]
        public var tasks: [Task]
        /// Trace nanoseconds per axis millisecond: 1,000,000 when unscaled, 1,000 when the axis reads
        /// milliseconds for microseconds, 1 when it reads microseconds for nanoseconds.
        public var nanosecondsPerTick: Int64
        /// What was merged, folded or left out, one sentence each; empty when every top-level span
        /// has its own bar.
        public var notes: [String]
    }

    /// The trace as a `gantt`: one section per row of the PNG chart (same order and names), its
    /// top-level spans as consecutive tasks; bars that are mostly waiting are marked `crit`.
    public static func gantt(of trace: Trace, options: GanttOptions = GanttOptions()) -> Gantt {
        let timeline = Timeline(trace, grouping: options.groupBy, depthLimit: options.depthLimit)
        let range = timeline.range ?? 0...0
        let origin = range.lowerBound
        let wall = range.upperBound - range.lowerBound
        // The largest unit that still gives 1,000 ticks across the trace, so short work stays visible.
        let perTick: Int64 = wall >= 1_000_000_000 ? 1_000_000 : wall >= 1_000_000 ? 1_000 : 1
        let axisUnit = perTick == 1_000_000 ? "s" : perTick == 1_000 ? "ms" : "µs"
        let ticks = (wall + perTick - 1) / perTick
        let axisFormat = ticks < 10_000 ? "%s.%L" : "%s"

        // Rows as the PNG lays them out, each nesting level its own section under its lane's.
        let levels = timeline.depthLimit
        var perLevel = [[Item]](repeating: [], count: timeline.rows.count * levels)
        let names = timeline.names
        var nested = 0, unplaced = 0
        for (i, s) in trace.spans.enumerated() {
            guard let r = timeline.row(ofSpan: i) else {
                unplaced += 1
                continue
            }
            let level = timeline.level(ofSpan: i)
            if level > 0 { nested += 1 }
            perLevel[r * levels + level].append(
                Item(start: s.start, end: s.end, name: timeline.nameOfSpan[i], blocked: s.blockedTime))
        }
        var rows: [(label: String, items: [Item], lanes: Int, level: Int)] = []
        var emptyRows = 0
        for (r, entry) in timeline.rows.enumerated() {
            if perLevel[r * levels].isEmpty {
                emptyRows += 1
                continue
            }
            for level in 0..<levels where !perLevel[r * levels + level].isEmpty {
                rows.append(
                    (
                        level == 0 ? entry.label : "↳ level \(level + 1)",
                        perLevel[r * levels + level].sorted { $0.start < $1.start }, entry.lanes, level
                    ))
            }
        }
        var folded = 0
        if rows.count > options.maxSections {
            let keep = options.maxSections - 1
            // The folded section holds the first level of the lanes beyond: deeper ones lie within them.
            folded = rows[keep...].filter { $0.level == 0 }.count
            let rest = rows[keep...].filter { $0.level == 0 }.flatMap(\.items).sorted { $0.start < $1.start }
            nested -= rows[keep...].filter { $0.level > 0 }.reduce(0) { $0 + $1.items.count }
            rows = Array(rows[..<keep])
            if folded > 0 { rows.append(("+ \(folded) more lanes", rest, folded, 0)) }
        }
        let spanTotal = rows.reduce(0) { $0 + $1.items.count }

        let baseTitle = options.title ?? Builder.title(of: trace.metadata)
        var gap: Int64 = -1
        var attempt = 0
        while true {
            // Merged bars are cut at a length that keeps some shape per row when everything merges;
            // that cut is dropped if the budget still cannot be met.
            let maxLength =
                attempt < 30
                ? max(
                    1, wall * Int64(rows.count) / Int64(max(1, options.maxTasks / 2)),
                    wall / Int64(max(1, options.maxTasksPerSection / 2))) : Int64.max
            let groups = rows.map { merge($0.items, gap: gap, maxLength: maxLength) }
            let bars = groups.reduce(0) { $0 + $1.count }
            let crowded = groups.contains { $0.count > options.maxTasksPerSection }
            attempt += 1
            if bars > options.maxTasks || crowded, attempt <= 60 {
                if attempt == 30 { gap = -1 }
                gap = gap < 0 ? max(1, wall / 4_000) : gap * 2
                continue
            }
            var notes: [String] = []
            if gap >= 0 {
                notes.append(
                    "\(spanTotal) spans drawn as \(bars) bars: spans closer than \(formatDuration(max(gap, 1))) merged")
            }
            if folded > 0 {
                notes.append(
                    "\(folded) lanes beyond the first \(rows.filter { $0.level == 0 }.count - 1) folded into “+ \(folded) more lanes”"
                )
            }
            if nested > 0 { notes.append("\(nested) nested spans shown in “↳ level” sections under their lane") }
            if let fold = timeline.foldNote { notes.append(fold) }
            if emptyRows > 0 { notes.append("\(emptyRows) lanes without top-level spans left out") }
            if unplaced > 0 { notes.append("\(unplaced) spans on unknown lanes left out") }
            var titleText = baseTitle
            titleText += perTick == 1_000_000 ? " · axis in s" : " · axis in \(axisUnit) (time ×\(1_000_000 / perTick))"
            if gap >= 0 { titleText += " · \(spanTotal) spans merged into \(bars) bars" }
            if folded > 0 { titleText += " · \(folded) lanes folded" }
            let title = MermaidText.label(titleText, maxCharacters: 240)

            // Room on the left for the longest section name (Mermaid's default is 75 px); longer
            // names are cut to it keeping their start, and given in full in a comment.
            let longest = rows.map { MermaidText.shown($0.label).count }.max() ?? 0
            let leftPadding = max(75, min(320, longest * 7 + 16))
            let sectionCharacters =
                longest * 7 + 16 <= leftPadding ? MermaidText.maxLabelCharacters : (leftPadding - 16) / 7
            var text = "---\nconfig:\n  gantt:\n    displayMode: compact\n    leftPadding: \(leftPadding)\n---\ngantt\n"
            text += "    title \(title)\n    dateFormat x\n    axisFormat \(axisFormat)\n    todayMarker off\n"
            text +=
                "    %% Lanes: times are offsets from the trace's start, 1 tick = \(formatDuration(perTick)); crit = mostly waiting\n"
            for n in notes { text += "    %% \(MermaidText.label(n, maxCharacters: 300))\n" }
            var tasks: [Gantt.Task] = []
            var sections: [String] = []
            for (r, row) in rows.enumerated() {
                let section = row.label
                let shown = MermaidText.shown(section, maxCharacters: sectionCharacters)
                sections.append(shown)
                if shown != MermaidText.shown(section) {
                    text += "    %% section \(r + 1) in full: \(MermaidText.label(section, maxCharacters: 300))\n"
                }
                text += "    section \(MermaidText.ganttLabel(section, maxCharacters: sectionCharacters))\n"
                for g in groups[r] {
                    let start = (g.start - origin) / perTick
                    let end = max(start + 1, (g.end - origin + perTick / 2) / perTick)
                    let name = names[Int(g.name)]
                    let raw =
                        g.count == 1
                        ? name : g.distinctNames == 1 ? "\(name) ×\(g.count)" : "\(g.count) spans, mostly \(name)"
                    let id = "t\(tasks.count + 1)"
                    let crit = g.blocked * 2 > g.end - g.start ? "crit, " : ""
                    text += "    \(MermaidText.ganttLabel(raw, maxCharacters: 60)) :\(crit)\(id), \(start), \(end)\n"
                    tasks.append(
                        Gantt.Task(
                            id: id, title: MermaidText.shown(raw, maxCharacters: 60), start: start, end: end,
                            section: r,
                            spans: g.count))
                }
            }
            if (text.utf16.count <= options.maxCharacters && tasks.count <= options.maxTasks) || attempt > 60 {
                return Gantt(
                    text: text, title: MermaidText.shown(titleText, maxCharacters: 240), sections: sections,
                    tasks: tasks,
                    nanosecondsPerTick: perTick, notes: notes)
            }
            if attempt == 30 { gap = -1 }
            gap = gap < 0 ? max(1, wall / 4_000) : gap * 2
        }
    }

    struct Item {
        var start: Nanoseconds
        var end: Nanoseconds
        var name: Int32
        var blocked: Nanoseconds
    }

    struct Group {
        var start: Nanoseconds
        var end: Nanoseconds
        var name: Int32
        var count: Int
        var distinctNames: Int
        var blocked: Nanoseconds
    }

    /// Consecutive items closer than `gap` as one group named after its longest-running name, no
    /// group longer than `maxLength` unless one item is; a negative gap merges nothing.
    static func merge(_ items: [Item], gap: Nanoseconds, maxLength: Nanoseconds = .max) -> [Group] {
        var out: [Group] = []
        var i = 0
        while i < items.count {
            var g = Group(
                start: items[i].start, end: items[i].end, name: items[i].name, count: 1, distinctNames: 1,
                blocked: items[i].blocked)
            var time: [Int32: Nanoseconds] = [items[i].name: items[i].end - items[i].start]
            var j = i + 1
            while gap >= 0, j < items.count, items[j].start - g.end <= gap,
                max(g.end, items[j].end) - g.start <= maxLength
            {
                g.end = max(g.end, items[j].end)
                g.count += 1
                g.blocked += items[j].blocked
                time[items[j].name, default: 0] += items[j].end - items[j].start
                j += 1
            }
            if g.count > 1 {
                g.distinctNames = time.count
                g.name = time.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }!.key
            }
            out.append(g)
            i = j
        }
        return out
    }
}
