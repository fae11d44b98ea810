import CLanesTaskExecutor
import LanesCore

/// Runs one job of a task executor of your own and records it as a slice of its task: which thread
/// ran the task, from when to when, in the same records as ``TracingTaskExecutor``'s (the task
/// recording format `lanes record` reads). Call it from the executor's threads in place of
/// `runSynchronously(on:)` while a ``Recorder`` records; the trace then has a lane per task with a
/// ``taskSliceName`` span per job and `suspended` waits between them. Call
/// ``recordEnqueue(_:)`` from the executor's `enqueue` too for the parent → child and waker → woken
/// flows.
public func runRecordingSlice(_ job: UnownedJob, on executor: UnownedTaskExecutor) {
    withUnsafePointer(to: executor) { e in
        lanes_te_run_job(
            unsafeBitCast(job, to: UnsafeMutableRawPointer.self), runOnTaskExecutor,
            UnsafeMutableRawPointer(mutating: e))
    }
}

/// The same for a job run isolated to a serial executor (an actor's), with a task executor.
public func runRecordingSlice(
    _ job: UnownedJob, isolatedTo serial: UnownedSerialExecutor, taskExecutor: UnownedTaskExecutor
) {
    withUnsafePointer(to: (serial, taskExecutor)) { e in
        lanes_te_run_job(
            unsafeBitCast(job, to: UnsafeMutableRawPointer.self), runIsolated, UnsafeMutableRawPointer(mutating: e))
    }
}

/// Records that your task executor was handed `job`, with the task running now (the parent of a new
/// task, the waker of a resumed one). Call it from `enqueue(_:)` before queueing the job.
public func recordEnqueue(_ job: UnownedJob) {
    lanes_te_record_enqueue(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
}

private let runOnTaskExecutor: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { job, e in
    guard let job, let e else { return }
    unsafeBitCast(job, to: UnownedJob.self).runSynchronously(on: e.load(as: UnownedTaskExecutor.self))
}

private let runIsolated: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void = { job, e in
    guard let job, let e else { return }
    let (serial, task) = e.load(as: (UnownedSerialExecutor, UnownedTaskExecutor).self)
    unsafeBitCast(job, to: UnownedJob.self).runSynchronously(isolatedTo: serial, taskExecutor: task)
}

/// The name of the spans that record when a task ran, and on which thread (`Span.taskSliceName` of LanesCore).
public let taskSliceName = Span.taskSliceName
