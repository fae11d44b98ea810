import CLanesSupport

#if canImport(Glibc)
import Glibc
#endif

/// Turns recorded ticks into nanoseconds on CLOCK_MONOTONIC.
///
/// With the timestamp counter, a (ticks, ns) pair is read when recording starts and again at each
/// conversion; records always lie between the two, so interpolating keeps every timestamp within
/// the jitter of one pair read (tens of ns) of CLOCK_MONOTONIC, and traces of several processes line up.
struct TickClock: Sendable {
    let usesTSC: Bool
    let origin: (ticks: UInt64, ns: UInt64)

    init(source: Recorder.Configuration.TimeSource) {
        usesTSC = source == .automatic && TickClock.hasInvariantTSC
        origin = usesTSC ? TickClock.pair() : (0, 0)
    }

    /// The CPU flags say the counter ticks at a constant rate, in every power state.
    static let hasInvariantTSC: Bool = {
        #if arch(x86_64)
        if lanes_cpu_has_invariant_tsc() != 0 { return true }
        guard let text = try? readSmallFile("/proc/cpuinfo", limit: 1 << 16),
            let flags = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return false }
        let words = Set(flags.split(separator: " ").map(String.init))
        return words.contains("constant_tsc") && words.contains("nonstop_tsc")
        #else
        return false
        #endif
    }()

    /// Reads ticks and CLOCK_MONOTONIC as close together as it can (the tightest of a few tries).
    static func pair() -> (ticks: UInt64, ns: UInt64) {
        var best: (ticks: UInt64, ns: UInt64, width: UInt64) = (0, 0, .max)
        for _ in 0..<5 {
            let a = lanes_read_tsc()
            let ns = lanes_monotonic_ns()
            let b = lanes_read_tsc()
            if b &- a < best.width { best = (a &+ (b &- a) / 2, ns, b &- a) }
        }
        return (best.ticks, best.ns)
    }

    /// A conversion valid for ticks read before now.
    func converter() -> TickConverter {
        guard usesTSC else { return TickConverter(t0: 0, n0: 0, slope: 1) }
        var now = TickClock.pair()
        while now.ticks &- origin.ticks < 200_000 { now = TickClock.pair() }  // a ~0.1 ms baseline at least
        let slope = Double(now.ns &- origin.ns) / Double(now.ticks &- origin.ticks)
        return TickConverter(t0: origin.ticks, n0: origin.ns, slope: slope)
    }
}

struct TickConverter {
    let t0: UInt64
    let n0: UInt64
    let slope: Double

    @inline(__always)
    func ns(_ ticks: UInt64) -> Int64 {
        if slope == 1 && t0 == 0 { return Int64(bitPattern: ticks) }
        let d = Double(Int64(bitPattern: ticks &- t0)) * slope
        return Int64(bitPattern: n0) &+ Int64(d.rounded())
    }
}

/// Reads a small text file such as one under /proc, or throws the errno.
func readSmallFile(_ path: String, limit: Int) throws -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemError(errno: errno, what: "open \(path)") }
    defer { close(fd) }
    var bytes = [UInt8](repeating: 0, count: limit)
    var n = 0
    while n < limit {
        let r = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + n, limit - n) }
        if r < 0 {
            if errno == EINTR { continue }
            throw SystemError(errno: errno, what: "read \(path)")
        }
        if r == 0 { break }
        n += r
    }
    return String(decoding: bytes[..<n], as: UTF8.self)
}

/// A failed system call, with the text of its errno.
public struct SystemError: Error, Equatable, CustomStringConvertible {
    public var errno: Int32
    public var what: String
    public init(errno: Int32, what: String) {
        self.errno = errno
        self.what = what
    }
    public var description: String { "\(what): \(String(cString: strerror(errno)))" }
}
