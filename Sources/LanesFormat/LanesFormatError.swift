import LanesCore
import LanesSupport

/// Why a `.lanes` file or stream could not be read or written. Offsets count bytes from the start of the data.
public enum LanesFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The data does not start with the Lanes magic bytes; `found` holds the first bytes seen (at most 8).
    case notALanesFile(found: [UInt8])
    /// The data is a Lanes file of format version `version`, which this reader does not know (it reads `supported`).
    case unsupportedVersion(UInt16, supported: UInt16)
    /// The data ends at byte `offset`, inside the preamble or the header chunk, so nothing can be read.
    case truncatedHeader(offset: Int)
    /// The CRC-32 stored in the chunk starting at byte `chunkOffset` does not match its bytes: the data is damaged.
    case checksumMismatch(chunkOffset: Int, stored: UInt32, computed: UInt32)
    /// The chunk starting at `chunkOffset` has a sound checksum but cannot be decoded: `field` at byte `offset` is wrong.
    case malformedChunk(chunkOffset: Int, offset: Int, field: String, problem: String)
    /// A writer was given a batch that encodes to `bytes` bytes, more than one chunk may hold (`limit`).
    case chunkTooLarge(bytes: Int, limit: Int)
    /// A writer was used after ``LanesWriter/finish()`` or after an earlier write failed.
    case writerClosed
    /// A system call failed: `operation` (open, read, write, close), the file's `path`, `errno` and its text.
    case io(operation: String, path: String, errno: Int32, message: String)
    /// The output file at `path` was not written (`problem` says why: a device, an input, a full disk…);
    /// an old file there is untouched.
    case output(path: String, problem: String)

    public var description: String {
        switch self {
        case .notALanesFile(let found):
            let hex = found.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: " ")
            return "not a Lanes file: it starts with bytes [\(hex)], not the Lanes magic \"\\x89LANES\\r\\n\""
        case .unsupportedVersion(let v, let supported):
            return "unsupported Lanes format version \(v) (this reader reads version \(supported))"
        case .truncatedHeader(let offset):
            return "the data ends at byte \(offset), inside the Lanes file header"
        case .checksumMismatch(let offset, let stored, let computed):
            return "checksum mismatch in the chunk at byte \(offset): stored CRC-32 \(hex32(stored)), "
                + "computed \(hex32(computed)); the data is damaged"
        case .malformedChunk(let chunk, let offset, let field, let problem):
            return "malformed chunk at byte \(chunk): \(field) at byte \(offset): \(problem)"
        case .chunkTooLarge(let bytes, let limit):
            return "a batch encodes to \(bytes) bytes, more than one chunk may hold (\(limit)); write smaller batches"
        case .writerClosed:
            return "the Lanes writer is closed (finished, or an earlier write failed)"
        case .io(let op, let path, let errno, let message):
            return "\(op) \(path): \(message) (errno \(errno))"
        case .output(let path, let problem):
            return "cannot write \(path): \(problem)"
        }
    }
}

/// A soft problem met while reading: the data was read as far as it goes, and this is reported once.
public enum LanesWarning: Hashable, Sendable, CustomStringConvertible {
    /// The data ends at byte `offset`, `partialBytes` bytes into a chunk that starts at `chunkOffset`; the
    /// `chunks` whole chunks before it were read and the partial one ignored (the writer was probably killed).
    case truncatedChunk(chunkOffset: Int, partialBytes: Int, offset: Int, chunks: Int)
    /// The data ends at byte `offset` after `chunks` whole chunks but without the end chunk: the writer did not finish.
    case missingEnd(offset: Int, chunks: Int)
    /// `count` chunks of kind `kind`, which this reader does not know, were skipped; the first was at `firstOffset`.
    case unknownChunks(kind: UInt8, count: Int, firstOffset: Int)
    /// `count` sections with tag `tag`, which this reader does not know, were skipped; the first was in the chunk at `firstChunkOffset`.
    case unknownSections(tag: UInt8, count: Int, firstChunkOffset: Int)
    /// `count` bytes after the end chunk (from `offset`) were ignored.
    case trailingBytes(offset: Int, count: Int)
    /// The end chunk says `expectedChunks` chunks and `expectedSpans` spans were written, but `chunks` and `spans` were read.
    case totalsDiffer(expectedChunks: UInt64, chunks: Int, expectedSpans: UInt64, spans: Int)
    /// `count` waits name spans that never arrived (`spans` lists the first few); they are not in the trace.
    case orphanWaits(count: Int, spans: [SpanID])

    public var description: String {
        switch self {
        case .truncatedChunk(let chunk, let partial, let offset, let chunks):
            return "the data ends at byte \(offset), \(partial) bytes into the chunk at byte \(chunk); "
                + "read the \(chunks) whole chunks before it (the writer was probably killed)"
        case .missingEnd(let offset, let chunks):
            return "the data ends at byte \(offset) after \(chunks) chunks without an end chunk: the writer did not finish"
        case .unknownChunks(let kind, let count, let first):
            return "skipped \(count) chunks of unknown kind \(hex8(kind)) (the first at byte \(first))"
        case .unknownSections(let tag, let count, let first):
            return "skipped \(count) sections with unknown tag \(hex8(tag)) (the first in the chunk at byte \(first))"
        case .trailingBytes(let offset, let count):
            return "ignored \(count) bytes after the end chunk, from byte \(offset)"
        case .totalsDiffer(let ec, let c, let es, let s):
            return "the end chunk counts \(ec) chunks and \(es) spans, but \(c) chunks and \(s) spans were read"
        case .orphanWaits(let count, let spans):
            let list = spans.map { String($0.rawValue) }.joined(separator: ", ")
            return "\(count) waits belong to spans that never arrived (span ids \(list)\(count > spans.count ? ", …" : ""))"
        }
    }
}

private func hex32(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}

private func hex8(_ v: UInt8) -> String {
    "0x" + (v < 16 ? "0" : "") + String(v, radix: 16)
}

extension LanesFormatError {
    /// The output writer's failure as a format error.
    package init(_ error: OutputError) {
        self = .output(path: error.path, problem: error.problem)
    }
}
