import LanesCore

/// How a chart is laid out. The same trace and options always give the same layout (and the same PNG bytes).
public struct ChartOptions: Hashable, Sendable {
    /// The colours around the data; span, wait and CPU colours are the same in both.
    public enum Theme: String, Hashable, Sendable, CaseIterable {
        /// Dark text on white.
        case light
        /// Light text on near-black.
        case dark
    }

    /// What one row of the chart is.
    public enum Grouping: String, Hashable, Sendable, CaseIterable {
        /// Each lane as recorded (threads, processes, tasks).
        case lane
        /// One row per OS thread: spans of task lanes go to the thread they ran on.
        case thread
        /// One row per task lane; thread and process lanes are kept as they are.
        case task
        /// One row per process, all its lanes merged.
        case process
    }

    /// Width of the image in points (pixels at scale 1).
    public var width: Int
    /// The least height of the image in points; rows grow to fill it. Nil: as tall as the content.
    public var height: Int?
    /// Pixels per point: 2 for HiDPI.
    public var scale: Int
    public var theme: Theme
    public var groupBy: Grouping
    /// Start of the time window, relative to the trace's first event; nil for the start.
    public var from: Nanoseconds?
    /// End of the time window, relative to the trace's first event; nil for the end.
    public var to: Nanoseconds?
    /// At most this many rows; the rest are summarised in one row that says how many.
    public var maxLanes: Int
    /// Draw flows (producer → consumer, ...) as thin arrows.
    public var showFlows: Bool
    /// A title to use instead of the one made from the metadata.
    public var title: String?
    /// Nesting levels a row shows, one band per level as Perfetto and Tracy draw a thread; spans
    /// nested deeper are drawn on the last level and the legend says how many (1...16).
    public var depthLimit: Int

    /// The default ``depthLimit``.
    public static let defaultDepthLimit = 4

    public init(
        width: Int = 1600, height: Int? = nil, scale: Int = 1, theme: Theme = .light, groupBy: Grouping = .lane,
        from: Nanoseconds? = nil, to: Nanoseconds? = nil, maxLanes: Int = 64, showFlows: Bool = false,
        title: String? = nil, depthLimit: Int = ChartOptions.defaultDepthLimit
    ) {
        self.depthLimit = max(1, min(depthLimit, 16))
        self.width = width
        self.height = height.map { max(0, min($0, 20000)) }
        self.scale = scale
        self.theme = theme
        self.groupBy = groupBy
        self.from = from
        self.to = to
        self.maxLanes = maxLanes
        self.showFlows = showFlows
        self.title = title
    }
}

/// How the panels of a comparison share time.
public enum TimeAlignment: String, Hashable, Sendable, CaseIterable {
    /// One time scale for all panels: the longest run fills the width.
    case shared
    /// Each panel fills the width with its own run.
    case own
}

/// Parses a duration such as `250ms`, `1.5s`, `20us`, `20µs`, `300ns` or a bare number of nanoseconds.
public func parseDuration(_ text: String) -> Nanoseconds? {
    let t = text.trimmingPrefixAndSuffixSpaces()
    let units: [(String, Double)] = [("ns", 1), ("us", 1e3), ("µs", 1e3), ("ms", 1e6), ("s", 1e9)]
    for (suffix, factor) in units where t.hasSuffix(suffix) {
        let number = String(t.dropLast(suffix.count)).trimmingPrefixAndSuffixSpaces()
        guard let v = Double(number), v.isFinite, v >= 0, v * factor < 9e18 else { return nil }
        return Nanoseconds((v * factor).rounded())
    }
    guard let v = Int64(t), v >= 0 else { return nil }
    return v
}

extension String {
    fileprivate func trimmingPrefixAndSuffixSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
