import LanesAnalysis
import LanesCore

extension MarkdownReport {
    /// Baseline runs against candidate runs of the same workloads, matched by scenario and model,
    /// each side possibly repeated to show its noise. A workload on one side only is reported as
    /// not compared, never compared with another workload.
    public struct Regression: Hashable, Sendable {
        /// What runs are matched by: the scenario and the model they ran.
        public struct Workload: Hashable, Sendable, CustomStringConvertible {
            /// The scenario; nil when neither the metadata nor the run's name gives one.
            public var scenario: String?
            public var model: String

            public init(scenario: String?, model: String) {
                self.scenario = scenario
                self.model = model
            }

            /// The scenario and model of the trace's metadata. `name` (the file name without its
            /// extension, or any label) stands in for what is missing: the model when the metadata
            /// has none, else the scenario when the metadata has a model but no scenario (so runs
            /// of different programs under one model are not taken for repeats), unless it is
            /// the model's name itself.
            public init(_ trace: Trace, name: String) {
                func given(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
                if let model = given(trace.metadata.model) {
                    self.model = model
                    scenario = given(trace.metadata.scenario) ?? (name.isEmpty || name == model ? nil : name)
                } else {
                    model = name
                    scenario = given(trace.metadata.scenario)
                }
            }

            /// "scenario · model", or the model alone.
            public var description: String { scenario.map { "\($0) · \(model)" } ?? model }
        }

        /// What a row's change means.
        public enum Verdict: String, Hashable, Sendable {
            /// Slower by more than the threshold and more than the noise.
            case regression
            /// Faster by more than the threshold and more than the noise.
            case improvement
            /// Changed by more than the threshold, but no more than the runs vary among themselves.
            case withinNoise = "within noise"
            /// Changed by no more than the threshold.
            case unchanged
            /// Only in the baseline.
            case baselineOnly = "baseline only"
            /// Only in the candidate.
            case candidateOnly = "candidate only"
        }

        public struct Row: Hashable, Sendable {
            public var workload: Workload
            /// The workload as the report names it: the model alone when every row has the same
            /// scenario, else "scenario · model".
            public var name: String
            /// Wall time of each run.
            public var baseline: [Nanoseconds]
            public var candidate: [Nanoseconds]
            /// Candidate median ÷ baseline median − 1: 0.12 is 12% slower; nil when a side is missing.
            public var change: Double?
            /// The larger spread, (max − min) ÷ median, of a side with two runs or more; nil without repeats.
            public var noise: Double?
            public var verdict: Verdict
        }

        public var rows: [Row]
        /// The slowdown that counts as a regression, as a fraction (0.1 for 10%).
        public var threshold: Double
        /// The report, Markdown.
        public var markdown: String
        /// Whether any row is a regression.
        public var regressed: Bool { rows.contains { $0.verdict == .regression } }
        /// Workloads with baseline runs but no candidate run: not compared, so not shown to be
        /// free of regressions.
        public var missing: [Row] { rows.filter { $0.verdict == .baselineOnly } }
        /// Whether the rows have more than one scenario (the report then has a scenario column).
        public var severalScenarios: Bool { Set(rows.map(\.workload.scenario)).count > 1 }
    }

    /// The median of `values` (the mean of the middle two for an even count); 0 when empty.
    static func median(_ values: [Nanoseconds]) -> Double {
        let v = values.sorted()
        guard !v.isEmpty else { return 0 }
        return v.count % 2 == 1 ? Double(v[v.count / 2]) : (Double(v[v.count / 2 - 1]) + Double(v[v.count / 2])) / 2
    }

    /// Compares median wall times of the runs of each workload (``Regression/Workload``: scenario
    /// and model). A row is a regression when the candidate is slower than the baseline by more
    /// than `threshold` and by more than the noise of repeated runs.
    ///
    /// - Parameters:
    ///   - baseline: each run's trace and name (its file name without the extension); the name
    ///     stands in for a scenario or model the metadata lacks.
    public static func regression(
        baseline: [(trace: Trace, name: String)], candidate: [(trace: Trace, name: String)], threshold: Double = 0.10
    ) -> Regression {
        typealias Workload = Regression.Workload
        var order: [Workload] = []
        var base: [Workload: [Nanoseconds]] = [:], cand: [Workload: [Nanoseconds]] = [:]
        for (t, name) in baseline {
            let w = Workload(t, name: name)
            if base[w] == nil, cand[w] == nil { order.append(w) }
            base[w, default: []].append(t.timeRange.map { $0.upperBound - $0.lowerBound } ?? 0)
        }
        for (t, name) in candidate {
            let w = Workload(t, name: name)
            if base[w] == nil, cand[w] == nil { order.append(w) }
            cand[w, default: []].append(t.timeRange.map { $0.upperBound - $0.lowerBound } ?? 0)
        }
        let severalScenarios = Set(order.map(\.scenario)).count > 1
        func spread(_ v: [Nanoseconds]) -> Double? {
            guard v.count >= 2, let lo = v.min(), let hi = v.max(), median(v) > 0 else { return nil }
            return Double(hi - lo) / median(v)
        }
        var rows: [Regression.Row] = []
        for w in order {
            let b = base[w] ?? [], c = cand[w] ?? []
            var row = Regression.Row(
                workload: w, name: severalScenarios ? w.description : w.model, baseline: b, candidate: c, change: nil,
                noise: nil, verdict: .unchanged)
            if b.isEmpty {
                row.verdict = .candidateOnly
            } else if c.isEmpty {
                row.verdict = .baselineOnly
            } else {
                let mb = median(b), mc = median(c)
                let change = mb > 0 ? mc / mb - 1 : 0
                let noise = [spread(b), spread(c)].compactMap { $0 }.max()
                row.change = change
                row.noise = noise
                if abs(change) <= threshold {
                    row.verdict = .unchanged
                } else if let noise, abs(change) <= noise {
                    row.verdict = .withinNoise
                } else {
                    row.verdict = change > 0 ? .regression : .improvement
                }
            }
            rows.append(row)
        }
        var result = Regression(rows: rows, threshold: threshold, markdown: "")
        result.markdown = regressionMarkdown(result)
        return result
    }

    static func regressionMarkdown(_ r: Regression) -> String {
        func pct(_ x: Double) -> String { (x > 0 ? "+" : "") + TraceStatistics.percent(x) }
        func side(_ v: [Nanoseconds]) -> String {
            v.isEmpty
                ? "—"
                : v.count == 1
                    ? formatDuration(v[0]) : "\(formatDuration(Nanoseconds(median(v)))) (median of \(v.count))"
        }
        var md = "## Lanes: candidate against baseline\n\n"
        let regressions = r.rows.filter { $0.verdict == .regression }
        let compared = r.rows.filter { !$0.baseline.isEmpty && !$0.candidate.isEmpty }.count
        let beyond = "beyond \(TraceStatistics.percent(r.threshold))"
        if !regressions.isEmpty {
            md += "**\(regressions.count) regression\(regressions.count == 1 ? "" : "s")** \(beyond): "
            md += regressions.map { MermaidText.markdownCell($0.name) }.joined(separator: ", ") + ".\n\n"
        } else if compared == 0 {
            md += "**Nothing compared:** no workload has both baseline and candidate runs.\n\n"
        } else if compared < r.rows.count {
            md += "**No regression** \(beyond) in the \(compared) workload\(compared == 1 ? "" : "s") compared.\n\n"
        } else {
            md += "**No regression** \(beyond).\n\n"
        }
        func names(_ rows: [Regression.Row]) -> String {
            rows.map { MermaidText.markdownCell($0.name) }.joined(separator: ", ")
        }
        let baselineOnly = r.missing, candidateOnly = r.rows.filter { $0.verdict == .candidateOnly }
        if !baselineOnly.isEmpty || !candidateOnly.isEmpty {
            var parts: [String] = []
            if !baselineOnly.isEmpty { parts.append("no candidate run for \(names(baselineOnly))") }
            if !candidateOnly.isEmpty { parts.append("no baseline run for \(names(candidateOnly))") }
            md += "**Not compared:** \(parts.joined(separator: "; ")).\n\n"
        }
        let scenarios = r.severalScenarios
        md += scenarios ? "| scenario | run " : "| run "
        md += "| baseline wall | candidate wall | change | noise (spread) | verdict |\n"
        md += scenarios ? "|---|---|--:|--:|--:|--:|---|\n" : "|---|--:|--:|--:|--:|---|\n"
        for row in r.rows {
            if scenarios {
                md += "| \(row.workload.scenario.map(MermaidText.markdownCell) ?? "—") "
                md += "| \(MermaidText.markdownCell(row.workload.model)) "
            } else {
                md += "| \(MermaidText.markdownCell(row.name)) "
            }
            md += "| \(side(row.baseline)) | \(side(row.candidate)) | "
            md += "\(row.change.map(pct) ?? "—") | \(row.noise.map(TraceStatistics.percent) ?? "—") | "
            md += "\(row.verdict == .regression ? "**regression**" : row.verdict.rawValue) |\n"
        }
        md += "\nRuns are matched by scenario and model; a workload with runs on one side only is not compared. "
        md += "Change: candidate median wall time ÷ baseline median − 1. Noise: the larger (max − min) ÷ median of a "
        md += "side with repeated runs; a change within it is not called a regression.\n"
        let both = r.rows.filter { !$0.baseline.isEmpty && !$0.candidate.isEmpty }
        if !both.isEmpty {
            let longest = both.flatMap { $0.baseline + $0.candidate }.max() ?? 0
            let (divisor, unit) = Mermaid.unit(for: longest)
            var labels: [String] = [], values: [Double] = []
            for row in both {
                labels += ["\(row.name) (base)", "\(row.name) (new)"]
                values += [median(row.baseline) / divisor, median(row.candidate) / divisor]
            }
            let chart = Mermaid.barChart(
                title: "Median wall time", labels: labels, values: values, yAxis: "wall time (\(unit))")
            md += "\n" + fenced(chart.text)
        }
        return md
    }
}
