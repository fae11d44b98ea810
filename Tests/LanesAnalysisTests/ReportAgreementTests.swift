import LanesAnalysis
import LanesCore
import LanesWorkloads
import Testing

/// Issue 18: every figure a report prints agrees with the trace and with the others.
@Suite struct ReportAgreementTests {
    /// One producer handing `n` items to one consumer that waits on I/O for each: one operation at a time.
    private func producerConsumer(items n: Int) -> Trace {
        let b = Fixtures.Builder()
        let consumer = Fixtures.thread(1)
        for i in 0..<n {
            let t0 = Nanoseconds(i) * Fixtures.ms
            b.span(
                "handle", consumer, t0, t0 + Fixtures.ms,
                waits: [Wait(reason: .ioWrite, start: t0 + 10_000, end: t0 + Fixtures.ms, object: "file")])
        }
        return b.trace(model: nil)
    }

    @Test func concurrencyAdviceComesFromTheConcurrencyTheTraceShows() {
        let a = Analysis(producerConsumer(items: 300))
        #expect(a.profile.peakConcurrency == 1)
        #expect(a.advice.workClass == .ioBound)
        #expect(a.advice.operations == 1, "\(a.advice.reason)")
        #expect(!a.advice.reason.contains("by the thousand"), "\(a.advice.reason)")
        #expect(a.advice.models.first != .async || a.advice.path.last != .async)
        // The sequential run of a scenario ran its independent items one by one by choice: they count.
        var sequential = producerConsumer(items: 300)
        sequential.metadata.model = "sequential"
        #expect(Analysis(sequential).advice.operations == 300)
    }

    @Test func speedUpPerCoreIsNotPrintedAsAnEfficiencyAbove100Percent() {
        // Four I/O-bound lanes overlap their waits on a two-core host: 4× over sequential, 2× per core.
        let b = Fixtures.Builder()
        for l in 0..<4 {
            b.span(
                "io", Fixtures.thread(UInt32(l)), 0, 10 * Fixtures.ms,
                waits: [Wait(reason: .ioRead, start: 0, end: 10 * Fixtures.ms, object: "net")])
        }
        let s = Fixtures.Builder()
        for k in 0..<4 {
            let t0 = Nanoseconds(k) * 10 * Fixtures.ms
            s.span(
                "io", Fixtures.thread(0), t0, t0 + 10 * Fixtures.ms,
                waits: [Wait(reason: .ioRead, start: t0, end: t0 + 10 * Fixtures.ms, object: "net")])
        }
        let report = AnalysisReport([("seq", s.trace(model: "sequential")), ("threads", b.trace(model: "threads"))])
        let text = report.text
        #expect(text.contains("per core"))
        #expect(!text.contains("200.0%"), "\(text)")
        #expect(text.contains("4.00x     2.00x"), "\(text)")
    }

    @Test func sampledCPUTimeGivesTheUtilisation() {
        let b = Fixtures.Builder()
        let lane = Fixtures.thread(0)
        b.span("work", lane, 0, 10 * Fixtures.ms)
        for k in 1...10 {
            b.counters.append(
                CounterSample(name: CounterName.running, lane: lane.id, time: Nanoseconds(k) * Fixtures.ms, value: 1e6))
        }
        let st = TraceStatistics(b.trace(cores: 2))
        #expect(st.cpu == nil)
        #expect(st.cpuUtilisation == 0.5)
        let line = st.lines.first { $0.0 == "CPU utilisation" }
        #expect(line?.1 == "50.0% of 2 cores (sampled)")
    }

    @Test func theRecorderCostIsShownOrSaidToBeUnknown() {
        var t = Fixtures.cpu(model: "threads", lanes: 2, items: 5, item: Fixtures.ms)
        #expect(RecorderCost(t).text == "unknown (not in this trace)")
        t.metadata.clock = .imported("viztracer")
        #expect(RecorderCost(t).text == "unknown (imported from viztracer)")
        t.metadata.clock = .monotonic
        t.metadata.extra = [Attribute(RecorderCost.spanCostKey, "50")]
        let cost = RecorderCost(t)
        // 10 spans × 50 ns over 5 ms of wall.
        #expect(cost.total == 500)
        #expect(cost.share == 500 / 5e6)
        #expect(cost.text == "50 ns × 10 spans and waits ≈ 500 ns, 0.01% of wall")
        #expect(TraceStatistics(t).lines.contains { $0.0 == "recorder cost" && $0.1 == cost.text })
    }
}

/// The model kind the analysis switches over is the runners' model: one list, `recorded` the one kind no
/// workload runs under.
@Suite struct ModelKindTests {
    @Test func theRunnersRunEveryKindButRecorded() {
        #expect(ConcurrencyModel.runnable == ModelKind.allCases.filter { $0 != .recorded })
        #expect(
            !ConcurrencyModel.runnable.contains(.recorded)
                && ConcurrencyModel.runnable.count == ModelKind.allCases.count - 1)
        for scenario in ScenarioCatalog.all {
            #expect(scenario.models.allSatisfy(ConcurrencyModel.runnable.contains), "\(scenario.name)")
        }
        for model in ConcurrencyModel.runnable {
            #expect(Metadata(model: model.rawValue).modelKind == model)
            #expect(!model.summary.isEmpty)
        }
        #expect(Metadata(model: "thread-per-task").modelKind == .threadPerTask)
        #expect(Metadata(model: "fibers").modelKind == nil)
    }

    @Test func aScenarioRefusesToRunAsRecorded() throws {
        let scenario = try #require(ScenarioCatalog.all.first)
        #expect(throws: RunError.self) { try scenario.run(.recorded, options: RunOptions(workers: 1, scale: 0.01)) }
    }
}
