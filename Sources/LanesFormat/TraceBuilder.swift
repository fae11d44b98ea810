import LanesCore

/// Merges batches (from one stream or several) into a ``Trace``.
///
/// - Processes and lanes keep the order in which they first appear; a later batch that names the same pid or
///   lane id replaces the earlier record (the last word wins: a process's exit status, a lane's new name).
/// - Metadata in a batch replaces what the builder had (e.g. the final dropped-event count).
/// - Spans, marks, counters and flows are appended in order.
/// - Detached waits are attached to their spans in ``build()``, whichever batch either came in; a span that
///   receives waits this way has its waits sorted by start. Waits whose span never arrived are counted in a
///   warning, not silently lost.
public struct TraceBuilder: Sendable {
    /// The metadata the trace will carry; set it from the header, batches may replace it.
    public var metadata: Metadata

    private var processes: [Process] = []
    private var processIndex: [Int64: Int] = [:]
    private var lanes: [Lane] = []
    private var laneIndex: [LaneID: Int] = [:]
    private var spans: [Span] = []
    private var waits: [DetachedWait] = []
    private var marks: [Mark] = []
    private var counters: [CounterSample] = []
    private var flows: [Flow] = []

    public init(metadata: Metadata = Metadata()) { self.metadata = metadata }

    /// Spans added so far.
    public var spanCount: Int { spans.count }

    /// Makes room for `count` spans in all, when the total is known in advance.
    public mutating func reserveCapacity(spans count: Int) { spans.reserveCapacity(count) }

    /// Merges `batch` into the trace being built.
    public mutating func add(_ batch: consuming LanesBatch) {
        if let m = batch.metadata { metadata = m }
        for p in batch.processes {
            if let i = processIndex[p.pid] {
                processes[i] = p
            } else {
                processIndex[p.pid] = processes.count
                processes.append(p)
            }
        }
        for l in batch.lanes {
            if let i = laneIndex[l.id] {
                lanes[i] = l
            } else {
                laneIndex[l.id] = lanes.count
                lanes.append(l)
            }
        }
        if spans.isEmpty { spans = batch.spans } else { spans.append(contentsOf: batch.spans) }
        if waits.isEmpty { waits = batch.waits } else { waits.append(contentsOf: batch.waits) }
        if marks.isEmpty { marks = batch.marks } else { marks.append(contentsOf: batch.marks) }
        if counters.isEmpty { counters = batch.counters } else { counters.append(contentsOf: batch.counters) }
        if flows.isEmpty { flows = batch.flows } else { flows.append(contentsOf: batch.flows) }
    }

    /// The merged trace, and a warning if some waits had no span to go to.
    public consuming func build() -> (trace: Trace, warnings: [LanesWarning]) {
        var warnings: [LanesWarning] = []
        if !waits.isEmpty {
            let orphans = attachWaits()
            if !orphans.isEmpty {
                let count = orphans.reduce(0) { $0 + $1.value.count }
                let first = orphans.keys.sorted().prefix(5)
                warnings.append(.orphanWaits(count: count, spans: Array(first)))
            }
        }
        let trace = Trace(
            metadata: metadata, processes: processes, lanes: lanes, spans: spans, marks: marks, counters: counters,
            flows: flows)
        return (trace, warnings)
    }

    /// Moves the detached waits into their spans; returns those whose span is not there.
    private mutating func attachWaits() -> [SpanID: [Wait]] {
        var pending: [SpanID: [Wait]] = [:]
        for d in waits { pending[d.span, default: []].append(d.wait) }
        waits = []
        // A 64 Ki-bit filter of the wanted ids spares a hash lookup for nearly every span without waits.
        var filter = [UInt64](repeating: 0, count: 1024)
        @inline(__always) func slot(_ id: SpanID) -> Int { Int(truncatingIfNeeded: (id.rawValue &* 0x9E37_79B9_7F4A_7C15) >> 48) }
        for id in pending.keys {
            let h = slot(id)
            filter[h >> 6] |= 1 << UInt64(h & 63)
        }
        for i in spans.indices {
            let id = spans[i].id
            let h = slot(id)
            guard filter[h >> 6] & (1 << UInt64(h & 63)) != 0, let found = pending.removeValue(forKey: id) else { continue }
            spans[i].waits.append(contentsOf: found)
            spans[i].waits.sort { ($0.start, $0.end) < ($1.start, $1.end) }
            if pending.isEmpty { break }
        }
        return pending
    }
}
