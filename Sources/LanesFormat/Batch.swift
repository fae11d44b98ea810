import LanesCore

/// A piece of a trace that is written as one chunk: what a recorder has flushed since its last chunk.
///
/// Spans and waits travel separately because a recorder flushes a wait before the span that holds it
/// has ended; ``TraceBuilder`` attaches each wait to its span once both have been read.
public struct LanesBatch: Hashable, Sendable {
    /// Processes seen for the first time, or again with news (a name, how they ended): the last word wins.
    public var processes: [Process]
    /// Lanes seen for the first time, or again with a new name: the last word wins.
    public var lanes: [Lane]
    /// Finished spans. Their `waits` may already be filled, or arrive in `waits`.
    public var spans: [Span]
    /// Waits of spans that may be in this batch, an earlier one or a later one.
    public var waits: [DetachedWait]
    public var marks: [Mark]
    public var counters: [CounterSample]
    public var flows: [Flow]
    /// New metadata, replacing the header's (e.g. the final dropped-event count).
    public var metadata: Metadata?

    public init(
        processes: [Process] = [], lanes: [Lane] = [], spans: [Span] = [], waits: [DetachedWait] = [],
        marks: [Mark] = [], counters: [CounterSample] = [], flows: [Flow] = [], metadata: Metadata? = nil
    ) {
        self.processes = processes
        self.lanes = lanes
        self.spans = spans
        self.waits = waits
        self.marks = marks
        self.counters = counters
        self.flows = flows
        self.metadata = metadata
    }

    public var isEmpty: Bool {
        processes.isEmpty && lanes.isEmpty && spans.isEmpty && waits.isEmpty && marks.isEmpty
            && counters.isEmpty && flows.isEmpty && metadata == nil
    }
}

/// A wait that names its span instead of sitting inside it.
public struct DetachedWait: Hashable, Sendable {
    public var span: SpanID
    public var wait: Wait
    public init(span: SpanID, wait: Wait) {
        self.span = span
        self.wait = wait
    }
}
