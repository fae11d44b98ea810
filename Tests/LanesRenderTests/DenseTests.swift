import LanesAnalysis
import LanesCore
import LanesRaster
import LanesRender
import Testing

@Suite struct DenseTests {
    @Test func aMillionSpansRenderAggregatedWithNoBusyLaneLeftBlank() throws {
        let trace = Traces.dense(spans: 1_000_000)
        let (layout, image, _) = try render(trace, ChartOptions(width: 1200))
        let panel = layout.panels[0]
        #expect(panel.rows.count == 16)
        let background = layout.colors.background.raster
        for (i, row) in panel.rows.enumerated() {
            #expect(row.spanCount == 62_500)
            // Aggregated: one entry per pixel column, not one per span.
            #expect(row.bars.isEmpty)
            #expect(row.columns.count <= Int(panel.plot.width))
            #expect(row.columns.count >= Int(panel.plot.width) - 1)
            // Three quarters busy: the columns say so rather than drawing a solid bar.
            let mean = row.columns.map(\.busy).reduce(0, +) / Double(row.columns.count)
            #expect(abs(mean - 0.75) < 0.03, "row \(i) busy \(mean)")
            // Painted: every column of the plot has some pixel that is not the row's background.
            let stripe = i % 2 == 1 ? layout.colors.rowStripe.raster : background
            var blank = 0
            for px in Int(panel.plot.x)..<Int(panel.plot.maxX) {
                let painted = (Int(row.box.y)..<Int(row.box.maxY)).contains { y in
                    let c = image.pixel(x: px, y: y)
                    return c != stripe && c != layout.colors.grid.raster
                }
                if !painted { blank += 1 }
            }
            #expect(blank == 0, "row \(i) has \(blank) blank columns")
        }
    }

    @Test func sparseShortSpansAreNeverDroppedOrDrawnAsSolid() throws {
        // One 1 µs span every 100 µs over 1 s: 1 % busy, far below a pixel each.
        let lane = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "t")
        let spans = (0..<10_000).map { k in
            Span(id: SpanID(UInt64(k + 1)), name: "tick", lane: lane.id, threadID: 1, start: Int64(k) * 100_000,
                 end: Int64(k) * 100_000 + 1_000)
        }
        let trace = Trace(processes: [Process(pid: 1)], lanes: [lane], spans: spans)
        let (layout, _, _) = try render(trace)
        let row = layout.panels[0].rows[0]
        #expect(row.columns.count >= Int(layout.panels[0].plot.width) - 1)
        for c in row.columns {
            #expect(c.busy < 0.1)
            #expect(c.dominantName == "tick")
        }
    }

    @Test func theDominantNameWinsAColumn() throws {
        // In each 1 ms, 0.6 ms of "big" and 0.1 ms of each of three others.
        let lane = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1)
        var spans: [Span] = []
        var id: UInt64 = 1
        for k in 0..<1000 {
            var t = Int64(k) * 1_000_000
            for (name, d) in [("big", 600_000), ("a", 100_000), ("b", 100_000), ("c", 100_000)] as [(String, Int64)] {
                spans.append(Span(id: SpanID(id), name: name, lane: lane.id, threadID: 1, start: t, end: t + d))
                id += 1
                t += d
            }
        }
        let trace = Trace(processes: [Process(pid: 1)], lanes: [lane], spans: spans)
        let (layout, _, _) = try render(trace, ChartOptions(width: 600))
        let row = layout.panels[0].rows[0]
        let big = row.columns.filter { $0.dominantName == "big" }.count
        #expect(Double(big) / Double(row.columns.count) > 0.95)
    }

    @Test func rowsBeyondTheLimitAreSummarisedInOneRow() throws {
        let (layout, _, _) = try render(Traces.dense(spans: 16_000), ChartOptions(width: 800, maxLanes: 5))
        let rows = layout.panels[0].rows
        #expect(rows.count == 5)
        #expect(rows[4].summarisedLanes == 12)
        #expect(rows[4].label.text == "+ 12 more lanes")
        #expect(rows[4].spanCount == 12_000)
        #expect(!rows[4].columns.isEmpty)
    }
}

@Suite struct OptionTests {
    @Test func heightStretchesRowsToFillTheImage() throws {
        let (layout, image, _) = try render(Traces.dense(spans: 1600), ChartOptions(width: 2000, height: 1200))
        #expect(layout.width == 2000 && layout.height == 1200)
        #expect(image.width == 2000 && image.height == 1200)
        #expect(layout.panels[0].rows[0].box.height > 40)
    }

    @Test func scaleTwoDoublesEveryDimension() throws {
        let (one, _, _) = try render(Traces.known(), ChartOptions(width: 800))
        let (two, _, _) = try render(Traces.known(), ChartOptions(width: 800, scale: 2))
        #expect(two.width == 2 * one.width)
        #expect(abs(two.height - 2 * one.height) <= 2)
    }

    @Test func aTimeWindowShowsOnlyWhatFallsInIt() throws {
        // known(): parse 0–300 µs, compute 400–1000 µs; fetch 100–900 µs with decode 200–400 µs.
        let (layout, _, _) = try render(Traces.known(), ChartOptions(width: 800, from: 450_000, to: 950_000))
        let panel = layout.panels[0]
        #expect(panel.timeScale.start == 450_000 && panel.timeScale.end == 950_000)
        #expect(panel.rows[0].bars.map(\.name) == ["compute"])
        #expect(panel.rows[1].bars.map(\.name) == ["fetch"])
        let compute = panel.rows[0].bars[0]
        #expect(abs(compute.x0 - panel.plot.x) < 0.01 && abs(compute.x1 - panel.plot.maxX) < 0.01)
        #expect(panel.statistics.wall == 500_000)
    }

    @Test func groupingByProcessMergesItsLanes() throws {
        let (layout, _, _) = try render(Traces.pipeline(), ChartOptions(width: 800, groupBy: .process))
        #expect(layout.panels[0].rows.map(\.label.text) == ["pipeline · 100", "log-writer · 200"])
    }

    @Test func groupingByThreadPutsTaskSpansOnTheirThreads() throws {
        let tasks = (0..<3).map { i in Lane(id: LaneID(UInt32(i)), kind: .task, pid: 1, taskID: UInt64(i + 1), name: "job") }
        let spans: [Span] = (0..<6).map { (k: Int) -> Span in
            Span(id: SpanID(UInt64(k + 1)), name: "slice", lane: LaneID(UInt32(k % 3)), threadID: Int64(50 + k % 2),
                 start: Int64(k) * 1000, end: Int64(k) * 1000 + 900)
        }
        let trace = Trace(processes: [Process(pid: 1)], lanes: tasks, spans: spans)
        let (byTask, _, _) = try render(trace, ChartOptions(width: 800, groupBy: .task))
        #expect(byTask.panels[0].rows.count == 3)
        let (byThread, _, _) = try render(trace, ChartOptions(width: 800, groupBy: .thread))
        let labels: [String] = byThread.panels[0].rows.map { (r: Row) -> String in r.label.text }
        let counts: [Int] = byThread.panels[0].rows.map { (r: Row) -> Int in r.spanCount }
        #expect(labels == ["thread 50", "thread 51"])
        #expect(counts == [3, 3])
    }

    @Test func darkThemeChangesTheBackgroundNotTheSpanColours() throws {
        let (light, li, _) = try render(Traces.known(), ChartOptions(width: 800))
        let (dark, di, _) = try render(Traces.known(), ChartOptions(width: 800, theme: .dark))
        #expect(li.pixel(x: 2, y: 2) != di.pixel(x: 2, y: 2))
        #expect(light.panels[0].rows[0].bars.map(\.color) == dark.panels[0].rows[0].bars.map(\.color))
    }

    @Test func ticksAreRoundAndLabelledWithUnits() {
        let scale = TimeScale(start: 0, end: 1_000_000, x0: 100, x1: 1100, origin: 0)
        let ticks = scale.ticks(minSpacing: 70) { Double($0.count) * 7 }
        let labels: [String] = ticks.map { $0.label }
        let expected: [String] = ["0", "0.1 ms", "0.2 ms", "0.3 ms", "0.4 ms", "0.5 ms", "0.6 ms", "0.7 ms", "0.8 ms", "0.9 ms", "1.0 ms"]
        #expect(labels == expected)
        let fine = TimeScale(start: 0, end: 3_000_000_000, x0: 0, x1: 1500, origin: 0)
        let fineLabels: [String] = fine.ticks(minSpacing: 70) { Double($0.count) * 7 }.map { $0.label }
        #expect(Array(fineLabels.prefix(3)) == ["0", "0.2 s", "0.4 s"])
        let half = TimeScale(start: 0, end: 5_000_000, x0: 0, x1: 1000, origin: 0)
        let halfLabels: [String] = half.ticks(minSpacing: 70) { Double($0.count) * 7 }.map { $0.label }
        #expect(Array(halfLabels.prefix(3)) == ["0", "0.5 ms", "1.0 ms"])
    }

    @Test func durationsParse() {
        #expect(parseDuration("250ms") == 250_000_000)
        #expect(parseDuration("1.5s") == 1_500_000_000)
        #expect(parseDuration("20us") == 20_000)
        #expect(parseDuration("20µs") == 20_000)
        #expect(parseDuration("300ns") == 300)
        #expect(parseDuration("42") == 42)
        #expect(parseDuration("soon") == nil)
        #expect(parseDuration("-1ms") == nil)
    }

    @Test func comparisonHeadersGiveWallAndSpeedup() throws {
        let font = ChartFont.builtIn
        let slow = Traces.known()
        var fast = Traces.known()
        fast.spans = fast.spans.map { var s = $0; s.start /= 2; s.end /= 2; s.waits = s.waits.map { var w = $0; w.start /= 2; w.end /= 2; return w }; return s }
        let layout = Layout.comparison(of: [(slow, "sequential"), (fast, "threads")], options: ChartOptions(width: 1200), measure: font.measure)
        #expect(layout.panels.count == 2)
        #expect(layout.panels[0].header[0].text == "sequential")
        #expect(layout.panels[1].header[1].text.contains("2.00× speedup over sequential"))
        // Shared scale: both panels span the longer run.
        #expect(layout.panels[1].timeScale.end - layout.panels[1].timeScale.start == 1_000_000)
        // …but each run's statistics are its own: the faster run (the same work in half the time)
        // has half the wall and the same parallelism.
        #expect(layout.panels[1].statistics.wall == layout.panels[0].statistics.wall / 2)
        #expect(abs(layout.panels[1].statistics.averageParallelism - layout.panels[0].statistics.averageParallelism) < 0.01)
        let own = Layout.comparison(of: [(slow, "a"), (fast, "b")], options: ChartOptions(width: 1200), alignment: .own, measure: font.measure)
        #expect(own.panels[1].timeScale.end - own.panels[1].timeScale.start == 500_000)
    }
}

@Suite struct RobustnessTests {
    @Test func oddTracesStillRender() throws {
        let lane = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1)
        let backwards = Span(id: SpanID(1), name: "back", lane: lane.id, threadID: 1, start: 500, end: 100)
        let stray = Span(id: SpanID(2), name: "stray", lane: LaneID(99), threadID: 1, start: 0, end: 1000)
        let instant = Span(id: SpanID(3), name: "instant", lane: lane.id, threadID: 1, start: 700, end: 700)
        let cycle = Span(id: SpanID(4), name: "loop", lane: lane.id, threadID: 1, start: 0, end: 900, parent: SpanID(5))
        let cycle2 = Span(id: SpanID(5), name: "loop", lane: lane.id, threadID: 1, start: 0, end: 900, parent: SpanID(4))
        let traces = [
            Trace(),
            Trace(processes: [Process(pid: 1)], lanes: [lane]),
            Trace(processes: [Process(pid: 1)], lanes: [lane], spans: [backwards, stray, instant, cycle, cycle2]),
            Trace(lanes: [lane], spans: [instant]),
        ]
        for trace in traces {
            for options in [ChartOptions(width: 320), ChartOptions(width: 900, from: 10, to: 20, maxLanes: 1)] {
                let (layout, image, bytes) = try render(trace, options)
                #expect(image.width == layout.width && image.height == layout.height)
                #expect(!bytes.isEmpty)
            }
        }
    }

    @Test func manyLanesAreCappedAtTheDefaultLimit() throws {
        let (layout, _, _) = try render(Traces.dense(spans: 20_000, lanes: 200))
        #expect(layout.panels[0].rows.count == 64)
        #expect(layout.panels[0].rows.last?.summarisedLanes == 137)
    }

    @Test func statisticsOfTheKnownTrace() {
        let st = TraceStatistics(Traces.known())
        #expect(st.wall == 1_000_000)
        // Top-level spans only: parse 300 µs + compute 600 µs + fetch 800 µs.
        #expect(st.busy == 1_700_000)
        // Running time is busy time less the waits: 1.7 ms − 0.2 ms of lock wait, over 1 ms of wall.
        #expect(abs(st.averageParallelism - 1.5) < 1e-9)
        #expect(st.blockedByReason == [.lock: 200_000])
        #expect(st.cpuUtilisation == nil)
        #expect(st.lines.first! == ("wall", "1.00 ms"))
    }

    @Test func flowsCountersAndTheCPUStripAreLaidOut() throws {
        let (plain, _, _) = try render(Traces.pipeline(), ChartOptions(width: 1000))
        #expect(plain.panels[0].flows.isEmpty)
        let (layout, _, _) = try render(Traces.pipeline(), ChartOptions(width: 1000, showFlows: true))
        let panel = layout.panels[0]
        #expect(!panel.flows.isEmpty)
        #expect(layout.legend.contains { $0.swatch == .flow })
        #expect(panel.counters.map(\.name) == ["queue depth"])
        #expect(panel.counters[0].maxValue == 8)
        #expect(panel.counters[0].heights.allSatisfy { $0 <= 1 })
        let workers = panel.rows.filter { $0.label.text.hasPrefix("worker") }
        #expect(workers.count == 4)
        for row in workers {
            #expect(row.cpuStrip != nil)
            #expect(row.cpuCells.count == 20)
            for c in row.cpuCells { #expect(abs(c.running + c.runQueue + c.blocked - 1) < 1e-9) }
        }
        #expect(panel.rows[0].cpuStrip == nil)
    }
}

@Suite struct ComparisonTests {
    @Test func countersStopWhereAShorterRunEnds() {
        let font = ChartFont.builtIn
        let layout = Layout.comparison(
            of: [(Traces.pipeline(stretch: 2), "slow"), (Traces.pipeline(), "fast")], options: ChartOptions(width: 1000),
            measure: font.measure)
        let heights = layout.panels[1].counters[0].heights
        // The fast run fills about half the shared scale; its counter is not carried past its end.
        let drawn = heights.filter { $0 >= 0 }.count
        #expect(drawn > heights.count * 4 / 10 && drawn < heights.count * 6 / 10, "\(drawn) of \(heights.count)")
        #expect(layout.panels[0].counters[0].heights.filter { $0 >= 0 }.count > heights.count * 9 / 10)
    }
}
