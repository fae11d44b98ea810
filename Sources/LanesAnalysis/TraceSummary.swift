import LanesCore

/// What a trace holds, as `lanes info` prints it: where it came from, clock, host, command, scenario and
/// model, duration, processes and their lanes, lanes by kind, spans, waits by reason, marks, counters,
/// flows, dropped events and what recording cost (``RecorderCost``), then any warnings.
public struct TraceSummary: Sendable {
    public var path: String
    public var trace: Trace
    /// How the file was read, e.g. ".lanes, complete".
    public var about: String
    /// Soft problems the reader reported.
    public var warnings: [String]

    public init(path: String, trace: Trace, about: String, warnings: [String] = []) {
        self.path = path
        self.trace = trace
        self.about = about
        self.warnings = warnings
    }

    /// The summary, one fact per line.
    public var text: String {
        let t = trace
        let m = t.metadata
        var out = ""
        func line(_ label: String, _ value: String) {
            out += label + String(repeating: " ", count: max(1, 16 - label.count)) + value + "\n"
        }
        func counted(_ n: Int, _ noun: String) -> String {
            "\(n) \(n == 1 ? noun : noun.hasSuffix("s") ? noun + "es" : noun + "s")"
        }
        line("trace", "\(path) (\(about))")
        line("clock", "\(m.clock)\(m.timeSource.isEmpty ? "" : ", timestamps from \(m.timeSource)")")
        if !m.host.isEmpty || m.cores > 0 { line("host", "\(m.host.isEmpty ? "?" : m.host), \(m.cores) cores") }
        if !m.command.isEmpty { line("command", m.command.joined(separator: " ")) }
        if let s = m.scenario { line("scenario", s) }
        if let model = m.model { line("model", model) }
        if let range = t.timeRange {
            line("duration", "\(formatDuration(range.upperBound - range.lowerBound))")
        } else {
            line("duration", "0 (no events)")
        }
        line("processes", "\(t.processes.count)")
        for p in t.processes {
            let lanes = t.lanes.filter { $0.pid == p.pid }.count
            var s = "  pid \(p.pid)\(p.name.isEmpty ? "" : " \(p.name)"): \(counted(lanes, "lane"))"
            if let exit = p.exit { s += ", \(exit)" }
            if !p.note.isEmpty { s += " (\(p.note))" }
            out += s + "\n"
        }
        var kinds: [Lane.Kind: Int] = [:]
        for l in t.lanes { kinds[l.kind, default: 0] += 1 }
        let kindText = Lane.Kind.allCases.compactMap { k in kinds[k].map { counted($0, "\(k)") } }
        line("lanes", "\(t.lanes.count)\(kindText.isEmpty ? "" : " (\(kindText.joined(separator: ", ")))")")
        let names = Set(t.spans.map(\.name))
        line("spans", "\(t.spans.count) (\(names.count) distinct name\(names.count == 1 ? "" : "s"))")
        var counts: [WaitReason: Int] = [:]
        var times: [WaitReason: Nanoseconds] = [:]
        for s in t.spans {
            for w in s.waits {
                counts[w.reason, default: 0] += 1
                times[w.reason, default: 0] += w.duration
            }
        }
        line("waits", "\(t.waitCount)")
        for r in WaitReason.allCases where counts[r] != nil {
            out +=
                "  \(r.description)\(String(repeating: " ", count: max(1, 14 - r.description.count)))"
                + "\(counts[r]!) totalling \(formatDuration(times[r]!))\n"
        }
        line("marks", "\(t.marks.count)")
        let counterNames = Set(t.counters.map(\.name)).sorted()
        line(
            "counters",
            t.counters.isEmpty ? "0" : "\(t.counters.count) samples of \(counterNames.joined(separator: ", "))")
        line("flows", "\(t.flows.count)")
        line(
            "dropped events",
            "\(m.droppedEvents)\(m.droppedEvents > 0 ? " (the recorder's memory bound was reached)" : "")")
        line("recorder cost", RecorderCost(t).text)
        for w in warnings { out += "warning: \(w)\n" }
        return out
    }
}
