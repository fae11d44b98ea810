import LanesCore

/// Statistics of one trace over a time window: what the chart's statistics box shows.
public struct TraceStatistics: Hashable, Sendable {
    /// Length of the window.
    public var wall: Nanoseconds
    /// Time inside top-level spans (spans without a parent on their lane: a child task's span under its
    /// parent task's counts on its own lane), summed over lanes, clipped to the window; a task slice on
    /// a thread whose lane already shows that time (an actor's) is not counted twice.
    public var busy: Nanoseconds
    /// CPU time used, summed over top-level spans that measured it; nil when none did.
    public var cpu: Nanoseconds?
    /// Running time a sampler recorded (``LanesCore/CounterName/running`` counters in the window: whole
    /// threads, inside spans or not); nil without such counters.
    public var sampledCPU: Nanoseconds?
    /// Cores of the host; 0 when unknown.
    public var cores: Int
    /// Blocked time by reason (waits of every span, clipped to the window).
    public var blockedByReason: [WaitReason: Nanoseconds]
    /// Events the recorder dropped.
    public var droppedEvents: UInt64
    /// Spans that overlap the window.
    public var spanCount: Int
    /// What recording the trace cost the run (for the whole trace, not the window).
    public var recorderCost: RecorderCost

    /// Running time (busy time less the waits inside it) over wall time: how many lanes were
    /// running at once, on average.
    public var averageParallelism: Double { wall > 0 ? Double(max(0, busy - blocked)) / Double(wall) : 0 }

    /// CPU time over (wall × cores), 0...1: from the spans' CPU times, else from a sampler's running time
    /// (``sampledCPU``); nil without either or without a core count.
    public var cpuUtilisation: Double? {
        guard let used = cpu ?? sampledCPU, cores > 0, wall > 0 else { return nil }
        return Double(used) / (Double(wall) * Double(cores))
    }

    /// Total blocked time.
    public var blocked: Nanoseconds { blockedByReason.values.reduce(0, +) }

    /// The blocked share: time in waits (of every span, nested ones included) over time inside top-level
    /// spans, 0 without busy time. This is the one definition every report uses.
    public var blockedShare: Double { busy > 0 ? Double(blocked) / Double(busy) : 0 }

    /// Blocked reasons with their share of busy time, largest first (ties by reason order).
    public var blockedShares: [(reason: WaitReason, share: Double, time: Nanoseconds)] {
        blockedByReason.filter { $0.value > 0 }
            .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key.rawValue < $1.key.rawValue }
            .map { ($0.key, busy > 0 ? Double($0.value) / Double(busy) : 0, $0.value) }
    }

    /// Statistics of `trace` between `start` and `end` (the whole trace when nil). Pass the trace's
    /// `timeRange` as `range` when it is already known, to save a pass over the spans.
    public init(
        _ trace: Trace, start: Nanoseconds? = nil, end: Nanoseconds? = nil, range knownRange: ClosedRange<Nanoseconds>? = nil
    ) {
        self.init(trace, start: start, end: end, range: knownRange, laneTops: LaneTops(trace))
    }

    /// As ``init(_:start:end:range:)``, for a caller that already knows how the spans nest: `depths` is
    /// ``SpanNesting/depths(_:limit:)`` at any limit of 1 or more, and `hasTaskSlices` whether any span is
    /// named ``LanesCore/Span/taskSliceName`` (false spares a pass over the spans). The charts use it.
    package init(
        _ trace: Trace, start: Nanoseconds?, end: Nanoseconds?, range: ClosedRange<Nanoseconds>?, depths: [UInt8],
        hasTaskSlices: Bool
    ) {
        self.init(
            trace, start: start, end: end, range: range,
            laneTops: LaneTops(trace, depths: depths, hasTaskSlices: hasTaskSlices))
    }

    init(
        _ trace: Trace, start: Nanoseconds? = nil, end: Nanoseconds? = nil, range knownRange: ClosedRange<Nanoseconds>? = nil,
        laneTops: LaneTops
    ) {
        let range = knownRange ?? trace.timeRange ?? 0...0
        let lo = start ?? range.lowerBound, hi = max(end ?? range.upperBound, lo)
        wall = hi - lo
        cores = trace.metadata.cores
        droppedEvents = trace.metadata.droppedEvents
        var busy: Nanoseconds = 0, cpu: Nanoseconds = 0, sawCPU = false, count = 0
        var blocked: [WaitReason: Nanoseconds] = [:]
        var nestedWaits = false
        let whole = lo <= range.lowerBound && hi >= range.upperBound
        // Fields are read in place: copying every span would cost more than the sums.
        trace.spans.withUnsafeBufferPointer { spans in
            for i in spans.indices where spans[i].end >= lo && spans[i].start <= hi {
                count += 1
                let start = spans[i].start, end = spans[i].end
                let clipped = min(end, hi) - max(start, lo)
                if laneTops.contains(i, spans[i]) {
                    busy += clipped
                    if let c = spans[i].cpuTime {
                        sawCPU = true
                        // CPU time is known for the whole span only; scale it to the part shown.
                        let duration = end - start
                        cpu += whole || duration == 0 ? c : Nanoseconds(Double(c) * Double(clipped) / Double(duration))
                    }
                }
                if !spans[i].waits.isEmpty {
                    if spans[i].parent != nil { nestedWaits = true }
                    for w in spans[i].waits where w.end > lo && w.start < hi {
                        blocked[w.reason, default: 0] += min(w.end, hi) - max(w.start, lo)
                    }
                }
            }
        }
        // A nested span's wait can repeat its parent's (an async read inside a task's span is also the
        // task's suspension): then count each lane's waiting time once.
        if nestedWaits { blocked = Self.blockedOnce(trace, lo, hi) }
        self.busy = busy
        self.cpu = sawCPU ? cpu : nil
        if trace.counters.contains(where: { $0.name == CounterName.running }) {
            var sampled = 0.0
            for c in trace.counters where c.name == CounterName.running && c.time >= lo && c.time <= hi { sampled += c.value }
            sampledCPU = Nanoseconds(sampled)
        }
        self.blockedByReason = blocked
        self.spanCount = count
        recorderCost = RecorderCost(trace, wall: range.upperBound - range.lowerBound)
    }

    /// Blocked time by reason with overlapping waits on one lane counted once. Where waits overlap,
    /// the time goes to the wait that began first, and `suspended` (a task not running, for whatever
    /// reason) only to time no other wait explains.
    static func blockedOnce(_ trace: Trace, _ lo: Nanoseconds, _ hi: Nanoseconds) -> [WaitReason: Nanoseconds] {
        var pieces: [(lane: LaneID, late: Bool, start: Nanoseconds, end: Nanoseconds, reason: WaitReason)] = []
        for span in trace.spans where !span.waits.isEmpty && span.end >= lo && span.start <= hi {
            for w in span.waits where w.end > lo && w.start < hi {
                pieces.append((span.lane, w.reason == .suspended, max(w.start, lo), min(w.end, hi), w.reason))
            }
        }
        pieces.sort { ($0.lane, $0.start, $0.end) < ($1.lane, $1.start, $1.end) }
        var out: [WaitReason: Nanoseconds] = [:]
        var i = 0
        while i < pieces.count {
            var j = i
            while j < pieces.count && pieces[j].lane == pieces[i].lane { j += 1 }
            // Specific reasons first, as a union; then suspensions, in what that union left uncovered.
            var covered: [(start: Nanoseconds, end: Nanoseconds)] = []
            var reach = Nanoseconds.min
            for p in pieces[i..<j] where !p.late {
                let start = max(p.start, reach)
                guard p.end > start else { continue }
                reach = p.end
                out[p.reason, default: 0] += p.end - start
                covered.append((start, p.end))
            }
            reach = Nanoseconds.min
            var k = 0
            for p in pieces[i..<j] where p.late {
                var start = max(p.start, reach)
                guard p.end > start else { continue }
                reach = p.end
                while k < covered.count && covered[k].end <= start { k += 1 }
                var time: Nanoseconds = 0
                var m = k
                while m < covered.count && covered[m].start < p.end {
                    if covered[m].start > start { time += covered[m].start - start }
                    start = max(start, covered[m].end)
                    m += 1
                }
                if p.end > start { time += p.end - start }
                out[p.reason, default: 0] += time
            }
            i = j
        }
        return out.filter { $0.value > 0 }
    }

    /// `0.423` → `42.3%`.
    public static func percent(_ x: Double) -> String {
        let tenths = (x * 1000).rounded()
        return "\(Int(tenths) / 10).\(abs(Int(tenths)) % 10)%"
    }

    /// `2.345` → `2.35`.
    public static func decimal(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        let frac = abs(hundredths) % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }

    /// The lines of the statistics box: label and value.
    public var lines: [(String, String)] {
        var out: [(String, String)] = [("wall", formatDuration(wall))]
        if let u = cpuUtilisation {
            out.append(("CPU utilisation", "\(Self.percent(u)) of \(cores) cores\(cpu == nil ? " (sampled)" : "")"))
        } else if let cpu {
            out.append(("CPU time", formatDuration(cpu)))
        } else {
            out.append(("CPU utilisation", "not recorded"))
        }
        out.append(("avg parallelism", Self.decimal(averageParallelism)))
        let shares = blockedShares
        if shares.isEmpty {
            out.append(("blocked", "none recorded"))
        } else {
            out.append(("blocked", "\(Self.percent(blockedShare)) of busy time"))
            for s in shares.prefix(5) {
                out.append(("  \(s.reason)", "\(Self.percent(s.share)) (\(formatDuration(s.time)))"))
            }
            if shares.count > 5 { out.append(("  other reasons", "\(shares.count - 5) more")) }
        }
        out.append(("spans", "\(spanCount)"))
        out.append(("dropped events", "\(droppedEvents)"))
        out.append(("recorder cost", recorderCost.text))
        return out
    }
}
