import LanesCore

/// Decodes a `.lanes` byte stream incrementally: feed it bytes as they arrive (from a file, a pipe, a socket),
/// in slices of any size, and take the header and batches out as whole chunks become available.
///
/// ```swift
/// var decoder = LanesDecoder()
/// while let bytes = readSomeBytes() {
///     decoder.feed(bytes)
///     while let event = try decoder.next() { handle(event) }
/// }
/// decoder.finish()
/// while let event = try decoder.next() { handle(event) }   // reports how the data ended
/// print(decoder.completeness!, decoder.warnings)
/// ```
///
/// A stream cut inside a chunk is not an error: the whole chunks before the cut are returned, and a
/// warning and ``completeness`` say where the data ended. Errors (damage, a foreign or newer file) are
/// thrown by ``next()``, which keeps throwing the same error afterwards.
///
/// To build a trace, ``mergeNext(into:)`` decodes batches straight into a ``TraceBuilder`` (several
/// decoders, one per worker stream, can merge into one builder); ``LanesReader`` does this for one stream.
public struct LanesDecoder: Sendable {
    /// What a whole chunk yields.
    public enum Event: Sendable {
        /// The header: the format version and the trace metadata it starts with. Always first.
        case header(version: UInt16, metadata: Metadata)
        /// One batch chunk. Waits whose span is in the same chunk come attached to it (sorted by start);
        /// the others stay in `waits` for ``TraceBuilder`` to attach.
        case batch(LanesBatch)
        /// The end chunk: the writer finished cleanly. Nothing follows.
        case end
    }

    /// How the data ended, known once ``finish()`` was called and ``next()`` returned nil.
    public enum Completeness: Hashable, Sendable, CustomStringConvertible {
        /// The end chunk was read: the writer finished.
        case complete
        /// There was no end chunk: the data ends after `chunks` whole batch chunks, the last ending at byte `offset`.
        case endsAfterChunk(chunks: Int, offset: Int)

        public var description: String {
            switch self {
            case .complete: "complete"
            case .endsAfterChunk(let chunks, let offset): "incomplete: ends after chunk \(chunks) (byte \(offset))"
            }
        }
    }

    private enum Phase: Sendable { case preamble, header, chunks, ended, done }

    /// Soft problems met so far; see ``LanesWarning``.
    public var warnings: [LanesWarning] {
        var all = notes
        for (kind, u) in unknownChunks.sorted(by: { $0.key < $1.key }) {
            all.append(.unknownChunks(kind: kind, count: u.count, firstOffset: u.firstOffset))
        }
        for (tag, u) in payloads.unknownSections.sorted(by: { $0.key < $1.key }) {
            all.append(.unknownSections(tag: tag, count: u.count, firstChunkOffset: u.firstChunkOffset))
        }
        return all
    }
    /// How the data ended; nil until ``finish()`` was called and ``next()`` returned nil.
    public private(set) var completeness: Completeness?
    /// Batch chunks read so far.
    public private(set) var chunksRead = 0
    /// Spans read so far.
    public private(set) var spansRead = 0
    /// The payloads of the task records chunks read so far, in order: the task recording format's chunks a
    /// recorder streamed (see ``LanesReader/finish()``).
    package private(set) var taskRecords: [UInt8] = []
    /// The byte offset just past the last whole chunk read.
    public var offset: Int { base + position }

    private var phase = Phase.preamble
    /// Bytes fed but not consumed yet; `buffer[0]` is byte `base` of the stream.
    private var buffer: [UInt8] = []
    private var base = 0
    private var position = 0
    private var inputFinished = false
    private var failure: LanesFormatError?
    private var payloads = ChunkDecoder()
    private var notes: [LanesWarning] = []
    private var unknownChunks: [UInt8: (count: Int, firstOffset: Int)] = [:]
    /// Bytes seen after the end chunk, and where they started.
    private var trailing = 0
    private var trailingOffset = 0

    public init() {}

    /// Adds the next bytes of the stream.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        bytes.withMemoryRebound(to: UInt8.self) { feed(bytes: $0) }
    }

    /// Adds the next bytes of the stream.
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { feed(bytes: $0) }
        if done == nil { Array(bytes).withUnsafeBufferPointer { feed(bytes: $0) } }
    }

    private mutating func feed(bytes: UnsafeBufferPointer<UInt8>) {
        switch phase {
        case .ended, .done:
            if trailing == 0 { trailingOffset = base + buffer.count + trailing }
            trailing += bytes.count
        case .preamble, .header, .chunks:
            if position > 0 {
                if position == buffer.count {
                    base += position
                    buffer.removeAll(keepingCapacity: true)
                    position = 0
                } else if position >= 1 << 16, position >= buffer.count / 2 {
                    base += position
                    buffer.removeSubrange(0..<position)
                    position = 0
                }
            }
            buffer.append(contentsOf: bytes)
        }
    }

    /// Says that no more bytes will come; ``next()`` then returns what is left and sets ``completeness``.
    public mutating func finish() { inputFinished = true }

    /// The next header, batch or end, or nil when more bytes are needed (or, after ``finish()``, when all is read).
    public mutating func next() throws(LanesFormatError) -> Event? {
        var spans: [Span] = []
        switch try guarded({ (d, s) throws(LanesFormatError) in try d.step(spans: &s) }, &spans) {
        case nil: return nil
        case .header(let version, let metadata): return .header(version: version, metadata: metadata)
        case .batch(var batch):
            batch.spans = spans
            return .batch(batch)
        case .end: return .end
        }
    }

    /// What ``mergeNext(into:)`` did.
    public enum MergeStep: Sendable {
        /// Read the header; the caller decides whether its metadata applies to the builder.
        case header(version: UInt16, metadata: Metadata)
        /// Decoded a batch chunk into the builder.
        case batch
        /// Read the end chunk.
        case end
    }

    /// Like ``next()``, but decodes a batch straight into `builder` (its spans land in the builder's array
    /// without an intermediate copy): the fast way to read a file or merge worker streams.
    public mutating func mergeNext(into builder: inout TraceBuilder) throws(LanesFormatError) -> MergeStep? {
        var spans: [Span] = []
        swap(&spans, &builder.spans)
        defer { swap(&spans, &builder.spans) }
        switch try guarded({ (d, s) throws(LanesFormatError) in try d.step(spans: &s) }, &spans) {
        case nil: return nil
        case .header(let version, let metadata): return .header(version: version, metadata: metadata)
        case .batch(let batch):
            builder.add(batch)
            return .batch
        case .end: return .end
        }
    }

    /// Runs `body` unless an earlier call failed; remembers its failure.
    private mutating func guarded(
        _ body: (inout LanesDecoder, inout [Span]) throws(LanesFormatError) -> Event?, _ spans: inout [Span]
    ) throws(LanesFormatError) -> Event? {
        if let failure { throw failure }
        do throws(LanesFormatError) {
            return try body(&self, &spans)
        } catch {
            failure = error
            buffer = []
            throw error
        }
    }

    /// Decodes the next chunk; a batch's spans are appended to `spans` instead of its `spans`.
    private mutating func step(spans: inout [Span]) throws(LanesFormatError) -> Event? {
        while true {
            switch phase {
            case .preamble:
                let available = buffer.count - position
                let m = min(available, Layout.magic.count)
                for k in 0..<m where buffer[position + k] != Layout.magic[k] {
                    throw .notALanesFile(found: Array(buffer[position..<(position + m)]))
                }
                guard available >= Layout.preambleSize else {
                    if inputFinished { throw .truncatedHeader(offset: base + buffer.count) }
                    return nil
                }
                let version = UInt16(buffer[position + 8]) | UInt16(buffer[position + 9]) << 8
                guard version == Layout.version else { throw .unsupportedVersion(version, supported: Layout.version) }
                position += Layout.preambleSize
                phase = .header

            case .header, .chunks:
                guard let frame = try nextFrame() else {
                    guard inputFinished else { return nil }
                    if phase == .header { throw .truncatedHeader(offset: base + buffer.count) }
                    let partial = buffer.count - position
                    if partial > 0 {
                        notes.append(.truncatedChunk(
                            chunkOffset: offset, partialBytes: partial, offset: base + buffer.count, chunks: chunksRead))
                    } else {
                        notes.append(.missingEnd(offset: offset, chunks: chunksRead))
                    }
                    completeness = .endsAfterChunk(chunks: chunksRead, offset: offset)
                    phase = .done
                    buffer = []
                    return nil
                }
                if phase == .header {
                    guard frame.kind == Layout.Kind.header else {
                        throw .malformedChunk(
                            chunkOffset: frame.offset, offset: frame.offset, field: "kind",
                            problem: "expected the header chunk (kind 0x48), found kind \(frame.kind)")
                    }
                    let metadata = try payload(frame) { (p, d) throws(LanesFormatError) in
                        try d.header(p, chunkOffset: frame.offset, payloadOffset: frame.offset + Layout.chunkHeaderSize)
                    }
                    position = frame.end
                    phase = .chunks
                    return .header(version: Layout.version, metadata: metadata)
                }
                switch frame.kind {
                case Layout.Kind.batch:
                    let before = spans.count
                    let batch = try payload(frame) { (p, d) throws(LanesFormatError) in
                        try d.batch(
                            p, chunkOffset: frame.offset, payloadOffset: frame.offset + Layout.chunkHeaderSize, spans: &spans)
                    }
                    position = frame.end
                    chunksRead += 1
                    spansRead += spans.count - before
                    return .batch(batch)
                case Layout.Kind.end:
                    let totals = try payload(frame) { (p, _) throws(LanesFormatError) in
                        try ChunkDecoder.end(p, chunkOffset: frame.offset, payloadOffset: frame.offset + Layout.chunkHeaderSize)
                    }
                    if totals.chunks != UInt64(chunksRead) || totals.spans != UInt64(spansRead) {
                        notes.append(.totalsDiffer(
                            expectedChunks: totals.chunks, chunks: chunksRead, expectedSpans: totals.spans, spans: spansRead))
                    }
                    position = frame.end
                    trailing = buffer.count - position
                    trailingOffset = offset
                    base += position
                    position = 0
                    buffer = []
                    phase = .ended
                    return .end
                case Layout.Kind.taskRecords:
                    buffer.withUnsafeBufferPointer { all in
                        taskRecords.append(
                            contentsOf: UnsafeBufferPointer(rebasing: all[frame.payloadStart..<frame.end]))
                    }
                    position = frame.end
                case Layout.Kind.header:
                    throw .malformedChunk(
                        chunkOffset: frame.offset, offset: frame.offset, field: "kind",
                        problem: "a second header chunk")
                default:
                    var u = unknownChunks[frame.kind] ?? (0, frame.offset)
                    u.count += 1
                    unknownChunks[frame.kind] = u
                    position = frame.end
                }

            case .ended:
                guard inputFinished else { return nil }
                if trailing > 0 { notes.append(.trailingBytes(offset: trailingOffset, count: trailing)) }
                completeness = .complete
                phase = .done
                return nil

            case .done:
                return nil
            }
        }
    }

    private struct Frame {
        var kind: UInt8
        /// Stream offset of the chunk's first byte.
        var offset: Int
        /// Buffer indices of the payload.
        var payloadStart: Int
        var end: Int
    }

    /// The chunk at `position` if all of it has arrived, its checksum verified.
    private func nextFrame() throws(LanesFormatError) -> Frame? {
        let available = buffer.count - position
        guard available >= Layout.chunkHeaderSize else { return nil }
        let chunkOffset = base + position
        let kind = buffer[position]
        var length = 0
        var stored: UInt32 = 0
        for i in 0..<4 {
            length |= Int(buffer[position + 1 + i]) << (8 * i)
            stored |= UInt32(buffer[position + 5 + i]) << UInt32(8 * i)
        }
        guard length <= Layout.maxChunkPayload else {
            throw .malformedChunk(
                chunkOffset: chunkOffset, offset: chunkOffset + 1, field: "chunk length",
                problem: "\(length) bytes, more than the limit of \(Layout.maxChunkPayload)")
        }
        guard available - Layout.chunkHeaderSize >= length else { return nil }
        let start = position + Layout.chunkHeaderSize
        let end = start + length
        var crc = CRC32()
        buffer.withUnsafeBytes { all in
            crc.update(UnsafeRawBufferPointer(rebasing: all[position..<(position + 5)]))
            crc.update(UnsafeRawBufferPointer(rebasing: all[start..<end]))
        }
        guard crc.value == stored else {
            throw .checksumMismatch(chunkOffset: chunkOffset, stored: stored, computed: crc.value)
        }
        return Frame(kind: kind, offset: chunkOffset, payloadStart: start, end: end)
    }

    /// Runs `body` on the frame's payload bytes and the payload decoder.
    private mutating func payload<R>(
        _ frame: Frame, _ body: (UnsafeBufferPointer<UInt8>, inout ChunkDecoder) throws(LanesFormatError) -> R
    ) throws(LanesFormatError) -> R {
        var decoder = payloads
        payloads = ChunkDecoder()  // keeps the string table uniquely referenced while decoding
        defer { payloads = decoder }
        return try buffer.withUnsafeBufferPointer { (all) throws(LanesFormatError) -> R in
            try body(UnsafeBufferPointer(rebasing: all[frame.payloadStart..<frame.end]), &decoder)
        }
    }
}
