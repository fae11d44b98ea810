import LanesAnalysis
import LanesCore
import Testing

@Suite struct AdviceTests {
    @Test func thousandRequestsAreIOBoundAndGoAsync() {
        let a = Analysis(Fixtures.fetch(requests: 1_000))
        #expect(a.profile.peakConcurrency == 1_000)
        #expect(a.advice.workClass == .ioBound)
        #expect(a.advice.models == [.async])
        #expect(a.advice.operations == 1_000)
        #expect(a.advice.path == [.start, .bottleneck, .concurrency, .async])
        // The requests suspend between their slices: nothing held a thread.
        #expect(a.findings(.blockedCooperativePool).isEmpty)
    }

    @Test func aFewRequestsMayUseAThreadPool() {
        let a = Analysis(Fixtures.fetch(requests: 20)).advice
        #expect(a.workClass == .ioBound)
        #expect(a.models.first == .threads)
        #expect(a.path.last == .threads)
    }

    @Test func anIOPhaseThenACPUPhaseInProcessesIsMixedAndGoesHybrid() {
        let a = Analysis(Fixtures.pipeline())
        #expect(a.advice.workClass == .mixed)
        #expect(a.advice.models.first == .hybrid)
        #expect(a.advice.path == [.start, .bottleneck, .hybrid])
    }

    @Test func overlappingIOAndCPUStagesAreMixedToo() {
        let a = Analysis(Fixtures.overlappingPipeline())
        #expect(a.profile.ioItemCover == 109 * Fixtures.ms)
        #expect(a.profile.computeItemCover == 90 * Fixtures.ms)
        #expect(a.advice.workClass == .mixed)
        #expect(a.advice.models.first == .hybrid)
    }

    @Test func cpuWorkGoesToThreadsUnlessAnInterpreterLockHoldsIt() {
        let free = Analysis(Fixtures.cpu(model: "threads", lanes: 2, items: 4, item: Fixtures.ms)).advice
        #expect(free.workClass == .cpuBound)
        #expect(free.models == [.threads, .processes])
        let b = Fixtures.Builder()
        b.span("work", Fixtures.thread(0), 0, 10 * Fixtures.ms, waits: [Wait(reason: .gil, start: 0, end: Fixtures.ms)])
        let held = Analysis(b.trace(model: "gil")).advice
        #expect(held.workClass == .cpuBound)
        #expect(held.models.first == .processes)
    }
}
