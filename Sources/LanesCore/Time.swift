/// Nanoseconds on the trace's clock (`CLOCK_MONOTONIC` for traces Lanes records).
public typealias Nanoseconds = Int64

/// Formats a duration in nanoseconds with a unit that suits its size: `850 ns`, `12.5 µs`, `3.20 ms`, `1.75 s`.
public func formatDuration(_ ns: Nanoseconds) -> String {
    let sign = ns < 0 ? "-" : ""
    let v = Double(ns.magnitude)
    func fixed(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let r = (x * scale).rounded() / scale
        var s = String(r)
        if let dot = s.firstIndex(of: ".") {
            let decimals = s.distance(from: dot, to: s.endIndex) - 1
            if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
            if digits == 0 { s = String(s[..<dot]) }
        } else if digits > 0 {
            s += "." + String(repeating: "0", count: digits)
        }
        return s
    }
    func sig(_ x: Double) -> String { fixed(x, x >= 100 ? 0 : x >= 10 ? 1 : 2) }
    switch v {
    case ..<1_000: return "\(sign)\(Int(v)) ns"
    case ..<1_000_000: return "\(sign)\(sig(v / 1e3)) µs"
    case ..<1_000_000_000: return "\(sign)\(sig(v / 1e6)) ms"
    default: return "\(sign)\(sig(v / 1e9)) s"
    }
}
