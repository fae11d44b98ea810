import ArgumentParser
import LanesCore
import LanesFormat
import LanesRender
import LanesWorkloads

#if canImport(Glibc)
    import Glibc
#endif

/// `lanes demo`: the whole catalog under every model, and the reports a new user looks at first.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Runs every scenario under every model it supports and writes the reports (HTML, Markdown, PNG, traces).",
        discussion: """
            Writes into --out: index.html (one self-contained page), REPORT.md (for GitHub), one comparison \
            PNG per scenario, and the traces under traces/ so any chart can be redrawn with `lanes report` or \
            `lanes compare`. A scenario that fails is reported and the others still run; the exit status is then 1.
            """)

    @Flag(help: "Smaller work per scenario, sized to finish within 20 s (release build, two cores).")
    var quick = false

    @Option(help: "The folder to write into; created if missing (tools/make-reports.sh writes the committed Reports/).")
    var out: String = "lanes-demo"

    @Option(name: .customLong("scenario"), parsing: .upToNextOption, help: "Only these scenarios (default: all).")
    var scenarios: [String] = []

    func validate() throws {
        for name in scenarios where ScenarioCatalog.named(name) == nil {
            throw ValidationError(
                "unknown scenario '\(name)'; the scenarios are \(ScenarioCatalog.all.map(\.name).joined(separator: ", "))"
            )
        }
    }

    func run() throws {
        try makeDirectory(out)
        try makeDirectory(out + "/traces")
        let chosen = scenarios.isEmpty ? ScenarioCatalog.all : scenarios.compactMap(ScenarioCatalog.named)
        let plans = chosen.map { DemoPlan.of($0, quick: quick) }
        let runs = try DemoRunner(plans: plans, out: out).runAll()

        let font = ChartFont.resolve(path: nil)
        for p in font.problems { printError("warning: \(p)") }
        var written: [String] = []
        for r in runs where !r.results.isEmpty {
            let png = "\(out)/\(r.scenario.name).png"
            let layout = LanesRender.Layout.comparison(
                of: r.results.map { ($0.trace, $0.model.rawValue) }, options: ChartOptions(width: 1600),
                alignment: .shared, measure: font.measure)
            try writePNG(layout, to: png, font: font)
            written.append(png)
        }
        let report = DemoReport(scenarios: runs.map(\.reportScenario), quick: quick)
        try writeText(report.markdown(), to: "\(out)/REPORT.md")
        try writeText(report.html(), to: "\(out)/index.html")
        written += ["\(out)/REPORT.md", "\(out)/index.html"]

        let failures = runs.flatMap { r in r.failures.map { "\(r.scenario.name) under \($0.model): \($0.message)" } }
        let traces = runs.reduce(0) { $0 + $1.results.count }
        print("wrote \(counted(written.count, "report")) and \(counted(traces, "trace")) into \(out)/")
        print("open \(out)/index.html in a browser, or read \(out)/REPORT.md")
        if !failures.isEmpty {
            for f in failures { printError("failed: \(f)") }
            throw CLIError("\(counted(failures.count, "run")) failed; the reports show the rest")
        }
    }
}

/// How the demo runs one scenario: its scale and workers from the scenario's ``DemoSize``.
struct DemoPlan {
    let scenario: Scenario
    let options: RunOptions
    /// Rough seconds per model at this scale, for the ETA.
    let estimate: Double

    static func of(_ s: Scenario, quick: Bool) -> DemoPlan {
        DemoPlan(
            scenario: s, options: RunOptions(workers: s.defaultWorkers, scale: s.demo.scale(quick: quick)),
            estimate: s.demo.estimate(quick: quick, models: s.models.count))
    }
}

/// What the demo got from one scenario.
struct DemoRun {
    let scenario: Scenario
    let options: RunOptions
    var results: [RunResult] = []
    var failures: [(model: ConcurrencyModel, message: String)] = []
    /// The scenario's own notes (theoretical speed-up, peaks, …) after its runs.
    var notes: [String] = []
}

extension DemoRun {
    /// The run as the demo's reports read it.
    var reportScenario: DemoReport.Scenario {
        DemoReport.Scenario(
            name: scenario.name, summary: scenario.summary, seedSection: scenario.seedSection,
            runs: results.map { ($0.trace, $0.model.rawValue, $0.answer) },
            failures: failures.map { ($0.model.rawValue, $0.message) }, notes: notes)
    }
}

/// Runs the plans with a progress line: scenario i of n, model, elapsed, ETA.
struct DemoRunner {
    let plans: [DemoPlan]
    let out: String

    func runAll() throws -> [DemoRun] {
        let progress = Progress()
        let started = monotonicSeconds()
        let total = plans.reduce(0) { $0 + $1.estimate }
        var done = 0.0
        var runs: [DemoRun] = []
        for (i, plan) in plans.enumerated() {
            let s = plan.scenario
            var run = DemoRun(scenario: s, options: plan.options)
            for (k, model) in s.models.enumerated() {
                let elapsed = monotonicSeconds() - started
                // The plan's estimates set the shape; the pace so far corrects them for this machine.
                let pace = done > 0 ? elapsed / done : 1
                let eta = max(0, (total - done) * pace)
                progress.show(
                    "[\(i + 1)/\(plans.count)] \(s.name) · \(model) (\(k + 1)/\(s.models.count)) · "
                        + "\(shortSeconds(elapsed)) elapsed · about \(shortSeconds(eta)) left")
                do {
                    let result = try s.run(model, options: plan.options)
                    let path = "\(out)/traces/\(s.name)-\(model.rawValue).lanes"
                    do { try LanesFile.write(result.trace, to: path) } catch { throw writeFailure(path, error) }
                    run.results.append(result)
                } catch let error as CLIError {
                    throw error
                } catch {
                    run.failures.append((model, "\(error)"))
                    progress.clear()
                    printError("warning: \(s.name) under \(model) failed: \(error)")
                }
                done += plan.estimate / Double(s.models.count)
            }
            if !run.results.isEmpty { run.notes = s.notes(run.results, plan.options) }
            runs.append(run)
        }
        progress.finish("ran \(counted(plans.count, "scenario")) in \(shortSeconds(monotonicSeconds() - started))")
        return runs
    }
}
