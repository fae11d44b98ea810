import LanesCore

/// Durations of the spans of one name.
public struct SpanNameStatistics: Hashable, Sendable {
    public var name: String
    /// Spans of the name, and their durations summed.
    public var count: Int
    public var total: Nanoseconds
    /// Total ÷ count, rounded down.
    public var mean: Nanoseconds
    /// Percentiles by nearest rank: the smallest duration with at least that share of the spans at or below it.
    public var p50: Nanoseconds
    public var p90: Nanoseconds
    public var p99: Nanoseconds
    /// The longest.
    public var max: Nanoseconds
}

/// What one lane did over the trace.
public struct LaneStatistics: Hashable, Sendable {
    public var lane: LaneID
    /// The lane's label (``Lane/label``).
    public var label: String
    /// Time inside the lane's top-level spans (their union).
    public var busy: Nanoseconds
    /// Busy time less the waits recorded on the lane.
    public var running: Nanoseconds
    /// Busy time ÷ the trace's wall time.
    public var busyShare: Double
    /// Spans of the trace's work (``TraceProfile/workName``) that ran on the lane, and their total duration.
    public var workCount: Int
    public var workTime: Nanoseconds
    /// First start and last end of the lane's work spans; nil when it ran none.
    public var workRange: ClosedRange<Nanoseconds>?
}

/// The chain of spans that decided when the trace ended, through parent links, flows and waits.
///
/// Walking back from the span that ends last, with a cursor at its end: inside a span, the latest of these
/// before the cursor is what the span was waiting for, and the walk goes there — a child span's end (into the
/// child), a flow's arrival (to the span it came from), or the end of a wait for another lane (a join, a
/// queue, a lock: to the span on another lane that ended last within the wait, which released it). With none
/// left, the walk continues in the parent from the span's start, or, at top level, in the span before it on
/// the same lane, else the top-level span that ended last before it on any lane. Each step is a segment; together they cover the time from the path's first span's start to
/// the trace's last end, less the waits that were skipped over.
public struct CriticalPath: Hashable, Sendable {
    /// A stretch of time on the path, inside one span.
    public struct Segment: Hashable, Sendable {
        public var span: SpanID
        /// The span's name and lane, copied for reports.
        public var name: String
        public var lane: LaneID
        public var start: Nanoseconds
        public var end: Nanoseconds
    }

    /// In time order.
    public var segments: [Segment]
    /// The time the segments cover.
    public var length: Nanoseconds { segments.reduce(0) { $0 + $1.end - $1.start } }

    /// Time on the path by span name, largest first.
    public var byName: [(name: String, time: Nanoseconds)] {
        var t: [String: Nanoseconds] = [:]
        for s in segments { t[s.name, default: 0] += s.end - s.start }
        return t.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Waits that end when another lane does something.
    static let handOffs: Set<WaitReason> = [
        .join, .queueGet, .queuePut, .lock, .condition, .semaphore, .ipc, .childProcess,
    ]

    /// The critical path of `trace`; empty for a trace without spans.
    public init(_ trace: Trace) { self.init(trace, positions: LanePositions(trace)) }

    init(_ trace: Trace, positions: LanePositions) {
        let spans = trace.spans
        let index = spanIndex(
            spans, needing: Set(spans.lazy.compactMap(\.parent)).union(trace.flows.flatMap { [$0.from, $0.to] }))
        let byEnd: (Int, Int) -> Bool = { spans[$0].end != spans[$1].end ? spans[$0].end < spans[$1].end : $0 < $1 }
        // Children by parent and top-level spans by lane, each sorted by end: one sort of all of them, then
        // grouped in flat arrays (an array per parent or per lane cost more than the walk).
        var nested: [(key: Int32, item: Int)] = []
        var tops: [Int] = []
        for (i, s) in spans.enumerated() {
            if let p = s.parent, let j = index[p] {
                nested.append((Int32(j), i))
            } else {
                tops.append(i)
            }
        }
        nested.sort { byEnd($0.item, $1.item) }
        tops.sort(by: byEnd)
        let (childItems, childOffsets) = bucketed(keyCount: spans.count, nested)
        nested = []
        let (laneTops, laneOffsets) = bucketed(
            keyCount: positions.count, tops.map { (key: positions.ofSpan[$0], item: $0) })
        var incoming: [Int: [Flow]] = [:]
        for f in trace.flows {
            if let j = index[f.to], index[f.from] != nil { incoming[j, default: []].append(f) }
        }
        for k in incoming.keys { incoming[k]!.sort { $0.toTime < $1.toTime } }
        /// The last of `list` (sorted by end) ending at or before `t`.
        func lastEnding(_ list: ArraySlice<Int>, atOrBefore t: Nanoseconds) -> Int? {
            var lo = list.startIndex, hi = list.endIndex
            while lo < hi {
                let mid = (lo + hi) / 2
                if spans[list[mid]].end <= t { lo = mid + 1 } else { hi = mid }
            }
            return lo > list.startIndex ? lo - 1 : nil
        }
        /// The top-level span on another lane that ended last within `w`.
        func waker(of w: Wait, lane: LaneID) -> Int? {
            guard var k = lastEnding(tops[...], atOrBefore: w.end) else { return nil }
            var tries = 0
            while k >= 0 && spans[tops[k]].end >= w.start && tries < 64 {
                if spans[tops[k]].lane != lane && spans[tops[k]].start < w.end { return tops[k] }
                k -= 1
                tries += 1
            }
            return nil
        }
        func lane(_ i: Int) -> Int { Int(positions.ofSpan[i]) }
        var out: [Segment] = []
        // The last span to end, preferring top-level spans; ties go to the earliest-starting (the longest).
        guard
            var s = spans.indices.max(by: { a, b in
                let x = spans[a], y = spans[b]
                if x.end != y.end { return x.end < y.end }
                if (x.parent == nil) != (y.parent == nil) { return x.parent != nil }
                return x.start > y.start
            })
        else {
            segments = []
            return
        }
        var t = spans[s].end
        var steps = 0
        let limit = 4 * (spans.count + trace.flows.count) + 4
        func add(_ i: Int, _ a: Nanoseconds, _ b: Nanoseconds) {
            if b > a {
                out.append(Segment(span: spans[i].id, name: spans[i].name, lane: spans[i].lane, start: a, end: b))
            }
        }
        while steps < limit {
            steps += 1
            let span = spans[s]
            let child = childItems[childOffsets[s]..<childOffsets[s + 1]].last { c in
                spans[c].end <= t && spans[c].start < t && spans[c].end > span.start
            }
            let flow = incoming[s]?.last { $0.toTime <= t && $0.toTime >= span.start }
            var handOff: (wait: Wait, from: Int)?
            for w in span.waits.reversed() where w.end <= t && w.end > span.start && Self.handOffs.contains(w.reason) {
                if let k = waker(of: w, lane: span.lane) {
                    handOff = (w, k)
                    break
                }
            }
            let childTime = child.map { spans[$0].end } ?? .min
            let flowTime = flow?.toTime ?? .min
            let waitTime = handOff?.wait.end ?? .min
            if let c = child, childTime >= flowTime, childTime >= waitTime {
                add(s, childTime, t)
                s = c
                t = childTime
            } else if let h = handOff, waitTime >= flowTime {
                add(s, spans[h.from].end, t)
                s = h.from
                t = spans[h.from].end
            } else if let f = flow, let from = index[f.from] {
                add(s, f.toTime, t)
                s = from
                t = min(f.fromTime, spans[from].end)
            } else {
                add(s, span.start, t)
                t = span.start
                if let p = span.parent, let j = index[p] {
                    s = j
                } else if case let list = laneTops[laneOffsets[lane(s)]..<laneOffsets[lane(s) + 1]],
                    let k = lastEnding(list, atOrBefore: t), list[k] != s, spans[list[k]].end <= t
                {
                    s = list[k]
                    t = spans[s].end
                } else if let k = lastEnding(tops[...], atOrBefore: t), tops[k] != s {
                    // Nothing earlier on this lane: whatever ran last elsewhere led up to it.
                    s = tops[k]
                    t = spans[s].end
                } else {
                    break
                }
            }
        }
        segments = out.reversed()
    }
}

/// The statistics of a trace that take more than one pass over its spans: per name, per lane, concurrency,
/// running and I/O time, throughput, imbalance and the critical path. ``TraceStatistics`` holds the cheap
/// ones a chart draws per panel.
public struct TraceProfile: Hashable, Sendable {
    /// From the first to the last event.
    public var wall: Nanoseconds
    /// The first event's time.
    public var start: Nanoseconds
    /// Time inside top-level spans less the waits in them, summed over lanes (a task slice on a thread
    /// whose lane already shows that time, an actor's, is not counted twice).
    public var running: Nanoseconds
    /// Running time ÷ wall: how many lanes were doing something other than waiting, on average.
    public var runningParallelism: Double { wall > 0 ? Double(running) / Double(wall) : 0 }
    /// The most operations open at once: spans of ``workName`` (or of any top-level span when there is none).
    public var peakConcurrency: Int
    /// Time spent runnable but not on a CPU: `runQueue` waits plus the scheduler sampler's run-queue counter.
    public var runQueueWait: Nanoseconds
    /// Wall time during which at least one I/O wait (`ioRead`, `ioWrite`, `sleep`, a `suspended` task) was open.
    /// In a trace of several processes, reads and writes outside any span or to the parent (a process pool's
    /// pipes) are coordination, not I/O.
    public var ioCover: Nanoseconds
    /// Wall time during which something was running and no I/O wait was open; and the converse.
    public var cpuOnly: Nanoseconds
    public var ioOnly: Nanoseconds
    /// Wall time covered by items that mostly compute (at most a tenth of their time in I/O waits), and by
    /// items that mostly wait on I/O (at least half). Items are spans without children other than task
    /// slices, not counting spans that are only a wait. Both large: an I/O stage and a CPU stage side by side.
    public var computeItemCover: Nanoseconds
    public var ioItemCover: Nanoseconds
    /// I/O waits summed over spans.
    public var ioWait: Nanoseconds
    /// The name of the trace's unit of work: the span name with the most time, not counting spans that are
    /// only a wait and task slices; nil for a trace without spans.
    public var workName: String?
    /// Spans per name, by total time, largest first.
    public var names: [SpanNameStatistics]
    /// Per lane, in the trace's lane order.
    public var lanes: [LaneStatistics]
    /// Work spans per second of wall time.
    public var throughput: Double
    /// Lanes that ran work spans: their largest work time ÷ their mean, less 1 (0 when balanced or fewer than two).
    public var loadImbalance: Double
    /// What decided when the trace ended.
    public var criticalPath: CriticalPath

    /// Reasons that mean waiting for the outside world rather than for other lanes.
    public static let ioReasons: Set<WaitReason> = [.ioRead, .ioWrite, .sleep, .suspended]

    /// Reasons that mean waiting for the right to compute: an item that waits only for these is still
    /// computing work (serialised, or short of cores).
    static let computeAccessReasons: Set<WaitReason> = [.lock, .gil, .runQueue]

    /// The profile of `trace`. `suspendedIsIO` false counts `suspended` waits as coordination (an actor's
    /// queue) rather than I/O.
    public init(_ trace: Trace, suspendedIsIO: Bool = true) {
        self.init(trace, suspendedIsIO: suspendedIsIO, laneTops: LaneTops(trace))
    }

    init(_ trace: Trace, suspendedIsIO: Bool, laneTops: LaneTops) {
        let range = trace.timeRange ?? 0...0
        start = range.lowerBound
        wall = range.upperBound - range.lowerBound
        let spans = trace.spans
        var ioReasons = Self.ioReasons
        if !suspendedIsIO { ioReasons.remove(.suspended) }

        // Per lane: top-level spans and waits, in flat arrays grouped by lane position (one array per lane,
        // or a dictionary keyed by lane, made analysis slower per span the more lanes a trace had).
        let positions = LanePositions(trace)
        var tops: [(key: Int32, item: (Nanoseconds, Nanoseconds))] = []
        var waits: [(key: Int32, item: (Nanoseconds, Nanoseconds))] = []
        var io: [(Nanoseconds, Nanoseconds)] = []
        var ioWait: Nanoseconds = 0
        var runQueue: Nanoseconds = 0
        var byName: [String: [Nanoseconds]] = [:]
        var nameTime: [String: Nanoseconds] = [:]
        let laneOf = { (i: Int) -> Lane? in
            let p = Int(positions.ofSpan[i])
            return p < positions.known ? trace.lanes[p] : nil
        }
        // Reads and writes on the pipes between a pool's processes coordinate them; they are not the work's I/O.
        let multiProcess = Set(spans.indices.prefix(100_000).lazy.map { laneOf($0)?.pid ?? -1 }).count > 1
        tops.reserveCapacity(spans.count)
        for (i, s) in spans.enumerated() {
            let lane = positions.ofSpan[i]
            if laneTops.contains(i, s) { tops.append((lane, (s.start, s.end))) }
            let pipeSide = multiProcess && laneOf(i)?.kind != .task
            for w in s.waits {
                waits.append((lane, (w.start, w.end)))
                let pipe =
                    pipeSide && (w.reason == .ioRead || w.reason == .ioWrite) && (s.isLoneWait || w.object == "parent")
                if ioReasons.contains(w.reason) && !pipe {
                    io.append((w.start, w.end))
                    ioWait += w.duration
                }
                if w.reason == .runQueue { runQueue += w.duration }
            }
            byName[s.name, default: []].append(s.duration)
            if !s.isLoneWait && s.name != taskSlice { nameTime[s.name, default: 0] += s.duration }
        }
        // The scheduler sampler's counter, unless the trace also has the same time as waits (a /proc recording).
        if runQueue == 0 {
            for c in trace.counters where c.name == CounterName.runQueue && c.value > 0 { runQueue += Nanoseconds(c.value) }
        }
        runQueueWait = runQueue
        self.ioWait = ioWait
        let workName = nameTime.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
        self.workName = workName

        var workPerLane = [(count: Int, time: Nanoseconds, lo: Nanoseconds, hi: Nanoseconds)](
            repeating: (0, 0, .max, .min), count: positions.count)
        if let workName {
            for (i, s) in spans.enumerated() where s.name == workName {
                let p = Int(positions.ofSpan[i])
                workPerLane[p].count += 1
                workPerLane[p].time += s.duration
                workPerLane[p].lo = min(workPerLane[p].lo, s.start)
                workPerLane[p].hi = max(workPerLane[p].hi, s.end)
            }
        }
        var (busyItems, busyOffsets) = bucketed(keyCount: positions.count, tops)
        var (waitItems, waitOffsets) = bucketed(keyCount: positions.count, waits)
        tops = []
        waits = []
        var runningAll: [(Nanoseconds, Nanoseconds)] = []
        var laneStats: [LaneStatistics] = []
        laneStats.reserveCapacity(positions.count)
        var total: Nanoseconds = 0
        let wall = self.wall
        busyItems.withUnsafeMutableBufferPointer { busy in
            waitItems.withUnsafeMutableBufferPointer { waited in
                for p in 0..<positions.count {
                    let busyRange = busyOffsets[p]..<busyOffsets[p + 1]
                    let waitRange = waitOffsets[p]..<waitOffsets[p + 1]
                    // A lane that only spans name, without top-level spans, has no row.
                    guard p < positions.known || !busyRange.isEmpty else { continue }
                    let nb = Intervals.mergeInPlace(busy, busyRange)
                    let nw = Intervals.mergeInPlace(waited, waitRange)
                    let busyParts = busy[busyRange.lowerBound..<(busyRange.lowerBound + nb)]
                    var busyLength: Nanoseconds = 0, run: Nanoseconds = 0
                    for part in busyParts { busyLength += part.1 - part.0 }
                    Intervals.forEachPart(
                        of: busyParts, outside: waited[waitRange.lowerBound..<(waitRange.lowerBound + nw)]
                    ) { a, b in
                        run += b - a
                        runningAll.append((a, b))
                    }
                    total += run
                    let id = positions.ids[p]
                    let w = workPerLane[p]
                    laneStats.append(
                        LaneStatistics(
                            lane: id, label: p < positions.known ? trace.lanes[p].label : id.description,
                            busy: busyLength, running: run,
                            busyShare: wall > 0 ? Double(busyLength) / Double(wall) : 0, workCount: w.count,
                            workTime: w.time, workRange: w.count > 0 ? w.lo...w.hi : nil))
                }
            }
        }
        running = total
        lanes = laneStats
        let ioU = Intervals(io), runU = Intervals(runningAll)
        ioCover = ioU.length
        cpuOnly = runU.subtracting(ioU).length
        ioOnly = ioU.subtracting(runU).length

        var parents: Set<SpanID> = []
        for s in spans where s.name != taskSlice { if let p = s.parent { parents.insert(p) } }
        var computeItems: [(Nanoseconds, Nanoseconds)] = [], ioItems: [(Nanoseconds, Nanoseconds)] = []
        for s in spans where s.name != taskSlice && !s.isLoneWait && !parents.contains(s.id) && s.end > s.start {
            // Waiting for the right to compute (a lock, the interpreter lock, a core) leaves an item
            // computing; waiting for I/O, or for a permit, a queue or another lane, does not.
            var io: Nanoseconds = 0, elsewhere: Nanoseconds = 0
            for w in s.waits {
                if ioReasons.contains(w.reason) {
                    io += w.duration
                } else if !Self.computeAccessReasons.contains(w.reason) {
                    elsewhere += w.duration
                }
            }
            if (io + elsewhere) * 10 <= s.duration {
                computeItems.append((s.start, s.end))
            } else if io * 2 >= s.duration {
                ioItems.append((s.start, s.end))
            }
        }
        computeItemCover = Intervals(computeItems).length
        ioItemCover = Intervals(ioItems).length

        names = byName.map { name, durations in
            let sorted = durations.sorted()
            let sum = sorted.reduce(0, +)
            return SpanNameStatistics(
                name: name, count: sorted.count, total: sum, mean: sum / Nanoseconds(sorted.count),
                p50: nearestRank(sorted, 0.5), p90: nearestRank(sorted, 0.9), p99: nearestRank(sorted, 0.99),
                max: sorted.last!)
        }.sorted { $0.total != $1.total ? $0.total > $1.total : $0.name < $1.name }

        // Peak concurrency: a sweep over starts and ends (ends first at equal times).
        let counted = spans.filter { s in workName.map { s.name == $0 } ?? (s.parent == nil) }
        var events = counted.flatMap { [($0.start, 1), ($0.end, -1)] }
        events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var open = 0, peak = 0
        for e in events {
            open += e.1
            peak = max(peak, open)
        }
        peakConcurrency = peak
        throughput = wall > 0 ? Double(counted.count) / (Double(wall) / 1e9) : 0
        let workers = laneStats.filter { $0.workCount > 0 }
        if workers.count >= 2 {
            let mean = Double(workers.reduce(0) { $0 + $1.workTime }) / Double(workers.count)
            loadImbalance = mean > 0 ? Double(workers.map(\.workTime).max()!) / mean - 1 : 0
        } else {
            loadImbalance = 0
        }
        criticalPath = CriticalPath(trace, positions: positions)
    }

    /// The statistics of spans named `name`, if any ran.
    public func statistics(of name: String) -> SpanNameStatistics? { names.first { $0.name == name } }
}

/// Positions of the spans whose ids are in `needed` (building a map of every span costs more than the
/// analysis it serves when few are referenced).
func spanIndex(_ spans: [Span], needing needed: Set<SpanID>) -> [SpanID: Int] {
    var index: [SpanID: Int] = [:]
    guard !needed.isEmpty else { return index }
    index.reserveCapacity(needed.count)
    for (i, s) in spans.enumerated() where needed.contains(s.id) { index[s.id] = i }
    return index
}

/// The name the recorder gives the spans that record when an async task ran (LanesRecord's `taskSliceName`).
let taskSlice = Span.taskSliceName

/// Threads whose own (non-task) lanes have top-level work spans; nil when the trace has no top-level
/// task slice, so traces without async tasks pay one pass and no set.
///
/// A top-level task slice (a task running outside any span of its own) on one of these threads records
/// the executor running it there: an actor's serial executor, whose lane already has the work's spans
/// for that time. Counting the slice too would count one thread twice; a slice elsewhere (a task
/// running on a pool thread between its spans) is running time of its own and counts.
func threadsWithLaneWork(_ spans: UnsafeBufferPointer<Span>, _ trace: Trace, depths: [UInt8]) -> Set<Int64>? {
    // The global read once, not once per span.
    let slice = taskSlice
    guard spans.indices.contains(where: { SpanNesting.isTopLevel(depths, $0) && spans[$0].name == slice }) else {
        return nil
    }
    let taskLanes = Set(trace.lanes.lazy.filter { $0.kind == .task }.map(\.id))
    var threads = Set<Int64>()
    for i in spans.indices where SpanNesting.isTopLevel(depths, i) {
        if spans[i].name != slice && !taskLanes.contains(spans[i].lane) { threads.insert(spans[i].threadID) }
    }
    return threads
}

/// Which spans start their lane's work (its top-level spans), the one rule ``TraceStatistics`` and
/// ``TraceProfile`` share: the spans at depth 0 by ``SpanNesting`` (the rule every chart draws by), less
/// top-level task slices on a thread whose lane already shows that time. Computed once per trace and
/// handed to both when an ``Analysis`` builds them.
struct LaneTops {
    /// ``SpanNesting/depths(_:limit:)`` at limit 1: only whether a span is top-level matters here.
    let depths: [UInt8]
    let sliceThreads: Set<Int64>?

    init(_ trace: Trace) { self.init(trace, depths: SpanNesting.depths(trace, limit: 1), hasTaskSlices: true) }

    /// With the nesting already known: `depths` is ``SpanNesting/depths(_:limit:)`` at any limit of 1 or
    /// more (only depth 0 matters), and `hasTaskSlices` false when no span is a task slice, which spares
    /// the pass that looks for top-level ones.
    init(_ trace: Trace, depths: [UInt8], hasTaskSlices: Bool) {
        self.depths = depths
        sliceThreads =
            hasTaskSlices ? trace.spans.withUnsafeBufferPointer { threadsWithLaneWork($0, trace, depths: depths) } : nil
    }

    /// Whether `s`, the span at `index` of the trace's spans, starts its lane's work.
    @inline(__always)
    func contains(_ index: Int, _ s: Span) -> Bool {
        guard SpanNesting.isTopLevel(depths, index) else { return false }
        guard let threads = sliceThreads, s.name == taskSlice else { return true }
        return !threads.contains(s.threadID)
    }
}
