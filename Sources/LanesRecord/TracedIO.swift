import LanesCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads up to `buffer.count` bytes from a file, pipe or socket; the call is recorded as an `ioRead` wait.
/// Returns the number of bytes read (0 at end of file); retries on EINTR.
public func tracedRead(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, object: SpanName? = nil) throws -> Int {
    let token = beginWait(.ioRead, object: object)
    defer { endWait(token) }
    while true {
        let n = read(fd, buffer.baseAddress, buffer.count)
        if n >= 0 { return n }
        if errno != EINTR { throw SystemError(errno: errno, what: "read fd \(fd)") }
    }
}

/// Writes all of `bytes` to a file, pipe or socket; the call is recorded as an `ioWrite` wait.
public func tracedWrite(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, object: SpanName? = nil) throws {
    let token = beginWait(.ioWrite, object: object)
    defer { endWait(token) }
    var done = 0
    while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 {
            if errno == EINTR { continue }
            throw SystemError(errno: errno, what: "write fd \(fd)")
        }
        done += n
    }
}

/// A file whose reads and writes are recorded as `ioRead` and `ioWrite` waits named for its path.
public final class TracedFile: Sendable {
    /// How to open a file.
    public enum Mode: Sendable {
        case read
        /// Create or truncate.
        case write
    }

    public let path: String
    public let descriptor: Int32
    private let object: SpanName

    public init(path: String, mode: Mode) throws {
        self.path = path
        let flags = mode == .read ? O_RDONLY | O_CLOEXEC : O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw SystemError(errno: errno, what: "open \(path)") }
        descriptor = fd
        object = SpanName(path)
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes; 0 at the end of the file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try tracedRead(descriptor, into: buffer, object: object)
    }

    /// Reads the rest of the file.
    public func readAll(chunkSize: Int = 1 << 16) throws -> [UInt8] {
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return out }
            out += chunk[..<n]
        }
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: some Collection<UInt8>) throws {
        let array = Array(bytes)
        try array.withUnsafeBytes { try tracedWrite(descriptor, $0, object: object) }
    }
}
