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
        let recorder = try Recorder.start(
            .init(
                output: .descriptor(ProcessPool.traceDescriptor), cpu: .perSpan, flushInterval: .milliseconds(50),
                processName: "worker", scenario: options.scenario, model: ConcurrencyModel.processes.rawValue))
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        let parent = SpanName("parent")
        reading: while true {
            // Waiting for the parent's next item is time spent on inter-process communication.
            let n = try withWait(.ipc, object: parent) {
                try chunk.withUnsafeMutableBytes { b throws -> Int in
                    while true {
                        let n = read(0, b.baseAddress, b.count)
                        if n >= 0 { return n }
                        if errno != EINTR { throw RunError.workerFailed("worker: read: \(String(cString: strerror(errno)))") }
                    }
                }
            }
            if n == 0 { break reading }
            pending += chunk[..<n]
            while let newline = pending.firstIndex(of: 10) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                guard let i = Int(line), w.items.indices.contains(i) else {
                    throw RunError.workerFailed("worker: the parent sent '\(line)', not an item index")
                }
                if i == killItem { kill(getpid(), SIGKILL) }
                let result = try span(w.name) { try w.work(w.items[i], .free) }
                let answer = Array("\(i)\t\(transport.encode(result))\n".utf8)
                try answer.withUnsafeBytes { try tracedWrite(1, $0, object: parent) }
            }
        }
        _ = try recorder.stop()
        return RunResult(model: .processes, answer: "", details: [], trace: Trace(), wallTime: .zero, cpuTime: .zero)
    }
}
