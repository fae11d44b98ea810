#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import LanesSupport

extension PNG {
    /// Encodes `canvas` and writes it to `path` through a temporary file beside it, fsynced and renamed over
    /// `path`: a failed write leaves no file behind and never damages an existing file at `path`. A symbolic
    /// link is followed (its target is replaced); a directory, device, FIFO or socket, or one of `inputs`, is
    /// refused. A new file gets mode 0644 before the umask, a replaced one keeps its mode.
    /// - Throws: ``PNGError``; I/O failures name `path` and the system error.
    public static func write(
        _ canvas: Canvas, to path: String, options: Options = Options(), inputs: [String] = []
    ) throws(PNGError) {
        let bytes = try encode(canvas, options: options)
        try writeAtomically(bytes, to: path, inputs: inputs)
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
    package typealias WriteCall = OutputFile.WriteCall

    /// Writes `bytes` to `path` with the shared output writer (``OutputFile``).
    package static func writeAtomically(
        _ bytes: [UInt8], to path: String, inputs: [String] = [],
        write writeCall: WriteCall = { fd, bytes in systemWrite(fd, bytes.baseAddress, bytes.count) }
    ) throws(PNGError) {
        do {
            let file = try OutputFile(path: path, inputs: inputs)
            try file.write(bytes, calling: writeCall)
            try file.commit()
        } catch {
            throw PNGError(kind: .io, message: error.problem, path: path, systemError: error.errno)
        }
    }

    private static func readFile(_ path: String) throws(PNGError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw PNGError(kind: .io, message: "cannot open: \(errorText(code))", path: path, systemError: code)
        }
        defer { close(fd) }
        guard let bytes = StandardInput.readAll(fd) else {
            let code = errno
            throw PNGError(kind: .io, message: "cannot read: \(errorText(code))", path: path, systemError: code)
        }
        return bytes
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
