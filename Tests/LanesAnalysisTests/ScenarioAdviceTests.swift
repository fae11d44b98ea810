import LanesAnalysis
import LanesCore
import LanesWorkloads
import Testing

/// The advice on real runs of the `fetch` and `pipeline` scenarios: the seed's choosing section says
/// async for thousands of concurrent waits, and asyncio + a process pool for I/O mixed with CPU work.
@Suite(.serialized) struct ScenarioAdviceTests {
    @Test func aThousandFetchesAreIOBoundAndGetAsync() throws {
        // 1,000 requests to the loopback server, 200 in flight at once, no failures to keep it short.
        let plan = Fetch.Plan(requests: 1_000, failures: false, delay: 0.005...0.02, timeout: 2)
        let result = try Fetch.run(.async, options: RunOptions(workers: 200, scale: 1), plan: plan)
        #expect(result.answer.hasPrefix("1000/1000"))
        let a = Analysis(result.trace)
        #expect(a.advice.workClass == .ioBound, "\(a.advice.reason)")
        #expect(a.advice.models.first == .async, "\(a.advice.reason)")
        #expect(a.advice.path == [.start, .bottleneck, .concurrency, .async])
        #expect(a.advice.operations >= 1_000)
    }

    @Test func aFewFetchesGetAThreadPool() throws {
        let result = try Fetch.run(.threads, options: RunOptions(workers: 6, scale: 0.2))
        let a = Analysis(result.trace)
        #expect(a.advice.workClass == .ioBound, "\(a.advice.reason)")
        #expect(a.advice.models.first == .threads, "\(a.advice.reason)")
    }

    @Test func thePipelineIsMixedAndGetsHybrid() throws {
        let s = try #require(ScenarioCatalog.named("pipeline"))
        for model in [ConcurrencyModel.sequential, .threads, .async] {
            let t = try s.run(model, options: RunOptions(workers: s.defaultWorkers, scale: 0.5)).trace
            let a = Analysis(t)
            #expect(a.advice.workClass == .mixed, "\(model): \(a.advice.reason)")
            #expect(a.advice.models.first == .hybrid, "\(model): \(a.advice.reason)")
            #expect(a.advice.path.last == .hybrid)
        }
    }
}
