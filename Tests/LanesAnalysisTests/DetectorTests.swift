import LanesAnalysis
import LanesCore
import Testing

/// Each detector on a hand-built trace that has its pitfall, and on one that does not.
@Suite struct DetectorTests {
    typealias B = Fixtures.Builder
    static let ms = Fixtures.ms

    @Test func serialisedCPUUnderAnInterpreterLock() {
        let b = B()
        // Two threads take turns in 1 ms steps, each waiting on the lock while the other runs.
        for k in 0..<10 {
            let t = Nanoseconds(k) * 2 * Self.ms
            b.span(
                "work", Fixtures.thread(0), t, t + 2 * Self.ms,
                waits: [Wait(reason: .gil, start: t + Self.ms, end: t + 2 * Self.ms)])
            b.span(
                "work", Fixtures.thread(1), t, t + 2 * Self.ms, waits: [Wait(reason: .gil, start: t, end: t + Self.ms)])
        }
        let f = Analysis(b.trace(model: "gil")).findings(.serialisedCPU)
        #expect(f.count == 1)
        #expect(f.first?.severity == .critical)
        #expect(f.first?.figures["parallelism"] == 1)
        #expect(f.first?.lanes == [LaneID(0), LaneID(1)])
        // The same work without the lock runs two at a time.
        #expect(Analysis(Fixtures.cpu(model: "threads", lanes: 2, items: 10, item: 2 * Self.ms)).findings.isEmpty)
    }

    @Test func blockedCooperativePool() {
        func trace(blocking: Bool) -> Trace {
            let b = B()
            for i in 0..<8 {
                let lane = Fixtures.task(UInt32(i))
                let t0 = Nanoseconds(i) * 5 * Self.ms
                // A 5 ms read: in one slice that holds the thread, or between two slices (suspended).
                let s = b.span(
                    "request", lane, t0, t0 + 5 * Self.ms,
                    waits: [Wait(reason: .ioRead, start: t0, end: t0 + 5 * Self.ms)])
                if blocking {
                    b.span("task slice", lane, t0, t0 + 5 * Self.ms, parent: s)
                } else {
                    b.span("task slice", lane, t0 - 10_000, t0, parent: s)
                }
            }
            return b.trace(model: "async")
        }
        let bad = Analysis(trace(blocking: true)).findings(.blockedCooperativePool)
        #expect(bad.count == 1)
        #expect(bad.first?.spans.count == 8)
        #expect(bad.first?.severity == .critical)
        #expect(Analysis(trace(blocking: false)).findings(.blockedCooperativePool).isEmpty)
    }

    /// On a busy machine a task that awaits `Task.sleep` may keep its thread well into the wait before it suspends
    /// (preempted between starting the wait and suspending): it still suspended, as the gap in its slices shows.
    @Test func aSuspensionLateOnABusyMachineIsNoBlockedPool() {
        let b = B()
        for i in 0..<8 {
            let lane = Fixtures.task(UInt32(i))
            let t0 = Nanoseconds(i) * 10 * Self.ms
            // A 5 ms sleep: the slice runs 3 ms into it (preempted), the task resumes after the rest.
            let s = b.span(
                "Task.sleep", lane, t0, t0 + 5 * Self.ms,
                waits: [Wait(reason: .sleep, start: t0, end: t0 + 5 * Self.ms)])
            b.span("task slice", lane, t0 - Self.ms, t0 + 3 * Self.ms, parent: s)
            b.span("task slice", lane, t0 + 5 * Self.ms, t0 + 6 * Self.ms, parent: s)
        }
        #expect(Analysis(b.trace(model: "async")).findings(.blockedCooperativePool).isEmpty)
    }

    @Test func tasksThatOutliveTheirParent() {
        let b = B()
        let parent = b.span("parent", Fixtures.task(0), 0, Self.ms)
        b.span("forgotten", Fixtures.task(1), 100, 5 * Self.ms, parent: parent)
        b.span("awaited", Fixtures.task(2), 100, Self.ms / 2, parent: parent)
        let f = Analysis(b.trace(model: "async")).findings(.unawaitedTasks)
        #expect(f.count == 1)
        #expect(f.first?.spans == [SpanID(2)])
        #expect(f.first?.figures["outlived"] == Double(4 * Self.ms))
    }

    @Test func lockContentionOnOneLock() {
        func trace(wait: Nanoseconds) -> Trace {
            let b = B()
            for l in 0..<2 {
                b.span(
                    "update", Fixtures.thread(UInt32(l)), 0, 10 * Self.ms,
                    waits: Fixtures.waits(.lock, until: wait, object: "counter"))
            }
            return b.trace(model: "threads")
        }
        let f = Analysis(trace(wait: 6 * Self.ms)).findings(.lockContention)
        #expect(f.count == 1)
        #expect(f.first?.title.contains("'counter'") == true)
        #expect(f.first?.figures["share"] == 1.2)
        #expect(f.first?.severity == .critical)
        #expect(Analysis(trace(wait: Self.ms / 2)).findings(.lockContention).isEmpty)
    }

    @Test func oversubscriptionFromRunQueueOrMoreRunningThanCores() {
        // Three threads on two cores taking turns: each waits in the run queue while the other two run, so
        // the program itself crowds the CPUs (a third of the time runnable: half the running time).
        let b = B()
        for k: UInt32 in 0..<3 {
            let start = Nanoseconds(k) * 3 * Self.ms
            b.span(
                "work", Fixtures.thread(k), 0, 9 * Self.ms,
                waits: [Wait(reason: .runQueue, start: start, end: start + 3 * Self.ms)])
        }
        #expect(Analysis(b.trace()).findings(.oversubscription).first?.figures["share"] == 0.5)
        // One thread runnable as long: the CPUs were taken by other programs, not by this one.
        let alone = B()
        alone.span(
            "work", Fixtures.thread(0), 0, 10 * Self.ms, waits: [Wait(reason: .runQueue, start: 0, end: 5 * Self.ms)])
        #expect(Analysis(alone.trace()).findings(.oversubscription).isEmpty)
        let many = Analysis(Fixtures.cpu(model: "thread-per-task", lanes: 8, items: 1, item: Self.ms, cores: 2))
        #expect(many.findings(.oversubscription).first?.figures["parallelism"] == 8)
        #expect(Analysis(Fixtures.cpu(model: "threads", lanes: 2, items: 1, item: Self.ms, cores: 2)).findings.isEmpty)
    }

    @Test func processStartUpAboveTheItemsWork() {
        func trace(item: Nanoseconds) -> Trace {
            let b = B()
            b.span(
                "ipc", Fixtures.thread(0, pid: 1), 0, 50 * Self.ms + 10 * item,
                waits: [Wait(reason: .ipc, start: 0, end: 50 * Self.ms + 10 * item)])
            // The worker's first span comes 50 ms after the run began: its start-up.
            for k in 0..<10 {
                let t0 = 50 * Self.ms + Nanoseconds(k) * item
                b.span("item", Fixtures.thread(1, pid: 2), t0, t0 + item)
            }
            return b.trace(model: "processes", processes: [1, 2])
        }
        let f = Analysis(trace(item: Self.ms / 10)).findings(.processOverhead)
        #expect(f.count == 1)
        #expect(f.first?.figures["perItem"] == Double(5 * Self.ms))
        #expect(f.first?.figures["startup"] == Double(50 * Self.ms))
        #expect(f.first?.severity == .critical)
        // Items of 100 ms dwarf a 50 ms start-up shared by ten.
        #expect(Analysis(trace(item: 100 * Self.ms)).findings(.processOverhead).isEmpty)
    }

    @Test func aStragglerWithMoreWork() {
        let b = B()
        for l in 0..<3 {
            let item = l == 2 ? 10 * Self.ms : Self.ms
            for k in 0..<2 {
                b.span("item", Fixtures.thread(UInt32(l)), Nanoseconds(k) * item, Nanoseconds(k + 1) * item)
            }
        }
        let f = Analysis(b.trace(model: "threads", cores: 4)).findings(.stragglers)
        #expect(f.count == 1)
        #expect(f.first?.lanes == [LaneID(2)])
        #expect(f.first?.figures["lag"] == Double(18 * Self.ms))
        #expect(Analysis(Fixtures.cpu(model: "threads", lanes: 3, items: 2, item: Self.ms, cores: 4)).findings.isEmpty)
    }

    @Test func consumersStarvedByAnEmptyQueue() {
        let b = B()
        for l in 0..<2 {
            b.span(
                "consume", Fixtures.thread(UInt32(l)), 0, 10 * Self.ms,
                waits: [Wait(reason: .queueGet, start: 0, end: 9 * Self.ms, object: "jobs")])
        }
        b.span("produce", Fixtures.thread(2), 0, 10 * Self.ms)
        b.counters = (0..<10).map {
            CounterSample(name: "jobs", lane: nil, time: Nanoseconds($0) * Self.ms, value: $0 == 9 ? 1 : 0)
        }
        let f = Analysis(b.trace(model: "threads")).findings(.producerConsumer)
        #expect(f.count == 1)
        #expect(f.first?.title.hasPrefix("Consumers starved") == true)
        #expect(f.first?.severity == .warning)
        #expect(f.first?.figures["share"] == 0.9)
    }

    /// A Python trace puts one `Queue.get` wait on the worker frame and on the `get` frame nested in it;
    /// the finding counts that time once (it read "waited 180% of the time").
    @Test func aQueueWaitOnNestedSpansCountsOnce() {
        let b = B()
        for l in 0..<2 {
            let wait = Wait(reason: .queueGet, start: Self.ms, end: 7 * Self.ms, object: "jobs")
            let worker = b.span("worker", Fixtures.thread(UInt32(l)), 0, 10 * Self.ms, waits: [wait])
            b.span("Queue.get", Fixtures.thread(UInt32(l)), Self.ms, 7 * Self.ms, parent: worker, waits: [wait])
        }
        b.span("produce", Fixtures.thread(2), 0, 10 * Self.ms)
        let f = Analysis(b.trace(model: "threads")).findings(.producerConsumer)
        #expect(f.first?.figures["share"] == 0.6)
        #expect(f.first?.figures["wait"] == Double(12 * Self.ms))
    }

    @Test func findingsComeMostSevereFirst() {
        let b = B()
        for l in 0..<2 {
            b.span(
                "update", Fixtures.thread(UInt32(l)), 0, 10 * Self.ms,
                waits: Fixtures.waits(.lock, until: 3 * Self.ms, object: "m"))
        }
        b.span(
            "consume", Fixtures.thread(2), 0, 10 * Self.ms,
            waits: [Wait(reason: .queuePut, start: 0, end: 6 * Self.ms, object: "q")])
        let kinds = Analysis(b.trace()).findings.map(\.severity)
        #expect(kinds == kinds.sorted(by: >))
        #expect(kinds.count == 2)
    }
}

extension DetectorTests {
    /// Three threads take turns on a lock whose holder sleeps while a fourth computes alone: the lock serialises
    /// sleeping, not computing, however busy the fourth lane keeps a core (`lanes record` on a Python program).
    @Test func aLockHeldAcrossASleepBesideAComputingThreadIsNotSerialisedCPU() {
        let b = B()
        var waits: [[Wait]] = [[], [], []]
        for k in 0..<12 {
            let holder = k % 3
            let t = Nanoseconds(k) * 30 * Self.ms
            for other in 0..<3 where other != holder {
                waits[other].append(Wait(reason: .lock, start: t, end: t + 30 * Self.ms, object: "futex 0x1"))
            }
            waits[holder].append(Wait(reason: .sleep, start: t, end: t + 30 * Self.ms))
        }
        for i in 0..<3 {
            b.span("thread", Fixtures.thread(UInt32(i)), 0, 360 * Self.ms, waits: waits[i])
        }
        b.span("thread", Fixtures.thread(3), 0, 360 * Self.ms)
        let a = Analysis(b.trace())
        #expect(a.findings(.serialisedCPU).isEmpty, "\(a.findings.map(\.title))")
        #expect(!a.findings(.lockContention).isEmpty)
    }
}
