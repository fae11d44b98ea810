import LanesCore
import LanesRecord
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The worker side of the `processes` model: `lanes _worker SCENARIO …` calls
/// ``serve(_:options:)``, which rebuilds the scenario's workload and, instead of running it, serves
/// its items one at a time to the parent.
public enum ProcessWorker {
    static let active = Atomic<Bool>(false)

    /// Serves the items of `scenario` (built with `options`) to the parent process until its input
    /// ends, recording spans to descriptor 3.
    ///
    /// For tests: with `LANES_TEST_KILL_ITEM=N` in the environment, the worker that is handed item
    /// N kills itself with SIGKILL before working on it.
    public static func serve(_ scenario: Scenario, options: RunOptions) throws {
        active.store(true, ordering: .releasing)
        _ = try scenario.run(.processes, options: options)
    }

    static func serve<Item, Result>(_ w: Workload<Item, Result>, options: RunOptions) throws -> RunResult {
        guard let transport = w.transport else { throw RunError.invalidOptions("this workload cannot run in a worker") }
        let killItem = getenv("LANES_TEST_KILL_ITEM").flatMap { Int(String(cString: $0)) }
        let recorder = try startRecording(options, model: .processes)
        try forEachLineFromParent(chunk: 4096) { line in
            guard let i = Int(line), w.items.indices.contains(i) else {
                throw RunError.workerFailed("worker: the parent sent '\(line)', not an item index")
            }
            if i == killItem { kill(getpid(), SIGKILL) }
            let result = try span(w.name) { try w.work(w.items[i], .free) }
            try answerParent("\(i)\t\(transport.encode(result))\n")
        }
        _ = try recorder.stop()
        return RunResult(model: .processes, answer: "", details: [], trace: Trace(), wallTime: .zero, cpuTime: .zero)
    }

    /// A worker's recorder: spans streamed to descriptor 3, where the parent reads them.
    static func startRecording(_ options: RunOptions, model: ConcurrencyModel) throws -> Recorder {
        try Recorder.start(
            .init(
                output: .descriptor(ProcessPool.traceDescriptor), cpu: .perSpan, flushInterval: .milliseconds(50),
                processName: "worker", scenario: options.scenario, model: model.rawValue))
    }

    private static let parent = SpanName("parent")

    /// Calls `handle` with each line the parent writes on standard input (without its newline) until
    /// the parent closes it. Waiting for the parent's next line is an `ipc` wait.
    static func forEachLineFromParent(chunk size: Int, _ handle: (String) throws -> Void) throws {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: size)
        while true {
            let n = try withWait(.ipc, object: parent) {
                try chunk.withUnsafeMutableBytes { b throws -> Int in
                    while true {
                        let n = read(0, b.baseAddress, b.count)
                        if n >= 0 { return n }
                        if errno != EINTR { throw RunError.workerFailed("worker: read: \(String(cString: strerror(errno)))") }
                    }
                }
            }
            if n == 0 { return }
            pending += chunk[..<n]
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                try handle(line)
            }
        }
    }

    /// Writes `text` to the parent on standard output (an `ioWrite` wait on the pipe).
    static func answerParent(_ text: String) throws {
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBytes { try tracedWrite(1, $0, object: parent) }
    }
}
