import LanesAnalysis
import LanesCore
import LanesRender
import Testing

/// Issue 19, defect 9: one huge name cannot blow up the Markdown or the HTML.
@Suite struct NameBoundTests {
    static let huge = String(repeating: "N", count: 1 << 20)

    /// Four threads taking turns on one lock, every name (spans, lanes, lock, process, scenario) 1 MiB long.
    func hugeNamedTrace() -> Trace {
        let lanes = (0..<4).map { i in
            Lane(id: LaneID(UInt32(i)), kind: .thread, pid: 9, threadID: Int64(100 + i), name: Self.huge + "\(i)")
        }
        var spans: [Span] = []
        for i in 0..<40 {
            let lane = i % 4
            let start = Int64(i / 4) * 1_000_000
            spans.append(
                Span(
                    id: SpanID(UInt64(i + 1)), name: Self.huge, lane: LaneID(UInt32(lane)), threadID: Int64(100 + lane),
                    start: start, end: start + 1_000_000,
                    waits: [Wait(reason: .lock, start: start + 10_000, end: start + 900_000, object: Self.huge + "lock")]))
        }
        return Trace(
            metadata: Metadata(command: [Self.huge], host: "h", cores: 2, scenario: Self.huge, model: Self.huge),
            processes: [Process(pid: 9, name: Self.huge)], lanes: lanes, spans: spans)
    }

    @Test func markdownStaysWithinGitHubsLimit() {
        let trace = hugeNamedTrace()
        let md = MarkdownReport.trace(trace, analysis: Analysis(trace))
        #expect(md.utf16.count <= Mermaid.maxCommentCharacters, "\(md.utf16.count) characters")
        #expect(md.split(separator: "\n").allSatisfy { $0.utf16.count <= 8_000 })
        #expect(longestRun(of: "N", in: Array(md.utf8)) < NameBound.prose, "names are cut")
        #expect(md.utf8.count < 65_536 * 4)
        let comparison = MarkdownReport.comparison([(trace, Self.huge), (trace, Self.huge + "2")])
        #expect(comparison.utf16.count <= Mermaid.maxCommentCharacters)
    }

    @Test func htmlHoldsEachNameBoundedAndNotOverAndOver() {
        let trace = hugeNamedTrace()
        let page = HTMLReport(trace: trace, options: ChartOptions(), png: nil, mermaid: "").render()
        // Each distinct name at most `NameBound.full` characters in the page, a handful of times.
        #expect(page.count < 200_000, "\(page.count) bytes")
        #expect(longestRun(of: "N", in: page) == NameBound.full - 1, "the hover keeps the name's first 4,095 characters")
    }

    /// The longest run of `byte` in `bytes` (a linear scan: `String.contains` on long runs is quadratic).
    func longestRun(of byte: Character, in bytes: [UInt8]) -> Int {
        let b = byte.asciiValue!
        var best = 0, run = 0
        for x in bytes {
            run = x == b ? run + 1 : 0
            best = max(best, run)
        }
        return best
    }

    @Test func cutNeverSplitsACharacter() {
        #expect(NameBound.cut("short", 10) == "short")
        #expect(NameBound.cut("abcdefghij", 5) == "abcd…")
        let emoji = String(repeating: "👍🏽", count: 10)  // 4 UTF-16 units each
        let cut = NameBound.cut(emoji, 10)
        #expect(cut == "👍🏽👍🏽…" && cut.utf16.count <= 10)
    }
}
