import Foundation
import LanesAnalysis
import LanesCore
import LanesRender
import Testing

@Suite struct HTMLScenariosTests {
    static let hostile = "</script><img src=x onerror=alert(1)>"

    /// Two scenarios: a pipeline whose sequential run takes twice as long as its threads run, and one whose
    /// name, summary, notes, failures, PNG name and Mermaid text are all hostile.
    static func scenarios() -> [HTMLScenario] {
        let pipeline = HTMLScenario(
            name: "pipeline", summary: "a producer and four workers",
            runs: [
                (Traces.pipeline(model: "sequential", workers: 1, stretch: 2), "sequential"),
                (Traces.pipeline(model: "threads"), "threads"),
            ],
            notes: ["theoretical speed-up 4×"], png: "pipeline.png", mermaid: "xychart-beta\n    bar [1, 2]\n")
        var trace = HTMLReportTests.hostileTrace()
        trace.metadata.model = "threads"
        let probe = HTMLScenario(
            name: "<script>window.__xss=1</script> & \"x\"", summary: "<img src=x onerror=window.__xss=2>",
            runs: [(Traces.known(), "sequential"), (trace, Self.hostile)],
            notes: ["<!-- note -->", "\u{2028}</script>"], failures: ["gil: <svg onload=window.__xss=3>"],
            png: "javascript:alert(1)/<b>.png", mermaid: "gantt\n    title </pre><script>window.__xss=4</script>\n")
        return [pipeline, probe]
    }

    static func page() -> String {
        HTMLReport(scenarios: scenarios(), title: "Demo <b>&</b>").renderText()
    }

    @Test func everyScenarioHasAnOverviewRowAndItsOwnData() throws {
        let scenarios = Self.scenarios()
        let page = Self.page()
        for (i, s) in scenarios.enumerated() {
            let spans = s.runs.reduce(0) { $0 + $1.trace.spans.count }
            #expect(
                page.contains(
                    "<tr data-index=\"\(i)\" data-name=\"\(HTMLReport.escape(s.name))\" data-spans=\"\(spans)\">"))
            #expect(Self.count("id=\"lanes-scenario-\(i)\"", in: page) == 1)
            // Each scenario's data is a whole data set: its runs, their total and the per-model table.
            let data = try #require(
                HTMLReportTests.between("id=\"lanes-scenario-\(i)\">", "</script>", in: page))
            #expect(data.hasPrefix("{\"theme\":\"light\",\"runs\":[{"))
            #expect(data.contains("\"spanCount\":\(spans),\"comparison\":{\"baseline\":0"))
            #expect(data.contains("\"scenario\":{\"name\":\(HTMLReport.jsonQuoted(s.name))"))
        }
        #expect(Self.count("<tr data-index=", in: page) == scenarios.count)
        #expect(!page.contains("id=\"lanes-scenario-2\""))
        // The first scenario's spans are shown until the script selects one.
        #expect(
            page.contains(
                "<p id=\"span-count\" data-count=\"\(scenarios[0].runs.reduce(0) { $0 + $1.trace.spans.count })\">"))
    }

    @Test func theOverviewNamesTheFastestModelTheAdviceAndTheFindings() throws {
        let page = Self.page()
        let row = try #require(HTMLReportTests.between("<tr data-index=\"0\"", "</tr>", in: page))
        #expect(row.contains("<a href=\"#pipeline\">pipeline</a>"))
        let traces = Self.scenarios()[0].runs.map(\.trace)
        let speedup = Comparison(traces).rows[1].speedup
        #expect(speedup > 1.5)
        #expect(row.contains("<td>threads</td><td>\(TraceStatistics.decimal(speedup))×</td>"))
        let advice = Advice(comparing: traces)
        #expect(
            row.contains(
                "<td>\(advice.workClass.rawValue)</td><td>\(advice.models.map(\.rawValue).joined(separator: ", "))</td>"
            ))
        let findings = traces.reduce(0) { $0 + Analysis($1).findings.count }
        #expect(row.contains(">\(findings)</td><td>2</td>"))
        // The advice's reason, with its measured evidence, is in the scenario's data.
        #expect(page.contains(HTMLReport.jsonQuoted(advice.reason)))
    }

    @Test func hostileScenarioTextIsEscapedEverywhere() {
        let page = Self.page()
        // The page's own script elements only: one of JSON per scenario, the contract and the code.
        #expect(Self.count("<script", in: page) == 4)
        #expect(Self.count("</script", in: page) == 4)
        #expect(Self.count("<img", in: page) == 0)
        #expect(Self.count("<svg", in: page) == 0)
        #expect(Self.count("<!--", in: page) == 0)
        #expect(Self.count("<b>", in: page) == 0)
        #expect(!page.contains("\u{2028}"))
        #expect(page.contains("<h1 id=\"title\">Demo &lt;b&gt;&amp;&lt;/b&gt;</h1>"))
        let name = "&lt;script&gt;window.__xss=1&lt;/script&gt; &amp; &quot;x&quot;"
        #expect(page.contains("data-name=\"\(name)\""))
        #expect(page.contains("<td title=\"&lt;img src=x onerror=window.__xss=2&gt;\">"))
        // The fragment is percent-encoded, so it is one token of a URL, whatever the name.
        #expect(
            page.contains("<a href=\"#%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E%20%26%20%22x%22\">\(name)</a>"))
        // Notes, failures and Mermaid reach the page as JSON strings (shown with textContent).
        #expect(page.contains(HTMLReport.jsonQuoted("gil: <svg onload=window.__xss=3>")))
        #expect(page.contains(HTMLReport.jsonQuoted("\u{2028}</script>")))
    }

    @Test func thePNGLinkIsARelativePathNeverAScheme() {
        #expect(HTMLReport._percentEncoded("cpu-primes.png", keepingSlashes: true) == "cpu-primes.png")
        #expect(HTMLReport._percentEncoded("charts/a b.png", keepingSlashes: true) == "charts/a%20b.png")
        #expect(HTMLReport._percentEncoded("a/b") == "a%2Fb")
        #expect(HTMLReport._percentEncoded("é") == "%C3%A9")
        let page = Self.page()
        #expect(page.contains("\"png\":\"javascript%3Aalert%281%29/%3Cb%3E.png\""))
        #expect(page.contains("\"png\":\"pipeline.png\",\"pngName\":\"pipeline.png\""))
    }

    @Test func contentSecurityPolicyStaysStrict() throws {
        let page = Self.page()
        let csp = try #require(page.split(separator: "\n").first { $0.contains("Content-Security-Policy") })
        #expect(csp.contains("default-src 'none'"))
        #expect(!csp.contains("unsafe-inline"))
        #expect(!csp.contains("unsafe-eval"))
        // The hashes are those of the exact code and style; the JSON elements are data, not script.
        let script = try #require(HTMLReportTests.between("<script>", "</script>", in: page))
        let style = try #require(HTMLReportTests.between("<style>", "</style>", in: page))
        #expect(csp.contains("script-src '\(HTMLReport.cspHash(script))';"))
        #expect(csp.contains("style-src '\(HTMLReport.cspHash(style))';"))
        // One JSON element per scenario and the contract.
        #expect(Self.count("<script type=\"application/json\"", in: page) == 3)
        #expect(!page.contains("http://") && !page.contains("https://"))
    }

    @Test func sameScenariosGiveTheSameBytes() {
        let a = HTMLReport(scenarios: Self.scenarios(), title: "Demo").render()
        let b = HTMLReport(scenarios: Self.scenarios(), title: "Demo").render()
        #expect(a == b)
        #expect(HTMLReport(scenarios: Self.scenarios().reversed(), title: "Demo").render() != a)
    }

    @Test func aScenarioWithoutRunsStillHasItsRow() {
        let failed = HTMLScenario(name: "broken", summary: "every run failed", runs: [], failures: ["threads: boom"])
        let page = HTMLReport(scenarios: Self.scenarios() + [failed], title: "Demo").renderText()
        #expect(page.contains("<tr data-index=\"2\" data-name=\"broken\" data-spans=\"0\">"))
        #expect(page.contains("<td>–</td><td>–</td><td>–</td><td>–</td><td>0</td><td>0</td><td>0</td></tr>"))
        #expect(page.contains("\"advice\":null"))
        #expect(page.contains("\"failures\":[\"threads: boom\"]"))
    }

    @Test func theSingleTracePageIsUnchangedInShape() {
        // The trace and comparison pages keep their one data element and no overview.
        let page = HTMLReport(comparing: [(Traces.known(), "a"), (Traces.pipeline(), "b")]).renderText()
        #expect(page.contains("<script type=\"application/json\" id=\"lanes-data\">"))
        #expect(!page.contains("id=\"overview\""))
        #expect(page.contains("\"top\":"))
    }

    static func count(_ needle: String, in text: String) -> Int {
        text.lowercased().ranges(of: needle.lowercased()).count
    }
}

/// A page as large as the demo's (11 scenarios × 8 runs of 3,000 spans), for the browser check's load
/// time (`tools/browser/html_check.py --demo-page .build/demo-html-check/large.html`). Runs only with
/// `LANES_WRITE_DEMO_PAGE` set.
@Suite struct HTMLScenariosLargePageTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["LANES_WRITE_DEMO_PAGE"] != nil))
    func writeLargePage() throws {
        let models = ["sequential", "threads", "thread-per-task", "dispatch", "processes", "async", "actor", "gil"]
        let scenarios = (0..<11).map { s in
            HTMLScenario(
                name: "scenario-\(s)", summary: "synthetic: 8 runs of 3,000 spans",
                runs: models.enumerated().map { m, model in
                    var trace = Traces.dense(spans: 3_000 + 10 * s + m, lanes: 2 + m)
                    trace.metadata.model = model
                    return (trace, model)
                })
        }
        // And the probe scenario of hostile text, which the browser check must show as text, and one without runs.
        let probe = HTMLScenariosTests.scenarios()[1]
        let clock = ContinuousClock()
        let started = clock.now
        let failed = HTMLScenario(name: "failed", summary: "every run failed", runs: [], failures: ["threads: boom"])
        let page = HTMLReport(scenarios: scenarios + [probe, failed], title: "Large scenario page").render()
        let elapsed = clock.now - started
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let out = root.appendingPathComponent(".build/demo-html-check")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data(page).write(to: out.appendingPathComponent("large.html"))
        print("wrote \(out.path)/large.html: \(page.count) bytes, rendered in \(elapsed)")
        #expect(page.count < 11 * 8 * 3_100 * 30)
    }
}

extension HTMLScenariosTests {
    @Test func aScenarioOfOneModelClaimsNoSpeedUp() throws {
        let one = HTMLScenario(name: "solo", summary: "one model", runs: [(Traces.pipeline(model: "async"), "async")])
        let page = HTMLReport(scenarios: [one], title: "Demo").renderText()
        let row = try #require(HTMLReportTests.between("<tr data-index=\"0\"", "</tr>", in: page))
        #expect(row.contains("<td>async</td><td>– (one model)</td>"))
    }
}
