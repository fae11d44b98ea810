#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import LanesCore
import LanesSupport

/// Reading a trace file of any format Lanes reads, told by its content (magic bytes, then JSON shape), never by
/// its name: what every command that takes a trace calls.
public enum TraceFile {
    /// A trace file format, as told from the first bytes of the data.
    public enum Format: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Lanes' own binary format: starts with the magic `\x89LANES\r\n`.
        case lanes
        /// Chrome Trace Event JSON: after optional whitespace (and a UTF-8 byte-order mark), `[` or `{`.
        case chromeJSON
        /// Perfetto's protobuf trace: a `TracePacket` field (byte 0x0A) first. Lanes writes it but does not read it.
        case perfetto

        public var description: String {
            switch self {
            case .lanes: ".lanes"
            case .chromeJSON: "Chrome Trace JSON"
            case .perfetto: "Perfetto protobuf"
            }
        }

        /// The format of data starting with `prefix` (the first 16 bytes are enough), or nil when it is none of
        /// them. Data shorter than the Lanes magic but agreeing with it is `.lanes` (a file cut short).
        public static func detect(_ prefix: some Collection<UInt8>) -> Format? {
            let head = Array(prefix.prefix(Layout.magic.count))
            if !head.isEmpty, Layout.magic.starts(with: head) { return .lanes }
            var rest = prefix[...]
            if rest.starts(with: [0xEF, 0xBB, 0xBF]) { rest = rest.dropFirst(3) }
            if let first = rest.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }),
                first == UInt8(ascii: "[") || first == UInt8(ascii: "{")
            {
                return .chromeJSON
            }
            if prefix.first == 0x0A { return .perfetto }
            return nil
        }
    }

    /// A trace read from a file or from standard input, with what the reader had to say about it.
    public struct Loaded: Sendable {
        /// The trace.
        public var trace: Trace
        /// The format the data was read as.
        public var format: Format
        /// Soft problems, each reported once.
        public var warnings: [String]
        /// Whether the data was whole (a `.lanes` file ends with its end chunk; JSON that parsed is whole).
        public var isComplete: Bool
        /// How the data ends: "complete", or where a `.lanes` file cut short ends.
        public var completeness: String

        public init(trace: Trace, format: Format, warnings: [String], isComplete: Bool, completeness: String) {
            self.trace = trace
            self.format = format
            self.warnings = warnings
            self.isComplete = isComplete
            self.completeness = completeness
        }
    }

    /// Why a trace could not be read. The description does not name the file: the caller says which.
    public enum LoadError: Error, Hashable, Sendable, CustomStringConvertible {
        /// The data is empty.
        case empty
        /// The data starts with `found` (at most 8 bytes), which is neither the Lanes magic nor JSON.
        case unrecognised(found: [UInt8])
        /// The data is compressed (`compression` names how); Lanes reads it decompressed.
        case compressed(String)
        /// The data is a Perfetto protobuf trace, which Lanes writes but does not read.
        case perfettoNotRead
        /// The data starts as a `.lanes` file but cannot be read as one.
        case lanes(LanesFormatError)
        /// The data starts as JSON but is not a Chrome trace Lanes can read.
        case chromeJSON(ChromeJSONError)
        /// The path names a directory, not a file.
        case isDirectory
        /// A system call failed: `operation`, `errno` and its text.
        case io(operation: String, errno: Int32, message: String)

        public var description: String {
            switch self {
            case .empty:
                return "it is empty, neither a .lanes file nor Chrome Trace JSON"
            case .unrecognised(let found):
                let hex = found.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined(separator: " ")
                return "not a trace: it starts with bytes [\(hex)], neither the Lanes magic \"\\x89LANES\\r\\n\" "
                    + "nor JSON ('[' or '{')"
            case .compressed(let how):
                return "it is compressed (\(how)); decompress it first"
            case .perfettoNotRead:
                return "Lanes writes Perfetto's .pftrace but does not read it; convert from the .lanes or .json trace"
            case .isDirectory: return "it is a directory; give a trace file (.lanes or Chrome Trace JSON)"
            case .lanes(let e): return "\(e)"
            case .chromeJSON(let e): return "\(e)"
            case .io(let op, let code, let message): return "\(op): \(message) (errno \(code))"
            }
        }
    }

    /// Reads the trace at `path` (`-`: standard input), whatever its format.
    ///
    /// A regular file is peeked at (its first bytes read without moving on) and then read by the format's own
    /// streaming reader; a pipe or standard input is read to its end first.
    public static func load(path: String) throws(LoadError) -> Loaded {
        if StandardInput.isStandardInput(path) {
            guard let bytes = StandardInput.readAll() else { throw ioError("read") }
            return try decode(bytes)
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ioError("open") }
        defer { _ = systemClose(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError("stat") }
        let kind = info.st_mode & S_IFMT
        if kind == S_IFDIR { throw LoadError.isDirectory }
        guard kind == S_IFREG else {
            guard let bytes = StandardInput.readAll(fd) else { throw ioError("read") }
            return try decode(bytes)
        }
        var head = [UInt8](repeating: 0, count: 16)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n >= 0 else { throw ioError("read") }
        let format = try detect(Array(head[0..<n]))
        switch format {
        case .lanes:
            do {
                let r = try LanesFile.read(fileDescriptor: fd, path: path)
                return loaded(r)
            } catch {
                throw .lanes(error)
            }
        case .chromeJSON:
            do {
                let r = try ChromeJSON.read(path: path)
                return loaded(r)
            } catch {
                throw .chromeJSON(error)
            }
        case .perfetto:
            throw .perfettoNotRead
        }
    }

    /// Reads a trace held in memory, whatever its format.
    public static func decode(_ bytes: [UInt8]) throws(LoadError) -> Loaded {
        switch try detect(bytes.prefix(16)) {
        case .lanes:
            do { return loaded(try LanesFile.decode(bytes)) } catch { throw .lanes(error) }
        case .chromeJSON:
            do {
                return loaded(try ChromeJSON.decode(bytes, pythonSource: ChromeJSON.readPythonSource))
            } catch {
                throw .chromeJSON(error)
            }
        case .perfetto:
            throw .perfettoNotRead
        }
    }

    private static func detect(_ head: some Collection<UInt8>) throws(LoadError) -> Format {
        if head.isEmpty { throw .empty }
        if let format = Format.detect(head) { return format }
        if head.starts(with: [0x1F, 0x8B]) { throw .compressed("gzip") }
        if head.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) { throw .compressed("zstd") }
        throw .unrecognised(found: Array(head.prefix(8)))
    }

    private static func loaded(_ r: LanesReadResult) -> Loaded {
        Loaded(
            trace: r.trace, format: .lanes, warnings: r.warnings.map(\.description), isComplete: r.isComplete,
            completeness: "\(r.completeness)")
    }

    private static func loaded(_ r: ChromeJSONReadResult) -> Loaded {
        Loaded(
            trace: r.trace, format: .chromeJSON, warnings: r.warnings.map(\.description), isComplete: true,
            completeness: "complete")
    }

    private static func ioError(_ operation: String) -> LoadError {
        let code = errno
        let message = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return .io(operation: operation, errno: code, message: message)
    }
}
