import Foundation
import LanesAnalysis
import LanesCore
import Testing

@testable import LanesRender

@Suite struct MarkdownReportTests {
    @Test func traceReportHasTableDiagramsAndNoFindings() throws {
        let trace = Traces.pipeline()
        // Findings and advice fixed by hand, so the golden file does not follow the detectors.
        var analysis = Analysis(trace)
        analysis.findings = []
        analysis.advice = Advice(workClass: .mixed, peakConcurrency: 0, models: [], reason: "", path: [.start])
        let md = MarkdownReport.trace(trace, analysis: analysis, png: "charts/pipeline threads.png")
        #expect(md.hasPrefix("## Lanes: pipeline — threads\n"))
        #expect(md.contains("| run | wall | speed-up | CPU utilisation | avg parallelism | blocked (top reason) |\n"))
        let st = TraceStatistics(trace)
        #expect(md.contains("| threads | \(formatDuration(st.wall)) | — |"))
        #expect(md.contains("![Timeline of pipeline — threads](charts/pipeline%20threads.png)\n"))
        #expect(md.contains("### Findings\n\nnone\n"))
        #expect(md.contains("### Hand-offs of lock results\n"))
        let blocks = MermaidCheck.blocks(of: md)
        #expect(blocks.count == 3)
        #expect(blocks[0].contains("\ngantt\n"))
        #expect(blocks[1].hasPrefix("sequenceDiagram\n"))
        #expect(blocks[2].hasPrefix("flowchart TD\n"))
        #expect(md.utf16.count <= Mermaid.maxCommentCharacters)
        try Golden.check(md, "pipeline.report.md")
        for (i, b) in blocks.enumerated() { try MermaidCheck.write(b, "markdown-pipeline-\(i)") }
    }

    @Test func findingsAndAdviceAreRenderedWhenGiven() throws {
        let trace = Traces.known()
        var analysis = Analysis(trace)
        analysis.findings = [
            Finding(
                kind: .lockContention, severity: .warning, title: "Lock m | held 20% of the time",
                evidence: "200 µs of 1.00 ms waiting on <m>", lesson: "Hold locks briefly.")
        ]
        analysis.advice = Advice(
            workClass: .cpuBound, peakConcurrency: 2, models: [.threads, .processes],
            reason: "CPU-bound: 90% on CPU.",
            path: [.start, .bottleneck, .parallelCPU])
        let md = MarkdownReport.trace(trace, analysis: analysis)
        #expect(
            md.contains(
                "- **warning** · Lock m \\| held 20% of the time: 200 µs of 1.00 ms waiting on &lt;m&gt; — Hold locks briefly.\n"
            ))
        #expect(
            md.contains("Recommended: `threads`, `processes` (CPU-bound, up to 2 at once).\nCPU-bound: 90% on CPU.\n"))
        #expect(!md.contains("![Timeline"))
        let flow = try #require(MermaidCheck.blocks(of: md).last)
        #expect(flow.contains("    class start,bottleneck,parallelCPU taken\n"))
        try MermaidCheck.write(
            flow, "markdown-advice-flowchart",
            MermaidExpectation(classed: ["taken": ["start", "bottleneck", "parallelCPU"]]))
    }

    @Test func comparisonReport() throws {
        let runs = MermaidChartTests.runs().map { ($0, $0.metadata.model ?? "?") }
        let md = MarkdownReport.comparison(runs, pngs: ["cmp.png"])
        #expect(md.contains("| threads | 41.8 ms | 4.00× |"))
        #expect(md.contains("| async: #1; &lt;x&gt; | 2.09 ms | 80.00× |"))
        #expect(md.hasSuffix("![Comparison](cmp.png)\n"))
        let blocks = MermaidCheck.blocks(of: md)
        #expect(blocks.count == 2)
        for (i, b) in blocks.enumerated() { try MermaidCheck.write(b, "markdown-comparison-\(i)") }
    }

    /// One lane, one span of `ms` milliseconds, the given model (and scenario), named after the model.
    static func run(_ model: String, ms: Double, scenario: String? = nil) -> (trace: Trace, name: String) {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "main")
        let span = Span(id: SpanID(1), name: "work", lane: a.id, threadID: 1, start: 0, end: Nanoseconds(ms * 1e6))
        return (
            Trace(metadata: Metadata(scenario: scenario, model: model), processes: [], lanes: [a], spans: [span]),
            model
        )
    }

    @Test func regressionBeyondThresholdAndNoise() throws {
        let baseline = [
            Self.run("threads", ms: 100), Self.run("threads", ms: 102), Self.run("threads", ms: 98),
            Self.run("async", ms: 50),
        ]
        let candidate = [
            Self.run("threads", ms: 115), Self.run("threads", ms: 116), Self.run("async", ms: 40),
            Self.run("gil", ms: 9),
        ]
        let r = MarkdownReport.regression(baseline: baseline, candidate: candidate, threshold: 0.10)
        #expect(r.regressed)
        #expect(r.rows.map(\.name) == ["threads", "async", "gil"])
        #expect(r.rows.map(\.verdict) == [.regression, .improvement, .candidateOnly])
        let threads = r.rows[0]
        #expect(abs((threads.change ?? 0) - 0.155) < 1e-9)
        #expect(abs((threads.noise ?? 0) - 0.04) < 1e-9)
        #expect(r.markdown.contains("**1 regression** beyond 10.0%: threads.\n"))
        #expect(
            r.markdown.contains(
                "| threads | 100 ms (median of 3) | 116 ms (median of 2) | +15.5% | 4.0% | **regression** |\n"))
        try Golden.check(r.markdown, "regression.md")
        let chart = try #require(MermaidCheck.blocks(of: r.markdown).first)
        try MermaidCheck.write(
            chart, "markdown-regression",
            MermaidExpectation(
                texts: ["threads (base)", "threads (new)", "async (base)", "async (new)"], bars: [100, 115.5, 50, 40]))
    }

    @Test func changeWithinNoiseIsNotARegression() {
        let baseline = [Self.run("threads", ms: 100), Self.run("threads", ms: 130)]
        let candidate = [Self.run("threads", ms: 128)]
        let r = MarkdownReport.regression(baseline: baseline, candidate: candidate, threshold: 0.10)
        #expect(r.rows.first?.verdict == .withinNoise)
        #expect(!r.regressed)
        #expect(r.markdown.contains("**No regression** beyond 10.0%.\n"))
        let small = MarkdownReport.regression(
            baseline: [Self.run("t", ms: 100)], candidate: [Self.run("t", ms: 109)], threshold: 0.10)
        #expect(small.rows.first?.verdict == .unchanged)
    }

    /// Runs of different scenarios under one model are different workloads: never taken for
    /// repeats of one, never compared with each other.
    @Test func runsAreMatchedByScenarioAndModel() throws {
        let baseline = [
            Self.run("threads", ms: 100, scenario: "cpu-primes"), Self.run("threads", ms: 400, scenario: "downloads"),
            Self.run("threads", ms: 20, scenario: "matrix"),
        ]
        let candidate = [
            Self.run("threads", ms: 130, scenario: "cpu-primes"), Self.run("threads", ms: 400, scenario: "downloads"),
            Self.run("async", ms: 50, scenario: "fetch"),
        ]
        let r = MarkdownReport.regression(baseline: baseline, candidate: candidate, threshold: 0.10)
        #expect(
            r.rows.map(\.workload) == [
                .init(scenario: "cpu-primes", model: "threads"), .init(scenario: "downloads", model: "threads"),
                .init(scenario: "matrix", model: "threads"), .init(scenario: "fetch", model: "async"),
            ])
        #expect(r.rows.map(\.verdict) == [.regression, .unchanged, .baselineOnly, .candidateOnly])
        #expect(r.rows.allSatisfy { $0.baseline.count <= 1 && $0.candidate.count <= 1 && $0.noise == nil })
        #expect(abs((r.rows[0].change ?? 0) - 0.30) < 1e-9)
        #expect(r.rows[1].change == 0)
        #expect(r.missing.map(\.name) == ["matrix · threads"])
        #expect(r.markdown.contains("**1 regression** beyond 10.0%: cpu-primes · threads.\n"))
        #expect(
            r.markdown.contains(
                "**Not compared:** no candidate run for matrix · threads; no baseline run for fetch · async.\n"))
        #expect(r.markdown.contains("| scenario | run | baseline wall | candidate wall |"))
        #expect(r.markdown.contains("| cpu-primes | threads | 100 ms | 130 ms | +30.0% | — | **regression** |\n"))
        #expect(r.markdown.contains("| matrix | threads | 20.0 ms | — | — | — | baseline only |\n"))
        #expect(r.markdown.contains("| fetch | async | — | 50.0 ms | — | — | candidate only |\n"))
        #expect(!r.markdown.contains("(median of"))
        let chart = try #require(MermaidCheck.blocks(of: r.markdown).first)
        try MermaidCheck.write(
            chart, "markdown-regression-scenarios",
            MermaidExpectation(
                texts: [
                    "cpu-primes · threads (base)", "cpu-primes · threads (new)", "downloads · threads (base)",
                    "downloads · threads (new)",
                ], bars: [100, 130, 400, 400]))

        // Different workloads only: nothing is compared, nothing is called a regression.
        let apart = MarkdownReport.regression(
            baseline: [Self.run("threads", ms: 143, scenario: "cpu-primes")],
            candidate: [Self.run("threads", ms: 565, scenario: "downloads")])
        #expect(apart.rows.map(\.verdict) == [.baselineOnly, .candidateOnly])
        #expect(!apart.regressed)
        #expect(apart.markdown.contains("**Nothing compared:** no workload has both baseline and candidate runs.\n"))
        #expect(!apart.markdown.contains("```mermaid"))
    }

    /// Without metadata the run's name (its file name) stands in: for the model, or for the
    /// scenario when only the model is known.
    @Test func workloadFallsBackToTheRunsName() {
        typealias Workload = MarkdownReport.Regression.Workload
        func trace(scenario: String? = nil, model: String? = nil) -> Trace {
            Trace(metadata: Metadata(scenario: scenario, model: model), processes: [], lanes: [], spans: [])
        }
        #expect(Workload(trace(scenario: "s", model: "m"), name: "file") == Workload(scenario: "s", model: "m"))
        #expect(Workload(trace(), name: "viztracer") == Workload(scenario: nil, model: "viztracer"))
        #expect(Workload(trace(model: "recorded"), name: "build") == Workload(scenario: "build", model: "recorded"))
        #expect(Workload(trace(model: "threads"), name: "threads") == Workload(scenario: nil, model: "threads"))
        #expect(Workload(trace(model: "threads"), name: "") == Workload(scenario: nil, model: "threads"))
        #expect(Workload(trace(scenario: "s", model: ""), name: "f") == Workload(scenario: "s", model: "f"))
        #expect(Workload(trace(scenario: "s", model: "m"), name: "f").description == "s · m")
        #expect(Workload(trace(), name: "f").description == "f")
    }
}
