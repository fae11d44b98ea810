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
