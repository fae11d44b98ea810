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

    func write(into dir: String, font: ChartFont) throws {
        try writeText(markdown(), to: "\(dir)/REPORT.md")
    }

    /// REPORT.md: which model wins each scenario, then a section per scenario.
    func markdown() -> String {
        let cores = runs.lazy.flatMap(\.results).first?.trace.metadata.cores ?? 0
        var md = "# Lanes demo: the scenario catalog under every model\n\n"
        md += "Measured by `lanes demo\(quick ? " --quick" : "")` on \(cores) cores. "
        md += "Each scenario ran under every model it supports; speed-ups are over `sequential`.\n\n"
        md += "## Which model should I use?\n\n"
        md += "| scenario | fastest model | speed-up | what the seed mirrors |\n|---|---|---:|---|\n"
        for r in runs {
            guard let best = fastest(r) else {
                md += "| [\(r.scenario.name)](#\(r.scenario.name)) | failed | | \(cell(r.scenario.seedSection)) |\n"
                continue
            }
            md += "| [\(r.scenario.name)](#\(r.scenario.name)) | `\(best.label)` | \(fixed(best.speedup, 2))× | \(cell(r.scenario.seedSection)) |\n"
        }
        for r in runs {
            md += "\n## \(r.scenario.name)\n\n\(r.scenario.summary) (seed: \(r.scenario.seedSection)).\n\n"
            if !r.results.isEmpty {
                md += table(r) + "\n"
                md += "![\(r.scenario.name) under each model](\(r.scenario.name).png)\n\n"
                let answers = Set(r.results.map(\.answer))
                md += answers.count == 1 ? "Answer, the same under every model: `\(answers.first!)`.\n" : "**The models gave different answers.**\n"
                for n in r.notes { md += "- \(n)\n" }
            }
            for f in r.failures { md += "\n**Failed under `\(f.model)`:** \(cell(f.message))\n" }
        }
        return md
    }

    private func fastest(_ r: DemoRun) -> Comparison.Row? {
        Comparison(r.results.map(\.trace)).rows.max { $0.speedup < $1.speedup }
    }

    private func table(_ r: DemoRun) -> String {
        let comparison = Comparison(r.results.map(\.trace))
        var md = "| model | wall | speed-up | CPU use | parallelism | blocked (top reason) |\n|---|---:|---:|---:|---:|---|\n"
        for row in comparison.rows {
            let st = row.statistics
            let cpu = st.cpuUtilisation.map { TraceStatistics.percent($0) } ?? "–"
            let blocked: String
            if let top = st.blockedShares.first, st.busy > 0 {
                blocked = "\(TraceStatistics.percent(Double(st.blocked) / Double(st.busy))) (\(top.reason))"
            } else {
                blocked = "none"
            }
            md += "| `\(row.label)` | \(formatDuration(st.wall)) | \(fixed(row.speedup, 2))× | \(cpu) | "
            md += "\(TraceStatistics.decimal(st.averageParallelism)) | \(blocked) |\n"
        }
        return md
    }

    /// Text safe inside a Markdown table cell.
    private func cell(_ s: String) -> String {
        s.replacing("|", with: "\\|").replacing("\n", with: " ")
    }
}
