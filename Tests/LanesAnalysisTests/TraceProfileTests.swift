import LanesAnalysis
import LanesCore
import Testing

@Suite struct TraceProfileTests {
    /// The statistics suite's trace: `parse` 0–300 µs and `compute` 400–1000 µs (200 µs of lock wait) on
    /// one thread, `fetch` 100–900 µs with `decode` 200–400 µs nested on the other.
    @Test func knownTraceEqualsHandComputedValues() {
        let p = TraceProfile(TraceStatisticsTests.known())
        #expect(p.wall == 1_000_000)
        // Main: 900 µs busy less 200 µs of lock; worker: 800 µs.
        #expect(p.running == 1_500_000)
        #expect(p.runningParallelism == 1.5)
        #expect(p.workName == "fetch")
        #expect(p.peakConcurrency == 1)
        #expect(p.throughput == 1_000)
        #expect(p.loadImbalance == 0)
        #expect(p.ioWait == 0 && p.ioCover == 0 && p.ioOnly == 0)
        #expect(p.cpuOnly == 1_000_000)
        #expect(p.runQueueWait == 0)
        #expect(p.lanes.map(\.busy) == [900_000, 800_000])
        #expect(p.lanes.map(\.running) == [700_000, 800_000])
        #expect(p.lanes.map(\.busyShare) == [0.9, 0.8])
        #expect(p.lanes.map(\.workCount) == [0, 1])
        #expect(p.lanes[1].workRange == 100_000...900_000)
        #expect(p.names.map(\.name) == ["fetch", "compute", "parse", "decode"])
        #expect(p.statistics(of: "compute")?.total == 600_000)
        // Nothing on the other lane ends within the lock wait, so the path is the main thread's two spans.
        let path = p.criticalPath
        #expect(path.segments.map(\.name) == ["parse", "compute"])
        #expect(path.segments.map(\.start) == [0, 400_000])
        #expect(path.segments.map(\.end) == [300_000, 1_000_000])
        #expect(path.length == 900_000)
        #expect(path.byName.map(\.name) == ["compute", "parse"])
    }

    @Test func percentilesAreNearestRank() {
        let b = Fixtures.Builder()
        // Durations 1 … 100 µs, in shuffled order.
        for k in (1...100).map({ ($0 * 37) % 101 }) {
            b.span("x", Fixtures.thread(0), 0, Nanoseconds(k) * 1_000)
        }
        let x = TraceProfile(b.trace()).statistics(of: "x")!
        #expect(x.count == 100)
        #expect(x.total == 5_050_000)
        #expect(x.mean == 50_500)
        #expect(x.p50 == 50_000)
        #expect(x.p90 == 90_000)
        #expect(x.p99 == 99_000)
        #expect(x.max == 100_000)
    }

    @Test func concurrencyImbalanceIOAndRunQueue() {
        let b = Fixtures.Builder()
        let a = Fixtures.thread(0), c = Fixtures.thread(1)
        // a: two items of 100 µs; c: one of 200 µs with 50 µs of sleep and 20 µs in the run queue.
        b.span("item", a, 0, 100_000)
        b.span("item", a, 100_000, 200_000)
        b.span(
            "item", c, 0, 200_000,
            waits: [
                Wait(reason: .sleep, start: 50_000, end: 100_000),
                Wait(reason: .runQueue, start: 150_000, end: 170_000),
            ])
        b.counters = [CounterSample(name: CounterName.runQueue, lane: c.id, time: 10, value: 5_000)]
        let p = TraceProfile(b.trace())
        #expect(p.peakConcurrency == 2)
        #expect(p.running == 200_000 + 130_000)
        // The counter repeats what the waits show (a /proc recording has both): the waits count, once.
        #expect(p.runQueueWait == 20_000)
        #expect(p.ioWait == 50_000)
        #expect(p.ioCover == 50_000)
        // Lane a runs throughout, so no time is I/O alone.
        #expect(p.ioOnly == 0)
        #expect(p.cpuOnly == 150_000)
        // Equal work (200 µs each): balanced.
        #expect(p.loadImbalance == 0)
        #expect(p.throughput == 3 / 0.0002)
    }

    @Test func criticalPathFollowsFlowsAndChildren() {
        let b = Fixtures.Builder()
        let producer = b.span("produce", Fixtures.thread(0), 0, 100)
        let consumer = b.span("consume", Fixtures.thread(1), 50, 300)
        b.span("decode", Fixtures.thread(1), 200, 280, parent: consumer)
        b.flows = [Flow(id: 1, from: producer, to: consumer, fromTime: 100, toTime: 150)]
        let path = CriticalPath(b.trace())
        #expect(path.segments.map(\.name) == ["produce", "consume", "decode", "consume"])
        #expect(path.segments.map(\.start) == [0, 150, 200, 280])
        #expect(path.segments.map(\.end) == [100, 200, 280, 300])
        #expect(path.length == 250)
    }

    @Test func criticalPathCrossesAJoinToTheLaneThatEnded() {
        let b = Fixtures.Builder()
        let main = Fixtures.thread(0), worker = Fixtures.thread(1)
        b.span("setup", main, 0, 10)
        b.span("join", main, 10, 100, waits: [Wait(reason: .join, start: 10, end: 100, object: "worker")])
        b.span("work", worker, 5, 95)
        let path = CriticalPath(b.trace())
        #expect(path.segments.map(\.name) == ["work", "join"])
        #expect(path.segments.map(\.start) == [5, 95])
        #expect(path.segments.map(\.end) == [95, 100])
    }

    @Test func emptyTraceHasNoPath() {
        let p = TraceProfile(Trace())
        #expect(p.wall == 0 && p.running == 0 && p.names.isEmpty && p.criticalPath.segments.isEmpty)
        #expect(Analysis(Trace()).findings.isEmpty)
    }
}
