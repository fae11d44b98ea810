import LanesCore

/// Hand-built traces whose figures can be worked out on paper.
enum Fixtures {
    static let ms: Nanoseconds = 1_000_000

    static func thread(_ id: UInt32, pid: Int64 = 1, _ name: String = "") -> Lane {
        Lane(id: LaneID(id), kind: .thread, pid: pid, threadID: Int64(id) + 100, name: name)
    }

    static func task(_ id: UInt32, pid: Int64 = 1) -> Lane {
        Lane(id: LaneID(id), kind: .task, pid: pid, taskID: UInt64(id))
    }

    /// Ten back-to-back waits for `reason` from 0 to `end`.
    static func waits(_ reason: WaitReason, until end: Nanoseconds, object: String) -> [Wait] {
        (0..<10).map { k in
            Wait(reason: reason, start: end * Nanoseconds(k) / 10, end: end * Nanoseconds(k + 1) / 10, object: object)
        }
    }

    /// Assigns ids in order.
    final class Builder {
        var lanes: [Lane] = []
        var spans: [Span] = []
        var counters: [CounterSample] = []
        var flows: [Flow] = []
        var next: UInt64 = 1

        @discardableResult
        func span(
            _ name: String, _ lane: Lane, _ start: Nanoseconds, _ end: Nanoseconds, parent: SpanID? = nil,
            cpu: Nanoseconds? = nil, waits: [Wait] = []
        ) -> SpanID {
            if !lanes.contains(where: { $0.id == lane.id }) { lanes.append(lane) }
            let id = SpanID(next)
            next += 1
            spans.append(
                Span(
                    id: id, name: name, lane: lane.id, threadID: lane.threadID ?? 0, start: start, end: end,
                    cpuTime: cpu,
                    parent: parent, waits: waits))
            return id
        }

        func trace(model: String? = nil, cores: Int = 2, processes: [Int64] = [1]) -> Trace {
            Trace(
                metadata: Metadata(host: "box", cores: cores, scenario: "fixture", model: model),
                processes: processes.map { Process(pid: $0) }, lanes: lanes, spans: spans, counters: counters,
                flows: flows)
        }
    }

    /// `n` requests on task lanes, started 10 µs apart, each 20 ms: a 20 µs slice to send, a suspended wait on
    /// the network, a 20 µs slice to read the answer (the `fetch` scenario's shape under async).
    static func fetch(requests n: Int) -> Trace {
        let b = Builder()
        for i in 0..<n {
            let lane = task(UInt32(i))
            let t0 = Nanoseconds(i) * 10_000
            let s = b.span(
                "fetch", lane, t0, t0 + 20 * ms,
                waits: [Wait(reason: .ioRead, start: t0 + 20_000, end: t0 + 20 * ms - 20_000, object: "socket")])
            b.span("task slice", lane, t0, t0 + 20_000, parent: s)
            b.span("task slice", lane, t0 + 20 * ms - 20_000, t0 + 20 * ms, parent: s)
        }
        return b.trace(model: "async")
    }

    /// 100 downloads on task lanes over the first 50 ms, then two worker processes parsing for 50 ms, ten
    /// 5 ms items each (the `pipeline` scenario's shape under hybrid).
    static func pipeline() -> Trace {
        let b = Builder()
        for i in 0..<100 {
            let lane = task(UInt32(i))
            let t0 = Nanoseconds(i) * 100_000
            let end = 40 * ms + t0
            let s = b.span("download", lane, t0, end, waits: [Wait(reason: .suspended, start: t0 + 10_000, end: end)])
            b.span("task slice", lane, t0, t0 + 10_000, parent: s)
        }
        for w in 0..<2 {
            let lane = thread(UInt32(100 + w), pid: Int64(2 + w), "worker")
            for k in 0..<10 {
                let t0 = 50 * ms + Nanoseconds(k) * 5 * ms
                b.span("parse", lane, t0, t0 + 5 * ms)
            }
        }
        return b.trace(model: "hybrid", processes: [1, 2, 3])
    }

    /// The pipeline with its stages overlapping: downloads on task lanes throughout 0–100 ms, and two worker
    /// processes parsing 5 ms items from 10 ms on.
    static func overlappingPipeline() -> Trace {
        let b = Builder()
        for i in 0..<100 {
            let lane = task(UInt32(i))
            let t0 = Nanoseconds(i) * ms
            let s = b.span(
                "download", lane, t0, t0 + 10 * ms,
                waits: [Wait(reason: .ioRead, start: t0 + 10_000, end: t0 + 10 * ms)])
            b.span("task slice", lane, t0, t0 + 10_000, parent: s)
        }
        for w in 0..<2 {
            let lane = thread(UInt32(100 + w), pid: Int64(2 + w), "worker")
            for k in 0..<18 {
                let t0 = 10 * ms + Nanoseconds(k) * 5 * ms
                b.span("parse", lane, t0, t0 + 5 * ms)
            }
        }
        return b.trace(model: "hybrid", processes: [1, 2, 3])
    }

    /// CPU-bound work: `lanes` lanes each running `items` items of `item` ns back to back.
    static func cpu(model: String, lanes: Int, items: Int, item: Nanoseconds, cores: Int = 2) -> Trace {
        let b = Builder()
        for l in 0..<lanes {
            for k in 0..<items {
                let t0 = Nanoseconds(k) * item
                b.span("work", thread(UInt32(l)), t0, t0 + item)
            }
        }
        return b.trace(model: model, cores: cores)
    }
}
