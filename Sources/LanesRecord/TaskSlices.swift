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

/// The name of the spans that record when a task ran, and on which thread.
public let taskSliceName = "task slice"

extension Trace {
    /// Nests each task slice under the span of its task lane that was open when it ran, and records
    /// the gaps between a span's slices, where no other wait explains them, as `suspended` waits:
    /// the time the task was not running on any thread.
    ///
    /// A task lane with spans but no slices ran somewhere the tracing executor does not reach (the
    /// main actor, an unstructured `Task {}` without the executor preference): its lane is named so,
    /// rather than drawn as if its waits were known.
    public func attachingSuspensions() -> Trace {
        var trace = self
        var byLane: [LaneID: [Int]] = [:]
        for (i, s) in trace.spans.enumerated() where trace.lane(s.lane)?.kind == .task {
            byLane[s.lane, default: []].append(i)
        }
        for (lane, indices) in byLane {
            let slices = indices.filter { trace.spans[$0].name == taskSliceName }.sorted { trace.spans[$0].start < trace.spans[$1].start }
            let owners = indices.filter { trace.spans[$0].name != taskSliceName }
            if slices.isEmpty, !owners.isEmpty, let l = trace.lanes.firstIndex(where: { $0.id == lane }),
                trace.lanes[l].name.isEmpty
            {
                trace.lanes[l].name = "task \(trace.lanes[l].taskID ?? 0) (outside the traced executor)"
            }
            guard !slices.isEmpty, !owners.isEmpty else { continue }
            for o in owners {
                let owner = trace.spans[o]
                // The innermost owner: the latest-starting span that holds the slice.
                let mine = slices.filter { s in
                    let slice = trace.spans[s]
                    guard slice.start < owner.end && slice.end > owner.start else { return false }
                    return !owners.contains { other in
                        other != o && trace.spans[other].start > owner.start && trace.spans[other].end <= owner.end
                            && trace.spans[other].start < slice.end && trace.spans[other].end > slice.start
                    }
                }
                for s in mine where trace.spans[s].parent == nil { trace.spans[s].parent = owner.id }
                // Gaps in the owner's running time (every slice inside it, its children's too).
                let running = slices.filter { trace.spans[$0].start < owner.end && trace.spans[$0].end > owner.start }
                var gaps: [(Int64, Int64)] = []
                var t = owner.start
                for s in running {
                    let slice = trace.spans[s]
                    if slice.start > t { gaps.append((t, min(slice.start, owner.end))) }
                    t = max(t, slice.end)
                }
                if owner.end > t { gaps.append((t, owner.end)) }
                var waits = owner.waits
                for (a, b) in gaps {
                    // Cut out what other waits already explain.
                    var pieces = [(a, b)]
                    for w in owner.waits {
                        pieces = pieces.flatMap { (x, y) -> [(Int64, Int64)] in
                            if w.end <= x || w.start >= y { return [(x, y)] }
                            return [(x, max(x, w.start)), (min(y, w.end), y)].filter { $0.0 < $0.1 }
                        }
                    }
                    for (x, y) in pieces where y > x { waits.append(Wait(reason: .suspended, start: x, end: y)) }
                }
                trace.spans[o].waits = waits.sorted { $0.start < $1.start }
            }
        }
        return trace
    }
}
