import LanesCore
import LanesSupport

/// The analyses of one or more traces, as text for people and JSON for machines (what `lanes advise` prints).
public struct AnalysisReport: Sendable {
    /// One trace and its analysis.
    public struct Run: Sendable {
        /// Where the trace came from (a path), for headings.
        public var name: String
        public var trace: Trace
        public var analysis: Analysis
    }

    /// In the order given.
    public var runs: [Run]
    /// With two or more runs: their comparison and the advice drawn from all of them.
    public var comparison: Comparison?
    public var combinedAdvice: Advice?

    /// Analyses each trace; `named` pairs a display name (a path) with each.
    public init(_ named: [(name: String, trace: Trace)], options: AnalysisOptions = AnalysisOptions()) {
        runs = named.map { Run(name: $0.name, trace: $0.trace, analysis: Analysis($0.trace, options: options)) }
        if named.count >= 2 {
            comparison = Comparison(named.map(\.trace))
            combinedAdvice = Advice(comparing: named.map(\.trace))
        }
    }

    /// The most span names and lanes the text lists per run.
    static let listed = 10

    // MARK: Text

    /// Per run: statistics, spans by name, lanes, findings and advice; then the comparison.
    public var text: String {
        var out: [String] = []
        for run in runs {
            let a = run.analysis, p = a.profile
            var heading = "== \(run.name)"
            let m = run.trace.metadata
            let about = [m.scenario.map { "scenario \($0)" }, m.model.map { "model \($0)" }].compactMap { $0 }
            if !about.isEmpty { heading += " (\(about.joined(separator: ", ")))" }
            out.append(heading + " ==")
            out.append("statistics")
            var rows = a.statistics.lines
            rows.insert(("running parallelism", TraceStatistics.decimal(p.runningParallelism)), at: 3)
            rows.append(("peak concurrency", "\(p.peakConcurrency)"))
            rows.append(("run-queue wait", p.runQueueWait > 0 ? formatDuration(p.runQueueWait) : "none recorded"))
            if let w = p.workName {
                rows.append(("work", "'\(w)': \(TraceStatistics.decimal(p.throughput)) per second"))
                rows.append(("load imbalance", TraceStatistics.percent(p.loadImbalance)))
            }
            let path = p.criticalPath
            if !path.segments.isEmpty {
                let top = path.byName.prefix(3).map { "\($0.name) \(formatDuration($0.time))" }
                rows.append(("critical path", "\(formatDuration(path.length)): \(top.joined(separator: ", "))"))
            }
            out += Self.table(rows.map { ["  " + $0.0, $0.1] })
            if !p.names.isEmpty {
                out.append("spans by name")
                var t = [["  name", "count", "total", "mean", "p50", "p90", "p99", "max"]]
                for n in p.names.prefix(Self.listed) {
                    t.append(
                        ["  " + n.name, "\(n.count)"]
                            + [n.total, n.mean, n.p50, n.p90, n.p99, n.max].map(formatDuration))
                }
                if p.names.count > Self.listed {
                    t.append(["  (\(p.names.count - Self.listed) more)"] + Array(repeating: "", count: 7))
                }
                out += Self.table(t)
            }
            let busiest = p.lanes.filter { $0.busy > 0 }.sorted { $0.busy > $1.busy }
            if !busiest.isEmpty {
                out.append("lanes by busy time")
                var t = [["  lane", "busy", "running", "share of wall"]]
                for l in busiest.prefix(Self.listed) {
                    t.append([
                        "  " + l.label, formatDuration(l.busy), formatDuration(l.running),
                        TraceStatistics.percent(l.busyShare),
                    ])
                }
                if busiest.count > Self.listed { t.append(["  (\(busiest.count - Self.listed) more)", "", "", ""]) }
                out += Self.table(t)
            }
            if a.findings.isEmpty {
                out.append("findings: none")
            } else {
                out.append("findings")
                for f in a.findings {
                    out.append("  [\(f.severity)] \(f.kind.rawValue): \(f.title)")
                    out.append("    evidence: \(f.evidence)")
                    out.append("    lesson: \(f.lesson)")
                }
            }
            out.append("advice")
            out += Self.adviceLines(a.advice)
            out.append("")
        }
        if let c = comparison, let advice = combinedAdvice {
            out.append("== comparison (baseline \(c.rows[c.baseline].label)) ==")
            // Speed-up per core, not an "efficiency" in percent: waiting work (I/O) overlaps beyond the cores.
            var t = [["  run", "wall", "speed-up", "per core", "blocked", "extra work"]]
            for r in c.rows {
                t.append([
                    "  " + r.label, formatDuration(r.statistics.wall), TraceStatistics.decimal(r.speedup) + "x",
                    r.efficiency > 0 ? TraceStatistics.decimal(r.efficiency) + "x" : "–",
                    TraceStatistics.percent(r.statistics.blockedShare),
                    r.extraWork.map { formatDuration($0) } ?? "–",
                ])
            }
            out += Self.table(t)
            if let s = c.serialFraction {
                out.append(
                    "  Amdahl: serial fraction \(TraceStatistics.percent(s)), so at most \(TraceStatistics.decimal(1 / max(s, 1e-9)))x with any number of workers"
                )
            }
            out.append("advice from all runs")
            out += Self.adviceLines(advice)
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func recorderCost(_ c: RecorderCost) -> JSON {
        .object([
            ("perSpanNs", c.perSpan.map { .number($0) } ?? .null), ("events", .int(Int64(c.events))),
            ("totalNs", c.total.map { .int($0) } ?? .null), ("share", c.share.map { .number($0) } ?? .null),
            ("text", .string(c.text)),
        ])
    }

    static func adviceLines(_ a: Advice) -> [String] {
        let use = a.models.isEmpty ? "no recommendation" : a.models.map(\.rawValue).joined(separator: ", then ")
        var out = ["  work: \(a.workClass.rawValue)", "  use: \(use)"]
        if let w = a.winner { out.append("  fastest measured: \(w)") }
        out.append("  why: \(a.reason)")
        out.append("  decision path: \(a.path.map(\.rawValue).joined(separator: " → "))")
        return out
    }

    static func table(_ rows: [[String]]) -> [String] {
        guard let n = rows.first?.count else { return [] }
        let widths = (0..<n).map { c in rows.map { $0[c].count }.max()! }
        return rows.map { row in
            var line = ""
            for (c, cell) in row.enumerated() {
                line += cell
                if c < n - 1 { line += String(repeating: " ", count: widths[c] - cell.count + 2) }
            }
            while line.last == " " { line.removeLast() }
            return line
        }
    }

    // MARK: JSON

    /// The most span ids a finding lists in JSON.
    public static let jsonSpanLimit = 100

    /// One JSON object; keys are stable (see `lanes advise --help`), durations are integer nanoseconds.
    public var json: String {
        var runsJSON: [JSON] = []
        for run in runs {
            let a = run.analysis, st = a.statistics, p = a.profile
            let reasons = JSON.object(
                st.blockedByReason.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                    ($0.key.description, .int($0.value))
                })
            let names = JSON.array(
                p.names.map { n in
                    .object([
                        ("name", .string(n.name)), ("count", .int(Int64(n.count))), ("totalNs", .int(n.total)),
                        ("meanNs", .int(n.mean)), ("p50Ns", .int(n.p50)), ("p90Ns", .int(n.p90)),
                        ("p99Ns", .int(n.p99)),
                        ("maxNs", .int(n.max)),
                    ])
                })
            let lanes = JSON.array(
                p.lanes.map { l in
                    .object([
                        ("lane", .int(Int64(l.lane.rawValue))), ("label", .string(l.label)), ("busyNs", .int(l.busy)),
                        ("runningNs", .int(l.running)), ("busyShare", .number(l.busyShare)),
                        ("workCount", .int(Int64(l.workCount))), ("workNs", .int(l.workTime)),
                    ])
                })
            let path = JSON.object([
                ("lengthNs", .int(p.criticalPath.length)),
                (
                    "byName",
                    .array(
                        p.criticalPath.byName.map { .object([("name", .string($0.name)), ("timeNs", .int($0.time))]) })
                ),
                ("segments", .int(Int64(p.criticalPath.segments.count))),
            ])
            let statistics = JSON.object([
                ("wallNs", .int(st.wall)), ("busyNs", .int(st.busy)), ("cpuNs", st.cpu.map { .int($0) } ?? .null),
                ("cores", .int(Int64(st.cores))), ("cpuUtilisation", st.cpuUtilisation.map { .number($0) } ?? .null),
                ("averageParallelism", .number(st.averageParallelism)),
                ("runningNs", .int(p.running)), ("runningParallelism", .number(p.runningParallelism)),
                ("peakConcurrency", .int(Int64(p.peakConcurrency))), ("blockedNs", .int(st.blocked)),
                ("blockedShare", .number(st.blockedShare)), ("blockedByReasonNs", reasons),
                ("runQueueWaitNs", .int(p.runQueueWait)), ("ioWaitNs", .int(p.ioWait)),
                ("workName", p.workName.map { .string($0) } ?? .null), ("throughputPerSecond", .number(p.throughput)),
                ("loadImbalance", .number(p.loadImbalance)), ("spanCount", .int(Int64(st.spanCount))),
                ("droppedEvents", .int(Int64(clamping: st.droppedEvents))),
                ("recorderCost", Self.recorderCost(st.recorderCost)), ("spansByName", names), ("lanes", lanes),
                ("criticalPath", path),
            ])
            runsJSON.append(
                .object([
                    ("name", .string(run.name)), ("scenario", run.trace.metadata.scenario.map { .string($0) } ?? .null),
                    ("model", run.trace.metadata.model.map { .string($0) } ?? .null), ("statistics", statistics),
                    ("findings", .array(a.findings.map(Self.json))), ("advice", Self.json(a.advice)),
                ]))
        }
        var top: [(String, JSON)] = [("runs", .array(runsJSON))]
        if let c = comparison, let advice = combinedAdvice {
            top.append(
                (
                    "comparison",
                    .object([
                        ("baseline", .string(c.rows[c.baseline].label)),
                        (
                            "rows",
                            .array(
                                c.rows.map { r in
                                    .object([
                                        ("label", .string(r.label)), ("wallNs", .int(r.statistics.wall)),
                                        ("speedup", .number(r.speedup)), ("efficiency", .number(r.efficiency)),
                                        ("blockedShare", .number(r.statistics.blockedShare)),
                                        ("extraWorkNs", r.extraWork.map { .int($0) } ?? .null), ("workers", .int(Int64(r.workers))),
                                    ])
                                })
                        ),
                        ("serialFraction", c.serialFraction.map { .number($0) } ?? .null),
                        ("advice", Self.json(advice)),
                    ])
                ))
        }
        return JSON.object(top).text + "\n"
    }

    static func json(_ f: Finding) -> JSON {
        .object([
            ("kind", .string(f.kind.rawValue)), ("severity", .string(f.severity.description)),
            ("title", .string(f.title)),
            ("evidence", .string(f.evidence)), ("lesson", .string(f.lesson)),
            ("rangeNs", f.range.map { .array([.int($0.lowerBound), .int($0.upperBound)]) } ?? .null),
            ("lanes", .array(f.lanes.map { .int(Int64($0.rawValue)) })),
            ("spans", .array(f.spans.prefix(jsonSpanLimit).map { .string("\($0.rawValue)") })),
            ("figures", .object(f.figures.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })),
        ])
    }

    static func json(_ a: Advice) -> JSON {
        .object([
            ("workClass", .string(a.workClass.rawValue)), ("models", .array(a.models.map { .string($0.rawValue) })),
            ("winner", a.winner.map { .string($0) } ?? .null), ("operations", .int(Int64(a.operations))),
            ("peakConcurrency", .int(Int64(a.peakConcurrency))), ("reason", .string(a.reason)),
            ("path", .array(a.path.map { .string($0.rawValue) })),
        ])
    }
}

/// A JSON value written with its keys in the order given.
enum JSON {
    case null
    case int(Int64)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    /// The value as JSON text, strings script-safe (see ``jsonQuoted(_:)``).
    var text: String {
        var w = JSONWriter()
        write(to: &w)
        return w.text
    }

    /// Writes the value through LanesSupport's one ``JSONWriter``: integral numbers below 1e15 as integers,
    /// non-finite ones as `null`.
    func write(to w: inout JSONWriter) {
        switch self {
        case .null: w.null()
        case .int(let i): w.number(i)
        case .number(let d):
            if !d.isFinite {
                w.null()
            } else if d == d.rounded() && abs(d) >= 1e15 {
                w.value("\(d)")  // as Swift prints it, where the writer's integers (below 9e15) would differ
            } else {
                w.number(d)
            }
        case .string(let s): w.string(s)
        case .array(let a): w.array(a) { w, v in v.write(to: &w) }
        case .object(let o):
            w.open()
            for (k, v) in o {
                w.key(k)
                v.write(to: &w)
            }
            w.close()
        }
    }
}
