@testable import LanesAnalysis
import LanesCore
import Testing

/// The per-lane figures and the critical path, built with flat per-lane arrays (issue 19, defect 7), against
/// the same rules computed the simple way here: a dictionary of arrays per lane, an ``Intervals`` per lane.
@Suite struct LaneScalingTests {
    /// A small deterministic generator (SplitMix64).
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func next(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Random traces with what makes per-lane bookkeeping go wrong: lane ids that are not positions, spans on
    /// lanes the trace does not list, overlapping and unsorted spans on a lane, children on their parent's lane
    /// and on others, task slices, flows and waits of every kind.
    static func workload(seed: UInt64, lanes laneCount: Int, spans spanCount: Int, identity: Bool) -> Trace {
        var r = Random(state: seed)
        let reasons = WaitReason.allCases
        var ids = (0..<laneCount).map { UInt32($0) }
        if !identity { ids = ids.map { $0 * 3 + 7 }.shuffled(using: &r) }
        let lanes = ids.enumerated().map { i, id in
            i % 5 == 4
                ? Lane(id: LaneID(id), kind: .task, pid: Int64(1 + i % 2), taskID: UInt64(i))
                : Lane(
                    id: LaneID(id), kind: .thread, pid: Int64(1 + i % 2), threadID: Int64(100 + i % 7), name: "t\(i)")
        }
        var spans: [Span] = []
        for i in 0..<spanCount {
            // Some spans on lanes the trace does not list.
            let lane = r.next(20) == 0 ? LaneID(UInt32(1_000_000 + r.next(3))) : LaneID(ids[r.next(laneCount)])
            let start = Nanoseconds(r.next(1_000)) * 1_000
            let end = start + Nanoseconds(r.next(200)) * 1_000
            var parent: SpanID?
            if !spans.isEmpty, r.next(3) == 0 { parent = spans[r.next(spans.count)].id }
            if r.next(40) == 0 { parent = SpanID(999_999) }  // not in the trace
            var waits: [Wait] = []
            for _ in 0..<r.next(3) {
                let a = start + Nanoseconds(r.next(100)) * 1_000
                waits.append(
                    Wait(
                        reason: reasons[r.next(reasons.count)], start: a,
                        end: min(end, a + Nanoseconds(r.next(80)) * 1_000),
                        object: ["m", "q", "parent", nil][r.next(4)]))
            }
            let name = r.next(6) == 0 ? "task slice" : ["fetch", "parse", "write"][r.next(3)]
            spans.append(
                Span(
                    id: SpanID(UInt64(i + 1)), name: name, lane: lane, threadID: Int64(100 + r.next(7)),
                    start: start, end: end, parent: parent, waits: waits))
        }
        var flows: [Flow] = []
        for k in 0..<(spanCount / 10) {
            let a = spans[r.next(spanCount)], b = spans[r.next(spanCount)]
            flows.append(Flow(id: UInt64(k + 1), from: a.id, to: b.id, fromTime: a.end, toTime: max(a.end, b.start)))
        }
        return Trace(
            metadata: Metadata(command: ["workload"], cores: 2), processes: [Process(pid: 1), Process(pid: 2)],
            lanes: lanes, spans: spans, flows: flows)
    }

    /// The lane rows the simple way: per-lane dictionaries of top-level spans and waits, one ``Intervals``
    /// each; lanes the trace does not list follow in the order of their first span.
    static func referenceLanes(_ trace: Trace) -> (
        lanes: [LaneStatistics], running: Nanoseconds, cpuOnly: Nanoseconds, ioOnly: Nanoseconds
    ) {
        let tops = LaneTops(trace)
        let wall = trace.wallTime
        var busy: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:], waits: [LaneID: [(Nanoseconds, Nanoseconds)]] = [:]
        var order = trace.lanes.map(\.id)
        var io: [(Nanoseconds, Nanoseconds)] = []
        let multiProcess = Set(trace.spans.map { trace.lane($0.lane)?.pid ?? -1 }).count > 1
        for (i, s) in trace.spans.enumerated() {
            let pipeSide = multiProcess && trace.lane(s.lane)?.kind != .task
            for w in s.waits where TraceProfile.ioReasons.contains(w.reason) {
                let pipe =
                    pipeSide && (w.reason == .ioRead || w.reason == .ioWrite) && (s.isLoneWait || w.object == "parent")
                if !pipe { io.append((w.start, w.end)) }
            }
            if tops.contains(i, s) {
                if busy[s.lane] == nil, !order.contains(s.lane) { order.append(s.lane) }
                busy[s.lane, default: []].append((s.start, s.end))
            }
            for w in s.waits { waits[s.lane, default: []].append((w.start, w.end)) }
        }
        let workName = TraceProfile(trace).workName
        var rows: [LaneStatistics] = []
        var total: Nanoseconds = 0
        var all: [(Nanoseconds, Nanoseconds)] = []
        for id in order {
            let b = Intervals(busy[id] ?? [])
            let run = b.subtracting(Intervals(waits[id] ?? []))
            total += run.length
            all += run.parts.map { ($0.start, $0.end) }
            let work = trace.spans.filter { $0.lane == id && $0.name == workName }
            rows.append(
                LaneStatistics(
                    lane: id, label: trace.lane(id)?.label ?? id.description, busy: b.length, running: run.length,
                    busyShare: wall > 0 ? Double(b.length) / Double(wall) : 0, workCount: work.count,
                    workTime: work.reduce(0) { $0 + $1.duration },
                    workRange: work.isEmpty
                        ? nil : work.map(\.start).min()!...work.map(\.end).max()!))
        }
        let ioU = Intervals(io), runU = Intervals(all)
        return (rows, total, runU.subtracting(ioU).length, ioU.subtracting(runU).length)
    }

    /// The critical path the simple way: children and top-level spans in a dictionary of arrays each.
    static func referencePath(_ trace: Trace) -> [CriticalPath.Segment] {
        let spans = trace.spans
        var index: [SpanID: Int] = [:]
        for (i, s) in spans.enumerated() { index[s.id] = i }
        var children: [Int: [Int]] = [:], topByLane: [LaneID: [Int]] = [:], tops: [Int] = []
        for (i, s) in spans.enumerated() {
            if let p = s.parent, let j = index[p] {
                children[j, default: []].append(i)
            } else {
                topByLane[s.lane, default: []].append(i)
                tops.append(i)
            }
        }
        let byEnd: (Int, Int) -> Bool = { spans[$0].end != spans[$1].end ? spans[$0].end < spans[$1].end : $0 < $1 }
        for k in children.keys { children[k]!.sort(by: byEnd) }
        for k in topByLane.keys { topByLane[k]!.sort(by: byEnd) }
        tops.sort(by: byEnd)
        var incoming: [Int: [Flow]] = [:]
        for f in trace.flows where index[f.from] != nil {
            if let j = index[f.to] { incoming[j, default: []].append(f) }
        }
        for k in incoming.keys { incoming[k]!.sort { $0.toTime < $1.toTime } }
        func lastEnding(_ list: [Int], atOrBefore t: Nanoseconds) -> Int? {
            list.lastIndex { spans[$0].end <= t }
        }
        func waker(of w: Wait, lane: LaneID) -> Int? {
            guard var k = lastEnding(tops, atOrBefore: w.end) else { return nil }
            var tries = 0
            while k >= 0 && spans[tops[k]].end >= w.start && tries < 64 {
                if spans[tops[k]].lane != lane && spans[tops[k]].start < w.end { return tops[k] }
                k -= 1
                tries += 1
            }
            return nil
        }
        guard
            var s = spans.indices.max(by: { a, b in
                let x = spans[a], y = spans[b]
                if x.end != y.end { return x.end < y.end }
                if (x.parent == nil) != (y.parent == nil) { return x.parent != nil }
                return x.start > y.start
            })
        else { return [] }
        var out: [CriticalPath.Segment] = []
        func add(_ i: Int, _ a: Nanoseconds, _ b: Nanoseconds) {
            if b > a {
                out.append(.init(span: spans[i].id, name: spans[i].name, lane: spans[i].lane, start: a, end: b))
            }
        }
        var t = spans[s].end
        for _ in 0..<(4 * (spans.count + trace.flows.count) + 4) {
            let span = spans[s]
            let child = children[s]?.last { c in spans[c].end <= t && spans[c].start < t && spans[c].end > span.start }
            let flow = incoming[s]?.last { $0.toTime <= t && $0.toTime >= span.start }
            var handOff: (wait: Wait, from: Int)?
            for w in span.waits.reversed()
            where w.end <= t && w.end > span.start && CriticalPath.handOffs.contains(w.reason) {
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
                } else if let list = topByLane[span.lane], let k = lastEnding(list, atOrBefore: t), list[k] != s,
                    spans[list[k]].end <= t
                {
                    s = list[k]
                    t = spans[s].end
                } else if let k = lastEnding(tops, atOrBefore: t), tops[k] != s {
                    s = tops[k]
                    t = spans[s].end
                } else {
                    break
                }
            }
        }
        return out.reversed()
    }

    static let workloads: [(seed: UInt64, lanes: Int, spans: Int, identity: Bool)] = [
        (1, 3, 400, true), (2, 64, 2_000, true), (3, 64, 2_000, false), (4, 1_500, 3_000, true),
        (5, 1_500, 3_000, false), (6, 1, 50, true),
    ]

    @Test(arguments: workloads.indices)
    func laneRowsAndRunningTimeMatchTheSimpleWay(_ k: Int) {
        let w = Self.workloads[k]
        let trace = Self.workload(seed: w.seed, lanes: w.lanes, spans: w.spans, identity: w.identity)
        let profile = TraceProfile(trace)
        let reference = Self.referenceLanes(trace)
        #expect(profile.lanes.count == reference.lanes.count)
        #expect(profile.lanes == reference.lanes)
        #expect(profile.running == reference.running)
        #expect(profile.cpuOnly == reference.cpuOnly)
        #expect(profile.ioOnly == reference.ioOnly)
        #expect(profile.running > 0)
    }

    @Test(arguments: workloads.indices)
    func criticalPathMatchesTheSimpleWay(_ k: Int) {
        let w = Self.workloads[k]
        let trace = Self.workload(seed: w.seed, lanes: w.lanes, spans: w.spans, identity: w.identity)
        let path = CriticalPath(trace).segments
        #expect(!path.isEmpty)
        #expect(path == Self.referencePath(trace))
        #expect(TraceProfile(trace).criticalPath.segments == path)
    }

    /// The lock-contention finding names the lanes a set per lock would have: every lane that waited on the
    /// lock with the most waiting time.
    @Test(arguments: workloads.indices)
    func lockContentionLanesMatchTheSimpleWay(_ k: Int) {
        let w = Self.workloads[k]
        var trace = Self.workload(seed: w.seed, lanes: w.lanes, spans: w.spans, identity: w.identity)
        // Plenty of lock waiting, so the finding is made, on every lane but the first.
        for i in trace.spans.indices where trace.spans[i].lane != trace.lanes[0].id {
            let s = trace.spans[i]
            trace.spans[i].waits.append(Wait(reason: .lock, start: s.start, end: s.end, object: "big"))
        }
        var queues = Set(trace.counters.map(\.name))
        for s in trace.spans {
            for w in s.waits where w.reason == .queueGet || w.reason == .queuePut { queues.insert(w.object ?? "") }
        }
        var time: [String: Nanoseconds] = [:], lanes: [String: Set<LaneID>] = [:]
        for s in trace.spans {
            for w in s.waits where w.reason == .lock && !queues.contains(w.object ?? "\u{0}") {
                time[w.object ?? "", default: 0] += w.duration
                lanes[w.object ?? "", default: []].insert(s.lane)
            }
        }
        let worst = time.max { $0.value < $1.value }!.key
        #expect(worst == "big")
        let finding = Analysis(trace).findings(.lockContention).first
        guard lanes[worst]!.count >= 2 else {
            #expect(finding == nil)  // one lane waiting is not contention
            return
        }
        #expect(finding?.lanes == lanes[worst]!.sorted())
        #expect(finding?.figures["lanes"] == Double(lanes[worst]!.count))
        #expect(finding?.figures["wait"] == Double(time[worst]!))
    }

    /// The unit the benchmark measures: the same spans on 64 lanes and on 20,000, where every per-lane figure
    /// can be worked out: each lane's spans are back to back, so its busy time is their sum.
    @Test func manyLanesGiveTheFiguresFewLanesDo() {
        func trace(lanes n: Int) -> Trace {
            let lanes = (0..<n).map { Lane(id: LaneID(UInt32($0)), kind: .thread, pid: 1, threadID: Int64($0)) }
            let spans = (0..<40_000).map { i in
                let start = Nanoseconds(i / n) * 100_000
                return Span(
                    id: SpanID(UInt64(i + 1)), name: "work", lane: LaneID(UInt32(i % n)), threadID: Int64(i % n),
                    start: start, end: start + 100_000,
                    waits: [Wait(reason: .lock, start: start + 10_000, end: start + 30_000, object: "m")])
            }
            return Trace(metadata: Metadata(command: ["x"], cores: 2), lanes: lanes, spans: spans)
        }
        for n in [64, 20_000] {
            let p = TraceProfile(trace(lanes: n))
            #expect(p.lanes.count == n)
            #expect(p.lanes.allSatisfy { $0.busy == Nanoseconds(40_000 / n) * 100_000 && $0.workCount == 40_000 / n })
            #expect(p.running == 40_000 * 80_000)
            #expect(p.lanes.map(\.lane) == (0..<n).map { LaneID(UInt32($0)) })
        }
    }
}
