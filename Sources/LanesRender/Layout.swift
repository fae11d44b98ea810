import LanesAnalysis
import LanesCore

/// Everything a chart shows, placed: the one description of a chart that the PNG painter draws and
/// that HTML and Mermaid outputs reuse. Coordinates are device pixels (points × scale), y down.
/// It holds no raster types; build it with ``Layout/chart(of:options:measure:)`` or
/// ``Layout/comparison(of:options:alignment:measure:)``.
public struct Layout: Hashable, Sendable {
    /// Image size in device pixels.
    public var width: Int
    public var height: Int
    /// Device pixels per point.
    public var scale: Double
    public var theme: ChartOptions.Theme
    public var colors: Palette.ThemeColors
    public var title: TextItem
    public var subtitle: TextItem?
    /// One panel for a chart; one per run for a comparison.
    public var panels: [Panel]
    public var legend: [LegendItem]
    /// The statistics box of a single chart.
    public var statistics: StatisticsBox?
    /// Notes under the legend (names left out of the legend, ...).
    public var notes: [TextItem]
}

/// A rectangle in device pixels.
public struct Box: Hashable, Sendable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }
    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
}

/// One line of text: its baseline point, size in device pixels and how it is anchored.
public struct TextItem: Hashable, Sendable {
    public enum Anchor: Hashable, Sendable { case left, center, right }
    public enum Role: Hashable, Sendable { case title, primary, secondary }
    public var text: String
    public var x: Double
    public var y: Double
    public var size: Double
    public var anchor: Anchor
    public var role: Role
    /// Wider text is cut with "…" (already applied by the layout where it measured; kept for painters).
    public var maxWidth: Double?
    /// A colour other than the role's (labels on bars).
    public var color: RGB?

    public init(
        _ text: String, x: Double, y: Double, size: Double, anchor: Anchor = .left, role: Role = .primary,
        maxWidth: Double? = nil, color: RGB? = nil
    ) {
        self.text = text
        self.x = x
        self.y = y
        self.size = size
        self.anchor = anchor
        self.role = role
        self.maxWidth = maxWidth
        self.color = color
    }
}

/// The lanes of one run on one time scale.
public struct Panel: Hashable, Sendable {
    /// Run name, wall time, speedup (comparisons); empty for a single chart.
    public var header: [TextItem]
    public var timeScale: TimeScale
    public var ticks: [TimeScale.Tick]
    public var tickLabels: [TextItem]
    /// The area of rows and counters; ticks run down through it.
    public var plot: Box
    /// The y of the axis line above the rows.
    public var axisY: Double
    /// Process bands, each with its label.
    public var groups: [Group]
    public var rows: [Row]
    public var counters: [CounterChart]
    public var flows: [FlowArrow]
    public var statistics: TraceStatistics
}

/// A process heading.
public struct Group: Hashable, Sendable {
    public var label: TextItem
    public var box: Box
}

/// One row of the chart: a lane (or a thread, task or process, as grouped), or the summary of lanes
/// beyond `--max-lanes`.
public struct Row: Hashable, Sendable {
    public var label: TextItem
    /// The whole row across the label column and the plot.
    public var box: Box
    /// Spans wide enough to draw one by one (3 px or more), shallow ones first.
    public var bars: [Bar]
    /// Waits over those bars.
    public var waits: [WaitBar]
    /// Pixel columns where narrower spans were aggregated.
    public var columns: [Column]
    /// The CPU state strip under the row, when the trace sampled it.
    public var cpuStrip: Box?
    public var cpuCells: [CPUCell]
    /// Spans in this row within the window.
    public var spanCount: Int
    /// Lanes merged into this row when it summarises those beyond the limit; 0 otherwise.
    public var summarisedLanes: Int
}

/// A span drawn as a bar.
public struct Bar: Hashable, Sendable {
    public var name: String
    public var x0: Double
    public var x1: Double
    public var y: Double
    public var height: Double
    public var color: RGB
    /// Nesting level, 0 for top-level spans (deeper levels are capped).
    public var depth: Int
    /// The name drawn inside the bar when it fits.
    public var label: TextItem?
}

/// A wait drawn over its span's bar.
public struct WaitBar: Hashable, Sendable {
    public var reason: WaitReason
    public var x0: Double
    public var x1: Double
    public var y: Double
    public var height: Double
}

/// One pixel column of a row where spans too narrow to draw were aggregated: how busy the lane was
/// in that column, how much of it waiting, and the dominant name and wait reason.
public struct Column: Hashable, Sendable {
    /// The device pixel column.
    public var x: Int
    /// The band the column fills from its bottom up.
    public var y: Double
    public var height: Double
    /// Share of the column's time inside spans, 0...1 (at least one pixel is drawn when > 0).
    public var busy: Double
    /// Share of the column's time waiting, 0...busy.
    public var waiting: Double
    /// Colour of the dominant span name.
    public var color: RGB
    public var dominantName: String
    public var dominantWait: WaitReason?
    /// Spans that touched the column.
    public var spans: Int
}

/// A stretch of the CPU state strip: shares of the interval running, runnable and blocked.
public struct CPUCell: Hashable, Sendable {
    public var x0: Double
    public var x1: Double
    public var running: Double
    public var runQueue: Double
    public var blocked: Double
}

/// A counter as a small area chart.
public struct CounterChart: Hashable, Sendable {
    public var name: String
    public var label: TextItem
    public var maxLabel: TextItem
    public var box: Box
    public var maxValue: Double
    /// Value / maxValue per pixel column from `box.x`, 0...1; negative where there is no sample yet.
    public var heights: [Double]
}

/// A flow, from the end of one span to the start of another.
public struct FlowArrow: Hashable, Sendable {
    public var fromX: Double
    public var fromY: Double
    public var toX: Double
    public var toY: Double
}

/// One entry of the legend.
public struct LegendItem: Hashable, Sendable {
    public enum Swatch: Hashable, Sendable {
        case span(RGB)
        case wait(WaitReason)
        case cpu(RGB)
        /// An aggregated column: part busy, part free.
        case dense(RGB)
        case counter
        case flow
    }
    public var swatch: Swatch
    public var swatchBox: Box
    public var label: TextItem
}

/// The statistics box of a single chart.
public struct StatisticsBox: Hashable, Sendable {
    public var box: Box
    public var lines: [TextItem]
}
