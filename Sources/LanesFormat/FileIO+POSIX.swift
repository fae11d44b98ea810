#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LanesCore
import LanesSupport

/// A sink that writes to a file descriptor (a file, a pipe): one `write(2)` loop per chunk.
///
/// A process killed while writing leaves whole chunks and at most one partial chunk, which readers ignore.
/// A sink created for a path writes a temporary file beside it that ``close()`` renames into place.
public struct LanesFileSink: LanesSink, Sendable {
    public let fileDescriptor: Int32
    /// How the descriptor is named in errors: the file's path, or `fd N`.
    public let path: String
    /// Whether ``close()`` closes the descriptor (true when the sink opened it).
    public let closesDescriptor: Bool
    /// The output file behind a sink created for a path.
    private let output: OutputFile?

    /// Writes to an open descriptor, which stays open unless `closesDescriptor` is true.
    public init(fileDescriptor: Int32, path: String? = nil, closesDescriptor: Bool = false) {
        self.fileDescriptor = fileDescriptor
        self.path = path ?? "fd \(fileDescriptor)"
        self.closesDescriptor = closesDescriptor
        self.output = nil
    }

    /// Writes the file at `path` through a temporary file beside it, which ``close()`` fsyncs and renames over
    /// `path` (mode 0644 before the umask, or the old file's mode). Until then an old file stays as it was; a
    /// sink dropped without ``close()`` (after a failure) removes its temporary file. A symbolic link is followed;
    /// a directory, device, FIFO or socket at `path`, or one of `inputs`, is refused. With `streamingToFIFO`, a FIFO
    /// at `path` is written directly instead (a recording read as it goes).
    public init(creatingFileAt path: String, inputs: [String] = [], streamingToFIFO: Bool = false) throws(LanesFormatError) {
        do {
            let output = try OutputFile(path: path, inputs: inputs, allowFIFO: streamingToFIFO)
            self.fileDescriptor = output.fileDescriptor
            self.path = path
            self.closesDescriptor = true
            self.output = output
        } catch {
            throw LanesFormatError(error)
        }
    }

    /// The temporary file the bytes go to until ``close()`` renames it over ``path`` (where a killed writer's
    /// data is); nil for a sink on a descriptor.
    public var temporaryPath: String? { output?.temporaryPath }

    /// Removes the temporary file of a sink created for a path, leaving the old file as it was.
    public func discard() {
        output?.discard()
    }

    public mutating func write(_ bytes: UnsafeRawBufferPointer) throws(LanesFormatError) {
        if let output {
            do { try output.write(bytes) } catch { throw LanesFormatError(error) }
            return
        }
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = systemWrite(fileDescriptor, p, left)
            if n < 0 {
                if errno == EINTR { continue }
                throw systemError("write", path)
            }
            p += n
            left -= n
        }
    }

    public mutating func close() throws(LanesFormatError) {
        if let output {
            do { try output.commit() } catch { throw LanesFormatError(error) }
            return
        }
        guard closesDescriptor else { return }
        if systemClose(fileDescriptor) != 0 { throw systemError("close", path) }
    }
}

extension LanesFile {
    /// Reads the `.lanes` data on `fileDescriptor` to its end with `read(2)` calls of `bufferSize` bytes.
    /// `path` names the descriptor in errors. The descriptor is not closed.
    public static func read(
        fileDescriptor: Int32, path: String? = nil, bufferSize: Int = 256 * 1024
    ) throws(LanesFormatError) -> LanesReadResult {
        let name = path ?? "fd \(fileDescriptor)"
        let size = max(4096, bufferSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var reader = LanesReader()
        if let spans = spanTotalHint(fileDescriptor) { reader.reserveCapacity(spans: spans) }
        while true {
            let n = systemRead(fileDescriptor, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw systemError("read", name)
            }
            if n == 0 { break }
            try reader.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return try reader.finish()
    }

    /// Opens and reads the `.lanes` file at `path` (see ``read(fileDescriptor:path:bufferSize:)``).
    public static func read(path: String, bufferSize: Int = 256 * 1024) throws(LanesFormatError) -> LanesReadResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw systemError("open", path) }
        defer { _ = systemClose(fd) }
        return try read(fileDescriptor: fd, path: path, bufferSize: bufferSize)
    }

    /// Writes `trace` to the file at `path`, in chunks of at most `spansPerChunk` spans, through a temporary file
    /// renamed into place (see ``LanesFileSink/init(creatingFileAt:inputs:)``): a failure leaves the old file.
    public static func write(
        _ trace: Trace, to path: String, spansPerChunk: Int = 65_536, inputs: [String] = []
    ) throws(LanesFormatError) {
        let sink = try LanesFileSink(creatingFileAt: path, inputs: inputs)
        do {
            _ = try LanesWriter<LanesFileSink>.write(trace: trace, to: sink, spansPerChunk: spansPerChunk)
        } catch {
            sink.discard()
            throw error
        }
    }
}

/// The span total that the end chunk of a finished regular file gives in its last 25 bytes (read without moving
/// the file offset), so the trace's span array can be sized once; nil for pipes and unfinished files.
/// Only a hint: the totals are checked again when the end chunk is read in turn.
private func spanTotalHint(_ fd: Int32) -> Int? {
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    let size = Int(info.st_size)
    let n = Layout.chunkHeaderSize + Layout.endPayloadSize
    guard size >= Layout.preambleSize + n else { return nil }
    var tail = [UInt8](repeating: 0, count: n)
    let got = tail.withUnsafeMutableBytes { pread(fd, $0.baseAddress, n, off_t(size - n)) }
    guard got == n, let totals = tail.withUnsafeBufferPointer({ ChunkDecoder.endTotals(atEndOf: $0) }) else { return nil }
    // Every span takes at least three bytes: a damaged or forged total cannot ask for more room than that.
    return Int(min(totals.spans, UInt64(size / 3)))
}

private func systemError(_ operation: String, _ path: String) -> LanesFormatError {
    let code = errno
    let message = strerror(code).map { String(cString: $0) } ?? "error \(code)"
    return .io(operation: operation, path: path, errno: code, message: message)
}

