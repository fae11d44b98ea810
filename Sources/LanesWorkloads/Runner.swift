import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import LanesCore
import LanesFormat
import LanesRecord

/// How a run is set up.
public struct RunOptions: Sendable {
    /// Threads, tasks in flight or interpreter-lock threads, by model; Dispatch picks its own width.
    public var workers: Int
    /// Multiplies the work per item (and sleep lengths), so runs can be quick or long.
    public var scale: Double
    /// The scenario's name, for the trace's metadata.
    public var scenario: String
    /// With false, no recorder runs (spans cost a branch): to measure what tracing costs.
    public var traced: Bool
    /// The `lanes` executable that worker processes run (`lanes _worker …`); this process's own
    /// executable by default.
    public var workerExecutable: String?
    /// Variables added to worker processes' environment (`NAME=value`).
    public var workerEnvironment: [String]
    /// Where this process's own records stream while it runs (see `Recorder.Configuration.Output.file`), so a
    /// run killed midway leaves them in `.NAME.XXXXXXXX.partial` beside this path; nil keeps them in memory.
    /// The finished run's trace is still returned whole; the caller writes it (over this path, typically).
    public var streamPath: String?

    public init(
        workers: Int = 4, scale: Double = 1, scenario: String = "", traced: Bool = true,
        workerExecutable: String? = nil, workerEnvironment: [String] = []
    ) {
        self.workerEnvironment = workerEnvironment
        self.workers = workers
        self.scale = scale
        self.scenario = scenario
        self.traced = traced
        self.workerExecutable = workerExecutable
    }
}

/// Runs workloads under concurrency models, with tracing on.
public enum Runner {
    /// Runs `workload` under `model` with a recorder active, and returns the answer and the trace.
    ///
    /// Each item's work is one span named after the workload. Only one run (one recorder) at a time
    /// per process.
    public static func run<Item, Result>(
        _ workload: Workload<Item, Result>, model: ConcurrencyModel, options: RunOptions
    ) throws -> RunResult {
        guard options.workers > 0 else { throw RunError.invalidOptions("--workers must be at least 1") }
        if model == .processes && ProcessWorker.active.load(ordering: .acquiring) {
            return try ProcessWorker.serve(workload, options: options)
        }
        var extra: [Trace] = []
        return try record(model: model, options: options, extraTraces: { extra }) {
            if model == .processes {
                let (results, traces) = try ProcessPool.run(workload, options: options)
                extra = traces
                return (workload.combine(results), [])
            }
            return (workload.combine(try execute(workload, model: model, workers: options.workers)), [])
        }
    }

    /// Runs the items of `workload` under `model` without starting a recorder: for scenarios that
    /// record around more than one workload or arrange threads of their own beside it.
    public static func execute<Item, Result>(
        _ workload: Workload<Item, Result>, model: ConcurrencyModel, workers: Int
    ) throws -> [Result] {
        guard workers > 0 else { throw RunError.invalidOptions("--workers must be at least 1") }
        return try dispatch(workload, model: model, workers: workers)
    }

    /// Runs `body` with a recorder active and times it; for scenarios that arrange their own threads.
    /// `body` returns the answer.
    public static func record(
        model: ConcurrencyModel, options: RunOptions, _ body: () throws -> (answer: String, details: [String])
    ) throws -> RunResult {
        try record(model: model, options: options, extraTraces: { [] }, body)
    }

    /// As `record`, merging the traces `extraTraces` gives after `body` (worker processes') into the result.
    static func record(
        model: ConcurrencyModel, options: RunOptions, extraTraces: () -> [Trace],
        _ body: () throws -> (answer: String, details: [String])
    ) throws -> RunResult {
        let recorder =
            options.traced
            ? try Recorder.start(
                .init(
                    output: options.streamPath.map { .file($0) } ?? .memory, cpu: .perSpan, processName: "lanes run",
                    scenario: options.scenario, model: model.rawValue)) : nil
        /// This process's trace: from memory, or read back from the file it streamed to.
        func stopRecording() throws -> Trace {
            guard let recording = try recorder?.stop() else { return Trace() }
            if let trace = recording.trace { return trace }
            guard let path = recording.path else { return Trace() }
            do {
                return try LanesFile.read(path: path).trace
            } catch {
                throw RunError.invalidOptions("cannot read back the streamed trace \(path): \(error)")
            }
        }
        let clock = ContinuousClock()
        let cpuStart = processCPUTime()
        let start = clock.now
        let answer: (answer: String, details: [String])
        do {
            answer = try body()
        } catch RunError.workerDied(let w, let pid, let item, let how, let workerTrace) {
            // The run failed, but the trace of every process is kept for the error to carry.
            let own = (try? stopRecording()) ?? Trace()
            throw RunError.workerDied(
                worker: w, pid: pid, item: item, how: how, trace: Trace.merging([own, workerTrace]))
        } catch {
            _ = try? recorder?.stop()
            throw error
        }
        let wall = clock.now - start
        let cpu = processCPUTime() - cpuStart
        var trace = try stopRecording()
        let extra = extraTraces()
        if !extra.isEmpty { trace = Trace.merging([trace] + extra) }
        if model == .async || model == .actor || model == .hybrid { trace = trace.attachingSuspensions() }
        // One wall time for every report: the trace's when there is one (see `RunResult.wallTime`).
        let traced: Duration = trace.timeRange == nil ? wall : .nanoseconds(trace.wallTime)
        return RunResult(
            model: model, answer: answer.answer, details: answer.details, trace: trace, wallTime: traced, cpuTime: cpu)
    }

    private static func dispatch<Item, Result>(
        _ w: Workload<Item, Result>, model: ConcurrencyModel, workers: Int
    ) throws -> [Result] {
        switch model {
        case .sequential: return try sequential(w)
        case .threads: return try threadPool(w, workers: workers, gil: nil)
        case .gil: return try threadPool(w, workers: workers, gil: InterpreterLock())
        case .threadPerTask: return try threadPerTask(w)
        case .dispatch: return try concurrentPerform(w)
        case .processes:
            throw RunError.invalidOptions("the processes model runs through Runner.run, which starts the workers")
        case .hybrid:
            throw RunError.invalidOptions("the hybrid model needs a workload with separate I/O and CPU phases (HybridRunner)")
        case .recorded:
            throw RunError.invalidOptions("recorded is not a model a workload runs under")
        case .async:
            let executor = try TracingTaskExecutor(threads: ProcessInfoLite.cores, name: "async")
            defer { executor.shutdown() }
            return try blockingOn(executor) { try await taskGroup(w, limit: workers, executor: executor) }
        case .actor:
            let executor = try TracingTaskExecutor(threads: ProcessInfoLite.cores, name: "async")
            let actorThread = try TracingTaskExecutor(threads: 1, name: "actor")
            defer {
                executor.shutdown()
                actorThread.shutdown()
            }
            return try blockingOn(executor) { try await throughActor(w, actorExecutor: actorThread) }
        }
    }

    private static func sequential<Item, Result>(_ w: Workload<Item, Result>) throws -> [Result] {
        var out: [Result] = []
        out.reserveCapacity(w.items.count)
        for (i, item) in w.items.enumerated() {
            do { out.append(try span(w.name) { try w.work(item, .free) }) } catch {
                throw RunError.itemFailed(index: i, model: .sequential, underlying: error)
            }
        }
        return out
    }

    /// N threads take item indices from a traced queue; the first failure is kept and stops the rest.
    /// The queue holds every item, as a ThreadPoolExecutor's does: submitting never waits, so the
    /// pool's own feed is not mistaken for a producer held back by its consumers.
    private static func threadPool<Item, Result>(
        _ w: Workload<Item, Result>, workers: Int, gil: InterpreterLock?
    ) throws -> [Result] {
        let model: ConcurrencyModel = gil == nil ? .threads : .gil
        let slots = ResultSlots<Result>(count: w.items.count)
        let queue = TracedQueue<Int>(capacity: w.items.count + workers, name: "work queue")
        let context = WorkContext(gil: gil)
        let threads = try (0..<workers).map { n in
            try TracedThread(name: "\(model.rawValue)-\(n)") {
                while case let i = queue.get(), i >= 0 {
                    if slots.failed { continue }
                    gil?.acquire()
                    do {
                        let r = try span(w.name) { try w.work(w.items[i], context) }
                        slots.set(i, r)
                    } catch {
                        slots.fail(i, error)
                    }
                    gil?.release()
                }
            }
        }
        for i in w.items.indices { queue.put(i) }
        for _ in 0..<workers { queue.put(-1) }
        for t in threads { t.join() }
        return try slots.take(model: model)
    }

    private static func threadPerTask<Item, Result>(_ w: Workload<Item, Result>) throws -> [Result] {
        let slots = ResultSlots<Result>(count: w.items.count)
        let threads = try w.items.indices.map { i in
            try TracedThread(name: "task-\(i)") {
                do { slots.set(i, try span(w.name) { try w.work(w.items[i], .free) }) } catch { slots.fail(i, error) }
            }
        }
        for t in threads { t.join() }
        return try slots.take(model: .threadPerTask)
    }

    private static func concurrentPerform<Item, Result>(_ w: Workload<Item, Result>) throws -> [Result] {
        let slots = ResultSlots<Result>(count: w.items.count)
        DispatchQueue.concurrentPerform(iterations: w.items.count) { i in
            do { slots.set(i, try span(w.name) { try w.work(w.items[i], .free) }) } catch { slots.fail(i, error) }
        }
        return try slots.take(model: .dispatch)
    }

    private static func taskGroup<Item, Result>(
        _ w: Workload<Item, Result>, limit: Int, executor: TracingTaskExecutor
    ) async throws -> [Result] {
        let slots = ResultSlots<Result>(count: w.items.count)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let i = next
                next += 1
                group.addTask(executorPreference: executor) {
                    do {
                        let r = try await span(w.name) {
                            if let a = w.asyncWork { return try await a(w.items[i]) }
                            return try w.work(w.items[i], .free)
                        }
                        slots.set(i, r)
                    } catch {
                        slots.fail(i, error)
                    }
                }
            }
            while next < min(limit, w.items.count) { add() }
            while try await group.next() != nil {
                if next < w.items.count { add() }
            }
        }
        return try slots.take(model: .async)
    }

    private static func throughActor<Item, Result>(
        _ w: Workload<Item, Result>, actorExecutor: TracingTaskExecutor
    ) async throws -> [Result] {
        let serializer = Serializer(executor: actorExecutor)
        let slots = ResultSlots<Result>(count: w.items.count)
        await withTaskGroup(of: Void.self) { group in
            for i in w.items.indices {
                group.addTask {
                    do { slots.set(i, try await serializer.run { try span(w.name) { try w.work(w.items[i], .free) } }) } catch {
                        slots.fail(i, error)
                    }
                }
            }
        }
        return try slots.take(model: .actor)
    }
}

/// User + system CPU time of this process and of its children that have ended (worker processes).
func processCPUTime() -> Duration {
    var total: Int64 = 0
    for who in [RUSAGE_SELF, RUSAGE_CHILDREN] {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        total += (Int64(usage.ru_utime.tv_sec) + Int64(usage.ru_stime.tv_sec)) * 1_000_000
            + Int64(usage.ru_utime.tv_usec) + Int64(usage.ru_stime.tv_usec)
    }
    return .microseconds(total)
}

/// The one actor every item of the `actor` model goes through, on a thread of its own.
actor Serializer {
    nonisolated let executor: TracingTaskExecutor
    init(executor: TracingTaskExecutor) { self.executor = executor }
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    func run<R: Sendable>(_ body: @Sendable () throws -> R) throws -> R { try body() }
}

/// Runs async work to completion from synchronous code, on `executor`'s threads.
func blockingOn<R: Sendable>(
    _ executor: TracingTaskExecutor, _ body: @escaping @Sendable () async throws -> R
) throws -> R {
    let box = AsyncOutcome<R>()
    let done = DispatchSemaphore(value: 0)
    Task(executorPreference: executor) {
        do { box.value = .success(try await body()) } catch { box.value = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.value!.get()
}

/// The outcome of async work, written by the task before it signals and read after the wait.
final class AsyncOutcome<R>: @unchecked Sendable {
    var value: Swift.Result<R, any Error>?
}

enum ProcessInfoLite {
    static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
