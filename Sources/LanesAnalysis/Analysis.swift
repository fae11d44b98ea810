import LanesCore

/// How serious a finding is.
public enum Severity: Int, Hashable, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case info, warning, critical

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
    public var description: String { ["info", "warning", "critical"][rawValue] }
}

/// The pitfall a finding is about; the raw value is its stable name in JSON output.
public enum FindingKind: String, Hashable, Sendable, CaseIterable {
    /// Several lanes busy, parallelism ≈ 1, interpreter-lock, lock or actor waits dominant (Pitfall 1).
    case serialisedCPU = "serialised-cpu"
    /// Async slices that run long without awaiting while other tasks wait to run (Pitfall 2).
    case blockedCooperativePool = "blocked-cooperative-pool"
    /// Tasks never awaited: they outlive their parent or are cut off (Pitfall 4).
    case unawaitedTasks = "unawaited-tasks"
    /// Waits on one lock above a share of wall time.
    case lockContention = "lock-contention"
    /// High run-queue wait: more runnable threads than cores.
    case oversubscription
    /// Per-item process start-up and pipe cost above the item's own work.
    case processOverhead = "process-overhead"
    /// Some workers finish long after the others.
    case stragglers
    /// A queue empty with consumers waiting, or full with producers waiting.
    case producerConsumer = "producer-consumer"
    /// An event loop that stood still: between two of its polls it ran or blocked for long (Pitfall 2).
    case blockedEventLoop = "blocked-event-loop"
}

/// One pitfall found in a trace, with its evidence.
public struct Finding: Hashable, Sendable {
    public var kind: FindingKind
    public var severity: Severity
    /// One line: what was found.
    public var title: String
    /// The figures behind it, in words.
    public var evidence: String
    /// One sentence tying it to the lesson of the seed text.
    public var lesson: String
    /// The time range it concerns, when it is local.
    public var range: ClosedRange<Nanoseconds>?
    /// The lanes and spans it concerns.
    public var lanes: [LaneID]
    public var spans: [SpanID]
    /// Named figures (e.g. `"parallelism": 1.02`), for machines.
    public var figures: [String: Double]

    public init(
        kind: FindingKind, severity: Severity, title: String, evidence: String, lesson: String,
        range: ClosedRange<Nanoseconds>? = nil, lanes: [LaneID] = [], spans: [SpanID] = [],
        figures: [String: Double] = [:]
    ) {
        self.kind = kind
        self.severity = severity
        self.title = title
        self.evidence = evidence
        self.lesson = lesson
        self.range = range
        self.lanes = lanes
        self.spans = spans
        self.figures = figures
    }
}

/// What the work mostly does.
public enum WorkClass: String, Hashable, Sendable, CaseIterable {
    case cpuBound = "CPU-bound"
    case ioBound = "I/O-bound"
    case mixed
    /// The trace measured neither computing nor waiting on I/O: it holds no spans (a sampler that caught no
    /// sample), or only lanes waiting on one another (locks, queues, joins). Nothing to classify, so no advice.
    case unknown
}

/// The steps of the seed's "choosing the right model" decision flow, adapted to Swift. ``Advice/path``
/// lists the ones a trace passes through, so a flowchart can highlight them.
public enum DecisionNode: String, Hashable, Sendable, CaseIterable {
    /// "What is the bottleneck?"
    case start
    /// "I/O-bound or CPU-bound?"
    case bottleneck
    /// "How many concurrent operations?" (I/O-bound work only)
    case concurrency
    /// Tens of concurrent waits: a thread pool.
    case threads
    /// Hundreds to thousands: async tasks.
    case async
    /// CPU-bound: threads (Swift runs them in parallel) or processes (isolation; Python held by the GIL).
    case parallelCPU
    /// Both: async orchestration with CPU work in a process pool.
    case hybrid
}

/// The model Lanes recommends for a trace, and why.
public struct Advice: Hashable, Sendable {
    public var workClass: WorkClass
    /// Peak number of operations waiting or running at once.
    public var peakConcurrency: Int
    /// Recommended models, best first.
    public var models: [ModelKind]
    /// Why, in one or two sentences with the measured figures.
    public var reason: String
    /// The decision steps taken, from ``DecisionNode/start`` to the recommendation.
    public var path: [DecisionNode]
    /// Operations that could run at once: the peak concurrency, or the number of work items when larger
    /// (a sequential run of 1,000 requests still has 1,000 to wait for).
    public var operations: Int
    /// With several runs (``init(comparing:)``): the label of the fastest run.
    public var winner: String?
    /// With several runs, when the measured winner is not the model the trace's classification recommended: one
    /// clause saying which way the recommendation went and why, for a table row beside it; nil when they agree.
    public var disagreement: String?

    public init(
        workClass: WorkClass, peakConcurrency: Int, models: [ModelKind], reason: String, path: [DecisionNode],
        operations: Int? = nil, winner: String? = nil
    ) {
        self.workClass = workClass
        self.peakConcurrency = peakConcurrency
        self.models = models
        self.reason = reason
        self.path = path
        self.operations = operations ?? peakConcurrency
        self.winner = winner
    }
}

/// Statistics, findings and advice for one trace.
public struct Analysis: Hashable, Sendable {
    public var statistics: TraceStatistics
    /// The statistics that take more than one pass: per name and lane, concurrency, critical path.
    public var profile: TraceProfile
    /// Findings, most severe first.
    public var findings: [Finding]
    public var advice: Advice

    public init(_ trace: Trace, options: AnalysisOptions = AnalysisOptions()) {
        let laneTops = LaneTops(trace)
        statistics = TraceStatistics(trace, laneTops: laneTops)
        profile = TraceProfile(trace, suspendedIsIO: trace.metadata.modelKind != .actor, laneTops: laneTops)
        findings = Detectors.all(trace, statistics, profile, options).sorted { a, b in
            a.severity != b.severity
                ? a.severity > b.severity
                : FindingKind.allCases.firstIndex(of: a.kind)! < FindingKind.allCases.firstIndex(of: b.kind)!
        }
        advice = Advice(trace: trace, statistics: statistics, profile: profile)
    }

    /// The findings of one kind.
    public func findings(_ kind: FindingKind) -> [Finding] { findings.filter { $0.kind == kind } }
}

/// Runs of the same scenario side by side: speed-up over a baseline and the figures per run.
public struct Comparison: Hashable, Sendable {
    public struct Row: Hashable, Sendable {
        /// The run's label: its model when the trace names one, else its position.
        public var label: String
        public var statistics: TraceStatistics
        /// Baseline wall ÷ this run's wall.
        public var speedup: Double
        /// Speed-up per core the run could use: speedup ÷ cores (0 when cores are unknown). Not bounded by 1:
        /// waiting work (I/O, sleeps) overlaps beyond the cores, so reports print it as "per core", never as a
        /// percentage efficiency.
        public var efficiency: Double
        /// The work the run's model added inside its spans: its CPU time less the baseline's when both
        /// measured it; when neither did, its running time (busy less blocked, summed over lanes, which
        /// includes time runnable but waiting for a core) less the baseline's; nil when only one of the two
        /// measured CPU time, as the two figures do not compare. Negative when the run did less; work outside
        /// any span (a process starting before its first span) is not seen.
        public var extraWork: Nanoseconds?
        /// Lanes that ran the trace's most frequent span name (its items): the workers the run used.
        public var workers: Int
    }

    /// One per trace, in the order given.
    public var rows: [Row]
    /// Index of the baseline row: the `sequential` run if there is one, else the first.
    public var baseline: Int

    public init(_ traces: [Trace]) {
        let stats = traces.map { TraceStatistics($0) }
        let base = traces.firstIndex { $0.metadata.modelKind == .sequential } ?? 0
        baseline = traces.isEmpty ? 0 : base
        func extra(_ s: TraceStatistics, over b: TraceStatistics) -> Nanoseconds? {
            switch (s.cpu, b.cpu) {
            case let (cpu?, baseCPU?): return cpu - baseCPU
            case (nil, nil): return max(0, s.busy - s.blocked) - max(0, b.busy - b.blocked)
            default: return nil
            }
        }
        rows = traces.indices.map { i in
            let wall = Double(stats[i].wall)
            let speedup = traces.isEmpty || wall <= 0 ? 0 : Double(stats[base].wall) / wall
            let cores = stats[i].cores
            return Row(
                label: traces[i].metadata.model ?? "run \(i + 1)", statistics: stats[i], speedup: speedup,
                efficiency: cores > 0 ? speedup / Double(cores) : 0,
                extraWork: extra(stats[i], over: stats[base]), workers: Self.workers(traces[i]))
        }
    }

    /// Lanes that ran the most frequent span name, not counting spans that are only a wait or a task slice.
    static func workers(_ trace: Trace) -> Int {
        var count: [String: Int] = [:]
        for s in trace.spans where !s.isLoneWait && s.name != taskSlice { count[s.name, default: 0] += 1 }
        guard let top = count.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key })?.key else {
            return 0
        }
        return Set(trace.spans.lazy.filter { $0.name == top }.map(\.lane)).count
    }

    /// Amdahl's serial fraction from a sweep: the baseline as the one-worker run and the runs of the model
    /// with the most distinct worker counts (at least two above one); nil without such a sweep.
    public var serialFraction: Double? {
        guard !rows.isEmpty else { return nil }
        var byModel: [String: [Row]] = [:]
        for (i, r) in rows.enumerated() where i != baseline && r.workers > 1 { byModel[r.label, default: []].append(r) }
        guard
            let sweep = byModel.values.max(by: { Set($0.map(\.workers)).count < Set($1.map(\.workers)).count }),
            Set(sweep.map(\.workers)).count >= 2
        else { return nil }
        return Self.serialFraction(
            [(1, rows[baseline].statistics.wall)] + sweep.map { ($0.workers, $0.statistics.wall) })
    }

    /// The row with the shortest wall time (the first of equals); nil without rows.
    public var winner: Int? {
        rows.indices.min { rows[$0].statistics.wall < rows[$1].statistics.wall }
    }

    /// Amdahl's serial fraction from runs of one model at several worker counts, given as (workers, wall)
    /// with a one-worker run among them: the `s` in `T(n) = T(1) × (s + (1 − s) / n)` that fits the walls
    /// best (least squares), clamped to 0…1. Nil without a one-worker run and one with more workers.
    public static func serialFraction(_ runs: [(workers: Int, wall: Nanoseconds)]) -> Double? {
        guard let one = runs.first(where: { $0.workers == 1 }), one.wall > 0 else { return nil }
        let t1 = Double(one.wall)
        var num = 0.0, den = 0.0
        for r in runs where r.workers > 1 {
            let n = Double(r.workers)
            let x = t1 * (1 - 1 / n)
            num += (Double(r.wall) - t1 / n) * x
            den += x * x
        }
        guard den > 0 else { return nil }
        return min(1, max(0, num / den))
    }

    /// The speed-up Amdahl's law allows with serial fraction `s` on `n` workers.
    public static func amdahlSpeedup(serialFraction s: Double, workers n: Int) -> Double {
        1 / (s + (1 - s) / Double(max(1, n)))
    }
}
