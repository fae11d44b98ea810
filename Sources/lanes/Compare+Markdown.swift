import ArgumentParser
import LanesAnalysis
import LanesCore
import LanesRender

/// `lanes compare` in Markdown: the runs side by side, or candidate runs against baseline runs with
/// an exit status CI can act on.
struct CompareMarkdown: ParsableArguments {
    @Option(
        parsing: .upToNextOption,
        help: "Baseline traces (the old code); repeat runs of one workload to measure noise. Use with --candidate.")
    var baseline: [String] = []

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Candidate traces (the new code), matched to baseline runs of the same workload: scenario and model.",
            discussion:
                "Scenario and model come from the trace's metadata; the file name (without extension) stands in for what it lacks. A workload with runs on one side only is listed as not compared."
        ))
    var candidate: [String] = []

    @Option(
        help: ArgumentHelp(
            "Write the comparison as Markdown (tables and Mermaid charts) to this file.", valueName: "out.md"))
    var markdown: String?

    @Option(
        help: ArgumentHelp(
            "With --baseline/--candidate: exit with status 3 when a run is slower than its baseline by more than this (e.g. 10%) and more than the noise of repeated runs, or when a baseline workload has no candidate run; 0 otherwise.",
            valueName: "percent"))
    var failOnRegression: String?

    /// Exit status when a regression is found.
    static let regressionExitCode: Int32 = 3

    /// Whether this is a baseline/candidate comparison.
    var isRegressionCheck: Bool { !baseline.isEmpty || !candidate.isEmpty }

    func validate() throws {
        if isRegressionCheck, baseline.isEmpty || candidate.isEmpty {
            throw ValidationError("give both --baseline and --candidate traces")
        }
        if failOnRegression != nil, !isRegressionCheck {
            throw ValidationError("--fail-on-regression needs --baseline and --candidate")
        }
        _ = try threshold()
    }

    /// The regression threshold as a fraction: `10%` or `10` is 0.1; 10% when not given.
    func threshold() throws -> Double {
        guard let text = failOnRegression else { return 0.10 }
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let v = Double(number), v.isFinite, v > 0, v <= 1000 else {
            throw ValidationError("--fail-on-regression must be a percentage such as 10%, not '\(text)'")
        }
        return v / 100
    }

    /// Reads both sides, writes the report (to --markdown, else standard output) and, when
    /// --fail-on-regression is given, exits with status 3 on a regression or on a baseline workload
    /// without a candidate run (it was not checked). A candidate workload without a baseline run
    /// is new: it is reported and does not change the status.
    func runRegressionCheck() throws {
        try checkOutputs([markdown], inputs: baseline + candidate, standardOutput: ["-"])
        func load(_ paths: [String]) throws -> [(trace: Trace, name: String)] {
            try paths.map { path in
                let result = try readTrace(path)
                for w in result.warnings { printError("warning: \(path): \(w)") }
                return (result.trace, fileStem(path))
            }
        }
        let report = MarkdownReport.regression(
            baseline: try load(baseline), candidate: try load(candidate), threshold: try threshold())
        if let markdown {
            try writeText(report.markdown, to: markdown, inputs: baseline + candidate)
        } else {
            printTerminal(report.markdown, terminator: "")
        }
        let failing = failOnRegression != nil
        for row in report.rows where row.verdict == .candidateOnly {
            printError("warning: \(row.name) has no baseline run: not compared")
        }
        for row in report.missing {
            printError(
                failing
                    ? "missing: \(row.name) has no candidate run, so it was not checked (fails --fail-on-regression)"
                    : "warning: \(row.name) has no candidate run: not compared")
        }
        guard failing, report.regressed || !report.missing.isEmpty else { return }
        for row in report.rows where row.verdict == .regression {
            let change = row.change.map { TraceStatistics.percent($0) } ?? "?"
            printError(
                "regression: \(row.name) is \(change) slower than its baseline (threshold \(failOnRegression ?? ""))")
        }
        throw ExitCode(Self.regressionExitCode)
    }
}
