import LanesCore
import LanesFormat

/// The `.lanes` file a session writes. Only used with the session's output lock held.
final class LanesFileWriter: @unchecked Sendable {
    private var writer: LanesWriter<LanesFileSink>

    init(path: String, metadata: Metadata) throws {
        // A FIFO at the path is a stream someone reads as the recording goes: written directly.
        writer = try LanesWriter(sink: LanesFileSink(creatingFileAt: path, streamingToFIFO: true), metadata: metadata)
    }

    init(descriptor: Int32, metadata: Metadata) throws {
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
        try writer.writeTaskRecords(bytes)
    }

    /// Finishes the file. The task records streamed into it stay (a reader of a finished file skips them): reading
    /// the whole file back to drop them would cost the stop as much as the recording wrote.
    func finish() throws {
        try writer.finish()
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
