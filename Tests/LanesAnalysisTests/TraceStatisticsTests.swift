import LanesAnalysis
import LanesCore
import Testing

@Suite struct TraceStatisticsTests {
    /// Two threads over 1 ms: `parse` and `compute` (with 200 µs of lock wait) on one, `fetch` with a
    /// nested `decode` on the other.
    static func known() -> Trace {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 7, threadID: 7, name: "main")
        let b = Lane(id: LaneID(1), kind: .thread, pid: 7, threadID: 8, name: "worker")
        let spans = [
            Span(id: SpanID(1), name: "parse", lane: a.id, threadID: 7, start: 0, end: 300_000, cpuTime: 300_000),
            Span(id: SpanID(2), name: "compute", lane: a.id, threadID: 7, start: 400_000, end: 1_000_000, cpuTime: 400_000,
                 waits: [Wait(reason: .lock, start: 500_000, end: 700_000, object: "m")]),
            Span(id: SpanID(3), name: "fetch", lane: b.id, threadID: 8, start: 100_000, end: 900_000, cpuTime: 100_000),
            Span(id: SpanID(4), name: "decode", lane: b.id, threadID: 8, start: 200_000, end: 400_000, parent: SpanID(3)),
        ]
        return Trace(
            metadata: Metadata(host: "box", cores: 2, scenario: "known", model: "threads"),
            processes: [Process(pid: 7, name: "app")], lanes: [a, b], spans: spans)
    }

    @Test func wholeTraceEqualsHandComputedValues() {
        let st = TraceStatistics(Self.known())
        #expect(st.wall == 1_000_000)
        #expect(st.busy == 1_700_000)
        #expect(st.cpu == 800_000)
        // 0.8 ms of CPU over 1 ms × 2 cores.
        #expect(st.cpuUtilisation == 0.4)
        #expect(st.blockedByReason == [.lock: 200_000])
        #expect(abs(st.averageParallelism - 1.5) < 1e-12)
        #expect(st.spanCount == 4)
    }

    @Test func aWindowClipsSpansWaitsAndScalesCPU() {
        // 0.5–1 ms: compute (500 µs shown of 600, CPU scaled to 5/6 of 400 µs), fetch (400 µs of 800).
        let st = TraceStatistics(Self.known(), start: 500_000, end: 1_000_000)
        #expect(st.wall == 500_000)
        #expect(st.busy == 900_000)
        #expect(st.cpu == Nanoseconds(383_333))
        #expect(st.blockedByReason == [.lock: 200_000])
        #expect(st.spanCount == 2)
    }
}

@Suite struct NestedWaitTests {
    /// A task's span with a child span whose read is also the task's suspension: the time is counted
    /// once, as the read; the suspension counts only where no read explains it.
    @Test func aWaitRepeatedByANestedSpanCountsOnce() {
        let task = Lane(id: LaneID(0), kind: .task, pid: 1, name: "task 1")
        let spans = [
            Span(id: SpanID(1), name: "dataset", lane: task.id, threadID: 1, start: 0, end: 1_000,
                 waits: [Wait(reason: .suspended, start: 100, end: 600)]),
            Span(id: SpanID(2), name: "fetch", lane: task.id, threadID: 1, start: 50, end: 700, parent: SpanID(1),
                 waits: [Wait(reason: .ioRead, start: 200, end: 500), Wait(reason: .ioRead, start: 450, end: 650)]),
        ]
        let st = TraceStatistics(Trace(lanes: [task], spans: spans))
        // ioRead: 200–650 (450); suspended: 100–200 only (100).
        #expect(st.blockedByReason == [.ioRead: 450, .suspended: 100])
        #expect(st.blocked == 550)
        #expect(st.busy == 1_000)
        #expect(st.averageParallelism == 0.45)
    }
}
