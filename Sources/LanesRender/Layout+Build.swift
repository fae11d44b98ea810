import LanesAnalysis
import LanesCore

/// Measures the width of `text` at `size` device pixels. The PNG painter passes its font's measure,
/// so labels are placed and cut to fit exactly what will be drawn.
public typealias MeasureText = (_ text: String, _ size: Double) -> Double

extension Layout {
    /// The chart of one trace.
    public static func chart(of trace: Trace, options: ChartOptions = ChartOptions(), measure: MeasureText) -> Layout {
        withoutActuallyEscaping(measure) { measure in
            let title = options.title ?? Builder.title(of: trace.metadata)
            let runs: [(Trace, String?)] = [(trace, nil)]
            // Computed once: a second pass to fill a taller image reuses it.
            let timelines = [
                Timeline(
                    trace, grouping: options.groupBy, depthLimit: options.depthLimit, from: options.from, to: options.to)
            ]
            return Builder.fitted(options: options, measure: measure) { b in
                b.build(
                    runs: runs, timelines: timelines, title: title, subtitle: Builder.subtitle(of: trace.metadata),
                    alignment: TimeAlignment.own)
            }
        }
    }

    /// Several runs of one workload stacked as panels, each with its name, wall time and speedup over
    /// the first; on one time scale unless `alignment` is `.own`.
    public static func comparison(
        of runs: [(trace: Trace, name: String)], options: ChartOptions = ChartOptions(),
        alignment: TimeAlignment = .shared, measure: MeasureText
    ) -> Layout {
        withoutActuallyEscaping(measure) { measure in
        let scenario = runs.compactMap { $0.trace.metadata.scenario }.first
        let title = options.title ?? "Comparison\(scenario.map { ": \($0)" } ?? "") — \(runs.count) runs"
        let first = runs.first?.trace.metadata ?? Metadata()
        var parts: [String] = []
        if !first.host.isEmpty { parts.append(first.host) }
        if first.cores > 0 { parts.append("\(first.cores) cores") }
        parts.append(alignment == .shared ? "one time scale for all runs" : "each run on its own time scale")
        let timelines = runs.map {
            Timeline($0.trace, grouping: options.groupBy, depthLimit: options.depthLimit, from: options.from, to: options.to)
        }
        return Builder.fitted(options: options, measure: measure) { b in
            b.build(
                runs: runs.map { ($0.trace, $0.name) }, timelines: timelines, title: title,
                subtitle: parts.joined(separator: " · "), alignment: alignment)
        }
        }
    }
}

struct Builder {
    let options: ChartOptions
    let measure: MeasureText
    let s: Double
    let colors: Palette.ThemeColors
    // Sizes in device pixels.
    var titleSize: Double { 17 * s }
    var textSize: Double { 12 * s }
    var smallSize: Double { 11 * s }
    var margin: Double { 14 * s }
    /// Row height in points: 22, more when ``ChartOptions/height`` asks for a taller image.
    var rowPoints = 22.0
    var rowHeight: Double { (rowPoints * s).rounded() }
    var stripHeight: Double { 6 * s }
    var groupHeight: Double { 20 * s }
    var counterHeight: Double { 34 * s }
    /// Height of each nesting level below a row's first.
    var levelHeight: Double { (16 * s).rounded() }
    static let minBarWidth = 3.0

    /// Every name seen (index → name), for the dense columns' commonest name.
    var names: [String] = []
    var spanColors: [String: RGB] = [:]
    var nameIndex: [String: Int32] = [:]
    var waitReasonsUsed = Set<WaitReason>()
    /// Each run's statistics by run index, once computed (a second pass to fill a taller image reuses them).
    var statisticsOfRun: [Int: TraceStatistics] = [:]
    var sawDense = false
    var sawCPU = false
    var sawCounters = false
    var sawFlows = false

    init(options: ChartOptions, measure: @escaping MeasureText) {
        self.options = options
        self.measure = measure
        self.s = Double(max(1, min(options.scale, 8)))
        self.colors = Palette.colors(for: options.theme)
    }

    /// Builds a layout; when ``ChartOptions/height`` asks for more than it took, rows grow to fill
    /// it (one more pass), and any remainder is left at the bottom.
    static func fitted(options: ChartOptions, measure: @escaping MeasureText, _ make: (inout Builder) -> Layout) -> Layout {
        var b = Builder(options: options, measure: measure)
        var layout = make(&b)
        guard let target = options.height.map({ Double($0) * b.s }), Double(layout.height) < target else { return layout }
        let rows = layout.panels.reduce(0) { $0 + $1.rows.count }
        if rows > 0 {
            var grown = Builder(options: options, measure: measure)
            // The runs' statistics do not depend on the rows' height.
            grown.statisticsOfRun = b.statisticsOfRun
            grown.rowPoints = 22 + ((target - Double(layout.height)) / b.s / Double(rows)).rounded(.down)
            layout = make(&grown)
        }
        layout.height = max(layout.height, Int(target))
        return layout
    }

    static func title(of m: Metadata) -> String {
        var command = m.command
        if let first = command.first, let slash = first.lastIndex(of: "/") {
            command[0] = String(first[first.index(after: slash)...])
        }
        var t = m.scenario ?? (command.isEmpty ? "Trace" : command.joined(separator: " "))
        if let model = m.model { t += " — \(model)" }
        return t
    }

    static func subtitle(of m: Metadata) -> String {
        var parts: [String] = []
        if let s = m.scenario { parts.append("scenario \(s)") }
        if let model = m.model { parts.append("model \(model)") }
        if !m.host.isEmpty { parts.append("host \(m.host)") }
        if m.cores > 0 { parts.append("\(m.cores) cores") }
        if let t = m.startedAt { parts.append(formatDate(t)) }
        if m.droppedEvents > 0 { parts.append("\(m.droppedEvents) events dropped") }
        return parts.isEmpty ? "no metadata" : parts.joined(separator: " · ")
    }

    /// Unix ns → `2026-11-25 03:42:19 UTC` (civil-from-days, no Foundation).
    static func formatDate(_ ns: Int64) -> String {
        let secs = ns / 1_000_000_000
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = secs - days * 86400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)-\(two(m))-\(two(d)) \(two(rem / 3600)):\(two(rem % 3600 / 60)):\(two(rem % 60)) UTC"
    }

    func fit(_ text: String, size: Double, maxWidth: Double) -> String {
        if measure(text, size) <= maxWidth { return text }
        guard measure("…", size) <= maxWidth else { return "" }
        let chars = Array(text)
        var lo = 0, hi = chars.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if measure(String(chars[..<mid]) + "…", size) <= maxWidth { lo = mid } else { hi = mid - 1 }
        }
        var prefix = String(chars[..<lo])
        while prefix.last == " " { prefix.removeLast() }
        return prefix + "…"
    }

    static func recolour(_ panels: inout [Panel], _ colors: [String: RGB]) {
        for p in panels.indices {
            for r in panels[p].rows.indices {
                for b in panels[p].rows[r].bars.indices {
                    if let c = colors[panels[p].rows[r].bars[b].name] { panels[p].rows[r].bars[b].color = c }
                }
                for c in panels[p].rows[r].columns.indices {
                    if let col = colors[panels[p].rows[r].columns[c].dominantName] { panels[p].rows[r].columns[c].color = col }
                }
            }
        }
    }

    mutating func intern(_ name: String) -> Int32 {
        if let i = nameIndex[name] { return i }
        let i = Int32(names.count)
        names.append(name)
        nameIndex[name] = i
        return i
    }

    // MARK: Whole chart

    mutating func build(
        runs: [(Trace, String?)], timelines: [Timeline], title: String, subtitle: String, alignment: TimeAlignment
    ) -> Layout {
        let width = Double(max(320, min(options.width, 20000))) * s
        var y = margin
        let titleItem = TextItem(
            fit(title, size: titleSize, maxWidth: width - 2 * margin), x: margin, y: y + titleSize, size: titleSize,
            role: .title)
        y += titleSize + 6 * s
        let subtitleItem = TextItem(
            fit(subtitle, size: textSize, maxWidth: width - 2 * margin), x: margin, y: y + textSize, size: textSize,
            role: .secondary)
        y += textSize + 12 * s

        // Windows: each run's own range, cut by --from/--to; shared alignment gives all the longest length.
        let ranges = timelines.map { $0.range ?? 0...0 }
        var windows: [(origin: Nanoseconds, start: Nanoseconds, end: Nanoseconds)] = ranges.map { range in
            let start = range.lowerBound + max(0, options.from ?? 0)
            var end = options.to.map { range.lowerBound + $0 } ?? range.upperBound
            if end <= start { end = start + 1 }
            return (range.lowerBound, start, end)
        }
        if alignment == .shared, runs.count > 1 {
            let longest = windows.map { $0.end - $0.start }.max() ?? 1
            windows = windows.map { ($0.origin, $0.start, $0.start + longest) }
        }
        // Label column: wide enough for the longest row label, within bounds.
        var labelWidth = 80 * s
        for timeline in timelines {
            for r in timeline.rows.prefix(max(1, options.maxLanes)) {
                labelWidth = max(labelWidth, measure(r.label, textSize) + 24 * s)
            }
            if timeline.rows.count > max(1, options.maxLanes) {
                let summary = "+ \(timeline.rows.count - max(1, options.maxLanes) + 1) more lanes"
                labelWidth = max(labelWidth, measure(summary, textSize) + 24 * s)
            }
        }
        labelWidth = min(labelWidth, max(120 * s, width * 0.22))

        var panels: [Panel] = []
        let firstWall = windows.first.map { $0.end - $0.start }
        for (i, run) in runs.enumerated() {
            // A shared time scale widens a short run's window to the longest run's; its statistics
            // (wall, parallelism) are still its own. The same in every pass, so computed once.
            let runStatistics =
                statisticsOfRun[i]
                ?? TraceStatistics(
                    run.0, start: max(windows[i].start, ranges[i].lowerBound), end: min(windows[i].end, ranges[i].upperBound),
                    range: ranges[i], depths: timelines[i].depthOfSpan,
                    hasTaskSlices: timelines[i].names.contains(Span.taskSliceName))
            statisticsOfRun[i] = runStatistics
            var panel = buildPanel(
                trace: run.0, range: ranges[i], timeline: timelines[i], window: windows[i], top: y, width: width, labelWidth: labelWidth,
                name: run.1, statistics: runStatistics)
            if let name = run.1 {
                let st = panel.statistics
                var parts = ["wall \(formatDuration(st.wall))"]
                // Speedup is measured on each run's own wall time, not the shared window.
                let ownWall = ranges[i].upperBound - ranges[i].lowerBound
                let ownFirst = ranges[0].upperBound - ranges[0].lowerBound
                parts[0] = "wall \(formatDuration(options.from == nil && options.to == nil ? ownWall : st.wall))"
                if i == 0 {
                    parts.append("baseline")
                } else {
                    let a = options.from == nil && options.to == nil ? Double(ownFirst) : Double(firstWall ?? 0)
                    let b = options.from == nil && options.to == nil ? Double(ownWall) : Double(st.wall)
                    if b > 0 { parts.append("\(TraceStatistics.decimal(a / b))× speedup over \(runs[0].1 ?? "the first")") }
                }
                if let u = st.cpuUtilisation { parts.append("CPU \(TraceStatistics.percent(u))") }
                parts.append("parallelism \(TraceStatistics.decimal(st.averageParallelism))")
                if st.blocked > 0, st.busy > 0 {
                    parts.append("blocked \(TraceStatistics.percent(Double(st.blocked) / Double(st.busy)))")
                }
                let nameWidth = min(measure(name, 13 * s), width * 0.4)
                panel.header = [
                    TextItem(fit(name, size: 13 * s, maxWidth: width * 0.4), x: margin, y: y + 13 * s, size: 13 * s, role: .title),
                    TextItem(
                        fit(parts.joined(separator: " · "), size: textSize, maxWidth: width - 2 * margin - nameWidth - 12 * s),
                        x: margin + nameWidth + 12 * s, y: y + 13 * s, size: textSize, role: .secondary),
                ]
            }
            y = panel.plot.maxY + 16 * s
            panels.append(panel)
        }

        // Legend on the left, statistics box on the right (single chart).
        var statistics: StatisticsBox? = nil
        var legendRight = width - margin
        if runs.count == 1, let st = panels.first?.statistics {
            let lines = st.lines
            let keyWidth = lines.map { measure($0.0, smallSize) }.max() ?? 0
            let valueWidth = lines.map { measure($0.1, smallSize) }.max() ?? 0
            let line = smallSize + 5 * s
            let boxWidth = keyWidth + valueWidth + 30 * s
            let box = Box(x: width - margin - boxWidth, y: y, width: boxWidth, height: Double(lines.count) * line + 12 * s)
            var items: [TextItem] = []
            for (k, (key, value)) in lines.enumerated() {
                let baseline = box.y + 6 * s + Double(k + 1) * line - 5 * s
                items.append(TextItem(key, x: box.x + 10 * s, y: baseline, size: smallSize, role: .secondary))
                items.append(TextItem(value, x: box.x + 20 * s + keyWidth, y: baseline, size: smallSize))
            }
            statistics = StatisticsBox(box: box, lines: items)
            legendRight = box.x - 20 * s
        }
        // Colours, names and notes of the legend: the Timeline's, as the page and the text read them.
        let chartLegend = Timeline.Legend(timelines)
        spanColors = chartLegend.colors
        Self.recolour(&panels, spanColors)
        let (legend, notes, legendBottom) = buildLegend(chartLegend, left: margin, right: legendRight, top: y)
        let bottom = max(legendBottom, statistics?.box.maxY ?? y) + margin
        return Layout(
            width: Int(width), height: Int(bottom.rounded(.up)), scale: s, theme: options.theme, colors: colors,
            title: titleItem, subtitle: subtitleItem, panels: panels, legend: legend, statistics: statistics,
            notes: notes)
    }

    // MARK: Legend

    func buildLegend(_ legend: Timeline.Legend, left: Double, right: Double, top: Double) -> ([LegendItem], [TextItem], Double) {
        var entries: [(LegendItem.Swatch, String)] = []
        for entry in legend.shown { entries.append((.span(entry.color), entry.name)) }
        for r in WaitReason.allCases where waitReasonsUsed.contains(r) {
            entries.append((.wait(r), "wait: \(r)"))
        }
        if sawCPU {
            entries.append((.cpu(Palette.cpuRunning), "CPU: running"))
            entries.append((.cpu(Palette.cpuRunQueue), "CPU: run queue"))
            entries.append((.cpu(Palette.cpuBlocked), "CPU: blocked"))
        }
        if sawDense { entries.append((.dense(Palette.spanColors[0]), "dense: height = busy share, colour = commonest name")) }
        if sawCounters { entries.append((.counter, "counter (area up to its max)")) }
        if sawFlows { entries.append((.flow, "flow")) }

        var items: [LegendItem] = []
        let sw = 12 * s, gap = 6 * s, spacing = 18 * s, line = 18 * s
        var x = left, y = top
        for (swatch, text) in entries {
            let label = fit(text, size: smallSize, maxWidth: max(40 * s, right - left - sw - gap))
            let w = sw + gap + measure(label, smallSize)
            if x > left, x + w > right {
                x = left
                y += line
            }
            items.append(
                LegendItem(
                    swatch: swatch, swatchBox: Box(x: x, y: y + 2 * s, width: sw, height: sw),
                    label: TextItem(label, x: x + sw + gap, y: y + 2 * s + sw - 1 * s, size: smallSize)))
            x += w + spacing
        }
        var bottom = entries.isEmpty ? top : y + line
        var notes: [TextItem] = []
        for note in legend.notes {
            notes.append(TextItem(note, x: left, y: bottom + smallSize, size: smallSize, role: .secondary))
            bottom += line
        }
        return (items, notes, bottom)
    }
}
