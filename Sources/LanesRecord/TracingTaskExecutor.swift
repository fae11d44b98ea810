import Dispatch

/// A task executor with threads of its own that records every slice of every task it runs: which
/// thread ran the task, from when to when. Run tasks on it with `withTaskExecutorPreference(_:)` or
/// `Task(executorPreference:)`; the recording then has each task's slices, and its suspensions
/// between them, with no executor of your own to write.
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
                while let job = jobs.pop() {
                    if count == 1 {
                        runRecordingSlice(
                            job, isolatedTo: self.asUnownedSerialExecutor(), taskExecutor: self.asUnownedTaskExecutor())
                    } else {
                        runRecordingSlice(job, on: self.asUnownedTaskExecutor())
                    }
                }
            }
        }
    }

    /// Queues `job` for the executor's threads.
    public func enqueue(_ job: consuming ExecutorJob) {
        jobs.push(UnownedJob(job))
    }

    /// The executor as an actor's serial executor (meaningful with one thread).
    public func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    /// Lets the threads finish the jobs queued and end; waits for them.
    public func shutdown() {
        jobs.close()
        for t in threads { t.join() }
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
