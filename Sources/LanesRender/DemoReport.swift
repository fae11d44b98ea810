import LanesAnalysis
import LanesCore

/// The reports `lanes demo` writes after its runs: REPORT.md for GitHub and index.html for a browser,
/// from plain values (the CLI writes the files).
public struct DemoReport: Sendable {
    /// One scenario of the demo and what its runs gave.
    public struct Scenario: Sendable {
        /// The scenario's name: its section and its PNG's name (`<name>.png`).
        public var name: String
        /// What the scenario does, in a sentence.
        public var summary: String
        /// The section of the seed the scenario comes from.
        public var seedSection: String
        /// The runs that finished, in the order they ran: the trace, the model it ran under, its answer.
        public var runs: [(trace: Trace, model: String, answer: String)]
        /// The runs that failed: the model and why.
        public var failures: [(model: String, message: String)]
        /// The scenario's own notes after its runs (theoretical speed-up, peaks, …).
        public var notes: [String]

        /// A scenario with its runs, failures and notes.
        public init(
            name: String, summary: String, seedSection: String, runs: [(trace: Trace, model: String, answer: String)],
            failures: [(model: String, message: String)] = [], notes: [String] = []
        ) {
            self.name = name
            self.summary = summary
            self.seedSection = seedSection
            self.runs = runs
            self.failures = failures
            self.notes = notes
        }
    }

    /// The scenarios, in the order they ran.
    public var scenarios: [Scenario]
    /// Whether the demo ran with `--quick` (said in both reports).
    public var quick: Bool

    /// The reports of `scenarios`; `quick` when the demo ran with `--quick`.
    public init(scenarios: [Scenario], quick: Bool) {
        self.scenarios = scenarios
        self.quick = quick
    }

    /// index.html: an overview of every scenario, and each one's runs to explore.
    public func html() -> String {
        let scenarios = summaries.map { s in
            HTMLScenario(
                name: s.run.name, summary: "\(s.run.summary) (seed: \(s.run.seedSection))",
                runs: s.run.runs.map { ($0.trace, $0.model) }, notes: s.run.notes,
                failures: s.run.failures.map { "\($0.model): \($0.message)" },
                png: s.run.runs.isEmpty ? nil : "\(s.run.name).png",
                mermaid: s.comparison.map { Mermaid.speedupChart($0).text })
        }
        return HTMLReport(
            scenarios: scenarios, title: "Lanes demo: the scenario catalog under every model\(quick ? " (quick)" : "")"
        )
        .renderText()
    }

    /// REPORT.md: which model to use for each scenario, in measured numbers, then a section per
    /// scenario with its table, chart, advice, findings and Mermaid charts.
    public func markdown() -> String {
        let cores = scenarios.lazy.flatMap(\.runs).first?.trace.metadata.cores ?? 0
        var md = "# Lanes demo: the scenario catalog under every model\n\n"
        md +=
            "Measured by `lanes demo\(quick ? " --quick" : "")` on \(cores) cores: each scenario of the seed's catalog "
        md += "ran under every concurrency model it supports. Speed-ups are over `sequential`; *parallelism* is the "
        md += "time inside spans not spent waiting, over wall time (it counts threads waiting for a core, so it can "
        md += "exceed the core count); *blocked* is recorded waiting over time inside spans. "
        md += "The traces are in `traces/`: redraw any of them with `lanes report` or `lanes compare`, or ask "
        md += "`lanes advise`.\n\n"
        md += "## Which model should I use?\n\n"
        md += "| scenario | the work is | Lanes recommends | fastest measured | speed-up |\n|---|---|---|---|---:|\n"
        for s in summaries {
            let name = "[\(s.run.name)](#\(s.run.name))"
            guard let advice = s.advice, let best = s.fastest else {
                md += "| \(name) | – | – | failed | |\n"
                continue
            }
            // A recommendation that is not the measured winner says why in the same row.
            let why = advice.disagreement.map { " (\(Self.cell($0)))" } ?? ""
            let models = advice.models.prefix(2).map { "`\($0)`" }.joined(separator: ", ")
            md += "| \(name) | \(advice.workClass.rawValue) | \(models)\(why) | "
            md += "`\(best.label)` | \(formatFixed(best.speedup, 2))× |\n"
        }
        for s in summaries {
            let r = s.run
            md += "\n## \(r.name)\n\n\(Self.cell(r.summary)) (seed: \(Self.cell(r.seedSection))).\n\n"
            if let comparison = s.comparison {
                md += Self.table(comparison) + "\n"
                let costs = comparison.rows.map { "`\($0.label)` \($0.statistics.recorderCost.shareText)" }
                md += "Recorder cost, estimated from its own measurement per span: "
                md += "\(costs.joined(separator: ", ")) of wall.\n\n"
                if let note = Self.beyondTheCores(r.name, comparison, cores: cores, advice: s.advice) {
                    md += note + "\n\n"
                }
                md += "![\(r.name) under each model](\(r.name).png)\n\n"
                let answers = Set(r.runs.map(\.answer))
                md +=
                    answers.count == 1
                    ? "Answer, the same under every model: `\(Self.cell(answers.first!))`.\n"
                    : "**The models gave different answers.**\n"
                for n in r.notes { md += "- \(Self.cell(n))\n" }
                if let advice = s.advice {
                    md += "\n**Advice** (\(advice.workClass.rawValue)): \(Self.cell(advice.reason))\n"
                }
                md += Self.findings(r)
                md += "\n```mermaid\n\(Mermaid.speedupChart(comparison).text)```\n"
                if let advice = s.advice {
                    md += "\n<details><summary>The decision path for \(r.name)</summary>\n\n"
                    md += "```mermaid\n\(Mermaid.decisionFlowchart(path: advice.path))```\n\n</details>\n"
                }
            }
            for f in r.failures { md += "\n**Failed under `\(f.model)`:** \(Self.cell(f.message))\n" }
        }
        return md
    }

    /// CPU-bound work cannot run faster than the cores allow: a larger speed-up means the runs met a
    /// different machine (a neighbour's load), and the reader should know the figures vary.
    static func beyondTheCores(_ scenario: String, _ comparison: Comparison, cores: Int, advice: Advice?) -> String? {
        guard cores > 0, advice?.workClass == .cpuBound,
            let best = comparison.rows.max(by: { $0.speedup < $1.speedup }), best.speedup > Double(cores) * 1.15
        else { return nil }
        return
            "*Note:* `\(best.label)` measured \(formatFixed(best.speedup, 2))× over `sequential` on \(cores) cores for "
            + "CPU-bound work, more than \(cores) cores can give: the runs did not meet the same machine (on a busy or "
            + "shared machine single runs vary). `lanes run \(scenario)` a few times shows the spread."
    }

    /// Per scenario: its comparison, fastest run and advice, computed once for both files.
    var summaries: [(run: Scenario, comparison: Comparison?, fastest: Comparison.Row?, advice: Advice?)] {
        scenarios.map { r in
            guard !r.runs.isEmpty else { return (r, nil, nil, nil) }
            let traces = r.runs.map(\.trace)
            let comparison = Comparison(traces)
            return (r, comparison, comparison.winner.map { comparison.rows[$0] }, Advice(comparing: traces))
        }
    }

    static func table(_ comparison: Comparison) -> String {
        var md =
            "| model | wall | speed-up | CPU use | parallelism | blocked (top reason) |\n|---|---:|---:|---:|---:|---|\n"
        for row in comparison.rows {
            let st = row.statistics
            let cpu = st.cpuUtilisation.map { TraceStatistics.percent($0) } ?? "–"
            let blocked =
                st.blockedShares.first.map { "\(TraceStatistics.percent(st.blockedShare)) (\($0.reason))" } ?? "none"
            md += "| `\(row.label)` | \(formatDuration(st.wall)) | \(formatFixed(row.speedup, 2))× | \(cpu) | "
            md += "\(TraceStatistics.decimal(st.averageParallelism)) | \(blocked) |\n"
        }
        return md
    }

    /// The warnings and worse that the analysis found in each run.
    static func findings(_ r: Scenario) -> String {
        var lines: [String] = []
        for run in r.runs {
            for f in Analysis(run.trace).findings where f.severity >= .warning {
                lines.append("- `\(run.model)` — **\(f.severity)**: \(cell(f.title)). \(cell(f.lesson))")
            }
        }
        return lines.isEmpty ? "" : "\n**Findings:**\n\n" + lines.joined(separator: "\n") + "\n"
    }

    /// Text safe inside a Markdown table cell.
    static func cell(_ s: String) -> String {
        s.replacing("|", with: "\\|").replacing("\n", with: " ")
    }
}
