/// Everything recorded about one run: its processes, lanes, spans and the events around them.
///
/// Times are nanoseconds on one clock for the whole trace (see ``Metadata/clock``).
public struct Trace: Hashable, Sendable {
    public var metadata: Metadata
    public var processes: [Process]
    public var lanes: [Lane]
    public var spans: [Span]
    public var marks: [Mark]
    public var counters: [CounterSample]
    public var flows: [Flow]

    public init(
        metadata: Metadata = Metadata(), processes: [Process] = [], lanes: [Lane] = [], spans: [Span] = [],
        marks: [Mark] = [], counters: [CounterSample] = [], flows: [Flow] = []
    ) {
        self.metadata = metadata
        self.processes = processes
        self.lanes = lanes
        self.spans = spans
        self.marks = marks
        self.counters = counters
        self.flows = flows
    }

    /// The earliest and latest instants of any span, wait, mark, counter or flow; nil for an empty trace.
    public var timeRange: ClosedRange<Nanoseconds>? {
        var lo = Nanoseconds.max
        var hi = Nanoseconds.min
        // Fields read in place: copying each span (three references) costs more than the comparison.
        spans.withUnsafeBufferPointer { spans in
            for i in spans.indices {
                lo = min(lo, spans[i].start)
                hi = max(hi, spans[i].end)
            }
        }
        for m in marks {
            lo = min(lo, m.time)
            hi = max(hi, m.time)
        }
        for c in counters {
            lo = min(lo, c.time)
            hi = max(hi, c.time)
        }
        return lo <= hi ? lo...hi : nil
    }

    /// Wall time from the first to the last event.
    public var wallTime: Nanoseconds { timeRange.map { $0.upperBound - $0.lowerBound } ?? 0 }

    /// The number of waits in all spans.
    public var waitCount: Int { spans.reduce(0) { $0 + $1.waits.count } }

    /// Blocked time summed over all spans, by reason.
    public func blockedTimeByReason() -> [WaitReason: Nanoseconds] {
        var out: [WaitReason: Nanoseconds] = [:]
        for s in spans {
            for w in s.waits { out[w.reason, default: 0] += w.duration }
        }
        return out
    }

    /// The lane with this id, if the trace has one.
    public func lane(_ id: LaneID) -> Lane? {
        if Int(id.rawValue) < lanes.count, lanes[Int(id.rawValue)].id == id { return lanes[Int(id.rawValue)] }
        return lanes.first { $0.id == id }
    }
}

/// What a trace says about how it was made.
public struct Metadata: Hashable, Sendable {
    /// The clock that the trace's timestamps count.
    public enum Clock: Hashable, Sendable, CustomStringConvertible {
        /// `CLOCK_MONOTONIC` of the recording host; traces of several processes line up.
        case monotonic
        /// An imported trace's own clock, with its name as the source tool gave it.
        case imported(String)

        public var description: String {
            switch self {
            case .monotonic: "CLOCK_MONOTONIC"
            case .imported(let name): name.isEmpty ? "imported" : "imported (\(name))"
            }
        }
    }

    /// The command line that produced the trace.
    public var command: [String]
    public var host: String
    /// Online CPU cores of the host.
    public var cores: Int
    public var clock: Clock
    /// How the recorder read time: `tsc` or `clock_gettime`.
    public var timeSource: String
    /// The scenario from the catalog, if the trace ran one.
    public var scenario: String?
    /// The concurrency model it ran under, if known.
    public var model: String?
    /// Events the recorder dropped because its memory bound was reached.
    public var droppedEvents: UInt64
    /// Wall-clock time (Unix epoch, ns) at which recording started, if known.
    public var startedAt: Int64?
    /// Anything else worth keeping, in insertion order.
    public var extra: [Attribute]

    public init(
        command: [String] = [], host: String = "", cores: Int = 0, clock: Clock = .monotonic,
        timeSource: String = "", scenario: String? = nil, model: String? = nil, droppedEvents: UInt64 = 0,
        startedAt: Int64? = nil, extra: [Attribute] = []
    ) {
        self.command = command
        self.host = host
        self.cores = cores
        self.clock = clock
        self.timeSource = timeSource
        self.scenario = scenario
        self.model = model
        self.droppedEvents = droppedEvents
        self.startedAt = startedAt
        self.extra = extra
    }
}

/// Names of counters with a meaning that reports know.
public enum CounterName {
    /// Time a thread spent on a CPU during the sample interval (ns), from schedstat.
    public static let running = "sched.running"
    /// Time a thread spent runnable but waiting for a CPU during the interval (ns).
    public static let runQueue = "sched.runQueue"
    /// Time a thread spent neither running nor runnable during the interval (ns).
    public static let blocked = "sched.blocked"
}
