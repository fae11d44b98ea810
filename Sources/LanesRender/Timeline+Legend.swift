import LanesCore

extension Timeline {
    /// The part of the trace an output shows first: `from` and `to` are nanoseconds after the trace's
    /// start (``ChartOptions/from``, ``ChartOptions/to``); nil bounds are the trace's own. Nil for an
    /// empty trace.
    public func window(from: Nanoseconds?, to: Nanoseconds?) -> ClosedRange<Nanoseconds>? {
        guard let range else { return nil }
        let start = range.lowerBound + max(0, from ?? 0)
        var end = to.map { range.lowerBound + $0 } ?? range.upperBound
        if end <= start { end = start + 1 }
        return start...end
    }

    /// What a chart's legend says, computed once for all the runs of one chart and read by every output
    /// that shows a legend (the PNG, the HTML page, the terminal text): the colour of every span name,
    /// the names shown with their share of the time in the window, and the notes under them.
    ///
    /// Colours (``Palette/assign(shown:others:)``): the names of spans in the window take the distinct
    /// colours first, so what a PNG of the window shows is told apart at the guaranteed distance; the
    /// page, which holds every span, gives the names outside the window the colours left. The PNG and
    /// the page of one chart and window therefore colour every name alike.
    public struct Legend: Sendable {
        /// A span name of the legend.
        public struct Entry: Hashable, Sendable {
            public var name: String
            public var color: RGB
            /// Time in spans of this name within the window (nested spans count too), in ns.
            public var time: Double
            /// `time` over the time of all names in the window.
            public var share: Double
        }

        /// Names a legend lists at most; the rest are counted in ``moreNote``.
        public static let maxNames = 24

        /// The colour of every span name of the chart's traces.
        public let colors: [String: RGB]
        /// Every name with time in the window, most time first (ties by name).
        public let entries: [Entry]
        /// Spans nested deeper than the depth limit in all runs, drawn on their row's last line.
        public let foldedSpans: Int
        /// The depth limit of the timelines.
        public let depthLimit: Int

        /// The chart of `runs` (a timeline and the trace it was made from, each), showing
        /// `from`…`to` of each run (see ``Timeline/window(from:to:)``).
        public init(_ runs: [(timeline: Timeline, trace: Trace)], from: Nanoseconds? = nil, to: Nanoseconds? = nil) {
            var index: [String: Int] = [:]
            var names: [String] = []
            var time: [Double] = []
            var inWindow: [Bool] = []
            var folded = 0
            for (timeline, trace) in runs {
                folded += timeline.foldedSpans
                let map = timeline.names.map { name -> Int in
                    if let i = index[name] { return i }
                    index[name] = names.count
                    names.append(name)
                    time.append(0)
                    inWindow.append(false)
                    return names.count - 1
                }
                guard let window = timeline.window(from: from, to: to) else { continue }
                let lo = window.lowerBound, hi = window.upperBound
                trace.spans.withUnsafeBufferPointer { spans in
                    for i in spans.indices
                    where timeline.rowOfSpan[i] >= 0 && spans[i].end >= lo && spans[i].start <= hi {
                        let n = map[Int(timeline.nameOfSpan[i])]
                        inWindow[n] = true
                        let a = max(spans[i].start, lo), b = min(spans[i].end, hi)
                        if b > a { time[n] += Double(b - a) }
                    }
                }
            }
            let colors = Palette.assign(shown: names.indices.filter { inWindow[$0] }.map { names[$0] }, others: names)
            let total = max(1, time.reduce(0, +))
            self.colors = colors
            self.entries = names.indices.filter { time[$0] > 0 }
                .sorted { time[$0] != time[$1] ? time[$0] > time[$1] : names[$0] < names[$1] }
                .map { Entry(name: names[$0], color: colors[names[$0]]!, time: time[$0], share: time[$0] / total) }
            self.foldedSpans = folded
            self.depthLimit = runs.first?.timeline.depthLimit ?? ChartOptions.defaultDepthLimit
        }

        /// The names a legend lists: the first ``maxNames`` entries.
        public var shown: ArraySlice<Entry> { entries.prefix(Self.maxNames) }

        /// The sentence that says spans were folded into their row's last line, or nil when none were.
        public var foldNote: String? {
            foldedSpans > 0
                ? "\(foldedSpans) spans nested deeper than \(depthLimit) levels drawn on their row's last level" : nil
        }

        /// The sentence that counts the names the legend leaves out, or nil when it lists them all.
        public var moreNote: String? {
            entries.count > Self.maxNames
                ? "+ \(entries.count - Self.maxNames) more span names (past \(Palette.distinctColors.count) names, colours repeat)"
                : nil
        }

        /// The notes under the legend, in order.
        public var notes: [String] { [foldNote, moreNote].compactMap { $0 } }
    }
}
