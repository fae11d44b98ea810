import LanesCore

/// Traces built by hand, so every time and name is known.
enum Traces {
    /// Two threads of one process over 1 ms: known spans, one lock wait, one nested span.
    static func known() -> Trace {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 7, threadID: 7, name: "main")
        let b = Lane(id: LaneID(1), kind: .thread, pid: 7, threadID: 8, name: "worker")
        let spans = [
            Span(id: SpanID(1), name: "parse", lane: a.id, threadID: 7, start: 0, end: 300_000),
            Span(id: SpanID(2), name: "compute", lane: a.id, threadID: 7, start: 400_000, end: 1_000_000,
                 waits: [Wait(reason: .lock, start: 500_000, end: 700_000, object: "m")]),
            Span(id: SpanID(3), name: "fetch", lane: b.id, threadID: 8, start: 100_000, end: 900_000),
            Span(id: SpanID(4), name: "decode", lane: b.id, threadID: 8, start: 200_000, end: 400_000, parent: SpanID(3)),
        ]
        return Trace(
            metadata: Metadata(host: "box", cores: 2, scenario: "known", model: "threads"),
            processes: [Process(pid: 7, name: "app")], lanes: [a, b], spans: spans)
    }

    /// A pipeline over 40 ms: a producer, four workers that take from a queue and share a lock,
    /// a logger in a worker process, CPU state samples and a queue-depth counter.
    static func pipeline(model: String = "threads", workers: Int = 4, stretch: Double = 1) -> Trace {
        var lanes: [Lane] = [Lane(id: LaneID(0), kind: .thread, pid: 100, threadID: 100, name: "producer")]
        for w in 0..<workers {
            lanes.append(Lane(id: LaneID(UInt32(w + 1)), kind: .thread, pid: 100, threadID: Int64(101 + w), name: "worker-\(w)"))
        }
        let logger = Lane(id: LaneID(UInt32(workers + 1)), kind: .process, pid: 200, name: "log-writer")
        lanes.append(logger)
        var spans: [Span] = []
        var flows: [Flow] = []
        var counters: [CounterSample] = []
        var id: UInt64 = 1
        func t(_ ms: Double) -> Nanoseconds { Nanoseconds(ms * stretch * 1_000_000) }
        // Producer: 32 items, 1 ms each, with an occasional full queue.
        for i in 0..<32 {
            let s = t(Double(i) * 1.1)
            var waits: [Wait] = []
            if i % 7 == 6 { waits.append(Wait(reason: .queuePut, start: s + t(0.5), end: s + t(0.9))) }
            spans.append(Span(id: SpanID(id), name: "produce", lane: LaneID(0), threadID: 100, start: s, end: s + t(1.0), waits: waits))
            id += 1
        }
        for w in 0..<workers {
            var clock = t(1.2 + Double(w) * 0.3)
            var k = 0
            while clock < t(38) {
                let itemStart = clock
                let parent = SpanID(id)
                let dur = t(3.0 + Double((w * 7 + k * 3) % 5) * 0.6)
                var waits: [Wait] = [Wait(reason: .queueGet, start: itemStart, end: itemStart + t(0.4))]
                if (k + w) % 3 == 0 { waits.append(Wait(reason: .lock, start: itemStart + t(1.5), end: itemStart + t(2.3), object: "results")) }
                if (k + w) % 4 == 1 { waits.append(Wait(reason: .ioWrite, start: itemStart + dur - t(0.9), end: itemStart + dur - t(0.2))) }
                spans.append(Span(id: parent, name: "handle", lane: LaneID(UInt32(w + 1)), threadID: Int64(101 + w), start: itemStart,
                                  end: itemStart + dur, cpuTime: dur / 2, waits: waits))
                id += 1
                spans.append(Span(id: SpanID(id), name: "transform", lane: LaneID(UInt32(w + 1)), threadID: Int64(101 + w),
                                  start: itemStart + t(0.5), end: itemStart + t(1.4), parent: parent))
                id += 1
                if k % 2 == 0 {
                    flows.append(Flow(id: UInt64(flows.count + 1), from: SpanID(UInt64(1 + (k * workers + w) % 32)), to: parent,
                                      fromTime: t(Double((k * workers + w) % 32) * 1.1 + 1.0), toTime: itemStart, name: "item"))
                }
                clock = itemStart + dur + t(0.2)
                k += 1
            }
        }
        // The logger: many short writes (dense), then a sleep.
        for i in 0..<3000 {
            let s = t(2 + Double(i) * 0.011)
            spans.append(Span(id: SpanID(id), name: i % 5 == 0 ? "flush" : "write", lane: logger.id, threadID: 200, start: s, end: s + t(0.006),
                              waits: i % 5 == 0 ? [Wait(reason: .ioWrite, start: s + t(0.002), end: s + t(0.005))] : []))
            id += 1
        }
        spans.append(Span(id: SpanID(id), name: "idle", lane: logger.id, threadID: 200, start: t(36), end: t(40),
                          waits: [Wait(reason: .sleep, start: t(36), end: t(40))]))
        // CPU state of the workers, every 2 ms.
        for w in 0..<workers {
            for k in 0...20 {
                let time = t(Double(k) * 2)
                let run = Double(t(2)) * (0.35 + 0.1 * Double((k + w) % 5))
                let rq = Double(t(2)) * (w >= 2 ? 0.2 : 0.05)
                let lane = LaneID(UInt32(w + 1))
                counters.append(CounterSample(name: CounterName.running, lane: lane, time: time, value: run))
                counters.append(CounterSample(name: CounterName.runQueue, lane: lane, time: time, value: rq))
                counters.append(CounterSample(name: CounterName.blocked, lane: lane, time: time, value: Double(t(2)) - run - rq))
            }
        }
        for k in 0...80 {
            counters.append(CounterSample(name: "queue depth", lane: nil, time: t(Double(k) * 0.5), value: Double((k * 7) % 9)))
        }
        return Trace(
            metadata: Metadata(
                command: ["lanes", "run", "pipeline"], host: "ci-runner", cores: 2, scenario: "pipeline", model: model,
                startedAt: 1_764_041_000_000_000_000),
            processes: [Process(pid: 100, name: "pipeline"), Process(pid: 200, name: "log-writer", exit: .exited(0))],
            lanes: lanes, spans: spans, counters: counters, flows: flows)
    }

    /// `lanes` threads with `count` spans spread evenly, back to back with small gaps, over 1 s.
    static func dense(spans count: Int, lanes laneCount: Int = 16) -> Trace {
        let lanes = (0..<laneCount).map { i in
            Lane(id: LaneID(UInt32(i)), kind: .thread, pid: 1, threadID: Int64(10 + i), name: "t\(i)")
        }
        let perLane = count / laneCount
        let names = ["alpha", "beta", "gamma", "delta"]
        var spans: [Span] = []
        spans.reserveCapacity(count)
        let period = 1_000_000_000 / Int64(perLane)
        for l in 0..<laneCount {
            for k in 0..<perLane {
                let s = Int64(k) * period
                spans.append(Span(id: SpanID(UInt64(l * perLane + k + 1)), name: names[(k + l) % 4], lane: LaneID(UInt32(l)),
                                  threadID: Int64(10 + l), start: s, end: s + period * 3 / 4))
            }
        }
        return Trace(metadata: Metadata(scenario: "dense"), processes: [Process(pid: 1, name: "dense")], lanes: lanes, spans: spans)
    }
}
