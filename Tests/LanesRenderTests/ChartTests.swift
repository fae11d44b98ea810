import LanesCore
import LanesRaster
import LanesRender
import Testing

/// Renders with the built-in bitmap font, so results are the same on every machine.
func render(_ trace: Trace, _ options: ChartOptions = ChartOptions(width: 1000)) throws -> (Layout, Canvas, [UInt8]) {
    let font = ChartFont.builtIn
    let layout = Layout.chart(of: trace, options: options, measure: font.measure)
    let bytes = try PNGChart.encode(layout, font: font)
    return (layout, try PNG.decode(bytes), bytes)
}

extension RGB {
    var raster: Color { Color(r: r, g: g, b: b) }
}

@Suite struct PixelTruthTests {
    @Test func barsStartAndEndAtTheirTimesInTheirRowsAndColours() throws {
        let trace = Traces.known()
        let (layout, image, _) = try render(trace)
        let panel = try #require(layout.panels.first)
        let plot = panel.plot
        // x computed here from the plot's edges and the trace's range, not taken from the bars.
        let range = try #require(trace.timeRange)
        func x(_ t: Nanoseconds) -> Double {
            plot.x + Double(t - range.lowerBound) * plot.width / Double(range.upperBound - range.lowerBound)
        }
        #expect(panel.rows.count == 2)
        // Colours are assigned among the names the chart shows.
        let assigned = Palette.assign(names: trace.spans.map(\.name))
        let colors = Set(["parse", "compute", "fetch", "decode"].map { assigned[$0] })
        #expect(colors.count == 4, "the test needs four distinct colours")
        for sp in trace.spans {
            let row = panel.rows[Int(sp.lane.rawValue)]
            let depth = sp.parent == nil ? 0 : 1
            let bar = try #require(row.bars.first { $0.name == sp.name })
            #expect(bar.depth == depth)
            #expect(bar.y >= row.box.y && bar.y + bar.height <= row.box.maxY, "\(sp.name) lies in its row")
            let color = try #require(assigned[sp.name]).raster
            let y = Int(bar.y) + 1
            let x0 = x(sp.start), x1 = x(sp.end)
            // Inside: every column of the bar not under a wait or a nested bar is the span's colour.
            var checked = 0
            for px in Int(x0.rounded(.up)) + 1..<Int(x1.rounded(.down)) - 1 {
                let t = range.lowerBound + Nanoseconds((Double(px) + 0.5 - plot.x) / plot.width * Double(range.upperBound - range.lowerBound))
                if sp.waits.contains(where: { $0.start <= t + 2000 && $0.end >= t - 2000 }) { continue }
                #expect(image.pixel(x: px, y: y) == color, "\(sp.name) at x \(px)")
                checked += 1
            }
            #expect(checked > 20)
            // Outside, one pixel beyond each computed edge (±1 px), is not the colour.
            #expect(image.pixel(x: Int(x0.rounded(.down)) - 2, y: y) != color, "\(sp.name) starts at \(x0)")
            #expect(image.pixel(x: Int(x1.rounded(.up)) + 1, y: y) != color, "\(sp.name) ends at \(x1)")
            // The other row at the same x does not have this span.
            let other = panel.rows[1 - Int(sp.lane.rawValue)]
            #expect(image.pixel(x: Int((x0 + x1) / 2), y: Int(other.box.y) + 3) != color)
        }
    }

    @Test func aWaitLooksDifferentFromTheRunningPartOfItsSpan() throws {
        let trace = Traces.known()
        let (layout, image, _) = try render(trace)
        let panel = layout.panels[0]
        let row = panel.rows[0]
        let wait = try #require(row.waits.first)
        #expect(wait.reason == .lock)
        let running = try #require(Palette.assign(names: trace.spans.map(\.name))["compute"]).raster
        let y = Int(wait.y + wait.height / 2)
        var waitColors = Set<Color>()
        for px in Int(wait.x0) + 2..<Int(wait.x1) - 2 {
            let c = image.pixel(x: px, y: y)
            #expect(c != running)
            waitColors.insert(c)
        }
        // Hatched: a pale tint and the stripe colour.
        #expect(waitColors.contains(Palette.waitBackground(.lock).raster))
        #expect(waitColors.contains(Palette.wait(.lock).color.raster))
        // Before the wait, the span runs in its own colour.
        #expect(image.pixel(x: Int(panel.timeScale.x(450_000)), y: y) == running)
    }

    @Test func theLegendExplainsEveryColourUsed() throws {
        let (layout, _, _) = try render(Traces.pipeline())
        var explained = Set<RGB>()
        var reasons = Set<WaitReason>()
        for item in layout.legend {
            switch item.swatch {
            case .span(let c), .cpu(let c): explained.insert(c)
            case .wait(let r): reasons.insert(r)
            default: break
            }
        }
        for p in layout.panels {
            for row in p.rows {
                for b in row.bars { #expect(explained.contains(b.color), "\(b.name)") }
                for c in row.columns { #expect(explained.contains(c.color), "\(c.dominantName)") }
                for w in row.waits { #expect(reasons.contains(w.reason)) }
                if !row.cpuCells.isEmpty {
                    #expect(explained.isSuperset(of: [Palette.cpuRunning, Palette.cpuRunQueue, Palette.cpuBlocked]))
                }
            }
        }
        #expect(layout.legend.contains { $0.swatch == .counter })
    }

    static let overlapCases: [(String, @Sendable (ChartFont) -> Layout)] = [
        ("chart", { font in
            Layout.chart(of: Traces.pipeline(), options: ChartOptions(width: 1400, showFlows: true), measure: font.measure)
        }),
        ("narrow HiDPI dark", { font in
            Layout.chart(of: Traces.pipeline(), options: ChartOptions(width: 640, scale: 2, theme: .dark), measure: font.measure)
        }),
        ("comparison", { font in
            Layout.comparison(
                of: [(Traces.pipeline(model: "sequential", workers: 1, stretch: 2.6), "sequential"), (Traces.pipeline(), "threads")],
                options: ChartOptions(width: 1000), measure: font.measure)
        }),
    ]

    @Test(arguments: [0, 1, 2]) func labelsDoNotOverlap(_ index: Int) throws {
        let font = ChartFont.resolve()
        let layout = Self.overlapCases[index].1(font)
        var boxes: [(String, Double, Double, Double, Double)] = []
        func add(_ t: TextItem) {
            let w = font.measure(t.text, t.size)
            let x = t.anchor == .left ? t.x : t.anchor == .center ? t.x - w / 2 : t.x - w
            boxes.append((t.text, x, t.y - t.size * 0.8, x + w, t.y + t.size * 0.2))
        }
        add(layout.title)
        if let s = layout.subtitle { add(s) }
        for p in layout.panels {
            p.header.forEach(add)
            p.tickLabels.forEach(add)
            p.groups.forEach { add($0.label) }
            p.rows.forEach { add($0.label) }
            p.rows.forEach { $0.bars.compactMap(\.label).forEach(add) }
            p.counters.forEach { add($0.label); add($0.maxLabel) }
        }
        layout.legend.forEach { add($0.label) }
        layout.statistics?.lines.forEach(add)
        layout.notes.forEach(add)
        for i in boxes.indices {
            #expect(boxes[i].3 <= Double(layout.width) + 0.5 && boxes[i].1 >= -0.5, "\(boxes[i].0) inside the image")
            for j in boxes.indices where j > i {
                let a = boxes[i], b = boxes[j]
                let overlap = a.1 < b.3 - 0.5 && b.1 < a.3 - 0.5 && a.2 < b.4 - 0.5 && b.2 < a.4 - 0.5
                #expect(!overlap, "'\(a.0)' overlaps '\(b.0)'")
            }
        }
    }
}

@Suite struct DeterminismTests {
    @Test func sameTraceAndOptionsGiveTheSameBytes() throws {
        let trace = Traces.pipeline()
        for options in [ChartOptions(width: 900), ChartOptions(width: 700, scale: 2, theme: .dark, showFlows: true)] {
            let (l1, _, a) = try render(trace, options)
            let (l2, _, b) = try render(trace, options)
            #expect(l1 == l2)
            #expect(a == b)
        }
        let font = ChartFont.resolve()
        let x = try PNGChart.render(trace, font: font)
        let y = try PNGChart.render(trace, font: ChartFont.resolve())
        #expect(x == y)
    }

    @Test func colourDependsOnlyOnTheName() {
        #expect(Palette.color(forSpanName: "a") == Palette.color(forSpanName: String("xa".dropFirst())))
        // FNV-1a of the empty string is the offset basis: stable across processes and machines.
        #expect(Palette.stableHash("") == 0xcbf2_9ce4_8422_2325)
        #expect(Palette.stableHash("a") == 0xaf63_dc4c_8601_ec8c)
    }
}
