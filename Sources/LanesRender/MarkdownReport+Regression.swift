import LanesAnalysis
import LanesCore

extension MarkdownReport {
    /// Baseline runs against candidate runs of the same workloads, matched by name (the model, or
    /// the file name), each side possibly repeated to show its noise.
    public struct Regression: Hashable, Sendable {
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
    }

    /// The median of `values` (the mean of the middle two for an even count); 0 when empty.
    static func median(_ values: [Nanoseconds]) -> Double {
        let v = values.sorted()
        guard !v.isEmpty else { return 0 }
        return v.count % 2 == 1 ? Double(v[v.count / 2]) : (Double(v[v.count / 2 - 1]) + Double(v[v.count / 2])) / 2
    }

    /// Compares median wall times. A row is a regression when the candidate is slower than the
    /// baseline by more than `threshold` and by more than the noise of repeated runs.
    public static func regression(
        baseline: [(trace: Trace, name: String)], candidate: [(trace: Trace, name: String)], threshold: Double = 0.10
    ) -> Regression {
        var order: [String] = []
        var base: [String: [Nanoseconds]] = [:], cand: [String: [Nanoseconds]] = [:]
        for (t, name) in baseline {
            if base[name] == nil, cand[name] == nil { order.append(name) }
            base[name, default: []].append(Builder.timeRange(of: t).map { $0.upperBound - $0.lowerBound } ?? 0)
        }
        for (t, name) in candidate {
            if base[name] == nil, cand[name] == nil { order.append(name) }
            cand[name, default: []].append(Builder.timeRange(of: t).map { $0.upperBound - $0.lowerBound } ?? 0)
        }
        func spread(_ v: [Nanoseconds]) -> Double? {
            guard v.count >= 2, let lo = v.min(), let hi = v.max(), median(v) > 0 else { return nil }
            return Double(hi - lo) / median(v)
        }
        var rows: [Regression.Row] = []
        for name in order {
            let b = base[name] ?? [], c = cand[name] ?? []
            var row = Regression.Row(
                name: name, baseline: b, candidate: c, change: nil, noise: nil, verdict: .unchanged)
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
        md +=
            regressions.isEmpty
            ? "**No regression** beyond \(TraceStatistics.percent(r.threshold)).\n\n"
            : "**\(regressions.count) regression\(regressions.count == 1 ? "" : "s")** beyond \(TraceStatistics.percent(r.threshold)): "
                + regressions.map { MermaidText.markdownCell($0.name) }.joined(separator: ", ") + ".\n\n"
        md +=
            "| run | baseline wall | candidate wall | change | noise (spread) | verdict |\n|---|--:|--:|--:|--:|---|\n"
        for row in r.rows {
            md += "| \(MermaidText.markdownCell(row.name)) | \(side(row.baseline)) | \(side(row.candidate)) | "
            md += "\(row.change.map(pct) ?? "—") | \(row.noise.map(TraceStatistics.percent) ?? "—") | "
            md += "\(row.verdict == .regression ? "**regression**" : row.verdict.rawValue) |\n"
        }
        md += "\nChange: candidate median wall time ÷ baseline median − 1. Noise: the larger (max − min) ÷ median of a "
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
