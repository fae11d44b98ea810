import CLanesSupport
import LanesCore

/// Runs one job of a task executor and records it as a slice of its task: which thread ran the
/// task, from when to when. Call it from a `TaskExecutor`'s threads in place of
/// `runSynchronously(on:)`; the slices become spans named ``taskSliceName`` on the task's lane, and
/// `Trace.attachingSuspensions()` turns the gaps between them into `suspended` waits.
public func runRecordingSlice(_ job: UnownedJob, on executor: UnownedTaskExecutor) {
    recordingSlice(of: job) { job.runSynchronously(on: executor) }
}

/// The same for a job run isolated to a serial executor (an actor's), with a task executor.
public func runRecordingSlice(
    _ job: UnownedJob, isolatedTo serial: UnownedSerialExecutor, taskExecutor: UnownedTaskExecutor
) {
    recordingSlice(of: job) { job.runSynchronously(isolatedTo: serial, taskExecutor: taskExecutor) }
}

/// Runs `run` (which runs `job`) and records it as a slice of the job's task.
@inline(__always)
private func recordingSlice(of job: UnownedJob, _ run: () -> Void) {
    guard lanes_recording_mode() != 0 else { return run() }
    let task = lanes_job_task_id(unsafeBitCast(job, to: UnsafeMutableRawPointer.self))
    let start = lanes_now()
    run()
    appendRecord(start, lanes_now(), tag(.taskSlice, 0), task)
}

/// The name of the spans that record when a task ran, and on which thread (`Span.taskSliceName` of LanesCore).
public let taskSliceName = Span.taskSliceName
