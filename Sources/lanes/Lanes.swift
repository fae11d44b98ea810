import ArgumentParser
import LanesCore

/// The `lanes` command: thin parsing over the library modules.
@main
struct Lanes: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "lanes",
        abstract: "Shows where concurrent programs spend their time.",
        version: version,
        subcommands: [
            Info.self, Run.self, Scenarios.self, Demo.self, Report.self, Compare.self, Advise.self, Convert.self,
            Record.self, Sample.self, Spin.self, WorkerCommand.self,
        ]
    )
}
