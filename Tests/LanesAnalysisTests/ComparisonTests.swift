import LanesAnalysis
import LanesCore
import Testing

@Suite struct ComparisonTests {
    static let runs = [
        Fixtures.cpu(model: "threads", lanes: 2, items: 4, item: 10 * Fixtures.ms),
        Fixtures.cpu(model: "sequential", lanes: 1, items: 8, item: 10 * Fixtures.ms),
        Fixtures.cpu(model: "processes", lanes: 2, items: 5, item: 10 * Fixtures.ms),
    ]

    @Test func speedupEfficiencyAndExtraWork() {
        let c = Comparison(Self.runs)
        #expect(c.baseline == 1)
        #expect(c.rows.map(\.label) == ["threads", "sequential", "processes"])
        #expect(c.rows.map(\.speedup) == [2, 1, 1.6])
        #expect(c.rows.map(\.efficiency) == [1, 0.5, 0.8])
        // 80 ms of running time in the baseline; processes ran 100 ms.
        #expect(c.rows.map(\.extraWork) == [0, 0, 20 * Fixtures.ms])
        #expect(c.winner == 0)
        #expect(c.rows.map(\.workers) == [2, 1, 2])
        // One worker count besides the baseline is not a sweep.
        #expect(c.serialFraction == nil)
    }

    @Test func aSweepOfWorkerCountsGivesTheSerialFraction() {
        // 120 ms of which 20 ms cannot be split: T(n) = 20 + 100 / n on n lanes.
        func run(_ n: Int) -> Trace {
            let b = Fixtures.Builder()
            b.span("setup", Fixtures.thread(0), 0, 20 * Fixtures.ms)
            // Each lane: two items of 50 / n ms.
            let item = 50 * Fixtures.ms / Nanoseconds(n)
            for l in 0..<n {
                for k in 0..<2 {
                    b.span(
                        "item", Fixtures.thread(UInt32(l)), 20 * Fixtures.ms + Nanoseconds(k) * item,
                        20 * Fixtures.ms + Nanoseconds(k + 1) * item)
                }
            }
            return b.trace(model: n == 1 ? "sequential" : "threads")
        }
        let c = Comparison([run(1), run(2), run(4)])
        #expect(c.rows.map(\.workers) == [1, 2, 4])
        #expect(abs(c.serialFraction! - 20.0 / 120) < 1e-9)
    }

    @Test func extraWorkIsCPUTimeWhenEveryRunMeasuredIt() {
        func run(_ model: String, cpu: Nanoseconds) -> Trace {
            let b = Fixtures.Builder()
            b.span("work", Fixtures.thread(0), 0, 20 * Fixtures.ms, cpu: cpu)
            return b.trace(model: model)
        }
        let c = Comparison([run("sequential", cpu: 10 * Fixtures.ms), run("processes", cpu: 15 * Fixtures.ms)])
        #expect(c.rows.map(\.extraWork) == [0, 5 * Fixtures.ms])
    }

    @Test func amdahlRecoversTheSerialFraction() {
        let t1: Nanoseconds = 1_000_000_000
        let runs = [1, 2, 4, 8].map { n in (workers: n, wall: Nanoseconds(Double(t1) * (0.2 + 0.8 / Double(n)))) }
        let s = Comparison.serialFraction(runs)!
        #expect(abs(s - 0.2) < 1e-6)
        #expect(abs(Comparison.amdahlSpeedup(serialFraction: 0.2, workers: 4) - 2.5) < 1e-12)
        #expect(Comparison.serialFraction([(2, t1)]) == nil)
        #expect(Comparison.serialFraction([(1, t1)]) == nil)
    }

    @Test func adviceFromSeveralRunsNamesTheWinner() {
        let a = Advice(comparing: Self.runs)
        #expect(a.workClass == .cpuBound)
        #expect(a.winner == "threads")
        #expect(a.models.first == .threads)
        #expect(a.reason.contains("threads was fastest"))
        #expect(a.path == [.start, .bottleneck, .parallelCPU])
        #expect(Advice(comparing: []).models.isEmpty)
    }
}

/// Issue 18: the advice from several runs agrees with its own measurements.
@Suite struct AdviceAgreesWithMeasurementTests {
    /// A run of `model` on `lanes` lanes, each item `item` long.
    private func run(_ model: String, lanes: Int, item: Nanoseconds) -> Trace {
        Fixtures.cpu(model: model, lanes: lanes, items: 4, item: item)
    }

    @Test func noSentenceComparesAModelWithItself() {
        // Without a sequential run the first is the baseline; when it also wins, it is not "1.00× over" itself.
        let a = Advice(comparing: [
            run("threads", lanes: 2, item: Fixtures.ms), run("processes", lanes: 2, item: 2 * Fixtures.ms),
        ])
        #expect(a.winner == "threads")
        #expect(!a.reason.contains("over threads"), "\(a.reason)")
        // Two runs of equal wall: "as fast as", not "1.00× faster than".
        let tie = Advice(comparing: [
            run("sequential", lanes: 1, item: 4 * Fixtures.ms), run("threads", lanes: 2, item: Fixtures.ms),
            run("processes", lanes: 2, item: Fixtures.ms),
        ])
        #expect(!tie.reason.contains("1.00×"), "\(tie.reason)")
        #expect(tie.reason.contains("as fast as"), "\(tie.reason)")
    }

    @Test func aWinnerTheClassificationDidNotNameLeadsOrIsExplained() {
        // CPU-bound work recommends threads, processes; async winning by far goes first, and says so.
        let a = Advice(comparing: [
            run("sequential", lanes: 1, item: 4 * Fixtures.ms), run("threads", lanes: 1, item: 4 * Fixtures.ms),
            run("async", lanes: 2, item: Fixtures.ms),
        ])
        #expect(a.winner == "async")
        #expect(a.models.first == .async, "\(a.models)")
        #expect(a.disagreement != nil)
        // The emulated interpreter lock winning is explained, not recommended.
        let g = Advice(comparing: [
            run("sequential", lanes: 1, item: 4 * Fixtures.ms), run("threads", lanes: 1, item: 4 * Fixtures.ms),
            run("gil", lanes: 2, item: Fixtures.ms),
        ])
        #expect(g.winner == "gil")
        #expect(g.models.first != .gil)
        #expect(g.disagreement?.contains("gil") == true)
        // Agreement needs no explanation.
        let t = Advice(comparing: [
            run("sequential", lanes: 1, item: 4 * Fixtures.ms), run("threads", lanes: 2, item: Fixtures.ms),
        ])
        #expect(t.models.first == .threads && t.disagreement == nil)
    }
}

@Suite struct AdviceFamilyTests {
    @Test func threadsStartedAnotherWayAgreeWithAThreadsRecommendation() {
        let a = Advice(comparing: [
            Fixtures.cpu(model: "sequential", lanes: 1, items: 4, item: 4 * Fixtures.ms),
            Fixtures.cpu(model: "threads", lanes: 1, items: 4, item: 4 * Fixtures.ms),
            Fixtures.cpu(model: "dispatch", lanes: 2, items: 4, item: Fixtures.ms),
        ])
        #expect(a.winner == "dispatch")
        #expect(a.models == [.dispatch, .threads, .processes])
        #expect(a.disagreement == nil)
    }
}
