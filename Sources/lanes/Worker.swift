import ArgumentParser
import LanesWorkloads

/// `lanes _worker SCENARIO`: one worker process of the `processes` model (started by `lanes run`).
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_worker", abstract: "Serves a scenario's items to a parent process (internal).",
        shouldDisplay: false)

    @Argument var scenario: String
    @Option var scale: Double = 1
    @Option var workers: Int = 1

    func run() throws {
        guard let s = ScenarioCatalog.named(scenario) else { throw CLIError("unknown scenario '\(scenario)'") }
        try ProcessWorker.serve(s, options: RunOptions(workers: workers, scale: scale))
    }
}
