/// Where a ``LanesWriter`` puts its bytes: a file, a pipe, memory.
///
/// The writer hands over the file in whole pieces: first the preamble and header, then one chunk per call.
/// A sink should write each piece in one go, so that a process killed mid-way leaves whole chunks and at
/// most one partial chunk behind.
public protocol LanesSink {
    /// Writes all of `bytes` (one whole piece of the file), or throws.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws(LanesFormatError)
    /// Called once by ``LanesWriter/finish()`` after the end chunk: flush and release what the sink holds.
    mutating func close() throws(LanesFormatError)
}

extension LanesSink {
    public mutating func close() throws(LanesFormatError) {}

    /// Writes all of `bytes`.
    mutating func write(_ bytes: [UInt8]) throws(LanesFormatError) {
        let result: Result<Void, LanesFormatError> = bytes.withUnsafeBytes { raw in
            do throws(LanesFormatError) {
                try write(raw)
                return .success(())
            } catch { return .failure(error) }
        }
        try result.get()
    }
}

/// Writes what `produce` makes to `sink` in pieces of about `pieceSize` bytes, then closes it: `produce` calls
/// the flush it is given with its buffer now and then, and returns what is left at the end.
func writeInPieces<Sink: LanesSink>(
    to sink: inout Sink, pieceSize: Int, _ produce: (_ flush: (inout [UInt8]) -> Void) -> [UInt8]
) throws(LanesFormatError) {
    var failure: LanesFormatError?
    let rest = produce { bytes in
        guard failure == nil, bytes.count >= pieceSize else { return }
        do throws(LanesFormatError) { try sink.write(bytes) } catch { failure = error }
        bytes.removeAll(keepingCapacity: true)
    }
    if let failure { throw failure }
    try sink.write(rest)
    try sink.close()
}

extension LanesFileSink {
    /// Writes a new file at `path` through the output writer with `body`; on failure the temporary is removed and
    /// the old file is left as it was.
    static func writing(
        to path: String, inputs: [String], _ body: (inout LanesFileSink) throws(LanesFormatError) -> Void
    ) throws(LanesFormatError) {
        var sink = try LanesFileSink(creatingFileAt: path, inputs: inputs)
        do {
            try body(&sink)
        } catch {
            sink.discard()
            throw error
        }
    }
}

/// A sink that keeps the bytes in memory, for tests and for encoding a trace to bytes.
public struct LanesMemorySink: LanesSink, Sendable {
    /// Everything written so far.
    public var bytes: [UInt8]

    public init(bytes: [UInt8] = []) { self.bytes = bytes }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws(LanesFormatError) {
        self.bytes.append(contentsOf: bytes)
    }
}
