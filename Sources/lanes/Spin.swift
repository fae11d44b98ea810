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

    @Option(help: "Record on this many threads instead, each span named s0…s4095 in turn (spans counts per thread).")
    var threads: Int = 0

    func run() throws {
        let recorder = try Recorder.start(
            .init(output: .file(out), flushInterval: .milliseconds(flushMs), processName: "spin"))
        if threads > 0 {
            let names = (0..<4096).map { SpanName("s\($0)") }
            let perThread = spans
            let workers = try (0..<threads).map { i in
                try TracedThread(name: "spin-\(i)") {
                    var k = 0
                    while perThread == 0 || k < perThread {
                        span(names[k % names.count]) { k += 1 }
                    }
                }
            }
            for w in workers { w.join() }
            _ = try recorder.stop()
            return
        }
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
