import LanesAnalysis
import LanesCore
import LanesSupport

/// A self-contained HTML page to explore one trace, or to compare several runs: an interactive
/// canvas timeline (zoom, pan, measure, hover, pin, search), statistics, blocked time, the
/// comparison table, the PNG chart, the Mermaid text and the findings.
///
/// The page makes no network request: all CSS and JavaScript are inline, the data is embedded, and
/// a Content-Security-Policy allows only the page's own script and style (by hash) and `data:`
/// images. Every string from a trace is escaped. The same runs and options give the same bytes.
public struct HTMLReport: Sendable {
    /// The runs shown; several runs share one time scale (relative to each run's start).
    public var runs: [(trace: Trace, name: String)]
    /// Grouping, theme and title, as for the PNG (width, height and the time window are the page's own).
    public var options: ChartOptions
    /// The PNG chart of the same trace(s), shown as an image; nil for none.
    public var png: [UInt8]?
    /// Mermaid text to show with a copy button; nil for none.
    public var mermaid: String?
    /// Findings per run (same order as ``runs``); nil to compute them with ``Analysis``.
    public var findings: [[Finding]]?
    /// The scenarios of a multi-scenario page (``init(scenarios:title:options:)``); nil for a page of
    /// ``runs``.
    public var scenarios: [HTMLScenario]?

    /// The page of one trace.
    public init(trace: Trace, options: ChartOptions = ChartOptions(), png: [UInt8]? = nil, mermaid: String? = nil) {
        self.runs = [(trace, "")]
        self.options = options
        self.png = png
        self.mermaid = mermaid
    }

    /// The page comparing several runs of one workload; the `sequential` run (else the first) is the baseline.
    public init(
        comparing runs: [(trace: Trace, name: String)], options: ChartOptions = ChartOptions(), png: [UInt8]? = nil,
        mermaid: String? = nil
    ) {
        self.runs = runs
        self.options = options
        self.png = png
        self.mermaid = mermaid
    }

    /// The page as UTF-8 bytes.
    public func render() -> [UInt8] { Array(renderText().utf8) }

    /// The page as text.
    public func renderText() -> String {
        if let scenarios { return Self.scenarioPage(scenarios, options: options) }
        let comparing = runs.count > 1
        var data = JSONWriter()
        data.open()
        let total = Self.writeRuns(
            &data, runs, options: options, findings: findings,
            comparison: comparing ? Comparison(runs.map(\.trace)) : nil)
        data.close()

        let title = NameBound.cut(
            options.title
                ?? (comparing
                    ? "Comparison\(runs.compactMap { $0.trace.metadata.scenario }.first.map { ": \($0)" } ?? "") — \(runs.count) runs"
                    : Builder.title(of: runs.first?.trace.metadata ?? Metadata())),
            NameBound.prose)
        let subtitle = NameBound.cut(
            comparing
                ? runs.map { NameBound.cut($0.name, NameBound.cell) }.joined(separator: " · ")
                    + " · one time scale for all runs"
                : Builder.subtitle(of: runs.first?.trace.metadata ?? Metadata()), NameBound.prose)
        let style = Self.themeStyle(options.theme) + Self.style
        let script = Self.script
        var page = Self.head(title: title, style: style, script: script)
        page += "<header>\n<h1 id=\"title\">\(Self.escape(title))</h1>\n<p class=\"sub\">\(Self.escape(subtitle))</p>\n"
        page += "<p id=\"span-count\" data-count=\"\(total)\">\(total) spans</p>\n</header>\n"
        page += Self.body(hasPNG: png != nil, comparing: comparing)
        if let png {
            page += "<details class=\"panel\" id=\"png-panel\"><summary>Chart (PNG)</summary>"
            page +=
                "<img id=\"png\" alt=\"The PNG chart of the same trace\" src=\"data:image/png;base64,\(Base64.encode(png))\">"
            page += "</details>\n"
        }
        page += "<details class=\"panel\" id=\"mermaid-panel\" open><summary>Mermaid</summary>"
        if let mermaid {
            page +=
                "<button id=\"copy-mermaid\" type=\"button\">Copy</button><pre id=\"mermaid\">\(Self.escape(mermaid))</pre>"
        } else {
            page += "<p class=\"empty\">No Mermaid text was generated for this report.</p>"
        }
        page += "</details>\n"
        page += PageContract.element
        page += "<script type=\"application/json\" id=\"lanes-data\">\(data.text)</script>\n"
        page += "<script>\(script)</script>\n</body>\n</html>\n"
        return page
    }

    /// The members of the data object the script shows: `theme`, `runs`, `view`, `spanCount` and, given a
    /// comparison of the runs, `comparison` (the per-model table). Returns the number of spans written.
    static func writeRuns(
        _ data: inout JSONWriter, _ runs: [(trace: Trace, name: String)], options: ChartOptions, findings: [[Finding]]?,
        comparison: Comparison?
    ) -> Int {
        data.key("theme")
        data.string(options.theme.rawValue)
        data.key("runs")
        var total = 0
        // Several runs are one chart (as the PNG draws them): one legend, so one assignment of colours,
        // computed by the Timeline as the PNG's is (the same colours for the same chart and window).
        let timelines = runs.map {
            Timeline(
                $0.trace, grouping: options.groupBy, depthLimit: options.depthLimit, from: options.from, to: options.to)
        }
        let legend = Timeline.Legend(timelines)
        data.array(Array(runs.indices)) { j, i in
            let findings = findings.map { i < $0.count ? $0[i] : [] } ?? Analysis(runs[i].trace).findings
            let run = HTMLRunData(
                trace: runs[i].trace, timeline: timelines[i], name: comparison != nil ? runs[i].name : nil,
                options: options, findings: findings, colors: legend.colors)
            total += run.spanCount
            j.raw(run.json)
        }
        // The legend: the names with the most time in the initial view, their colours and shares, and the notes.
        data.key("legend")
        data.open()
        data.key("names")
        data.strings(legend.shown.map { NameBound.cut($0.name, NameBound.cell) })
        data.key("colors")
        data.strings(legend.shown.map(\.color.description))
        data.key("shares")
        data.numbers(legend.shown.map { ($0.share * 1000).rounded() / 1000 })
        data.key("notes")
        data.strings(legend.notes)
        data.close()
        // The initial view: the chart options' time window, else everything.
        data.key("view")
        data.numbers([Double(options.from ?? 0), options.to.map { Double($0) } ?? -1])
        data.key("spanCount")
        data.number(total)
        guard let comparison else { return total }
        data.key("comparison")
        data.open()
        data.key("baseline")
        data.number(comparison.baseline)
        data.key("rows")
        data.array(Array(comparison.rows.indices)) { j, i in
            let row = comparison.rows[i]
            let st = row.statistics
            j.open()
            j.key("label")
            j.string(NameBound.cut(runs[i].name.isEmpty ? row.label : runs[i].name, NameBound.cell))
            j.key("wall")
            j.number(st.wall)
            j.key("speedup")
            j.number(row.speedup)
            j.key("efficiency")
            j.number(row.efficiency)
            j.key("cpu")
            j.number(st.cpuUtilisation ?? -1)
            j.key("parallelism")
            j.number(st.averageParallelism)
            j.key("blocked")
            j.number(st.blockedShare)
            j.key("top")
            j.stringOrNull(st.blockedShares.first.map { $0.reason.description })
            j.key("spans")
            j.number(st.spanCount)
            j.close()
        }
        data.close()
        return total
    }

    /// The head of the page up to `<body>`: charset, the CSP allowing exactly this script and style, title.
    static func head(title: String, style: String, script: String) -> String {
        var page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        page +=
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src '\(Self.hash(script))'; "
            + "style-src '\(Self.hash(style))'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
        page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        page += "<meta name=\"generator\" content=\"lanes\">\n"
        page += "<title>\(Self.escape(title))</title>\n<style>\(style)</style>\n</head>\n<body>\n"
        return page
    }

    /// The toolbar over the timeline, the timeline, the pinned details and the legend.
    static let timeline = """
        <div id="toolbar">
        <input id="search" type="search" placeholder="Search span names" aria-label="Search span names">
        <span id="match-count"></span>
        <button id="zoom-in" type="button" title="Zoom in (+ or w)">+</button>
        <button id="zoom-out" type="button" title="Zoom out (- or s)">−</button>
        <button id="zoom-reset" type="button" title="Show everything (0)">All</button>
        <span id="range"></span>
        <span class="hint">wheel: zoom · drag: pan · shift-drag: measure · click: pin · ←→ a d: pan · + − w s: zoom · 0: all</span>
        </div>
        <div id="timeline-box"><div id="timeline"><canvas id="chart" tabindex="0"></canvas><div id="spacer"></div></div><div id="tooltip" hidden></div></div>
        <div id="pinned" hidden></div>
        <div id="legend"></div>

        """

    /// The fixed part of the body: toolbar, timeline and panels the script fills.
    static func body(hasPNG: Bool, comparing: Bool) -> String {
        var s = timeline
        s += "<details class=\"panel\" open><summary>Summary</summary><div id=\"summary\"></div></details>\n"
        if comparing {
            s += "<details class=\"panel\" open><summary>Comparison</summary><div id=\"comparison\"></div></details>\n"
        }
        s += "<details class=\"panel\" open><summary>Findings</summary><div id=\"findings\"></div></details>\n"
        s +=
            "<details class=\"panel\" open><summary>Blocked time by reason</summary><div id=\"blocked\"></div></details>\n"
        s +=
            "<details class=\"panel\" open><summary>Statistics per lane</summary><div id=\"stats-lane\"></div></details>\n"
        s +=
            "<details class=\"panel\" open><summary>Statistics per span name</summary><div id=\"stats-name\"></div></details>\n"
        return s
    }

    /// `&`, `<`, `>`, `"` and `'` as entities: safe in text and in quoted attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A CSP source expression for an inline element's exact text.
    static func hash(_ text: String) -> String {
        "sha256-" + Base64.encode(SHA256.digest(Array(text.utf8)))
    }

    /// The theme's neutrals and the wait and CPU colours, as CSS variables (the same as the PNG's).
    static func themeStyle(_ theme: ChartOptions.Theme) -> String {
        let c = Palette.colors(for: theme)
        var s = ":root{--bg:\(c.background);--text:\(c.text);--text2:\(c.secondaryText);--grid:\(c.grid);"
        s += "--stripe:\(c.rowStripe);--group:\(c.groupBackground);--flow:\(c.flow);"
        s += "--cpu-run:\(Palette.cpuRunning);--cpu-rq:\(Palette.cpuRunQueue);--cpu-blk:\(Palette.cpuBlocked);"
        s += "--counter:\(Palette.counter);"
        for r in WaitReason.allCases {
            let (color, hatch) = Palette.wait(r)
            s += "--wait-\(r):\(color);--waitbg-\(r):\(Palette.waitBackground(r));--hatch-\(r):\(hatch);"
        }
        return s + "}\n"
    }
}

extension HTMLReport {
    /// The CSP source expression of an inline element's text (test hook).
    package static func cspHash(_ text: String) -> String { hash(text) }
    /// A string as the page's JSON writes it (test hook).
    package static func jsonQuoted(_ text: String) -> String { LanesSupport.jsonQuoted(text) }
    /// The JSON object of one run as the page embeds it (test hook).
    package static func runJSON(_ trace: Trace, options: ChartOptions = ChartOptions()) -> String {
        HTMLRunData(
            trace: trace,
            timeline: Timeline(
                trace, grouping: options.groupBy, depthLimit: options.depthLimit, from: options.from, to: options.to),
            name: nil, options: options, findings: []
        ).json
    }
}
