import LanesCore

/// What recording a trace cost the run it recorded, as far as the trace can say: the recorder's own
/// measurement of a span's cost (taken when the recording started) times the spans and waits recorded,
/// over the wall time; for `lanes record`, the sampler's CPU time. Imported traces do not say.
public struct RecorderCost: Hashable, Sendable {
    /// The `Metadata.extra` key under which LanesRecord writes its measured cost per span, in ns.
    public static let spanCostKey = "lanes.recorder.spanCostNs"
    /// The `Metadata.extra` key under which `lanes record` writes its sampler's CPU time ("N ns").
    public static let samplerCPUKey = "record.samplerCPU"

    /// Measured cost of one span (or wait) in ns; nil when the trace does not say.
    public var perSpan: Double?
    /// Spans and waits the estimate counts.
    public var events: Int
    /// Estimated time the recording cost the run; nil when unknown.
    public var total: Nanoseconds?
    /// ``total`` over the wall time; nil when unknown.
    public var share: Double?
    /// One line for a statistics box: the figures, or why the cost is unknown.
    public var text: String

    /// The cost of recording `trace`, over `wall` (the trace's wall time when nil).
    public init(_ trace: Trace, wall: Nanoseconds? = nil) {
        let wall = wall ?? trace.wallTime
        let m = trace.metadata
        events = trace.spans.count + trace.waitCount
        func value(_ key: String) -> String? { m.extra.last { $0.key == key }?.value }
        if let text = value(Self.spanCostKey), let ns = Double(text), ns >= 0 {
            perSpan = ns
            let t = Nanoseconds(ns * Double(events))
            total = t
            share = wall > 0 ? Double(t) / Double(wall) : nil
            self.text =
                "\(ns >= 100 || ns == ns.rounded() ? "\(Int(ns.rounded()))" : TraceStatistics.decimal(ns)) ns × \(events) spans and waits ≈ "
                + "\(formatDuration(t))" + (share.map { ", \(Self.percent($0)) of wall" } ?? "")
        } else if let text = value(Self.samplerCPUKey), let ns = Double(text.split(separator: " ").first ?? ""), ns >= 0
        {
            let t = Nanoseconds(ns)
            total = t
            share = wall > 0 ? Double(t) / Double(wall) : nil
            self.text = "sampler CPU \(formatDuration(t))" + (share.map { ", \(Self.percent($0)) of wall" } ?? "")
        } else if case .imported(let tool) = m.clock {
            self.text = "unknown (imported from \(tool.isEmpty ? "another tool" : tool))"
        } else {
            self.text = "unknown (not in this trace)"
        }
    }

    /// ``share`` as a percentage ("0.04%"), or "unknown".
    public var shareText: String { share.map(Self.percent) ?? "unknown" }

    /// A share as a percentage that stays readable when small: "12.5%", "0.05%", "<0.01%".
    static func percent(_ share: Double) -> String {
        if share >= 0.001 { return TraceStatistics.percent(share) }
        if share >= 0.0001 { return TraceStatistics.decimal(share * 100) + "%" }
        return share > 0 ? "<0.01%" : "0%"
    }
}
