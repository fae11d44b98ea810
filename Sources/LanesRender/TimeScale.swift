import LanesCore

/// Maps a time window onto a horizontal pixel range, and picks round ticks for it.
public struct TimeScale: Hashable, Sendable {
    /// The window shown, in trace nanoseconds.
    public var start: Nanoseconds
    public var end: Nanoseconds
    /// Where `start` and `end` fall, in device pixels.
    public var x0: Double
    public var x1: Double
    /// Tick times are labelled relative to this instant (the run's start).
    public var origin: Nanoseconds

    public init(start: Nanoseconds, end: Nanoseconds, x0: Double, x1: Double, origin: Nanoseconds) {
        self.start = start
        self.end = max(end, start + 1)
        self.x0 = x0
        self.x1 = x1
        self.origin = origin
    }

    /// Pixels per nanosecond.
    public var pixelsPerNanosecond: Double { (x1 - x0) / Double(end - start) }

    /// The x of instant `t`.
    public func x(_ t: Nanoseconds) -> Double { x0 + Double(t - start) * pixelsPerNanosecond }

    /// A tick: where, and its label (time since the origin, with a unit).
    public struct Tick: Hashable, Sendable {
        public var time: Nanoseconds
        public var x: Double
        public var label: String
    }

    /// Round ticks (1, 2 or 5 × 10ⁿ ns apart) at least `minSpacing` pixels apart, where labels of
    /// `labelWidth(label)` fit between them.
    public func ticks(minSpacing: Double, labelWidth: (String) -> Double) -> [Tick] {
        var step: Int64 = 1
        var candidates: [Int64] = []
        while step < Int64(4e18) / 10 {
            candidates += [step, step * 2, step * 5]
            step *= 10
        }
        for candidate in candidates where Double(candidate) * pixelsPerNanosecond >= minSpacing {
            let ticks = makeTicks(step: candidate)
            let widest = ticks.map { labelWidth($0.label) }.max() ?? 0
            if ticks.count <= 1 || Double(candidate) * pixelsPerNanosecond >= widest + minSpacing / 3 {
                return ticks
            }
        }
        return makeTicks(step: max(1, end - start))
    }

    private func makeTicks(step: Int64) -> [Tick] {
        // One unit for the whole axis, from its largest label; decimals from the step (at most 3).
        var (unit, name) = Self.unit(forStep: max(step, end - origin))
        while step * 1000 < unit {
            (unit, name) = Self.unit(forStep: unit / 1000)
        }
        // First multiple of step (relative to origin) at or after start.
        let rel0 = start - origin
        var k = rel0 >= 0 ? (rel0 + step - 1) / step : -((-rel0) / step)
        var out: [Tick] = []
        while true {
            let rel = k * step
            let t = origin + rel
            if t > end { break }
            out.append(Tick(time: t, x: x(t), label: Self.format(rel, unit: unit, unitName: name, step: step)))
            k += 1
            if out.count > 200 { break }
        }
        return out
    }

    static func unit(forStep step: Int64) -> (Int64, String) {
        if step >= 1_000_000_000 { return (1_000_000_000, "s") }
        if step >= 1_000_000 { return (1_000_000, "ms") }
        if step >= 1_000 { return (1_000, "µs") }
        return (1, "ns")
    }

    /// `rel` in `unit`, with as many decimals as the step needs (`0`, `2.5 ms`, `1 s`).
    static func format(_ rel: Int64, unit: Int64, unitName: String, step: Int64) -> String {
        if rel == 0 { return "0" }
        var decimals = 0
        var s = step
        while s % unit != 0 && decimals < 9 {
            s *= 10
            decimals += 1
        }
        let whole = rel / unit
        var text = "\(rel < 0 && whole == 0 ? "-" : "")\(whole)"
        if decimals > 0 {
            var frac = (rel.magnitude % UInt64(unit))
            var digits = ""
            var u = UInt64(unit)
            for _ in 0..<decimals {
                u /= 10
                digits.append(String(u == 0 ? 0 : frac / u))
                if u > 0 { frac %= u }
            }
            text += "." + digits
        }
        return text + " " + unitName
    }
}
