import LanesCore

extension Detectors {
    /// A queue that starves its consumers or holds back its producers.
    static func producerConsumer(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard p.wall > 0 else { return nil }
        struct Side {
            var time: Nanoseconds = 0
            var lanes: Set<LaneID> = []
        }
        // A wait seen on nested spans (a Python `worker` frame and the `Queue.get` inside it) is one wait:
        // each lane's intervals are merged before they are added up.
        var pieces: [Bool: [String: [LaneID: [(Nanoseconds, Nanoseconds)]]]] = [:]
        for s in trace.spans {
            for w in s.waits where w.reason == .queueGet || w.reason == .queuePut {
                pieces[w.reason == .queueGet, default: [:]][w.object ?? "", default: [:]][s.lane, default: []]
                    .append((w.start, w.end))
            }
        }
        func sides(_ byQueue: [String: [LaneID: [(Nanoseconds, Nanoseconds)]]]?) -> [String: Side] {
            (byQueue ?? [:]).mapValues { byLane in
                Side(time: byLane.values.reduce(0) { $0 + Intervals($1).length }, lanes: Set(byLane.keys))
            }
        }
        let gets = sides(pieces[true]), puts = sides(pieces[false])
        // Share of the waiting lanes' time: how much of their life they spent on this side of the queue.
        func share(_ side: Side) -> Double { ratio(side.time, p.wall * Nanoseconds(max(1, side.lanes.count))) }
        let candidates =
            gets.map { (queue: $0.key, side: $0.value, starving: true) }
            + puts.map { (queue: $0.key, side: $0.value, starving: false) }
        // One idle consumer waiting for work is not starvation; several are.
        guard
            let worst = candidates.filter({ !$0.starving || $0.side.lanes.count >= 2 })
                .max(by: { share($0.side) < share($1.side) }), share(worst.side) >= 0.5
        else { return nil }
        let s = share(worst.side)
        let label = worst.queue.isEmpty ? "the queue" : "queue '\(worst.queue)'"
        // The queue's depth counter (named after the queue) confirms it: mostly empty, or often at its top.
        let depth = trace.counters.filter { $0.name == worst.queue }
        var depthNote = ""
        var confirmed = false
        if !depth.isEmpty {
            let empty = depth.filter { $0.value <= 0 }.count
            let top = depth.map(\.value).max() ?? 0
            let full = depth.filter { $0.value >= top }.count
            depthNote = "; its depth was 0 in \(empty) of \(depth.count) samples and at most \(Int(top))"
            confirmed = worst.starving ? empty * 2 >= depth.count : top > 0 && full * 4 >= depth.count
        }
        return Finding(
            kind: .producerConsumer, severity: confirmed && s >= 0.6 ? .warning : .info,
            title: worst.starving
                ? "Consumers starved: they waited on an empty \(label) \(pct(s)) of the time"
                : "Back-pressure: producers waited on a full \(label) \(pct(s)) of the time",
            evidence:
                "\(worst.side.lanes.count) lanes waited \(formatDuration(worst.side.time)) to \(worst.starving ? "get from" : "put into") \(label)\(depthNote)",
            lesson: worst.starving
                ? "Consumers waiting on an empty queue mean the producers are the bottleneck: add producers or fewer consumers."
                : "Producers waiting on a full queue mean the consumers are the bottleneck: add consumers; the bound keeps memory in check.",
            lanes: worst.side.lanes.sorted(),
            figures: ["wait": Double(worst.side.time), "share": s, "lanes": Double(worst.side.lanes.count)])
    }
}
