#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LanesCore
import LanesSupport

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
            return try decode(UnsafeRawBufferPointer(start: base, count: size), pythonSource: readPythonSource)
        }
        guard let bytes = StandardInput.readAll(fd) else { throw jsonSystemError("read", path) }
        return try decode(bytes, pythonSource: readPythonSource)
    }

    /// The text of the Python source file at `path`, if it is a readable regular `.py` file of at most 4 MB: what
    /// ``read(path:)`` consults when a trace's frame needs its line (see ``decode(_:pythonSource:)``).
    @Sendable public static func readPythonSource(_ path: String) -> String? {
        guard path.hasSuffix(".py") else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= 4 << 20 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        return String(decoding: bytes[0..<done], as: UTF8.self)
    }

    /// Writes the Chrome Trace Event JSON of `trace` to the file at `path` through a temporary file renamed into
    /// place (see ``LanesFileSink/init(creatingFileAt:inputs:)``): a failure leaves the old file as it was.
    public static func write(_ trace: Trace, to path: String, inputs: [String] = []) throws(LanesFormatError) {
        try LanesFileSink.writing(to: path, inputs: inputs) { (sink) throws(LanesFormatError) in try write(trace, to: &sink) }
    }
}

private func jsonSystemError(_ operation: String, _ path: String) -> ChromeJSONError {
    let code = errno
    let message = strerror(code).map { String(cString: $0) } ?? "error \(code)"
    return .io(operation: operation, path: path, errno: code, message: message)
}
