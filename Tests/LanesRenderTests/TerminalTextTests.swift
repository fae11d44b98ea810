import LanesCore
import Testing

@testable import LanesRender

@Suite struct TerminalTextTests {
    /// `text` without ANSI escape sequences.
    static func plain(_ text: String) -> String {
        var out = ""
        var inEscape = false
        for ch in text {
            if inEscape {
                if ch == "m" { inEscape = false }
            } else if ch == "\u{1B}" {
                inEscape = true
            } else {
                out.append(ch)
            }
        }
        return out
    }

    @Test func plainTextAtTheGivenWidth() throws {
        let text = TerminalText.render(Traces.pipeline(), options: TerminalText.Options(columns: 72))
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 72 })
        #expect(!text.contains("\u{1B}"))
        #expect(lines.contains { $0.hasPrefix("producer · 100") })
        #expect(lines.contains { $0.hasPrefix("log-writer · 200") })
        #expect(text.contains("█"))
        #expect(text.contains("wall 41.8 ms"))
        try Golden.check(text, "pipeline.terminal.txt")
    }

    @Test func blockHeightIsTheBusyShare() {
        // One lane busy the first half, idle the second; a second lane waiting most of its span.
        let a = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "a")
        let b = Lane(id: LaneID(1), kind: .thread, pid: 1, threadID: 2, name: "b")
        let trace = Trace(
            metadata: Metadata(), processes: [], lanes: [a, b],
            spans: [
                Span(id: SpanID(1), name: "x", lane: a.id, threadID: 1, start: 0, end: 500),
                Span(
                    id: SpanID(2), name: "y", lane: b.id, threadID: 2, start: 500, end: 1000,
                    waits: [Wait(reason: .lock, start: 500, end: 1000)]),
            ])
        let text = TerminalText.render(trace, options: TerminalText.Options(columns: 50))
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("a ") || $0.hasPrefix("b ") }
        #expect(rows.count == 2)
        let plotA = Array(rows[0].split(separator: "│")[1]), plotB = Array(rows[1].split(separator: "│")[1])
        #expect(plotA.count == 40)
        #expect(plotA.prefix(20).allSatisfy { $0 == "█" })
        #expect(plotA.suffix(20).allSatisfy { $0 == " " })
        #expect(plotB.prefix(20).allSatisfy { $0 == " " })
        #expect(plotB.suffix(20).allSatisfy { $0 == "░" })
    }

    @Test func colourOnlyWhenAskedAndSameTextWithout() {
        let trace = Traces.known()
        let plain = TerminalText.render(trace, options: TerminalText.Options(columns: 60))
        let colour = TerminalText.render(trace, options: TerminalText.Options(columns: 60, color: true))
        #expect(colour.contains("\u{1B}[38;2;"))
        #expect(Self.plain(colour) == plain)
    }

    @Test func hostileNamesCannotEscapeTheTerminal() {
        var trace = hostileTrace()
        trace.lanes[0].name = "evil\u{1B}]0;title\u{07}\u{1B}[31m"
        trace.spans[0].name = "\u{1B}[2J"
        let text = TerminalText.render(trace, options: TerminalText.Options(columns: 80))
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{07}"))
        #expect(text.split(separator: "\n").allSatisfy { $0.count <= 80 })
    }

    @Test func eightyColumnsKeepTheSummaryAndTellNamesApartWithoutColour() {
        let text = TerminalText.render(Traces.pipeline(), options: TerminalText.Options(columns: 80))
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { TerminalWidth.columns($0) <= 80 })
        // The summary wraps at its separators instead of being cut.
        #expect(text.contains("blocked 18.5% (mostly queueGet)"))
        #expect(text.contains("3105 spans"))
        #expect(!lines.contains { $0.hasPrefix("wall") && $0.hasSuffix("…") })
        // Without colours, each legend entry says its name and share, so no two read alike.
        let legend = lines.filter { $0.hasPrefix("■ ") }.flatMap { $0.split(separator: "  ") }
        #expect(legend.count >= 3)
        #expect(legend.allSatisfy { $0.hasSuffix("%") })
        #expect(Set(legend).count == legend.count)
    }

    @Test func wideCharactersCountTwoColumns() {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "下载线程")
        let b = Lane(id: LaneID(1), kind: .thread, pid: 1, threadID: 2, name: "worker")
        let c = Lane(id: LaneID(2), kind: .thread, pid: 1, threadID: 3, name: "e\u{301}te\u{301}")
        let trace = Trace(
            lanes: [a, b, c],
            spans: [
                Span(id: SpanID(1), name: "取得", lane: a.id, threadID: 1, start: 0, end: 500),
                Span(id: SpanID(2), name: "y", lane: b.id, threadID: 2, start: 500, end: 1000),
                Span(id: SpanID(3), name: "z", lane: c.id, threadID: 3, start: 0, end: 1000),
            ])
        #expect(TerminalWidth.columns("下载") == 4)
        #expect(TerminalWidth.columns("e\u{301}") == 1)
        #expect(TerminalWidth.columns("ｱ") == 1)
        #expect(TerminalWidth.columns("Ａ") == 2)
        for columns in [40, 60] {
            let text = TerminalText.render(trace, options: TerminalText.Options(columns: columns))
            let lines = text.split(separator: "\n")
            #expect(lines.allSatisfy { TerminalWidth.columns($0) <= columns })
            // Every row's plot starts in the same terminal column.
            let bars = lines.compactMap { line -> Int? in
                guard let i = line.firstIndex(of: "│") else { return nil }
                return TerminalWidth.columns(line[..<i])
            }
            #expect(bars.count == 3)
            #expect(Set(bars).count == 1)
        }
    }
}
