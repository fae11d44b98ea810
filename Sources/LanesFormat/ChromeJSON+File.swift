#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LanesCore

extension ChromeJSON {
    /// Imports the Chrome Trace Event JSON file at `path`.
    ///
    /// A regular file is mapped and read in one pass (its pages are the kernel's to drop, so resident memory
    /// beyond the page cache is the trace being built); a pipe is read to its end first.
    public static func read(path: String) throws(ChromeJSONError) -> ChromeJSONReadResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw jsonSystemError("open", path) }
        defer { _ = close(fd) }
        var info = stat()
        if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG {
            let size = Int(info.st_size)
            if size == 0 { return try decode(UnsafeRawBufferPointer(start: nil, count: 0)) }
            guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
                throw jsonSystemError("mmap", path)
            }
            defer { munmap(base, size) }
            _ = madvise(base, size, MADV_SEQUENTIAL)
            return try decode(UnsafeRawBufferPointer(start: base, count: size))
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw jsonSystemError("read", path)
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return try decode(bytes)
    }

    /// Writes the Chrome Trace Event JSON of `trace` to the file at `path` through a temporary file renamed into
    /// place (see ``LanesFileSink/init(creatingFileAt:inputs:)``): a failure leaves the old file as it was.
    public static func write(_ trace: Trace, to path: String, inputs: [String] = []) throws(LanesFormatError) {
        var sink = try LanesFileSink(creatingFileAt: path, inputs: inputs)
        do {
            try write(trace, to: &sink)
        } catch {
            sink.discard()
            throw error
        }
    }
}

private func jsonSystemError(_ operation: String, _ path: String) -> ChromeJSONError {
    let code = errno
    let message = strerror(code).map { String(cString: $0) } ?? "error \(code)"
    return .io(operation: operation, path: path, errno: code, message: message)
}
