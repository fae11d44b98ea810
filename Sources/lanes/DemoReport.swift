import LanesAnalysis
import LanesCore
import LanesRender
import LanesWorkloads

#if canImport(Glibc)
import Glibc
#endif

/// The files `lanes demo` writes after its runs: REPORT.md for GitHub and index.html for a browser.
struct DemoReport {
    let runs: [DemoRun]
    let quick: Bool

    func write(into dir: String) throws {
        try writeText(markdown(), to: "\(dir)/REPORT.md")
        try writeText(html(), to: "\(dir)/index.html")
    }

    /// index.html: an overview of every scenario, and each one's runs to explore.
    func html() -> String {
        let scenarios = summaries.map { s in
            HTMLScenario(
                name: s.run.scenario.name, summary: "\(s.run.scenario.summary) (seed: \(s.run.scenario.seedSection))",
                runs: s.run.results.map { ($0.trace, $0.model.rawValue) }, notes: s.run.notes,
                failures: s.run.failures.map { "\($0.model): \($0.message)" },
                png: s.run.results.isEmpty ? nil : "\(s.run.scenario.name).png",
                mermaid: s.comparison.map { Mermaid.speedupChart($0).text })
        }
        return HTMLReport(scenarios: scenarios, title: "Lanes demo: the scenario catalog under every model\(quick ? " (quick)" : "")")
            .renderText()
    }

    /// REPORT.md: which model to use for each scenario, in measured numbers, then a section per
    /// scenario with its table, chart, advice, findings and Mermaid charts.
    func markdown() -> String {
        let cores = runs.lazy.flatMap(\.results).first?.trace.metadata.cores ?? 0
        var md = "# Lanes demo: the scenario catalog under every model\n\n"
        md += "Measured by `lanes demo\(quick ? " --quick" : "")` on \(cores) cores: each scenario of the seed's catalog "
        md += "ran under every concurrency model it supports. Speed-ups are over `sequential`; *parallelism* is the "
        md += "time inside spans not spent waiting, over wall time (it counts threads waiting for a core, so it can "
        md += "exceed the core count); *blocked* is recorded waiting over time inside spans. "
        md += "The traces are in `traces/`: redraw any of them with `lanes report` or `lanes compare`, or ask "
        md += "`lanes advise`.\n\n"
        md += "## Which model should I use?\n\n"
        md += "| scenario | the work is | Lanes recommends | fastest measured | speed-up |\n|---|---|---|---|---:|\n"
        for s in summaries {
            let name = "[\(s.run.scenario.name)](#\(s.run.scenario.name))"
            guard let advice = s.advice, let best = s.fastest else {
                md += "| \(name) | – | – | failed | |\n"
                continue
            }
            // A recommendation that is not the measured winner says why in the same row.
            let why = advice.disagreement.map { " (\(cell($0)))" } ?? ""
            md += "| \(name) | \(advice.workClass.rawValue) | \(advice.models.prefix(2).map { "`\($0)`" }.joined(separator: ", "))\(why) | "
            md += "`\(best.label)` | \(fixed(best.speedup, 2))× |\n"
        }
        for s in summaries {
            let r = s.run
            md += "\n## \(r.scenario.name)\n\n\(cell(r.scenario.summary)) (seed: \(cell(r.scenario.seedSection))).\n\n"
            if let comparison = s.comparison {
                md += table(comparison) + "\n"
                let costs = comparison.rows.map { "`\($0.label)` \($0.statistics.recorderCost.shareText)" }
                md += "Recorder cost, estimated from its own measurement per span: \(costs.joined(separator: ", ")) of wall.\n\n"
                if let note = beyondTheCores(r.scenario.name, comparison, cores: cores, advice: s.advice) { md += note + "\n\n" }
                md += "![\(r.scenario.name) under each model](\(r.scenario.name).png)\n\n"
                let answers = Set(r.results.map(\.answer))
                md += answers.count == 1
                    ? "Answer, the same under every model: `\(cell(answers.first!))`.\n"
                    : "**The models gave different answers.**\n"
                for n in r.notes { md += "- \(cell(n))\n" }
                if let advice = s.advice {
                    md += "\n**Advice** (\(advice.workClass.rawValue)): \(cell(advice.reason))\n"
                }
                md += findings(r)
                md += "\n```mermaid\n\(Mermaid.speedupChart(comparison).text)```\n"
                if let advice = s.advice {
                    md += "\n<details><summary>The decision path for \(r.scenario.name)</summary>\n\n"
                    md += "```mermaid\n\(Mermaid.decisionFlowchart(path: advice.path))```\n\n</details>\n"
                }
            }
            for f in r.failures { md += "\n**Failed under `\(f.model)`:** \(cell(f.message))\n" }
        }
        return md
    }

    /// CPU-bound work cannot run faster than the cores allow: a larger speed-up means the runs met a
    /// different machine (a neighbour's load), and the reader should know the figures vary.
    private func beyondTheCores(_ scenario: String, _ comparison: Comparison, cores: Int, advice: Advice?) -> String? {
        guard cores > 0, advice?.workClass == .cpuBound,
            let best = comparison.rows.max(by: { $0.speedup < $1.speedup }), best.speedup > Double(cores) * 1.15
        else { return nil }
        return "*Note:* `\(best.label)` measured \(fixed(best.speedup, 2))× over `sequential` on \(cores) cores for "
            + "CPU-bound work, more than \(cores) cores can give: the runs did not meet the same machine (on a busy or "
            + "shared machine single runs vary). `lanes run \(scenario)` a few times shows the spread."
    }

    /// Per scenario: its comparison, fastest run and advice, computed once for both files.
    var summaries: [(run: DemoRun, comparison: Comparison?, fastest: Comparison.Row?, advice: Advice?)] {
        runs.map { r in
            guard !r.results.isEmpty else { return (r, nil, nil, nil) }
            let traces = r.results.map(\.trace)
            let comparison = Comparison(traces)
            return (r, comparison, comparison.winner.map { comparison.rows[$0] }, Advice(comparing: traces))
        }
    }

    private func table(_ comparison: Comparison) -> String {
        var md = "| model | wall | speed-up | CPU use | parallelism | blocked (top reason) |\n|---|---:|---:|---:|---:|---|\n"
        for row in comparison.rows {
            let st = row.statistics
            let cpu = st.cpuUtilisation.map { TraceStatistics.percent($0) } ?? "–"
            let blocked = st.blockedShares.first.map { "\(TraceStatistics.percent(st.blockedShare)) (\($0.reason))" } ?? "none"
            md += "| `\(row.label)` | \(formatDuration(st.wall)) | \(fixed(row.speedup, 2))× | \(cpu) | "
            md += "\(TraceStatistics.decimal(st.averageParallelism)) | \(blocked) |\n"
        }
        return md
    }

    /// The warnings and worse that the analysis found in each run.
    private func findings(_ r: DemoRun) -> String {
        var lines: [String] = []
        for result in r.results {
            for f in Analysis(result.trace).findings where f.severity >= .warning {
                lines.append("- `\(result.model)` — **\(f.severity)**: \(cell(f.title)). \(cell(f.lesson))")
            }
        }
        return lines.isEmpty ? "" : "\n**Findings:**\n\n" + lines.joined(separator: "\n") + "\n"
    }

    /// Text safe inside a Markdown table cell.
    private func cell(_ s: String) -> String {
        s.replacing("|", with: "\\|").replacing("\n", with: " ")
    }
}
