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
