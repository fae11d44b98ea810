import ArgumentParser
import LanesAnalysis
import LanesCore
import LanesFormat
import LanesWorkloads

#if canImport(Glibc)
    import Glibc
#endif

/// `lanes run SCENARIO`: runs a scenario under one or more models and compares them.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Runs a scenario under concurrency models, writes one trace per model, and compares them.")

    @Argument(help: "A scenario (see `lanes scenarios`).")
    var scenario: String

    @Option(name: .customLong("model"), parsing: .upToNextOption, help: "Models to run, or `all` (the default).")
    var models: [ModelChoice] = [.all]

    @Option(help: "Workers: threads, tasks in flight or interpreter-lock threads (default: the scenario's).")
    var workers: Int?

    @Option(help: "Multiplies the work per item.")
    var scale: Double = 1

    @Option(help: "Where to write the traces, one .lanes file per model.")
    var out: String = "."

    /// `out` without trailing slashes (`runs/` gave `runs//x.lanes`).
    var folder: String {
        var f = Substring(out)
        while f.count > 1, f.hasSuffix("/") { f = f.dropLast() }
        return String(f)
    }

    @Option(
        parsing: .upToNextOption,
        help:
            "Run at each of these scales instead (e.g. 0.125 0.25 0.5 1 2), print the speed-ups, and say where each model starts to beat sequential; writes no traces."
    )
    var sweep: [Double] = []

    func validate() throws {
        guard ScenarioCatalog.named(scenario) != nil else {
            throw ValidationError(
                "unknown scenario '\(scenario)'; the scenarios are \(ScenarioCatalog.all.map(\.name).joined(separator: ", "))"
            )
        }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1") }
        guard scale > 0, scale.isFinite else { throw ValidationError("--scale must be a positive number") }
        for s in sweep where !(s > 0 && s.isFinite) { throw ValidationError("--sweep scales must be positive numbers") }
        // Find out now, not after a long run, that the traces cannot be written (a sweep writes none).
        guard sweep.isEmpty else { return }
        // An output that cannot be written is a failure of the work (status 1), not of the arguments.
        do { try makeDirectory(out) } catch { throw CLIError("--out \(error)") }
        guard access(out, W_OK) == 0 else { throw CLIError("--out \(out) is not writable") }
    }

    func run() throws {
        let s = ScenarioCatalog.named(scenario)!
        let chosen: [ConcurrencyModel] =
            models.contains(.all)
            ? s.models
            : models.compactMap {
                if case .model(let m) = $0 { return m }
                return nil
            }
        for m in chosen where !s.models.contains(m) {
            throw CLIError(
                "\(s.name) does not run under \(m); it runs under \(s.models.map(\.rawValue).joined(separator: ", "))")
        }
        let options = RunOptions(workers: workers ?? s.defaultWorkers, scale: scale)
        let progress = Progress()
        if !sweep.isEmpty {
            let sweep = try Sweep.run(s, models: chosen, scales: self.sweep, options: options) { progress.show($0) }
            progress.clear()
            printTerminal(sweep.text)
            return
        }
        var results: [RunResult] = []
        for (i, model) in chosen.enumerated() {
            progress.show("[\(i + 1)/\(chosen.count)] \(s.name) under \(model)…")
            let path = "\(folder)/\(s.name)-\(model.rawValue).lanes"
            let result: RunResult
            // This process's own records stream beside `path` while it runs, so a killed run leaves them.
            var streamed = options
            streamed.streamPath = path
            do {
                result = try s.run(model, options: streamed)
            } catch RunError.workerDied(let worker, let pid, let item, let how, let trace) {
                // The run failed, but what every process recorded is kept.
                try? LanesFile.write(trace, to: path)
                progress.clear()
                throw CLIError(
                    "\(s.name) under \(model): worker \(worker) (pid \(pid)) \(how) while processing item \(item); its trace is in \(path)"
                )
            }
            do { try LanesFile.write(result.trace, to: path) } catch { throw writeFailure(path, error) }
            results.append(result)
        }
        progress.clear()
        let answers = Set(results.map(\.answer))
        printTerminal(Comparison(results.map(\.trace)).table)
        if answers.count == 1 {
            printTerminal("answer (same under every model): \(answers.first!)")
        } else {
            for r in results { printTerminal("answer under \(r.model): \(r.answer)") }
        }
        for line in s.notes(results, options) { printTerminal(line) }
        printTerminal("traces in \(folder)/\(s.name)-MODEL.lanes")
        if answers.count > 1 { throw CLIError("the models gave different answers") }
    }
}

func seconds(_ d: Duration) -> Double {
    let c = d.components
    return Double(c.seconds) + Double(c.attoseconds) / 1e18
}
