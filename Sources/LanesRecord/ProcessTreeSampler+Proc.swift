#if canImport(Glibc)
import Glibc
#endif

/// A `/proc` file kept open and re-read with `pread` at offset 0, which makes the kernel generate it
/// afresh: one system call per sample instead of open, read and close.
final class ProcFile {
    private let fd: Int32

    init?(_ path: String) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
    }

    deinit { close(fd) }

    /// Reads the whole file into `buffer`; the number of bytes, or nil when the process or thread is gone.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        while true {
            let n = pread(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return n }
            if n < 0 && errno == EINTR { continue }
            return nil
        }
    }
}

/// The fields of `/proc/PID[/task/TID]/stat` the sampler uses.
package struct ProcStat {
    /// The state letter: R, S, D, T, t, Z, X, I...
    package var state: UInt8
    package var parent: Int32
    /// utime + stime in clock ticks.
    package var cpuTicks: Int64
    package var threads: Int
    /// The exit status in `waitpid` form, meaningful for a zombie (Linux 3.5 and later).
    package var exitCode: Int32?

    /// Parses the text in `bytes`; the command name sits in parentheses and may itself hold spaces
    /// and parentheses, so fields are counted from the last `)`.
    package init?(_ bytes: UnsafeRawBufferPointer) {
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        var field = 3
        var i = close + 2
        var state: UInt8 = 0
        var parent: Int64 = 0
        var utime: Int64 = 0
        var stime: Int64 = 0
        var threads: Int64 = 0
        var exitCode: Int64? = nil
        while i < bytes.count {
            var j = i
            while j < bytes.count, bytes[j] != UInt8(ascii: " "), bytes[j] != UInt8(ascii: "\n") { j += 1 }
            switch field {
            case 3: state = i < j ? bytes[i] : 0
            case 4: parent = parseInt(bytes, i, j)
            case 14: utime = parseInt(bytes, i, j)
            case 15: stime = parseInt(bytes, i, j)
            case 20: threads = parseInt(bytes, i, j)
            case 52: exitCode = parseInt(bytes, i, j)
            default: break
            }
            field += 1
            i = j + 1
        }
        guard state != 0 else { return nil }
        self.state = state
        self.parent = Int32(truncatingIfNeeded: parent)
        self.cpuTicks = utime + stime
        self.threads = Int(threads)
        self.exitCode = exitCode.map { Int32(truncatingIfNeeded: $0) }
    }

    /// The command name (between the first `(` and the last `)`).
    package static func name(_ bytes: UnsafeRawBufferPointer) -> String {
        guard let open = bytes.firstIndex(of: UInt8(ascii: "(")), let close = bytes.lastIndex(of: UInt8(ascii: ")")),
            open < close
        else { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(open + 1)..<close]), as: UTF8.self)
    }
}

/// `/proc/…/schedstat`: nanoseconds on a CPU, nanoseconds runnable waiting for one, and the times the
/// thread got a CPU.
func parseSchedstat(_ bytes: UnsafeRawBufferPointer) -> (run: Int64, wait: Int64, slices: Int64)? {
    var values: (Int64, Int64, Int64) = (0, 0, 0)
    var i = 0
    for k in 0..<3 {
        var j = i
        while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") { j += 1 }
        guard j > i else { return nil }
        let v = parseInt(bytes, i, j)
        switch k {
        case 0: values.0 = v
        case 1: values.1 = v
        default: values.2 = v
        }
        i = j + 1
    }
    return values
}

/// The pids in a `/proc/…/children` file (space separated).
func parsePIDs(_ bytes: UnsafeRawBufferPointer) -> [Int32] {
    var out: [Int32] = []
    var i = 0
    while i < bytes.count {
        var j = i
        while j < bytes.count, bytes[j] >= UInt8(ascii: "0"), bytes[j] <= UInt8(ascii: "9") { j += 1 }
        if j > i { out.append(Int32(truncatingIfNeeded: parseInt(bytes, i, j))) }
        i = j + 1
    }
    return out
}

@inline(__always)
private func parseInt(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) -> Int64 {
    var v: Int64 = 0
    var negative = false
    for k in from..<to {
        let c = bytes[k]
        if c == UInt8(ascii: "-") {
            negative = true
        } else if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
            v = v &* 10 &+ Int64(c &- UInt8(ascii: "0"))
        }
    }
    return negative ? -v : v
}

/// The numeric entries of a `/proc` directory such as `/proc/PID/task`.
func numericEntries(_ path: String) -> [Int32] {
    guard let dir = opendir(path) else { return [] }
    defer { closedir(dir) }
    var out: [Int32] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> Int32? in
            var v: Int32 = 0
            var any = false
            for c in raw {
                if c == 0 { break }
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                v = v &* 10 &+ Int32(c &- UInt8(ascii: "0"))
                any = true
            }
            return any ? v : nil
        }
        if let name { out.append(name) }
    }
    return out.sorted()
}

/// A process's command line from `/proc/PID/cmdline`, NUL-separated arguments joined by spaces.
func commandLine(of pid: Int32) -> String {
    guard let text = try? readSmallFile("/proc/\(pid)/cmdline", limit: 4096) else { return "" }
    return text.split(separator: "\0").joined(separator: " ")
}

/// Where a symbolic link such as `/proc/PID/fd/N` points; nil when it cannot be read.
func readLink(_ path: String) -> String? {
    var target = [CChar](repeating: 0, count: 512)
    let n = readlink(path, &target, target.count - 1)
    guard n > 0 else { return nil }
    return String(decoding: target[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The writable mappings of a Python interpreter (`libpython*.so` or a `python*` executable) in process
/// `pid`, each with the anonymous mapping right after it (its `.bss`): where CPython keeps its runtime
/// state, the GIL among it. Empty for other processes.
func pythonDataMappings(of pid: Int32) -> [ClosedRange<UInt64>] {
    guard let text = try? readSmallFile("/proc/\(pid)/maps", limit: 1 << 20) else { return [] }
    return pythonDataMappings(maps: text)
}

/// The Python interpreter's writable mappings in the text of a `/proc/PID/maps` file.
package func pythonDataMappings(maps text: String) -> [ClosedRange<UInt64>] {
    var out: [ClosedRange<UInt64>] = []
    var pythonEnd: UInt64? = nil
    for line in text.split(separator: "\n") {
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count >= 5, let dash = fields[0].firstIndex(of: "-"),
            let lo = UInt64(fields[0][..<dash], radix: 16),
            let hi = UInt64(fields[0][fields[0].index(after: dash)...], radix: 16), hi > lo
        else { continue }
        let writable = fields[1].dropFirst().first == "w"
        let path = fields.count > 5 ? fields[5].trimmingCharacters(in: " ") : ""
        let base = path.split(separator: "/").last.map(String.init) ?? ""
        let isPython = base.hasPrefix("libpython") || base.hasPrefix("python")
        if writable && isPython {
            out.append(lo...(hi - 1))
            pythonEnd = hi
        } else {
            // The anonymous mapping right after the interpreter's data is its .bss.
            if writable && path.isEmpty && pythonEnd == lo { out.append(lo...(hi - 1)) }
            pythonEnd = nil
        }
    }
    return out
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
