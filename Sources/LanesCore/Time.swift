/// Nanoseconds on the trace's clock (`CLOCK_MONOTONIC` for traces Lanes records).
public typealias Nanoseconds = Int64

/// Formats a duration in nanoseconds with a unit that suits its size: `850 ns`, `12.5 µs`, `3.20 ms`, `1.75 s`.
public func formatDuration(_ ns: Nanoseconds) -> String {
    let sign = ns < 0 ? "-" : ""
    let v = Double(ns.magnitude)
    func sig(_ x: Double) -> String { formatFixed(x, x >= 100 ? 0 : x >= 10 ? 1 : 2) }
    switch v {
    case ..<1_000: return "\(sign)\(Int(v)) ns"
    case ..<1_000_000: return "\(sign)\(sig(v / 1e3)) µs"
    case ..<1_000_000_000: return "\(sign)\(sig(v / 1e6)) ms"
    default: return "\(sign)\(sig(v / 1e9)) s"
    }
}

/// `x` with exactly `digits` decimals, rounded half away from zero: `formatFixed(2.5, 2)` is `2.50`,
/// `formatFixed(12.46, 1)` is `12.5`, `formatFixed(7.6, 0)` is `8`. Non-finite values read `inf`, `-inf`, `nan`.
public func formatFixed(_ x: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    var s = String((x * scale).rounded() / scale)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
        if digits == 0 { s = String(s[..<dot]) }
    }
    return s
}
