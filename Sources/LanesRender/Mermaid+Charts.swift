import LanesAnalysis
import LanesCore

extension Mermaid {
    /// An `xychart-beta` bar chart.
    public struct BarChart: Hashable, Sendable {
        /// The diagram's text, without a Markdown fence.
        public var text: String
        /// The bars' labels as Mermaid shows them, in order.
        public var labels: [String]
        /// The bars' values as written, in order.
        public var values: [Double]
    }

    /// A bar chart whose y-axis runs from 0 (Mermaid would otherwise start it at the smallest bar,
    /// which is then drawn with no height) to a round value above the largest bar.
    public static func barChart(title: String, labels: [String], values: [Double], yAxis: String) -> BarChart {
        let clean = values.map { $0.isFinite && $0 > 0 ? $0 : 0 }
        let top = niceCeiling(clean.max() ?? 0)
        var text = "xychart-beta\n"
        text += "    title \"\(MermaidText.label(title, maxCharacters: 120))\"\n"
        text +=
            "    x-axis [\(labels.map { "\"\(MermaidText.label($0, maxCharacters: 40))\"" }.joined(separator: ", "))]\n"
        text += "    y-axis \"\(MermaidText.label(yAxis, maxCharacters: 60))\" 0 --> \(number(top))\n"
        text += "    bar [\(clean.map(number).joined(separator: ", "))]\n"
        return BarChart(
            text: text, labels: labels.map { MermaidText.shown($0, maxCharacters: 40) },
            values: clean.map { Double(number($0)) ?? $0 })
    }

    /// Wall time per run of a comparison, in one unit that suits the longest.
    public static func wallTimeChart(_ comparison: Comparison, title: String = "Wall time per run") -> BarChart {
        let walls = comparison.rows.map { $0.statistics.wall }
        let (divisor, unit) = unit(for: walls.max() ?? 0)
        return barChart(
            title: title, labels: comparison.rows.map(\.label), values: walls.map { Double($0) / divisor },
            yAxis: "wall time (\(unit))")
    }

    /// Speed-up of each run over the comparison's baseline.
    public static func speedupChart(_ comparison: Comparison, title: String? = nil) -> BarChart {
        let base =
            comparison.rows.indices.contains(comparison.baseline)
            ? comparison.rows[comparison.baseline].label : "baseline"
        return barChart(
            title: title ?? "Speed-up over \(base)", labels: comparison.rows.map(\.label),
            values: comparison.rows.map(\.speedup), yAxis: "× \(base)")
    }

    /// A divisor and unit name for durations up to `ns`.
    static func unit(for ns: Nanoseconds) -> (Double, String) {
        if ns >= 10_000_000_000 { return (1e9, "s") }
        if ns >= 10_000_000 { return (1e6, "ms") }
        if ns >= 10_000 { return (1e3, "µs") }
        return (1, "ns")
    }

    /// The least of 1, 2, 2.5, 5 × 10ⁿ at or above `x` (1 for 0).
    static func niceCeiling(_ x: Double) -> Double {
        guard x > 0 else { return 1 }
        var p = 1.0
        while p * 10 < x { p *= 10 }
        while p > x { p /= 10 }
        for m in [1.0, 2, 2.5, 5, 10] where m * p >= x * 1.0001 { return m * p }
        return 10 * p
    }

    /// At most three decimals, no trailing zeros, no exponent.
    static func number(_ x: Double) -> String {
        let thousandths = Int64((x * 1000).rounded())
        let whole = thousandths / 1000
        var frac = abs(thousandths % 1000)
        if frac == 0 { return "\(whole)" }
        var digits = 3
        while frac % 10 == 0 {
            frac /= 10
            digits -= 1
        }
        let f = String(frac)
        return
            "\(thousandths < 0 && whole == 0 ? "-" : "")\(whole).\(String(repeating: "0", count: digits - f.count))\(f)"
    }
}
