import CLanesTaskExecutor
import LanesCore
import LanesFormat

/// The jobs of ``TracingTaskExecutor`` (and of executors calling ``runRecordingSlice(_:on:)``) while a
/// ``Recorder`` records: written by the task recording writer of `lanes record` and `recordAllTasks()`
/// into memory, and added to the recorder's trace by the same builder (``TaskRecording/trace(adding:)``).
enum TaskCapture {
    /// Starts capturing; false when `recordAllTasks()` writes a file already (the jobs go there).
    static func begin() -> Bool { lanes_te_capture_begin() == 1 }

    /// Ends the capture and reads it; nil when none was under way or no job was recorded.
    static func end() -> TaskRecording? {
        let length = lanes_te_capture_end()
        guard length > 0 else { return nil }
        let bytes = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            lanes_te_capture_copy(buffer.baseAddress)
            count = length
        }
        let recording = TaskRecording.decode(bytes)
        return recording.slices.isEmpty && recording.enqueues.isEmpty ? nil : recording
    }
}

extension TaskRecording {
    /// The lanes, spans and flows that add these tasks to a recording of `process` whose lanes so far are
    /// `lanes`: a task with a lane there (its spans) keeps it; the gaps between its slices become the
    /// suspensions of its spans when the trace is built. New span and flow ids are numbered from 2^61,
    /// above the recorder's own.
    func batch(adding lanes: [Lane], of process: Process) -> LanesBatch {
        let out = trace(
            adding: Trace(processes: [process], lanes: lanes), firstSpanID: 1 << 61, firstFlowID: 1 << 61,
            wholeTasks: false)
        var before: [LaneID: Lane] = [:]
        for l in lanes { before[l.id] = l }
        return LanesBatch(
            processes: [process], lanes: out.lanes.filter { before[$0.id] != $0 }, spans: out.spans, flows: out.flows)
    }
}
