import CLanesTaskExecutor
import LanesCore
import LanesFormat

/// The jobs of ``TracingTaskExecutor`` (and of executors calling ``runRecordingSlice(_:on:)``) while a
/// ``Recorder`` records: written by the task recording writer of `lanes record` and `recordAllTasks()`
/// into memory, and added to the recorder's trace by the same builder (``TaskRecording/trace(adding:)``).
enum TaskCapture {
    /// Starts capturing; false when `recordAllTasks()` writes a file already (the jobs go there).
    static func begin() -> Bool { lanes_te_capture_begin() == 1 }

    /// Captures what every thread has recorded so far, full buffer or not.
    static func flush() { lanes_te_capture_flush() }

    /// The bytes captured so far (whole chunks of the task recording format).
    static var size: Int { lanes_te_capture_size() }

    /// The captured bytes `range`, in pieces where they lie (the capture goes on; they stay there, unchanged,
    /// until it ends).
    static func pieces(_ range: Range<Int>, _ body: (UnsafeRawBufferPointer) -> Void) {
        var at = range.lowerBound
        while at < range.upperBound {
            var length = 0
            guard let p = lanes_te_capture_at(at, &length), length > 0 else { return }
            let n = min(length, range.upperBound - at)
            body(UnsafeRawBufferPointer(start: p, count: n))
            at += n
        }
    }

    /// Signals `wakeup` each time a thread's records are captured (nil: stops). `wakeup` must outlive the
    /// capture or the next call.
    static func notify(_ wakeup: Wakeup?) {
        if let wakeup {
            lanes_te_capture_notify(signalWakeup, Unmanaged.passUnretained(wakeup).toOpaque())
        } else {
            lanes_te_capture_notify(nil, nil)
        }
    }

    /// Ends the capture and returns all of it (empty when none was under way); ``recording(_:)`` reads it.
    static func end() -> [UInt8] {
        let length = lanes_te_capture_end()
        guard length > 0 else { return [] }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            lanes_te_capture_copy(buffer.baseAddress)
            count = length
        }
    }

    /// The jobs in captured `bytes`; nil when no job was recorded.
    static func recording(_ bytes: [UInt8]) -> TaskRecording? {
        guard !bytes.isEmpty else { return nil }
        let recording = TaskRecording.decode(bytes)
        return recording.slices.isEmpty && recording.enqueues.isEmpty ? nil : recording
    }
}

private let signalWakeup: @convention(c) (UnsafeMutableRawPointer?) -> Void = { context in
    guard let context else { return }
    Unmanaged<Wakeup>.fromOpaque(context).takeUnretainedValue().signal()
}

extension TaskRecording {
    /// The lanes, spans and flows that add these tasks to a recording of `process` whose lanes so far are
    /// `lanes` (see ``TaskRecording/batch(adding:)``).
    func batch(adding lanes: [Lane], of process: Process) -> LanesBatch {
        batch(adding: Trace(processes: [process], lanes: lanes))
    }
}
