import ArgumentParser
import LanesAnalysis
import LanesCore
import LanesRender

#if canImport(Glibc)
    import Glibc
#endif

/// `lanes compare` in Markdown: the runs side by side, or candidate runs against baseline runs with
/// an exit status CI can act on.
struct CompareMarkdown: ParsableArguments {
    @Option(
        parsing: .upToNextOption,
        help:
            "Baseline traces (the old code), or folders of them (their .lanes and .json files); repeat runs of one workload to measure noise. Use with --candidate."
    )
    var baseline: [String] = []

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Candidate traces (the new code), or folders of them, matched to baseline runs of the same workload: scenario and model; in a folder, the file's name is the workload.",
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
        // A folder's package-benchmark export is read as results beside the traces, not as a trace.
        func split(_ files: [(path: String, inFolder: Bool)]) -> ([(path: String, inFolder: Bool)], [BenchmarkResults])
        {
            var traces: [(path: String, inFolder: Bool)] = [], results: [BenchmarkResults] = []
            for f in files {
                if f.inFolder, f.path.lowercased().hasSuffix(".json"), let r = BenchmarkResults.read(f.path) {
                    results.append(r)
                } else {
                    traces.append(f)
                }
            }
            return (traces, results)
        }
        let (baselineFiles, baselineResults) = split(try traceFiles(baseline, option: "--baseline"))
        let (candidateFiles, candidateResults) = split(try traceFiles(candidate, option: "--candidate"))
        let baseline = baselineFiles.map(\.path), candidate = candidateFiles.map(\.path)
        try checkOutputs([markdown], inputs: baseline + candidate, standardOutput: ["-"])
        func load(_ files: [(path: String, inFolder: Bool)]) throws -> [(trace: Trace, name: String)] {
            try files.map { file in
                let result = try readTrace(file.path)
                for w in result.warnings { printError("warning: \(file.path): \(w)") }
                var trace = result.trace
                // A trace from a folder is the workload its file is named for (one file per benchmark).
                if file.inFolder { trace.metadata.scenario = fileStem(file.path) }
                return (trace, fileStem(file.path))
            }
        }
        let report = MarkdownReport.regression(
            baseline: try load(baselineFiles), candidate: try load(candidateFiles), threshold: try threshold())
        let text = report.markdown + BenchmarkResults.markdown(baseline: baselineResults, candidate: candidateResults)
        if let markdown {
            try writeText(text, to: markdown, inputs: baseline + candidate)
        } else {
            printTerminal(text, terminator: "")
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

/// `paths` with each folder replaced by the trace files in it (names ending in `.lanes` or `.json`, hidden
/// ones skipped), sorted by name and marked as from a folder, so `--baseline main/ --candidate pr/` pairs
/// the traces of one benchmark by their file names; a folder without traces is a one-line error naming the
/// option.
func traceFiles(_ paths: [String], option: String) throws -> [(path: String, inFolder: Bool)] {
    var out: [(path: String, inFolder: Bool)] = []
    for path in paths {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            out.append((path, false))
            continue
        }
        guard let dir = opendir(path) else {
            throw CLIError("\(option) \(path): cannot read the folder: \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            let lower = name.lowercased()
            guard !name.hasPrefix("."), lower.hasSuffix(".lanes") || lower.hasSuffix(".json") else { continue }
            names.append(name)
        }
        guard !names.isEmpty else { throw CLIError("\(option) \(path): the folder holds no .lanes or .json trace") }
        let folder = path.hasSuffix("/") ? String(path.dropLast()) : path
        out += names.sorted().map { ("\(folder)/\($0)", true) }
    }
    return out
}
