import LanesAnalysis
import LanesCore
import LanesSupport

/// One scenario of a multi-scenario page (``HTMLReport/init(scenarios:title:options:)``): its runs under
/// several models, what it is, and the files beside the page that show it.
public struct HTMLScenario: Sendable {
    /// The scenario's name: its row in the overview and its address on the page (`index.html#name`).
    public var name: String
    /// What the scenario does, in a sentence.
    public var summary: String
    /// Its runs, one per model, on one time scale; the `sequential` run (else the first) is the baseline.
    public var runs: [(trace: Trace, name: String)]
    /// Notes shown with the advice (the theoretical speed-up, peaks, answers, …).
    public var notes: [String]
    /// Runs that failed, a line each (`"threads: the worker crashed"`), shown above the notes.
    public var failures: [String]
    /// The path of the scenario's PNG chart relative to the page (`"cpu-primes.png"`): linked, not embedded.
    public var png: String?
    /// Mermaid text to show with a copy button; nil for none.
    public var mermaid: String?

    /// A scenario with its runs (each named by its model) and, optionally, notes, failures and files.
    public init(
        name: String, summary: String, runs: [(trace: Trace, name: String)], notes: [String] = [],
        failures: [String] = [], png: String? = nil, mermaid: String? = nil
    ) {
        self.name = name
        self.summary = summary
        self.runs = runs
        self.notes = notes
        self.failures = failures
        self.png = png
        self.mermaid = mermaid
    }
}

extension HTMLReport {
    /// One page for many scenarios, as `lanes demo` writes it: an overview table with a row per scenario
    /// (fastest model and its speed-up, work class, recommended models, findings), and the selected
    /// scenario's comparison timeline, per-model table, statistics, findings, advice, notes, PNG link and
    /// Mermaid text. Each scenario's data is embedded on its own and decoded when first selected; the
    /// address's fragment (`#name`) selects a scenario, so a reload or a shared link shows the same one.
    /// Same scenarios and options give the same bytes.
    ///
    /// - Parameters:
    ///   - scenarios: The scenarios, in the overview's order; the first is shown when the address names none.
    ///   - title: The page's heading.
    ///   - options: Grouping and theme for every timeline (the title is `title`).
    public init(scenarios: [HTMLScenario], title: String, options: ChartOptions = ChartOptions()) {
        var options = options
        options.title = title
        self.runs = []
        self.options = options
        self.scenarios = scenarios
    }

    /// What the overview says about one scenario, and its embedded data.
    private struct ScenarioSummary {
        var fastest = "–"
        var speedup = "–"
        var workClass = "–"
        var recommended = "–"
        var findings = 0
        var severity: Severity?
        var spans = 0
        var data = ""
    }

    static func scenarioPage(_ scenarios: [HTMLScenario], options: ChartOptions) -> String {
        let title = options.title ?? "Lanes scenarios"
        var runOptions = options
        runOptions.title = nil
        let summaries = scenarios.map { Self.summarize($0, options: runOptions) }

        let style = Self.themeStyle(options.theme) + Self.style + Self.scenarioStyle
        let script = Self.script
        var page = Self.head(title: title, style: style, script: script)
        let runCount = scenarios.reduce(0) { $0 + $1.runs.count }
        let firstSpans = summaries.first?.spans ?? 0
        page += "<header>\n<h1 id=\"title\">\(Self.escape(title))</h1>\n"
        page += "<p class=\"sub\">\(scenarios.count) scenario\(scenarios.count == 1 ? "" : "s") · \(runCount) run"
        page += "\(runCount == 1 ? "" : "s") · select a row to explore a scenario; the address remembers it</p>\n"
        page += "<p id=\"span-count\" data-count=\"\(firstSpans)\">\(firstSpans) spans</p>\n</header>\n"

        page += "<section id=\"overview\">\n<table>\n<thead><tr><th>scenario</th><th>fastest model</th>"
        page += "<th>speed-up</th><th>work class</th><th>recommended</th><th>findings</th><th>runs</th>"
        page += "<th>spans</th></tr></thead>\n<tbody>\n"
        for (i, (scenario, s)) in zip(scenarios, summaries).enumerated() {
            let name = Self.escape(scenario.name)
            page += "<tr data-index=\"\(i)\" data-name=\"\(name)\" data-spans=\"\(s.spans)\">"
            page += "<td title=\"\(Self.escape(scenario.summary))\"><a href=\"#\(Self.percentEncoded(scenario.name))\">"
            page += "\(name)</a></td><td>\(Self.escape(s.fastest))</td><td>\(Self.escape(s.speedup))</td>"
            page += "<td>\(Self.escape(s.workClass))</td><td>\(Self.escape(s.recommended))</td>"
            page += "<td\(s.severity.map { " class=\"\($0)\"" } ?? "")>\(s.findings)</td>"
            page += "<td>\(scenario.runs.count)</td><td>\(s.spans)</td></tr>\n"
        }
        page += "</tbody>\n</table>\n</section>\n"

        page += """
            <section id="scenario">
            <h2 id="scenario-name"></h2>
            <p id="scenario-summary" class="sub"></p>
            <div id="advice"></div>
            <ul id="notes" hidden></ul>
            <p id="png-link" hidden></p>

            """
        page += Self.timeline
        page += "<details class=\"panel\" open><summary>Comparison</summary><div id=\"comparison\"></div></details>\n"
        page += "<details class=\"panel\" open><summary>Findings</summary><div id=\"findings\"></div></details>\n"
        page += "<details class=\"panel\" open><summary>Statistics</summary><div id=\"summary\"></div></details>\n"
        page +=
            "<details class=\"panel\" open><summary>Blocked time by reason</summary><div id=\"blocked\"></div></details>\n"
        page +=
            "<details class=\"panel\"><summary>Statistics per lane</summary><div id=\"stats-lane\"></div></details>\n"
        page +=
            "<details class=\"panel\"><summary>Statistics per span name</summary><div id=\"stats-name\"></div></details>\n"
        page += "<details class=\"panel\" id=\"mermaid-panel\" open><summary>Mermaid</summary>"
        page += "<button id=\"copy-mermaid\" type=\"button\">Copy</button><pre id=\"mermaid\"></pre>"
        page += "<p class=\"empty\" id=\"mermaid-empty\" hidden>No Mermaid text for this scenario.</p></details>\n"
        page += "</section>\n"
        for (i, s) in summaries.enumerated() {
            page += "<script type=\"application/json\" id=\"lanes-scenario-\(i)\">\(s.data)</script>\n"
        }
        page += PageContract.element
        page += "<script>\(script)</script>\n</body>\n</html>\n"
        return page
    }

    private static func summarize(_ scenario: HTMLScenario, options: ChartOptions) -> ScenarioSummary {
        let runs = scenario.runs
        let traces = runs.map(\.trace)
        let analyses = traces.map { Analysis($0) }
        let comparison = Comparison(traces)
        let advice = traces.isEmpty ? nil : Advice(comparing: traces)
        func label(_ i: Int) -> String { runs[i].name.isEmpty ? comparison.rows[i].label : runs[i].name }

        var s = ScenarioSummary()
        if let w = comparison.winner {
            s.fastest = label(w)
            if runs.count < 2 {
                s.speedup = "– (one model)"
            } else {
                s.speedup = TraceStatistics.decimal(comparison.rows[w].speedup) + "×"
                let base = label(comparison.baseline)
                if base != "sequential" { s.speedup += " over \(base)" }
            }
        }
        if let advice {
            s.workClass = advice.workClass.rawValue
            s.recommended = advice.models.isEmpty ? "–" : advice.models.map(\.rawValue).joined(separator: ", ")
        }
        s.findings = analyses.reduce(0) { $0 + $1.findings.count }
        s.severity = analyses.flatMap { $0.findings.map(\.severity) }.max()

        var j = JSONWriter()
        j.open()
        s.spans = Self.writeRuns(
            &j, runs, options: options, findings: analyses.map(\.findings), comparison: comparison)
        j.key("scenario")
        j.open()
        j.key("name")
        j.string(scenario.name)
        j.key("summary")
        j.string(scenario.summary)
        j.key("notes")
        j.strings(scenario.notes)
        j.key("failures")
        j.strings(scenario.failures)
        j.key("png")
        j.stringOrNull(scenario.png.map { Self.percentEncoded($0, keepingSlashes: true) })
        j.key("pngName")
        j.stringOrNull(scenario.png)
        j.key("mermaid")
        j.stringOrNull(scenario.mermaid)
        j.key("advice")
        if let advice {
            j.open()
            j.key("workClass")
            j.string(advice.workClass.rawValue)
            j.key("models")
            j.strings(advice.models.map(\.rawValue))
            j.key("reason")
            j.string(advice.reason)
            j.key("path")
            j.strings(advice.path.map(\.rawValue))
            j.key("winner")
            j.stringOrNull(advice.winner)
            j.close()
        } else {
            j.stringOrNull(nil)
        }
        j.close()
        j.close()
        s.data = j.text
        return s
    }

    /// `text` with every byte but letters, digits and `-._~` (and `/` when kept) as `%XX`: safe as a URL
    /// fragment or a relative path (a `javascript:` prefix becomes the harmless path `javascript%3A`).
    static func percentEncoded(_ text: String, keepingSlashes: Bool = false) -> String {
        let hex = Array("0123456789ABCDEF".unicodeScalars)
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: "/") where keepingSlashes:
                out += "/"
            default:
                out += "%"
                out.unicodeScalars.append(hex[Int(b >> 4)])
                out.unicodeScalars.append(hex[Int(b & 15)])
            }
        }
        return out
    }

    /// The scenario page's own CSS, after ``style``: `Page/scenarios.css`, embedded at build time, and a newline.
    static let scenarioStyle = PageFiles.scenariosCSS + "\n"
}

extension HTMLReport {
    /// `text` percent-encoded as the scenario page's fragments and PNG links are (test hook).
    package static func _percentEncoded(_ text: String, keepingSlashes: Bool = false) -> String {
        percentEncoded(text, keepingSlashes: keepingSlashes)
    }
}
