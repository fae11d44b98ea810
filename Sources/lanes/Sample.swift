import ArgumentParser
import LanesRecord

/// `lanes sample`: records a small producer/consumer workload, so there is a trace to look at
/// before instrumenting anything of your own.
struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Records a small built-in workload (threads, a bounded queue, a lock, sleeps) into a trace.")

    @Option(name: .shortAndLong, help: "The .lanes file to write (the recorder writes .lanes only).")
    var out: String = "sample.lanes"

    @Option(help: "Items each of the two producers makes.")
    var items: Int = 200

    @Option(help: "CPU accounting: off, span, or sampled (every 2 ms).")
    var cpu: CPU = .off

    enum CPU: String, ExpressibleByArgument, CaseIterable {
        case off, span, sampled
    }

    func validate() throws {
        guard items > 0 else { throw ValidationError("--items must be at least 1") }
        // The recorder streams .lanes; a file named otherwise would not read back as what its name says.
        guard TraceFormat(writing: out) == .lanes else {
            throw CLIError("cannot write \(out): the recorder writes .lanes, so the name must end in .lanes")
        }
    }

    func run() throws {
        let accounting: Recorder.Configuration.CPUAccounting =
            switch cpu {
            case .off: .off
            case .span: .perSpan
            case .sampled: .sampled(intervalMilliseconds: 2)
            }
        let recorder = try Recorder.start(
            .init(
                output: .file(out), cpu: accounting, processName: "lanes sample", scenario: "sample", model: "threads"))
        let queue = TracedQueue<Int>(capacity: 8, name: "items")
        let total = TracedMutex(0, name: "total")
        let consumers = try (0..<2).map { c in
            try TracedThread(name: "consumer-\(c)") {
                while case let item = queue.get(), item >= 0 {
                    span("consume") {
                        var x = UInt64(item)
                        for i in 0..<20_000 { x = x &* 6364136223846793005 &+ UInt64(i) }
                        total.withLock { $0 += Int(x & 1) }
                    }
                }
            }
        }
        let producers = try (0..<2).map { p in
            try TracedThread(name: "producer-\(p)") {
                for i in 0..<items {
                    span("produce") {
                        tracedSleep(.microseconds(200))
                        queue.put(p * items + i)
                    }
                }
            }
        }
        for p in producers { p.join() }
        for _ in consumers { queue.put(-1) }
        for c in consumers { c.join() }
        let recording = try recorder.stop()
        print(
            "wrote \(out): \(counted(recording.spanCount, "span")), \(counted(recording.waitCount, "wait")), "
                + "\(recording.droppedEvents) dropped")
    }
}
