import ArgumentParser
import LanesRecord

/// A hidden command for tests: records spans into a file until it is told to stop or killed.
struct Spin: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_spin", abstract: "Records spans into a file until killed (for tests).", shouldDisplay: false)

    @Option(help: "The .lanes file to write.")
    var out: String

    @Option(help: "Milliseconds between flushes.")
    var flushMs: Int = 20

    @Option(help: "Spans to record before stopping normally; 0 records until killed.")
    var spans: Int = 0

    func run() throws {
        let recorder = try Recorder.start(
            .init(output: .file(out), flushInterval: .milliseconds(flushMs), processName: "spin"))
        var n = 0
        while spans == 0 || n < spans {
            span("tick") {
                span("work") { n += 1 }
            }
            if n % 1000 == 0 { tracedSleep(.microseconds(200)) }
        }
        _ = try recorder.stop()
    }
}
