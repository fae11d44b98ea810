import Foundation
import LanesCore
import Testing

@testable import LanesRender

/// One legend (``Timeline/Legend``) read by the PNG and the page: the same names, colours and notes,
/// also when `--from/--to` shows a window of the trace.
@Suite struct LegendColorsTests {
    /// One thread: `z-before` and `a-after` lie outside 250…750 µs, `m1`…`m3` inside it; `m3` nests
    /// six deep.
    static func windowed() -> Trace {
        let lane = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "main")
        var spans = [
            Span(id: SpanID(1), name: "z-before", lane: lane.id, threadID: 1, start: 0, end: 100_000),
            Span(id: SpanID(2), name: "a-after", lane: lane.id, threadID: 1, start: 900_000, end: 1_000_000),
            Span(id: SpanID(3), name: "m1", lane: lane.id, threadID: 1, start: 300_000, end: 400_000),
            Span(id: SpanID(4), name: "m2", lane: lane.id, threadID: 1, start: 420_000, end: 480_000),
        ]
        for d in 0..<6 {
            spans.append(
                Span(
                    id: SpanID(UInt64(10 + d)), name: "m3", lane: lane.id, threadID: 1,
                    start: 500_000 + Int64(d) * 10_000,
                    end: 700_000 - Int64(d) * 10_000, parent: d == 0 ? nil : SpanID(UInt64(9 + d))))
        }
        return Trace(
            metadata: Metadata(scenario: "windowed"), processes: [Process(pid: 1, name: "app")], lanes: [lane],
            spans: spans)
    }

    static func measure(_ text: String, _ size: Double) -> Double { Double(text.count) * size * 0.6 }

    /// The page's data object.
    static func pageData(_ trace: Trace, _ options: ChartOptions) throws -> [String: Any] {
        let page = HTMLReport(trace: trace, options: options).renderText()
        let open = try #require(page.range(of: "<script type=\"application/json\" id=\"lanes-data\">"))
        let close = try #require(page.range(of: "</script>", range: open.upperBound..<page.endIndex))
        let object = try JSONSerialization.jsonObject(with: Data(page[open.upperBound..<close.lowerBound].utf8))
        return try #require(object as? [String: Any])
    }

    static func pngColors(_ layout: Layout) -> [String: String] {
        var out: [String: String] = [:]
        for panel in layout.panels {
            for row in panel.rows {
                for bar in row.bars { out[bar.name] = bar.color.description }
            }
        }
        return out
    }

    @Test(arguments: [(nil, nil), (250_000, 750_000)] as [(Int64?, Int64?)])
    func thePNGAndThePageColourEveryNameAlike(from: Int64?, to: Int64?) throws {
        let trace = Self.windowed()
        let options = ChartOptions(from: from, to: to)
        let layout = Layout.chart(of: trace, options: options, measure: Self.measure)
        let png = Self.pngColors(layout)
        let data = try Self.pageData(trace, options)
        let run = try #require((data["runs"] as? [[String: Any]])?.first)
        let names = try #require(run["names"] as? [String]), colors = try #require(run["colors"] as? [String])
        let page = Dictionary(uniqueKeysWithValues: zip(names, colors))
        #expect(!png.isEmpty)
        for (name, color) in png { #expect(page[name] == color, "\(name): PNG \(color), page \(page[name] ?? "none")") }
        // The legends list the same names in the same colours.
        let legend = try #require(data["legend"] as? [String: Any])
        let pngLegend = layout.legend.compactMap { item -> String? in
            if case .span(let c) = item.swatch { return "\(item.label.text) \(c)" }
            return nil
        }
        let pageLegend = zip(legend["names"] as? [String] ?? [], legend["colors"] as? [String] ?? []).map {
            "\($0) \($1)"
        }
        #expect(pngLegend == pageLegend)
        #expect(layout.notes.map(\.text) == (legend["notes"] as? [String]))
    }

    @Test func aWindowsNamesTakeTheColoursAChartOfThemAloneWouldGet() {
        let trace = Self.windowed()
        let all = Timeline.Legend([Timeline(trace)])
        #expect(all.colors == Palette.assign(names: ["z-before", "a-after", "m1", "m2", "m3"]))
        let window = Timeline.Legend([Timeline(trace, from: 250_000, to: 750_000)])
        // The names the window shows are told apart as if they were the only ones: the first, most distinct colours.
        let alone = Palette.assign(names: ["m1", "m2", "m3"])
        for name in ["m1", "m2", "m3"] { #expect(window.colors[name] == alone[name]) }
        // The others still get a colour, different from every shown one (the page shows them when zoomed out).
        for name in ["z-before", "a-after"] {
            #expect(window.colors[name] != nil && !alone.values.contains(window.colors[name]!))
        }
        #expect(window.entries.map(\.name) == ["m3", "m1", "m2"])
        #expect(abs(window.entries.reduce(0) { $0 + $1.share } - 1) < 1e-9)
    }

    @Test func theTerminalTextColoursEachNameAsThePNGDoes() {
        let trace = Self.windowed()
        let layout = Layout.chart(of: trace, options: ChartOptions(), measure: Self.measure)
        var png: [String: RGB] = [:]
        for row in layout.panels[0].rows { for bar in row.bars { png[bar.name] = bar.color } }
        let text = TerminalText.render(trace, options: TerminalText.Options(color: true))
        #expect(png.count == 5)
        for (name, color) in png { #expect(text.contains(TerminalText.fg(color) + "■ \(name) "), "\(name)") }
        // The terminal lists top-level (busy) time: m3's six nested spans count once, as the outermost.
        let top = Timeline.Legend([Timeline(trace)]).topLevel
        #expect(top.first { $0.name == "m3" }?.time == 200_000)
        // The PNG and the page list all time in spans of a name, nested ones too: 200 + 180 + … + 100 µs.
        let nested: Double = 900_000
        #expect(Timeline.Legend([Timeline(trace)]).entries.first { $0.name == "m3" }?.time == nested)
    }

    @Test func theFoldNoteIsTheTimelinesInThePNGAndThePage() throws {
        let trace = Self.windowed()
        let note = try #require(Timeline(trace).foldNote)
        let layout = Layout.chart(of: trace, options: ChartOptions(), measure: Self.measure)
        #expect(layout.notes.map(\.text).contains(note))
        let legend = try #require(try Self.pageData(trace, ChartOptions())["legend"] as? [String: Any])
        #expect((legend["notes"] as? [String]) == [note])
        // Two levels: the note counts the four spans below the second.
        let shallow = try Self.pageData(trace, ChartOptions(depthLimit: 2))["legend"] as? [String: Any]
        #expect(
            (shallow?["notes"] as? [String]) == ["4 spans nested deeper than 2 levels drawn on their row's last level"])
    }
}
