import LanesSupport
import LanesCore

/// Writes a `.lanes` file: the preamble and header when created, then one chunk per ``write(_:)``, then
/// an end chunk on ``finish()``. See FORMAT.md beside this file for the layout.
///
/// ```swift
/// var writer = try LanesWriter(path: "run.lanes", metadata: metadata)
/// try writer.write(LanesBatch(lanes: newLanes, spans: finished))   // as often as the recorder flushes
/// try writer.finish()
/// ```
///
/// The string table is file-wide, so a writer is one file: do not copy it and write to both copies.
/// After a failed write the writer is closed (the sink may hold part of a chunk).
public struct LanesWriter<Sink: LanesSink> {
    /// Where the bytes go; a ``LanesMemorySink``'s `bytes` hold the file after ``finish()``.
    public private(set) var sink: Sink
    /// Batch chunks written so far (the header and end chunks not counted).
    public private(set) var chunksWritten = 0
    /// Spans written so far.
    public private(set) var spansWritten = 0
    /// Bytes handed to the sink so far.
    public private(set) var bytesWritten = 0
    /// The metadata last written (in the header or a batch).
    public private(set) var metadata: Metadata

    private var encoder = ChunkEncoder()
    private var isOpen = true

    /// Writes the preamble and the header chunk with `metadata` to `sink`.
    public init(sink: Sink, metadata: Metadata) throws(LanesFormatError) {
        self.sink = sink
        self.metadata = metadata
        var head = ByteWriter(capacity: 256)
        head.raw(Layout.magic)
        head.u16(Layout.version)
        head.u16(0)
        head.raw(encoder.headerChunk(metadata))
        try emit(head.bytes)
    }

    /// Writes `batch` as one chunk (an empty batch writes nothing).
    public mutating func write(_ batch: LanesBatch) throws(LanesFormatError) {
        guard isOpen else { throw .writerClosed }
        if batch.isEmpty { return }
        let chunk = encoder.batchChunk(batch)
        let size = ChunkEncoder.payloadSize(ofChunk: chunk)
        guard size <= Layout.maxChunkPayload else {
            isOpen = false  // the string table now holds strings no reader will see
            throw .chunkTooLarge(bytes: size, limit: Layout.maxChunkPayload)
        }
        try emit(chunk)
        chunksWritten += 1
        spansWritten += batch.spans.count
        if let m = batch.metadata { metadata = m }
    }

    /// Writes task records (whole chunks of the task recording format) as they were captured: a reader turns
    /// them into task lanes only when the file was not finished (the writer adds the lanes itself at the end).
    /// Large runs of bytes go in several chunks.
    /// The bytes are checksummed and written where they are, not copied into a chunk first.
    package mutating func writeTaskRecords(_ bytes: UnsafeRawBufferPointer) throws(LanesFormatError) {
        guard isOpen else { throw .writerClosed }
        let piece = 64 << 20
        var start = 0
        while start < bytes.count {
            let payload = UnsafeRawBufferPointer(rebasing: bytes[start..<min(bytes.count, start + piece)])
            var header = ByteWriter(capacity: Layout.chunkHeaderSize)
            header.u8(Layout.Kind.taskRecords)
            header.u32(UInt32(payload.count))
            var crc = CRC32()
            crc.update(header.bytes)
            crc.update(payload)
            header.u32(crc.value)
            try emit(header.bytes)
            do throws(LanesFormatError) {
                try sink.write(payload)
            } catch {
                isOpen = false
                throw error
            }
            bytesWritten += payload.count
            start += payload.count
        }
    }

    /// Writes the end chunk, which marks the file complete, and closes the sink.
    public mutating func finish() throws(LanesFormatError) {
        guard isOpen else { throw .writerClosed }
        try emit(ChunkEncoder.endChunk(chunks: chunksWritten, spans: spansWritten))
        isOpen = false
        try sink.close()
    }

    /// A writer that has written nothing, not even the header: its chunks are the middle of a file (tests).
    package init(sinkForTesting sink: Sink) {
        self.sink = sink
        self.metadata = Metadata()
    }

    private mutating func emit(_ bytes: [UInt8]) throws(LanesFormatError) {
        do throws(LanesFormatError) {
            try bytes.withUnsafeBufferPointer { (b) throws(LanesFormatError) in try sink.write(UnsafeRawBufferPointer(b)) }
        } catch {
            isOpen = false
            throw error
        }
        bytesWritten += bytes.count
    }
}

extension LanesWriter: Sendable where Sink: Sendable {}

extension LanesWriter {
    /// Writes everything in `trace` but its metadata (which the header or an earlier batch carries, unless it
    /// differs) as batches of at most `spansPerChunk` spans, marks, counters and flows each.
    public mutating func write(_ trace: Trace, spansPerChunk: Int = 65_536) throws(LanesFormatError) {
        let per = max(1, spansPerChunk)
        var first = LanesBatch(processes: trace.processes, lanes: trace.lanes)
        if trace.metadata != metadata { first.metadata = trace.metadata }
        var offset = 0
        let total = max(trace.spans.count, trace.marks.count, trace.counters.count, trace.flows.count)
        repeat {
            var batch = offset == 0 ? first : LanesBatch()
            func piece<T>(_ all: [T]) -> [T] {
                offset < all.count ? Array(all[offset..<min(all.count, offset + per)]) : []
            }
            batch.spans = piece(trace.spans)
            batch.marks = piece(trace.marks)
            batch.counters = piece(trace.counters)
            batch.flows = piece(trace.flows)
            try write(batch)
            offset += per
        } while offset < total
    }

    /// Writes a whole trace (header, chunks of at most `spansPerChunk` spans, end) to `sink` and returns the sink.
    public static func write(
        trace: Trace, to sink: Sink, spansPerChunk: Int = 65_536
    ) throws(LanesFormatError) -> Sink {
        var writer = try LanesWriter(sink: sink, metadata: trace.metadata)
        try writer.write(trace, spansPerChunk: spansPerChunk)
        try writer.finish()
        return writer.sink
    }
}

extension LanesWriter where Sink == LanesFileSink {
    /// Creates (or truncates) the file at `path` and writes the preamble and header to it; ``finish()`` closes it.
    public init(path: String, metadata: Metadata) throws(LanesFormatError) {
        try self.init(sink: LanesFileSink(creatingFileAt: path), metadata: metadata)
    }
}
