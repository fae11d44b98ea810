import LanesCore
import LanesRecord

#if canImport(Glibc)
    import Glibc
#endif

/// Work in three phases for the ``ConcurrencyModel/hybrid`` model: I/O done by async tasks, CPU work
/// sent to a pool of worker processes, then more I/O (the seed's asyncio + ProcessPoolExecutor).
///
/// The CPU phase runs in the worker processes, which rebuild the scenario with
/// `LANES_WORKER_ROLE=compute` in their environment and call ``HybridWorker/serve(name:compute:)``;
/// its input and output travel as one line of text each (no newline or tab).
struct HybridWorkload<Item: Sendable, Result: Sendable>: Sendable {
    var name: SpanName
    var items: [Item]
    /// The I/O before the CPU work; its answer is the CPU work's input.
    var fetch: @Sendable (Item) async throws -> String
    /// The I/O after the CPU work, given what was fetched and the CPU work's output.
    var finish: @Sendable (Item, String, String) async throws -> Result
    var combine: @Sendable ([Result]) -> String
}

/// The environment variable that tells a worker process to serve the CPU phase of a hybrid run.
let workerRoleVariable = "LANES_WORKER_ROLE"

enum HybridRunner {
    /// Runs `w` as async tasks on a tracing executor, at most `options.workers` of them in their
    /// I/O phases at once (an async semaphore), each awaiting its CPU work in a pool of
    /// `options.workers` processes. Awaiting the pool suspends the task (an `ipc` wait on its lane):
    /// no executor thread is held.
    static func run<Item, Result>(
        _ w: HybridWorkload<Item, Result>, options: RunOptions, details: @escaping () -> [String] = { [] }
    ) throws -> RunResult {
        guard options.workers > 0 else { throw RunError.invalidOptions("--workers must be at least 1") }
        guard !options.scenario.isEmpty else {
            throw RunError.invalidOptions("the hybrid model needs a scenario, which its workers rebuild")
        }
        var traces: [Trace] = []
        return try Runner.record(model: .hybrid, options: options, extraTraces: { traces }) {
            let pool = try AsyncProcessPool(
                count: min(options.workers, max(1, w.items.count)),
                executable: options.workerExecutable ?? ProcessPool.ownExecutable(),
                arguments: [
                    "_worker", options.scenario, "--scale", "\(options.scale)", "--workers", "\(options.workers)",
                ],
                environment: options.workerEnvironment + ["\(workerRoleVariable)=compute"])
            let executor: TracingTaskExecutor
            do { executor = try TracingTaskExecutor(threads: ProcessInfoLite.cores, name: "async") } catch {
                _ = pool.finish()
                throw error
            }
            let outcome = Swift.Result {
                try blockingOn(executor) { try await tasks(w, limit: options.workers, pool: pool, executor: executor) }
            }
            executor.shutdown()
            traces = pool.finish()
            if case .failure(RunError.workerDied(let worker, let pid, let item, let how, _)) = outcome {
                // The dead worker's lane says how it ended; every process's trace goes with the error.
                throw RunError.workerDied(worker: worker, pid: pid, item: item, how: how, trace: Trace.merging(traces))
            }
            return (w.combine(try outcome.get()), details())
        }
    }

    private static func tasks<Item, Result>(
        _ w: HybridWorkload<Item, Result>, limit: Int, pool: AsyncProcessPool, executor: TracingTaskExecutor
    ) async throws -> [Result] {
        let slots = ResultSlots<Result>(count: w.items.count)
        let io = AsyncSemaphore(permits: limit)
        let send = SpanName("send to pool")
        let poolName = SpanName("worker pool")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in w.items.indices {
                group.addTask(executorPreference: executor) {
                    do {
                        let r = try await span(w.name) {
                            await io.acquire()
                            let fetched: String
                            do {
                                defer { io.release() }
                                fetched = try await w.fetch(w.items[i])
                            }
                            let computed = try await span(send) {
                                let token = beginWait(.ipc, object: poolName)
                                defer { endWait(token) }
                                return try await pool.submit(fetched, item: i)
                            }
                            await io.acquire()
                            defer { io.release() }
                            return try await w.finish(w.items[i], fetched, computed)
                        }
                        slots.set(i, r)
                    } catch let error as RunError {
                        throw error
                    } catch {
                        slots.fail(i, error)
                    }
                }
            }
            try await group.waitForAll()
        }
        return try slots.take(model: .hybrid)
    }
}

/// Worker processes that tasks can await: a thread of its own feeds them lines and resumes each
/// submitting task with its answer, so awaiting CPU work holds no executor thread.
final class AsyncProcessPool: @unchecked Sendable {
    private struct Job {
        var id: Int
        var payload: String
        var continuation: CheckedContinuation<String, any Error>
    }

    private struct Shared {
        var queued: [Job] = []
        var closing = false
        var failure: RunError?
        var traces: [Trace] = []
    }

    private let shared = Lock(Shared())
    private let wake: WakePipe
    private var thread: PlainThread?

    init(count: Int, executable: String, arguments: [String], environment: [String]) throws {
        do { wake = try WakePipe() } catch { throw RunError.workerFailed("pipe: \(error)") }
        var workers: [Worker] = []
        do {
            for k in 0..<count {
                workers.append(
                    try Worker.spawn(index: k, executable: executable, arguments: arguments, environment: environment))
            }
        } catch {
            for w in workers { w.closeAll() }
            wake.close()
            throw error
        }
        let all = workers
        thread = try PlainThread { [self] in loop(all) }
    }

    /// Sends `payload`, the CPU work of `item` (unique among those in flight), to the next free
    /// worker and suspends until its answer comes back.
    func submit(_ payload: String, item: Int) async throws -> String {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<String, any Error>) in
            let failure = shared.withLock { s -> RunError? in
                if let f = s.failure { return f }
                s.queued.append(Job(id: item, payload: payload, continuation: c))
                return nil
            }
            if let failure { return c.resume(throwing: failure) }
            signalWake()
        }
    }

    /// Ends the workers once their work is done and returns their traces.
    func finish() -> [Trace] {
        shared.withLock { $0.closing = true }
        signalWake()
        thread?.join()
        thread = nil
        wake.close()
        return shared.withLock { $0.traces }
    }

    private func signalWake() { wake.signal() }

    private func loop(_ initial: [Worker]) {
        // A write to a worker that just died must fail with EPIPE, not kill this process: SIGPIPE
        // for a write is sent to the writing thread, so blocking it here is enough.
        var pipeSignal = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
        var workers = initial
        var waiting: [Job] = []
        var running: [Int: Job] = [:]
        var closing = false
        func failAll(_ error: RunError) {
            let queued = shared.withLock { s -> [Job] in
                s.failure = error
                defer { s.queued = [] }
                return s.queued
            }
            for job in waiting + queued + Array(running.values) { job.continuation.resume(throwing: error) }
            waiting = []
            running = [:]
        }
        while true {
            shared.withLock { s in
                waiting += s.queued
                s.queued = []
                closing = s.closing
            }
            for k in workers.indices
            where workers[k].assigned == nil && workers[k].inputFD >= 0 && workers[k].resultsFD >= 0 && !waiting.isEmpty
            {
                let job = waiting.removeFirst()
                workers[k].assigned = job.id
                running[job.id] = job
                let line = Array("\(job.id)\t\(job.payload)\n".utf8)
                var sent = 0
                while sent < line.count {
                    let n = line.withUnsafeBytes { write(workers[k].inputFD, $0.baseAddress! + sent, $0.count - sent) }
                    if n > 0 { sent += n } else if errno != EINTR { break }
                }
            }
            if closing && waiting.isEmpty && running.isEmpty { break }
            var fds = [pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0)]
            for w in workers {
                if w.resultsFD >= 0 { fds.append(pollfd(fd: w.resultsFD, events: Int16(POLLIN), revents: 0)) }
                if w.traceFD >= 0 { fds.append(pollfd(fd: w.traceFD, events: Int16(POLLIN), revents: 0)) }
            }
            _ = poll(&fds, nfds_t(fds.count), -1)
            if fds[0].revents != 0 { wake.drain() }
            for k in workers.indices {
                workers[k].drainTrace()
                guard let (lines, ended) = try? workers[k].readResults() else { continue }
                for line in lines {
                    let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let id = Int(parts[0]), id == workers[k].assigned,
                        let job = running.removeValue(forKey: id)
                    else {
                        failAll(
                            .workerFailed(
                                "worker \(k) (pid \(workers[k].pid)) answered '\(line.prefix(80))' to item \(workers[k].assigned ?? -1)"
                            ))
                        continue
                    }
                    workers[k].assigned = nil
                    job.continuation.resume(returning: parts[1])
                }
                if ended && workers[k].assigned == nil && workers[k].exit == nil {
                    // Ended between jobs: no item is lost, but the run cannot count on it.
                    let how = workers[k].reap()
                    workers[k].note = "\(how) between items"
                    workers[k].closeInput()
                    failAll(.workerFailed("hybrid worker \(k) (pid \(workers[k].pid)) \(how) between items"))
                }
                if ended, let job = workers[k].assigned {
                    let how = workers[k].reap()
                    workers[k].note = "\(how) while processing item \(job)"
                    workers[k].assigned = nil
                    workers[k].closeInput()
                    failAll(.workerDied(worker: k, pid: workers[k].pid, item: job, how: how, trace: Trace()))
                }
            }
        }
        // No more work: closing their input ends the workers; then their trace streams end.
        for k in workers.indices { workers[k].closeInput() }
        while workers.contains(where: { !$0.traceEnded }) {
            var fds = workers.filter { $0.traceFD >= 0 }.map {
                pollfd(fd: $0.traceFD, events: Int16(POLLIN), revents: 0)
            }
            _ = poll(&fds, nfds_t(fds.count), -1)
            for k in workers.indices { workers[k].drainTrace() }
        }
        var traces: [Trace] = []
        for k in workers.indices {
            if workers[k].exit == nil { _ = workers[k].reap() }
            traces.append(workers[k].finishTrace())
            workers[k].closeAll()
        }
        shared.withLock { $0.traces = traces }
    }
}

/// The worker side of the hybrid model's process pool.
enum HybridWorker {
    /// Whether this process is a worker serving the CPU phase of a hybrid run.
    static var isComputeWorker: Bool {
        ProcessWorker.active.load(ordering: .acquiring)
            && getenv(workerRoleVariable).map { String(cString: $0) } == "compute"
    }

    /// Reads `id<TAB>input` lines from standard input until it ends, answers `id<TAB>output` on
    /// standard output, and records each `compute` call as a span named `name`, streamed to
    /// descriptor 3 as the `processes` model's workers do. `LANES_TEST_KILL_ITEM=N` makes the worker
    /// handed job N kill itself first, as it does for ``ProcessWorker``.
    static func serve(name: String, options: RunOptions, compute: (String) throws -> String) throws -> RunResult {
        let recorder = try ProcessWorker.startRecording(options, model: .hybrid)
        let spanName = SpanName(name)
        let killJob = getenv("LANES_TEST_KILL_ITEM").flatMap { Int(String(cString: $0)) }
        try ProcessWorker.forEachLineFromParent(chunk: 1 << 16) { line in
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let id = Int(parts[0]) else {
                throw RunError.workerFailed("worker: the parent sent '\(line.prefix(80))', not a job")
            }
            if id == killJob { kill(getpid(), SIGKILL) }
            let output = try span(spanName) { try compute(String(parts[1])) }
            try ProcessWorker.answerParent("\(id)\t\(output)\n")
        }
        _ = try recorder.stop()
        return RunResult(model: .hybrid, answer: "", details: [], trace: Trace(), wallTime: .zero, cpuTime: .zero)
    }
}
