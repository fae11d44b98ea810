import LanesCore
import LanesRecord
import Synchronization

extension ScenarioCatalog {
    /// Async tasks that each wait 50 ms (times the scale) three ways (Pitfall 2): with a blocking
    /// sleep, which holds one of the executor's few threads for the whole wait; with `Task.sleep`,
    /// which suspends; and offloaded to a pool of blocking threads while the task awaits it (as
    /// asyncio's `to_thread`, whose pool has min(32, cores + 4) threads).
    public static let blockingAsync = Scenario(
        name: "blocking-async", seedSection: "Pitfall 2",
        summary: "async tasks that block their executor's threads, against Task.sleep and offloading", demo: DemoSize(secondsPerModel: 0.1),
        models: [.async], defaultWorkers: 12,
        notes: { results, _ in results.flatMap(\.details) }
    ) { model, options in
        try Runner.record(model: model, options: options) {
            let executor = try TracingTaskExecutor(threads: ProcessInfoLite.cores, name: "async")
            let offload = try TracingTaskExecutor(threads: min(32, ProcessInfoLite.cores + 4), name: "to-thread")
            defer {
                executor.shutdown()
                offload.shutdown()
            }
            let pause = Duration.nanoseconds(Int64(0.05 * options.scale * 1e9))
            let tasks = options.workers
            var details: [String] = []
            var finished: [Int] = []
            for variant in BlockingVariant.allCases {
                let clock = ContinuousClock()
                let start = clock.now
                let name = SpanName(variant.rawValue)
                let done = try blockingOn(executor) {
                    await withTaskGroup(of: Int.self) { group in
                        for _ in 0..<tasks {
                            group.addTask(executorPreference: executor) {
                                await span(name) { await variant.wait(pause, offload: offload) }
                                return 1
                            }
                        }
                        return await group.reduce(0, +)
                    }
                }
                finished.append(done)
                let wall = clock.now - start
                details.append("\(variant.rawValue): \(tasks) tasks of \(pause) each took \(wall)")
            }
            return ("\(finished.map(String.init).joined(separator: " / ")) tasks finished", details)
        }
    }

    /// Ten tasks started and never awaited (Pitfall 4): the parent returns at once; the run ends
    /// 60 ms (times the scale) later. Each start is a mark; the tasks that finished in time show as
    /// spans that outlive their parent, and the marks without a span are the ones cut off.
    public static let fireAndForget = Scenario(
        name: "fire-and-forget", seedSection: "Pitfall 4",
        summary: "tasks started and never awaited: which outlive their parent, which are cut off", demo: DemoSize(secondsPerModel: 0.05),
        models: [.async],
        notes: { results, _ in results.flatMap(\.details) }
    ) { model, options in
        let executor = try TracingTaskExecutor(threads: ProcessInfoLite.cores, name: "async")
        let finished = Finished()
        let count = 10
        defer {
            // The forgotten tasks are still waited for, outside the recording, before the
            // executor goes: leaving them would leak them.
            let deadline = ContinuousClock.now + .seconds(10)
            while finished.count < count && ContinuousClock.now < deadline {
                tracedSleep(.milliseconds(5))
            }
            executor.shutdown()
        }
        return try Runner.record(model: model, options: options) {
            try blockingOn(executor) {
                await span("parent") {
                    for i in 0..<count {
                        mark(SpanName("task \(i) started"))
                        forget(after: .nanoseconds(Int64(Double(i) * 0.012 * options.scale * 1e9)), on: executor, finished)
                    }
                    await Task.yield()
                }
            }
            tracedSleep(.nanoseconds(Int64(0.06 * options.scale * 1e9)))
            let done = finished.count
            return (
                "\(count) tasks started, none awaited",
                ["\(done) of \(count) forgotten tasks finished before the run ended; \(count - done) were cut off"]
            )
        }
    }
}

/// Starts a task that sleeps for `pause` and is never awaited.
private func forget(after pause: Duration, on executor: TracingTaskExecutor, _ finished: Finished) {
    Task(executorPreference: executor) {
        await span("forgotten task") { try? await tracedSleep(for: pause) }
        finished.add()
    }
}

/// How many forgotten tasks finished.
private final class Finished: Sendable {
    private let value = Atomic<Int>(0)
    func add() { value.add(1, ordering: .releasing) }
    var count: Int { value.load(ordering: .acquiring) }
}

/// How a task waits in `blocking-async`.
enum BlockingVariant: String, CaseIterable, Sendable {
    case blocking = "blocking sleep"
    case suspending = "Task.sleep"
    case offloaded = "offloaded to a thread"

    func wait(_ pause: Duration, offload: TracingTaskExecutor) async {
        switch self {
        case .blocking:
            tracedSleep(pause)
        case .suspending:
            try? await tracedSleep(for: pause)
        case .offloaded:
            await Task(executorPreference: offload) { tracedSleep(pause) }.value
        }
    }
}
