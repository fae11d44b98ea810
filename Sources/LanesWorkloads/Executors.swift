import Dispatch
import LanesRecord

/// A task executor with threads of its own that records every slice of every task it runs, so the `async` and `actor` models neither depend on
/// nor starve Swift's global cooperative pool (which has one thread per core: a caller blocked
/// waiting for a run would otherwise hold one of them).
final class ThreadPoolExecutor: TaskExecutor, SerialExecutor, @unchecked Sendable {
    private let jobs = JobQueue()
    private var threads: [TracedThread] = []

    /// `count` threads named `name-0`, `name-1`, …; with one thread it is also a serial executor.
    init(threads count: Int, name: String) throws {
        threads = try (0..<count).map { n in
            try TracedThread(name: "\(name)-\(n)") { [jobs, unowned self] in
                while let job = jobs.pop() {
                    // One thread: run as the serial executor (for the actor); else as task executor.
                    // Each job is a slice of a task: recorded with the thread that ran it.
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

    func enqueue(_ job: consuming ExecutorJob) {
        jobs.push(UnownedJob(job))
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }

    /// Lets the threads finish the jobs queued and end.
    func shutdown() {
        jobs.close()
        for t in threads { t.join() }
    }
}

/// A first-in first-out queue of jobs for executor threads (not traced: it is the runtime's).
final class JobQueue: @unchecked Sendable {
    private let lock = DispatchSemaphore(value: 1)
    private let available = DispatchSemaphore(value: 0)
    // Guarded by `lock`.
    private var items: [UnownedJob] = []
    private var head = 0
    private var closed = false
    private var waiting = 0

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
