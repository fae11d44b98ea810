import LanesAnalysis
import LanesCore
import LanesSupport

/// A trace drawn with Unicode block characters for a terminal: one line per row of the PNG chart
/// (same order and names), each column a slice of time whose block height is the share of it spent
/// in spans; columns mostly waiting are drawn `░`. Coloured by span name with 24-bit ANSI escapes
/// when asked (a TTY), plain otherwise.
public enum TerminalText {
    /// How the text is laid out.
    public struct Options: Hashable, Sendable {
        /// Width of the output in terminal columns (at least 40).
        public var columns: Int
        /// ANSI colours (for a terminal; off when the output is piped).
        public var color: Bool
        public var groupBy: ChartOptions.Grouping
        /// At most this many rows; the rest are summarised in one.
        public var maxLanes: Int
        /// A title to use instead of the one made from the metadata.
        public var title: String?

        public init(
            columns: Int = 80, color: Bool = false, groupBy: ChartOptions.Grouping = .lane, maxLanes: Int = 40,
            title: String? = nil
        ) {
            self.columns = max(40, min(columns, 1000))
            self.color = color
            self.groupBy = groupBy
            self.maxLanes = max(1, maxLanes)
            self.title = title
        }
    }

    static let levels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let waiting: Character = "░"
    static let reset = "\u{1B}[0m"

    static func fg(_ c: RGB) -> String { "\u{1B}[38;2;\(c.r);\(c.g);\(c.b)m" }

    /// The trace as lines of text, each ending in a newline, none wider than `options.columns`.
    public static func render(_ trace: Trace, options: Options = Options()) -> String {
        let timeline = Timeline(trace, grouping: options.groupBy)
        let range = timeline.range ?? 0...0
        let lo = range.lowerBound, wall = max(1, range.upperBound - range.lowerBound)
        var rowLabels = timeline.rows.map(\.label)
        var rowOf = Array(timeline.rows.indices)
        if rowLabels.count > options.maxLanes {
            let keep = options.maxLanes - 1
            rowLabels = Array(rowLabels[..<keep]) + ["+ \(timeline.rows.count - keep) more lanes"]
            rowOf = rowOf.map { min($0, keep) }
        }
        let labelWidth = min(
            max(8, rowLabels.map { TerminalWidth.columns(TerminalSafe.clean($0, replacement: " ")) }.max() ?? 8),
            max(8, options.columns / 4))
        let plotWidth = options.columns - labelWidth - 2
        let colTime = Double(wall) / Double(plotWidth)

        var busy = [[Double]](repeating: [Double](repeating: 0, count: plotWidth), count: rowLabels.count)
        var waits = busy
        var names = [[TopKeys]](repeating: [TopKeys](repeating: TopKeys(), count: plotWidth), count: rowLabels.count)
        let nameList = timeline.names
        func spread(_ s: Nanoseconds, _ e: Nanoseconds, _ body: (Int, Double) -> Void) {
            let a = Double(s - lo) / colTime, b = Double(e - lo) / colTime
            var c = max(0, Int(a))
            while c < plotWidth, Double(c) < b {
                let overlap = min(b, Double(c + 1)) - max(a, Double(c))
                if overlap > 0 { body(c, overlap) }
                c += 1
            }
        }
        // Fields read in place: copying each span (three references) costs more than the rest.
        trace.spans.withUnsafeBufferPointer { spans in
            for i in spans.indices {
                guard let r0 = timeline.row(ofSpan: i) else { continue }
                let r = rowOf[r0]
                // Top-level spans by the timeline's one rule: a child task's spans count on its own lane.
                if timeline.isTopLevel(i) {
                    let n = timeline.nameOfSpan[i]
                    spread(spans[i].start, spans[i].end) { c, w in
                        busy[r][c] += w
                        names[r][c].add(n, Float(w))
                    }
                }
                if !spans[i].waits.isEmpty {
                    for w in spans[i].waits { spread(w.start, w.end) { c, x in waits[r][c] += x } }
                }
            }
        }

        // The legend is the Timeline's: colours as the PNG and the page give them (drawn with `color`),
        // names by their share of the top-level (busy) time the bars show.
        let chartLegend = Timeline.Legend([timeline])
        let colors = chartLegend.colors
        var out = ""
        let title = options.title ?? Builder.title(of: trace.metadata)
        out += clip(title, options.columns) + "\n"
        for line in wrap(Builder.subtitle(of: trace.metadata).split(separator: " · ").map(String.init), options.columns)
        {
            out += line + "\n"
        }

        // Axis: tick labels over the plot, then the rows.
        let scale = TimeScale(start: lo, end: lo + wall, x0: 0, x1: Double(plotWidth), origin: lo)
        let ticks = scale.ticks(minSpacing: 10) { Double($0.count + 2) }
        var axis = [Character](repeating: " ", count: plotWidth)
        var marks = [Character](repeating: "─", count: plotWidth)
        for t in ticks {
            let c = min(plotWidth - 1, Int(t.x.rounded()))
            marks[c] = "┬"
            let label = Array(t.label)
            let start = min(max(0, c), plotWidth - label.count)
            guard start >= 0, axis[start..<(start + label.count)].allSatisfy({ $0 == " " }),
                start == 0 || axis[start - 1] == " "
            else { continue }
            for (k, ch) in label.enumerated() { axis[start + k] = ch }
        }
        let pad = String(repeating: " ", count: labelWidth + 1)
        out += pad + " " + String(axis) + "\n"
        out += pad + "┌" + String(marks) + "\n"

        for (r, label) in rowLabels.enumerated() {
            var line = fit(label, labelWidth) + " │"
            var currentColor: RGB? = nil
            for c in 0..<plotWidth {
                let b = min(1, busy[r][c]), w = min(b, waits[r][c])
                let ch: Character
                var color: RGB? = nil
                if b < 0.02 {
                    ch = " "
                } else if w * 2 >= b {
                    ch = waiting
                    color = RGB(0x999999)
                } else {
                    ch = levels[max(0, min(7, Int((b * 8).rounded(.up)) - 1))]
                    let top = names[r][c].top
                    color = top >= 0 ? colors[nameList[Int(top)]] : nil
                }
                if options.color, ch != " ", color != currentColor, let color {
                    line += fg(color)
                    currentColor = color
                }
                line.append(ch)
            }
            if options.color, currentColor != nil { line += reset }
            out += line + "\n"
        }

        // Legend and statistics.
        let st = TraceStatistics(trace, range: range)
        out += pad + "└" + String(repeating: "─", count: plotWidth) + "\n"
        let legend = [
            "█ share of each \(formatDuration(Nanoseconds(colTime.rounded()))) column in spans", "░ mostly waiting",
        ]
        for line in wrap(legend, options.columns) { out += line + "\n" }
        // Names with their share of the time in top-level spans: told apart by the words and the
        // shares, since piped text has no colours.
        let top = chartLegend.topLevel
        var items: [(text: String, color: RGB)] = []
        for entry in top.prefix(8) {
            items.append(("■ \(clip(entry.name, 24)) \(TraceStatistics.percent(entry.share))", entry.color))
        }
        if top.count > 8 { items.append(("+ \(top.count - 8) more", RGB(0x999999))) }
        var line = "", width = 0
        for item in items {
            let w = TerminalWidth.columns(item.text)
            if width > 0, width + 2 + w > options.columns {
                out += line + "\n"
                line = ""
                width = 0
            }
            if width > 0 {
                line += "  "
                width += 2
            }
            line += options.color ? fg(item.color) + item.text + reset : item.text
            width += w
        }
        if width > 0 { out += line + "\n" }
        var stats = ["wall \(formatDuration(st.wall))"]
        if let u = st.cpuUtilisation { stats.append("CPU \(TraceStatistics.percent(u))") }
        stats.append("parallelism \(TraceStatistics.decimal(st.averageParallelism))")
        if let b = st.blockedShares.first, st.busy > 0 {
            stats.append(
                "blocked \(TraceStatistics.percent(Double(st.blocked) / Double(st.busy))) (mostly \(b.reason))")
        }
        stats.append("\(st.spanCount) spans")
        for line in wrap(stats, options.columns) { out += line + "\n" }
        return out
    }

    /// `parts` joined with " · " into lines of at most `width` columns, a part cut only when it is
    /// wider than a line on its own.
    static func wrap(_ parts: [String], _ width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for part in parts {
            let piece = clip(part, width)
            if line.isEmpty {
                line = piece
            } else if TerminalWidth.columns(line) + 3 + TerminalWidth.columns(piece) <= width {
                line += " · " + piece
            } else {
                lines.append(line)
                line = piece
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// `text` padded, or cut with "…" keeping its start, to exactly `width` terminal columns (a
    /// wide character counts two).
    static func fit(_ text: String, _ width: Int) -> String {
        let one = TerminalSafe.clean(text, replacement: " ")
        let w = TerminalWidth.columns(one)
        if w <= width { return one + String(repeating: " ", count: width - w) }
        let cut = TerminalWidth.prefix(one, fitting: width - 1) + "…"
        return cut + String(repeating: " ", count: max(0, width - TerminalWidth.columns(cut)))
    }

    /// `text` cut with "…", keeping its start, to at most `width` terminal columns, control
    /// characters dropped.
    static func clip(_ text: String, _ width: Int) -> String {
        let one = TerminalSafe.clean(text)
        return TerminalWidth.columns(one) <= width ? one : TerminalWidth.prefix(one, fitting: width - 1) + "…"
    }
}
