#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension PNG {
    /// Encodes `canvas` and writes it to `path` atomically: the bytes go to
    /// a temporary file in the same directory, which is then renamed over
    /// `path`. A failed write leaves no file behind and never damages an
    /// existing file at `path`. The file gets mode 0644. (It is not fsynced:
    /// atomic against failures and concurrent readers, not power loss.)
    /// - Throws: ``PNGError``; I/O failures name `path` and the system error.
    public static func write(_ canvas: Canvas, to path: String, options: Options = Options()) throws(PNGError) {
        let bytes = try encode(canvas, options: options)
        try writeAtomically(bytes, to: path)
    }

    /// Reads and decodes the PNG file at `path`.
    /// - Throws: ``PNGError`` naming `path`.
    public static func read(from path: String) throws(PNGError) -> Canvas {
        let bytes = try readFile(path)
        do {
            return try decode(bytes)
        } catch {
            var named = error
            named.path = path
            throw named
        }
    }

    /// `write(2)` as the atomic writer calls it; tests swap in failures.
    package typealias WriteCall = (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int

    /// Writes `bytes` to `path` through a temporary file and `rename(2)`.
    package static func writeAtomically(
        _ bytes: [UInt8], to path: String,
        write writeCall: WriteCall = { fd, bytes in systemWrite(fd, bytes.baseAddress, bytes.count) }
    ) throws(PNGError) {
        guard !path.isEmpty else { throw PNGError(kind: .io, message: "empty path", path: path) }
        let directory: String, base: Substring
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
            base = path[path.index(after: slash)...]
        } else {
            directory = "."
            base = Substring(path)
        }
        guard !base.isEmpty else {
            throw PNGError(kind: .io, message: "path names a directory, not a file", path: path)
        }
        // A hidden name beside the target; mkstemp fills in the Xs.
        let stem = String(decoding: base.utf8.prefix(100), as: UTF8.self)
        var template = Array((directory + "/." + stem + ".XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            let code = errno
            throw PNGError(kind: .io, message: "cannot create a temporary file in '\(directory)': \(errorText(code))",
                           path: path, systemError: code)
        }
        let temporary = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        func fail(_ what: String, _ code: Int32) -> PNGError {
            unlink(temporary)
            return PNGError(kind: .io, message: "\(what): \(errorText(code))", path: path, systemError: code)
        }
        var failure: (String, Int32)?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = writeCall(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]))
                if written < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    failure = ("cannot write", code)
                    return
                }
                if written == 0 {
                    failure = ("cannot write", ENOSPC)
                    return
                }
                offset += written
            }
        }
        if let (what, code) = failure {
            close(fd)
            throw fail(what, code)
        }
        _ = fchmod(fd, 0o644)
        if close(fd) != 0 {
            throw fail("cannot write (close failed)", errno)
        }
        if rename(temporary, path) != 0 {
            throw fail("cannot replace the file", errno)
        }
    }

    private static func readFile(_ path: String) throws(PNGError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw PNGError(kind: .io, message: "cannot open: \(errorText(code))", path: path, systemError: code)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw PNGError(kind: .io, message: "cannot read: \(errorText(code))", path: path, systemError: code)
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<n])
        }
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// `write(2)`, named apart from ``PNG/write(_:to:options:)``.
@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}

/// `read(2)`, named apart from ``PNG/read(from:)``.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
