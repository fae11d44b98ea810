import LanesAnalysis
import LanesCore
@testable import LanesRender
import Testing

@Suite struct HTMLReportTests {
    static let hostile = "</script><img src=x onerror=alert(1)>"

    /// The known trace with hostile strings in every place a trace has text.
    static func hostileTrace() -> Trace {
        var t = Traces.known()
        t.metadata.scenario = "<script>alert('scenario')</script>"
        t.metadata.host = "\"><svg onload=alert(2)>"
        t.processes[0].name = hostile
        t.lanes[0].name = "<!-- lane \u{2028} -->"
        t.spans[0].name = hostile
        t.spans[1].attributes = [Attribute("<b>key</b>", "</SCRIPT >value&amp;")]
        t.spans[1].waits[0].object = "</script"
        return t
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.lowercased().ranges(of: needle.lowercased()).count
    }

    @Test func everyTraceStringIsEscaped() {
        let page = HTMLReport(trace: Self.hostileTrace()).renderText()
        // Only the page's own script elements (data, contract, code) open and close; no markup from the trace survives.
        #expect(Self.occurrences(of: "<script", in: page) == 3)
        #expect(Self.occurrences(of: "</script", in: page) == 3)
        #expect(Self.occurrences(of: "<img", in: page) == 0)
        #expect(Self.occurrences(of: "<svg", in: page) == 0)
        #expect(Self.occurrences(of: "<!--", in: page) == 0)
        #expect(!page.contains("\u{2028}"))
        // The names are there, escaped: as entities in HTML text, as \u escapes in the JSON.
        #expect(page.contains("&lt;script&gt;alert(&#39;scenario&#39;)&lt;/script&gt;"))
        #expect(page.contains("\\u003c/script\\u003e\\u003cimg src=x onerror=alert(1)\\u003e"))
    }

    @Test func theMermaidPanelShowsEscapedTextWithACopyButtonOrSaysThereIsNone() {
        let mermaid = "gantt\n    title </pre><script>alert(1)</script>\n"
        let page = HTMLReport(trace: Traces.known(), mermaid: mermaid).renderText()
        #expect(page.contains("<button id=\"copy-mermaid\" type=\"button\">Copy</button>"))
        let escaped = "gantt\n    title &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;\n"
        #expect(page.contains("<pre id=\"mermaid\">\(escaped)</pre>"))
        #expect(Self.occurrences(of: "<script", in: page) == 3)
        let without = HTMLReport(trace: Traces.known()).renderText()
        #expect(!without.contains("<button id=\"copy-mermaid\""))
        #expect(without.contains("No Mermaid text was generated for this report."))
    }

    @Test func escapeCoversTextAndAttributes() {
        #expect(HTMLReport.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
        #expect(
            HTMLReport.jsonQuoted("</script>\u{2028}\"\\\n\u{1}")
                == "\"\\u003c/script\\u003e\\u2028\\\"\\\\\\n\\u0001\"")
    }

    @Test func contentSecurityPolicyForbidsTheNetworkAndAllowsOnlyThePagesOwnScript() throws {
        let page = HTMLReport(trace: Traces.pipeline(), png: [0x89, 0x50, 0x4E, 0x47]).renderText()
        let csp = try #require(page.split(separator: "\n").first { $0.contains("Content-Security-Policy") })
        #expect(csp.contains("default-src 'none'"))
        #expect(csp.contains("img-src data:"))
        #expect(!csp.contains("unsafe-inline"))
        // The hashes are those of the exact script and style text, or the browser would block them.
        let script = try #require(Self.between("<script>", "</script>", in: page))
        let style = try #require(Self.between("<style>", "</style>", in: page))
        #expect(csp.contains("script-src '\(HTMLReport.cspHash(script))'"))
        #expect(csp.contains("style-src '\(HTMLReport.cspHash(style))'"))
        #expect(!page.contains("http://") && !page.contains("https://"))
        #expect(page.contains("src=\"data:image/png;base64,iVBORw==\""))
    }

    @Test func sha256MatchesKnownDigests() {
        #expect(HTMLReport.cspHash("") == "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
        #expect(HTMLReport.cspHash("abc") == "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=")
    }

    @Test func sameInputGivesTheSameBytes() {
        let a = HTMLReport(trace: Traces.pipeline()).render()
        let b = HTMLReport(trace: Traces.pipeline()).render()
        #expect(a == b)
        let runs = [(Traces.pipeline(model: "sequential", workers: 1), "sequential"), (Traces.pipeline(), "threads")]
        #expect(HTMLReport(comparing: runs).render() == HTMLReport(comparing: runs).render())
    }

    @Test func theSpanCountShownIsTheTraces() {
        let trace = Traces.pipeline()
        let page = HTMLReport(trace: trace).renderText()
        #expect(
            page.contains("<p id=\"span-count\" data-count=\"\(trace.spans.count)\">\(trace.spans.count) spans</p>"))
        let runs = [(Traces.known(), "a"), (trace, "b")]
        let compared = HTMLReport(comparing: runs).renderText()
        #expect(compared.contains("data-count=\"\(trace.spans.count + 4)\""))
        #expect(compared.contains("\"comparison\":{\"baseline\":0"))
    }

    @Test func aHundredThousandSpansTakeAtMostThirtyBytesEachPNGIncluded() throws {
        let trace = Traces.dense(spans: 100_000)
        let png = try PNGChart.render(trace, font: .builtIn)
        let bytes = HTMLReport(trace: trace, png: png).render().count
        let perSpan = Double(bytes) / 100_000
        #expect(perSpan <= 30, "\(perSpan) bytes per span")
        // The spans themselves, without the PNG, take well under that.
        #expect(Double(bytes - png.count * 4 / 3) / 100_000 <= 20)
    }

    @Test func theSpanStreamDecodesToTheTracesSpans() throws {
        let trace = Self.hostileTrace()
        let json = HTMLReport.runJSON(trace)
        let b64 = try #require(Self.between("\"spans\":\"", "\"", in: json))
        let names = try #require(Self.between("\"names\":[", "]", in: json))
        var r = Reader(bytes: Self.base64Decode(b64))
        // Rows in lane order (main, worker), spans by start within a row.
        let expected = [trace.spans[0], trace.spans[1], trace.spans[2], trace.spans[3]]
        var previous: Int64 = 0
        var laneOfPrevious: Int64 = -1
        for span in expected {
            let lane = Int64(span.lane.rawValue)
            if lane != laneOfPrevious { previous = 0 }
            laneOfPrevious = lane
            let start = previous + r.zigzag()
            previous = start
            #expect(start == span.start)
            #expect(Int64(r.varint()) == span.duration)
            let nameIndex = Int(r.varint())
            #expect(names.contains(HTMLReport.jsonQuoted(span.name)) && nameIndex < 4)
            #expect(Int64(r.varint()) == lane)
            #expect(r.zigzag() == 0)
            let flags = r.byte()
            let waits = PageContract.SpanFlag.waits
            #expect(flags & waits == (span.waits.isEmpty ? 0 : waits))
            #expect(Int(flags & PageContract.SpanFlag.depthMask) == (span.parent == nil ? 0 : 1))
        }
        #expect(r.offset == r.bytes.count)
    }

    // MARK: Helpers

    static func between(_ open: String, _ close: String, in text: String) -> String? {
        guard let a = text.firstRange(of: open), let b = text[a.upperBound...].firstRange(of: close) else { return nil }
        return String(text[a.upperBound..<b.lowerBound])
    }

    static func base64Decode(_ s: String) -> [UInt8] {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var value = [UInt8: UInt32]()
        for (i, c) in table.enumerated() { value[c] = UInt32(i) }
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in s.utf8 where c != UInt8(ascii: "=") {
            acc = acc << 6 | value[c]!
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        return out
    }

    struct Reader {
        var bytes: [UInt8]
        var offset = 0
        mutating func byte() -> UInt8 {
            defer { offset += 1 }
            return bytes[offset]
        }
        mutating func varint() -> UInt64 {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = byte()
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        mutating func zigzag() -> Int64 {
            let v = varint()
            return Int64(bitPattern: v >> 1) ^ -Int64(bitPattern: v & 1)
        }
    }
}
