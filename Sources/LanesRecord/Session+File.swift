import LanesCore
import LanesFormat

/// The `.lanes` file a session writes. Only used with the session's output lock held.
final class LanesFileWriter: @unchecked Sendable {
    private var writer: LanesWriter<LanesFileSink>
    /// A regular file written through a temporary one (not a FIFO, not a descriptor): rewritable once finished.
    private let regularFile: String?
    private var wroteTaskRecords = false

    init(path: String, metadata: Metadata) throws {
        // A FIFO at the path is a stream someone reads as the recording goes: written directly.
        let sink = try LanesFileSink(creatingFileAt: path, streamingToFIFO: true)
        regularFile = sink.temporaryPath == nil ? nil : path
        writer = try LanesWriter(sink: sink, metadata: metadata)
    }

    init(descriptor: Int32, metadata: Metadata) throws {
        regularFile = nil
        writer = try LanesWriter(sink: LanesFileSink(fileDescriptor: descriptor), metadata: metadata)
    }

    /// Writes `batch`, as several chunks when it holds more spans than one chunk should.
    func write(_ batch: LanesBatch) throws {
        let limit = 65_536
        var rest = batch
        var start = 0
        while rest.spans.count - start > limit {
            // Lanes and processes travel in the first part, so every span's lane is known when read.
            let part = LanesBatch(
                processes: rest.processes, lanes: rest.lanes, spans: Array(rest.spans[start..<start + limit]))
            rest.processes = []
            rest.lanes = []
            start += limit
            try writer.write(part)
        }
        if start > 0 { rest.spans = Array(rest.spans[start...]) }
        try writer.write(rest)
    }

    /// Writes task records as captured (see `LanesWriter.writeTaskRecords`).
    func writeTaskRecords(_ bytes: UnsafeRawBufferPointer) throws {
        wroteTaskRecords = true
        try writer.writeTaskRecords(bytes)
    }

    /// Finishes the file. A regular file then loses the task records streamed into it: the batch of task lanes
    /// made at the stop holds what they did, and the file is as long as it was before they were streamed. (If that
    /// rewrite fails, the finished file with them stays, as readable.)
    func finish() throws {
        try writer.finish()
        if wroteTaskRecords, let regularFile { _ = try? LanesFile.removeTaskRecords(atPath: regularFile) }
    }
}

extension LanesBatch {
    /// Empties every part, keeping the arrays' capacity.
    mutating func clear() {
        processes.removeAll(keepingCapacity: true)
        lanes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        waits.removeAll(keepingCapacity: true)
        marks.removeAll(keepingCapacity: true)
        counters.removeAll(keepingCapacity: true)
        flows.removeAll(keepingCapacity: true)
        metadata = nil
    }
}
