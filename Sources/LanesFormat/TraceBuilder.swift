import LanesCore

/// Merges batches (from one stream or several) into a ``Trace``.
///
/// - Processes and lanes keep the order in which they first appear; a later batch that names the same pid or
///   lane id replaces the earlier record (the last word wins: a process's exit status, a lane's new name).
/// - Metadata in a batch replaces what the builder had (e.g. the final dropped-event count).
/// - Spans, marks, counters and flows are appended in order.
/// - Task slices are nested under their task's spans and the gaps become `suspended` waits
///   (``LanesCore/Trace/attachingSuspensions()``), so a trace is the same however it was written.
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
    /// Internal so that ``LanesDecoder/mergeNext(into:)`` can decode spans straight into it.
    var spans: [Span] = []
    private var waits: [DetachedWait] = []
    private var marks: [Mark] = []
    private var counters: [CounterSample] = []
    private var flows: [Flow] = []

    public init(metadata: Metadata = Metadata()) { self.metadata = metadata }

    /// Spans added so far.
    public var spanCount: Int { spans.count }

    /// Makes room for `count` spans in all, when the total is known in advance.
    public mutating func reserveCapacity(spans count: Int) {
        spans.reserveCapacity(count)
        spans.adviseHugePages()
    }

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

    /// The processes and lanes so far, as a trace with nothing else.
    func processesAndLanes() -> Trace { Trace(processes: processes, lanes: lanes) }

    /// Whether a span with an id in `ids` was added.
    func hasSpan(in ids: Range<UInt64>) -> Bool { spans.contains { ids.contains($0.id.rawValue) } }

    /// The merged trace, and a warning if some waits had no span to go to. The builder is left empty.
    public mutating func build() -> (trace: Trace, warnings: [LanesWarning]) {
        var taken = TraceBuilder()
        swap(&taken, &self)  // owns the arrays alone, so attaching waits changes them in place
        var warnings: [LanesWarning] = []
        if !taken.waits.isEmpty {
            let orphans = attach(taken.waits, to: &taken.spans, in: taken.spans.indices)
            if !orphans.isEmpty {
                let first = Set(orphans.map(\.span)).sorted().prefix(5)
                warnings.append(.orphanWaits(count: orphans.count, spans: Array(first)))
            }
        }
        // What the slices imply (suspensions of async tasks) is made here, so every reader of every file sees it.
        let trace = Trace(
            metadata: taken.metadata, processes: taken.processes, lanes: taken.lanes, spans: taken.spans,
            marks: taken.marks, counters: taken.counters, flows: taken.flows
        ).attachingSuspensions()
        return (trace, warnings)
    }
}

/// Moves each of `waits` into the first span in `spans[range]` with its id, then sorts the waits of every span
/// that received some by start; returns the waits whose span is not in the range, in their order.
func attach(_ waits: [DetachedWait], to spans: inout [Span], in range: Range<Int>) -> [DetachedWait] {
    var pending: [SpanID: [Wait]] = [:]
    for d in waits { pending[d.span, default: []].append(d.wait) }
    // A bit filter of the wanted ids spares a hash lookup for nearly every span without waits.
    let bits = max(64, min(1 << 16, (pending.count * 64).nextPowerOfTwo))
    let shift = UInt64(64 - bits.trailingZeroBitCount)
    var filter = [UInt64](repeating: 0, count: bits / 64)
    @inline(__always) func slot(_ id: SpanID) -> Int { Int(truncatingIfNeeded: (id.rawValue &* 0x9E37_79B9_7F4A_7C15) >> shift) }
    for id in pending.keys {
        let h = slot(id)
        filter[h >> 6] |= 1 << UInt64(h & 63)
    }
    var found = Set<SpanID>()
    for i in range {
        let id = spans[i].id
        let h = slot(id)
        guard filter[h >> 6] & (1 << UInt64(h & 63)) != 0, let ws = pending.removeValue(forKey: id) else { continue }
        spans[i].waits.append(contentsOf: ws)
        spans[i].waits.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        found.insert(id)
        if pending.isEmpty { break }
    }
    return found.isEmpty ? waits : waits.filter { !found.contains($0.span) }
}

extension Int {
    /// The smallest power of two at least `self` (for positive values that fit).
    fileprivate var nextPowerOfTwo: Int { self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount) }
}
