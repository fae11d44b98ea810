import LanesAnalysis
import LanesCore

/// Markdown for pull requests: summary tables, the Mermaid diagrams in fenced blocks (GitHub draws
/// them), the PNG by relative path and the findings, within GitHub's comment limit.
public enum MarkdownReport {
    /// One trace: statistics, timeline, lock hand-offs, findings and the decision flowchart.
    ///
    /// - Parameters:
    ///   - analysis: findings and advice; statistics come from it too.
    ///   - png: a path to the PNG chart, relative to where the Markdown will be read; nil for none.
    ///   - gantt: options for the timeline; its budget (UTF-16 code units) is lowered when the whole
    ///     report would not fit in one GitHub comment.
    ///   - lock: the lock whose hand-offs are drawn; nil for the one waited on longest.
    public static func trace(
        _ trace: Trace, analysis: Analysis, png: String? = nil, gantt: Mermaid.GanttOptions = Mermaid.GanttOptions(),
        lock: Mermaid.LockSelector? = nil, handoffLimit: Int = 30
    ) -> String {
        var options = gantt
        while true {
            let text = build(
                trace, analysis: analysis, png: png, gantt: options, lock: lock, handoffLimit: handoffLimit)
            let length = text.utf16.count
            if length <= Mermaid.maxCommentCharacters || options.maxCharacters <= 4_000 { return text }
            options.maxCharacters = max(
                4_000, options.maxCharacters - (length - Mermaid.maxCommentCharacters) - 2_000)
        }
    }

    static func build(
        _ trace: Trace, analysis: Analysis, png: String?, gantt options: Mermaid.GanttOptions,
        lock chosen: Mermaid.LockSelector?, handoffLimit: Int
    ) -> String {
        let title = options.title ?? Builder.title(of: trace.metadata)
        var md = "## Lanes: \(MermaidText.markdownCell(title))\n\n"
        md += "\(MermaidText.markdownCell(Builder.subtitle(of: trace.metadata)))\n\n"
        md += summaryTable([(trace.metadata.model ?? "this run", analysis.statistics, nil)])
        md += "\nRecorder cost: \(MermaidText.markdownCell(analysis.statistics.recorderCost.text)).\n"
        if let png { md += "\n![Timeline of \(MermaidText.markdownCell(title))](\(linkTarget(png)))\n" }

        let gantt = Mermaid.gantt(of: trace, options: options)
        md += "\n### Timeline\n\n" + fenced(gantt.text)
        if gantt.text.contains(":crit, ") { md += "- red bars: spans that spent more than half their time waiting\n" }
        for n in gantt.notes { md += "- \(MermaidText.markdownCell(n))\n" }

        if let lock = chosen ?? Mermaid.busiestLock(in: trace) {
            let seq = Mermaid.lockHandoffs(of: trace, lock: lock, limit: handoffLimit, groupBy: options.groupBy)
            md += "\n### Hand-offs of \(MermaidText.markdownCell(lock.description))\n\n" + fenced(seq.text)
        }

        md += "\n### Findings\n\n"
        if analysis.findings.isEmpty {
            md += "none\n"
        } else {
            for f in analysis.findings {
                md +=
                    "- **\(f.severity)** · \(MermaidText.markdownCell(f.title)): \(MermaidText.markdownCell(f.evidence))"
                if !f.lesson.isEmpty { md += " — \(MermaidText.markdownCell(f.lesson))" }
                md += "\n"
            }
        }

        md += "\n### Which model\n\n"
        let advice = analysis.advice
        if !advice.models.isEmpty {
            md +=
                "Recommended: \(advice.models.map { "`\(MermaidText.markdownCell($0.rawValue))`" }.joined(separator: ", ")) "
            md += "(\(advice.workClass.rawValue)"
            if advice.peakConcurrency > 0 { md += ", up to \(advice.peakConcurrency) at once" }
            md += ").\n"
        }
        if !advice.reason.isEmpty { md += "\(MermaidText.markdownCell(advice.reason))\n" }
        md += "\n" + fenced(Mermaid.decisionFlowchart(path: advice.path))
        return md
    }

    /// Several runs compared: the summary table with speed-ups and the wall-time and speed-up charts.
    public static func comparison(_ runs: [(trace: Trace, name: String)], pngs: [String] = []) -> String {
        let comparison = Comparison(runs.map(\.trace))
        var md = "## Lanes: comparison of \(runs.count) runs\n\n"
        md += summaryTable(
            zip(runs, comparison.rows).map { run, row in (run.name, row.statistics, row.speedup) })
        var named = comparison
        for i in named.rows.indices where i < runs.count { named.rows[i].label = runs[i].name }
        md += "\n" + fenced(Mermaid.wallTimeChart(named).text) + "\n" + fenced(Mermaid.speedupChart(named).text)
        for png in pngs { md += "\n![Comparison](\(linkTarget(png)))\n" }
        return md
    }

    /// The summary table: wall, speed-up, CPU utilisation, average parallelism, blocked share with
    /// its top reason.
    static func summaryTable(_ rows: [(name: String, statistics: TraceStatistics, speedup: Double?)]) -> String {
        var md = "| run | wall | speed-up | CPU utilisation | avg parallelism | blocked (top reason) |\n"
        md += "|---|--:|--:|--:|--:|---|\n"
        for r in rows {
            let st = r.statistics
            let speedup = r.speedup.map { "\(TraceStatistics.decimal($0))×" } ?? "—"
            let cpu = st.cpuUtilisation.map(TraceStatistics.percent) ?? "not recorded"
            var blocked = "none"
            if let top = st.blockedShares.first, st.busy > 0 {
                blocked = "\(TraceStatistics.percent(Double(st.blocked) / Double(st.busy))) (\(top.reason))"
            }
            md += "| \(MermaidText.markdownCell(r.name)) | \(formatDuration(st.wall)) | \(speedup) | \(cpu) | "
            md += "\(TraceStatistics.decimal(st.averageParallelism)) | \(blocked) |\n"
        }
        return md
    }

    static func fenced(_ diagram: String) -> String { "```mermaid\n\(diagram)```\n" }

    /// A relative path as a Markdown link target: spaces and parentheses encoded.
    static func linkTarget(_ path: String) -> String {
        var out = ""
        for ch in path {
            switch ch {
            case " ": out += "%20"
            case "(": out += "%28"
            case ")": out += "%29"
            case "<": out += "%3C"
            case ">": out += "%3E"
            default: out.append(ch)
            }
        }
        return out
    }
}
