import CLanesTaskExecutor
import Dispatch

/// A task executor with threads of its own that records every job of every task it runs while a
/// ``Recorder`` records: which thread ran the task, from when to when, and each hand-over to it with
/// the task that made it (the parent of a new task, the waker of a resumed one). Run tasks on it with
/// `withTaskExecutorPreference(_:)` or `Task(executorPreference:)`; the recording then has a lane per
/// task with its slices, its suspensions between them and the spawn and wake flows — the data
/// `lanes record` and ``recordAllTasks(to:)`` give, written by the same recorder — with no executor
/// of your own to write.
///
/// With one thread it is also a serial executor, so an actor can use it
/// (`nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }`).
/// Call ``shutdown()`` when done with it: the threads finish the jobs queued and end.
public final class TracingTaskExecutor: TaskExecutor, SerialExecutor, @unchecked Sendable {
    private let jobs = JobQueue()
    private var threads: [TracedThread] = []

    /// `count` threads (at least 1) named `name-0`, `name-1`, …
    public init(threads count: Int, name: String = "executor") throws {
        let count = max(1, count)
        threads = try (0..<count).map { n in
            try TracedThread(name: "\(name)-\(n)") { [jobs, unowned self] in
                // The executor's references, made once: no reference counting per job.
                let executors = RunOn(
                    serial: count == 1 ? self.asUnownedSerialExecutor() : nil, task: self.asUnownedTaskExecutor())
                withUnsafePointer(to: executors) { context in
                    while let job = jobs.pop() {
                        lanes_te_run_job(
                            unsafeBitCast(job, to: UnsafeMutableRawPointer.self), runExecutorJob,
                            UnsafeMutableRawPointer(mutating: context))
                    }
                }
            }
        }
    }

    /// Queues `job` for the executor's threads.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        lanes_te_record_enqueue(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
        jobs.push(job)
    }

    /// The executor as an actor's serial executor (meaningful with one thread).
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    /// Lets the threads finish the jobs queued and end; waits for them.
    public func shutdown() {
        jobs.close()
        for t in threads { t.join() }
    }
}

/// Where a thread of the executor runs its jobs: isolated to it as well when it has one thread.
private struct RunOn {
    var serial: UnownedSerialExecutor?
    var task: UnownedTaskExecutor
}

/// Runs a job on the executors `context` points to (a `RunOn`; the recorder times it around this call).
private let runExecutorJob: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = {
    job, context in
    guard let job, let context else { return }
    let on = context.assumingMemoryBound(to: RunOn.self)
    let unowned = unsafeBitCast(job, to: UnownedJob.self)
    if let serial = on.pointee.serial {
        unowned.runSynchronously(isolatedTo: serial, taskExecutor: on.pointee.task)
    } else {
        unowned.runSynchronously(on: on.pointee.task)
    }
}

/// A first-in first-out queue of jobs for executor threads.
private final class JobQueue: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private let available = DispatchSemaphore(value: 0)
    // Guarded by `lock`.
    private var items: [UnownedJob] = []
    private var head = 0
    private var closed = false

    func push(_ job: UnownedJob) {
        lock.wait()
        items.append(job)
        lock.signal()
        available.signal()
    }

    /// The next job, waiting for one; nil once closed and empty.
    func pop() -> UnownedJob? {
        while true {
            available.wait()
            lock.wait()
            if head < items.count {
                let job = items[head]
                head += 1
                if head > 1024 && head * 2 > items.count {
                    items.removeFirst(head)
                    head = 0
                }
                lock.signal()
                return job
            }
            let done = closed
            lock.signal()
            if done {
                available.signal()  // wake the next thread so it sees the queue closed too
                return nil
            }
        }
    }

    func close() {
        lock.wait()
        closed = true
        lock.signal()
        available.signal()
    }
}
