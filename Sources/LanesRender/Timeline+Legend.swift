import LanesCore

extension Timeline {
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
            /// Time in spans of this name within the window, in ns: nested spans count too in
            /// ``Legend/entries``, only top-level ones in ``Legend/topLevel``.
            public var time: Double
            /// `time` over the time of all names of the list.
            public var share: Double
        }

        /// Names a legend lists at most; the rest are counted in ``moreNote``.
        public static let maxNames = 24

        /// The colour of every span name of the chart's traces.
        public let colors: [String: RGB]
        /// Every name with time in the window, most time first (ties by name): what the PNG and the page list.
        public let entries: [Entry]
        /// Every name of a top-level span in the window with its share of the top-level (busy) time, most
        /// first: what the terminal text lists beside its busy-time bars.
        public let topLevel: [Entry]
        /// Spans nested deeper than the depth limit in all runs, drawn on their row's last line.
        public let foldedSpans: Int
        /// The depth limit of the timelines.
        public let depthLimit: Int

        /// The chart of `timelines` (one per run, each made with the chart's `from` and `to`).
        public init(_ timelines: [Timeline]) {
            var index: [String: Int] = [:]
            var names: [String] = []
            var time: [Double] = [], topTime: [Double] = []
            var inWindow: [Bool] = [], topInWindow: [Bool] = []
            for timeline in timelines {
                for (k, name) in timeline.names.enumerated() {
                    let n: Int
                    if let known = index[name] {
                        n = known
                    } else {
                        n = names.count
                        index[name] = n
                        names.append(name)
                        time.append(0)
                        topTime.append(0)
                        inWindow.append(false)
                        topInWindow.append(false)
                    }
                    let t = timeline.nameTally[k]
                    time[n] += t.time
                    topTime[n] += t.topTime
                    inWindow[n] = inWindow[n] || t.inWindow
                    topInWindow[n] = topInWindow[n] || t.topInWindow
                }
            }
            let colors = Palette.assign(shown: names.indices.filter { inWindow[$0] }.map { names[$0] }, others: names)
            func list(_ time: [Double], _ included: (Int) -> Bool) -> [Entry] {
                let total = max(1, time.reduce(0, +))
                return names.indices.filter(included)
                    .sorted { time[$0] != time[$1] ? time[$0] > time[$1] : names[$0] < names[$1] }
                    .map { Entry(name: names[$0], color: colors[names[$0]]!, time: time[$0], share: time[$0] / total) }
            }
            self.colors = colors
            self.entries = list(time) { time[$0] > 0 }
            self.topLevel = list(topTime) { topInWindow[$0] }
            self.foldedSpans = timelines.reduce(0) { $0 + $1.foldedSpans }
            self.depthLimit = timelines.first?.depthLimit ?? ChartOptions.defaultDepthLimit
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
