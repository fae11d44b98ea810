import LanesCore

/// What reading a `.lanes` file or stream gave.
public struct LanesReadResult: Sendable {
    /// Everything the whole chunks held.
    public var trace: Trace
    /// Soft problems, each reported once: where a cut file ends, waits without a span, skipped unknown parts.
    public var warnings: [LanesWarning]
    /// Whether the writer finished the file, or where the data stops.
    public var completeness: LanesDecoder.Completeness
    /// Batch chunks read.
    public var chunks: Int

    /// Whether the file ended with its end chunk.
    public var isComplete: Bool { completeness == .complete }
}

/// Reads one `.lanes` stream into a trace: a ``LanesDecoder`` feeding a ``TraceBuilder``.
///
/// Feed it bytes as they come; chunks are decoded as soon as they are whole, so memory holds the trace
/// and at most one chunk of raw bytes.
public struct LanesReader: Sendable {
    private var decoder = LanesDecoder()
    private var builder = TraceBuilder()

    public init() {}

    /// Adds the next bytes and decodes every chunk they complete.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(LanesFormatError) {
        decoder.feed(bytes)
        try drain()
    }

    /// Adds the next bytes and decodes every chunk they complete.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(LanesFormatError) {
        decoder.feed(bytes)
        try drain()
    }

    /// Ends the input and returns the trace; throws if the data ended inside the header.
    public mutating func finish() throws(LanesFormatError) -> LanesReadResult {
        decoder.finish()
        try drain()
        if decoder.completeness != .complete { addStreamedTasks() }
        let built = builder.build()
        return LanesReadResult(
            trace: built.trace, warnings: decoder.warnings + built.warnings,
            completeness: decoder.completeness ?? .endsAfterChunk(chunks: decoder.chunksRead, offset: decoder.offset),
            chunks: decoder.chunksRead)
    }

    /// Makes room for `count` spans, when the total is known (e.g. from the end of a finished file).
    public mutating func reserveCapacity(spans count: Int) { builder.reserveCapacity(spans: count) }

    /// A recorder streams its task records as raw chunks while it runs and turns them into task lanes when it
    /// stops (span ids from 2^61 to 2^62). In a file it did not finish and that has no such span, the
    /// streamed records are turned into the lanes the recorder would have added.
    private mutating func addStreamedTasks() {
        let records = decoder.taskRecords
        guard !records.isEmpty, !builder.hasSpan(in: TaskRecording.recorderSpanIDs) else { return }
        let recording = TaskRecording.decode(records)
        guard !recording.slices.isEmpty || !recording.enqueues.isEmpty else { return }
        builder.add(recording.batch(adding: builder.processesAndLanes()))
    }

    private mutating func drain() throws(LanesFormatError) {
        while let step = try decoder.mergeNext(into: &builder) {
            if case .header(_, let metadata) = step { builder.metadata = metadata }
        }
    }
}

/// Whole-file helpers over ``LanesWriter`` and ``LanesReader``.
public enum LanesFile {
    /// The `.lanes` bytes of `trace`, in chunks of at most `spansPerChunk` spans.
    public static func encode(_ trace: Trace, spansPerChunk: Int = 65_536) throws(LanesFormatError) -> [UInt8] {
        try LanesWriter<LanesMemorySink>.write(trace: trace, to: LanesMemorySink(), spansPerChunk: spansPerChunk).bytes
    }

    /// Reads `.lanes` data held in memory.
    public static func decode(_ bytes: some Sequence<UInt8>) throws(LanesFormatError) -> LanesReadResult {
        var reader = LanesReader()
        let hint = bytes.withContiguousStorageIfAvailable { ChunkDecoder.endTotals(atEndOf: $0) }
        if let totals = hint ?? nil {
            let count = bytes.underestimatedCount
            reader.reserveCapacity(spans: Int(min(totals.spans, UInt64(count / 3))))
        }
        try reader.feed(bytes)
        return try reader.finish()
    }
}
