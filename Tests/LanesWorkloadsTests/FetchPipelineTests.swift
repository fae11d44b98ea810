import LanesCore
import LanesRecord
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@testable import LanesWorkloads

/// The loopback scenarios (`fetch`, `pipeline`) and the hybrid model. Runs start a recorder, one
/// per process at a time: these run one at a time.
@Suite(.serialized) struct FetchPipelineTests {
    static let options = RunOptions(workers: 4, scale: 0.05, workerExecutable: WorkloadTests.lanes)

    @Test func fetchGivesTheSameAnswerAndRetriesUnderEveryModel() throws {
        var answers: Set<String> = []
        for model in ScenarioCatalog.fetch.models {
            let result = try ScenarioCatalog.fetch.run(model, options: Self.options)
            answers.insert(result.answer)
            #expect(result.trace.validate().isEmpty, "\(model)")
            // Four 503s, four hang-ups and one timeout retried once each; item 11 tried 4 times (a
            // stall of the machine past the timeout could add a retry, never remove one).
            #expect((attempts(result) ?? 0) >= 24 + 4 + 4 + 1 + 3, "\(model): \(result.details)")
            let peak = try #require(inFlightPeak(result.trace), "\(model) records no requests-in-flight counter")
            #expect(peak <= 4, "\(model)")
            if model != .sequential && model != .dispatch { #expect(peak > 1, "\(model)") }
            if model == .sequential { #expect(peak == 1) }
            #expect(
                result.details.contains("peak requests in flight: \(Int(peak)) (semaphore limit 4)"),
                "\(result.details)")
        }
        #expect(answers.count == 1, "\(answers)")
        #expect(answers.first?.hasPrefix("23/24 requests answered") == true, "\(answers)")
    }

    @Test func threadModelsRecordSocketIOAsWaits() throws {
        let result = try ScenarioCatalog.fetch.run(.threads, options: Self.options)
        let waits = result.trace.spans.filter { $0.name == "fetch" }.flatMap(\.waits)
        #expect(waits.contains { $0.reason == .ioRead })
        #expect(waits.contains { $0.reason == .ioWrite })
        // The backoff between attempts is a sleep.
        #expect(waits.contains { $0.reason == .sleep })
    }

    /// Under `async` every request is a task whose socket waits suspend it: its slices run on the
    /// executor's threads and no others, however many requests are in flight.
    @Test func asyncFetchRunsOnTheExecutorThreadsOnly() throws {
        let options = RunOptions(workers: 24, scale: 0.05)
        let result = try ScenarioCatalog.fetch.run(.async, options: options)
        let trace = result.trace
        let slices = trace.spans.filter { $0.name == taskSliceName }
        #expect(!slices.isEmpty)
        #expect(Set(slices.map(\.threadID)).count <= ProcessInfoLite.cores)
        let fetches = trace.spans.filter { $0.name == "fetch" }
        #expect(fetches.count == 24)
        #expect(Set(fetches.map(\.lane)).count == 24)
        #expect(fetches.allSatisfy { trace.lane($0.lane)?.kind == .task })
        // Waiting for the server is an ioRead wait of the task, not a blocked thread.
        #expect(fetches.flatMap(\.waits).contains { $0.reason == .ioRead })
        #expect(try #require(inFlightPeak(trace)) > Double(ProcessInfoLite.cores))
    }

    @Test func aSlowAnswerTimesOutBothWays() async throws {
        let server = try LoopbackServer { _, _ in .respond(status: 200, body: [1], delay: 2_000_000_000) }
        defer { server.stop() }
        let client = LoopbackClient(port: server.port, timeout: .milliseconds(100))
        #expect(throws: FetchError.self) { try client.getBlocking("/slow") }
        let reactor = try Reactor()
        defer { reactor.stop() }
        let start = ContinuousClock.now
        await #expect(throws: FetchError.self) { try await client.get("/slow", reactor: reactor) }
        #expect(ContinuousClock.now - start < .seconds(1))
    }

    @Test func theServerAnswersAThousandConcurrentConnections() async throws {
        let server = try LoopbackServer { path, _ in .respond(status: 200, body: Array(path.utf8), delay: 100_000_000) }
        defer { server.stop() }
        let reactor = try Reactor()
        defer { reactor.stop() }
        let client = LoopbackClient(port: server.port, timeout: .seconds(20))
        let inFlight = InFlight()
        let policy = RetryPolicy(attempts: 1, base: .zero)
        let bodies = await withTaskGroup(of: Int.self) { group in
            for i in 0..<1_000 {
                group.addTask {
                    await client.fetchWithRetry("/\(i)", policy: policy, inFlight: inFlight, reactor: reactor)?.count
                        ?? -1
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(bodies.count == 1_000)
        #expect(bodies.allSatisfy { $0 > 0 })
        #expect(inFlight.peak > 100)
    }

    @Test func pipelineGivesTheSameAnswerUnderEveryModel() throws {
        var answers: [ConcurrencyModel: String] = [:]
        for model in ScenarioCatalog.pipeline.models {
            let result = try ScenarioCatalog.pipeline.run(model, options: Self.options)
            answers[model] = result.answer
            #expect(result.trace.validate().isEmpty, "\(model)")
            for phase in Pipeline.phases {
                #expect(result.trace.spans.filter { $0.name == phase }.count == 8, "\(model): \(phase)")
            }
            let stores = result.trace.spans.filter { $0.name == "store" }.flatMap(\.waits)
            #expect(stores.contains { $0.reason == .ioWrite }, "\(model)")
            let line = try #require(Pipeline.phaseLine(result))
            #expect(line.hasPrefix("\(model): fetch "))
        }
        #expect(Set(answers.values).count == 1, "\(answers)")
        #expect(answers[.sequential]?.hasPrefix("8 datasets, ") == true)
    }

    /// Hybrid: async tasks in this process fetch and store; worker processes, each with its own
    /// pid and lanes, compute; the tasks await them as `ipc` waits, holding no thread.
    @Test func hybridHasTaskLanesHereAndWorkerProcessesThere() throws {
        let result = try ScenarioCatalog.pipeline.run(.hybrid, options: Self.options)
        let trace = result.trace
        let me = Int64(getpid())
        let workerPIDs = Set(trace.lanes.map(\.pid)).subtracting([me])
        #expect((1...4).contains(workerPIDs.count), "\(workerPIDs)")
        #expect(trace.processes.filter { workerPIDs.contains($0.pid) }.allSatisfy { $0.name.hasPrefix("worker-") })
        let computes = trace.spans.filter { $0.name == "compute" }
        #expect(computes.count == 8)
        #expect(computes.allSatisfy { trace.lane($0.lane).map { workerPIDs.contains($0.pid) } == true })
        let fetches = trace.spans.filter { $0.name == "fetch" }
        #expect(fetches.count == 8)
        #expect(fetches.allSatisfy { trace.lane($0.lane).map { $0.pid == me && $0.kind == .task } == true })
        let sends = trace.spans.filter { $0.name == "send to pool" }
        #expect(sends.count == 8)
        #expect(sends.allSatisfy { s in s.waits.contains { $0.reason == .ipc } })
        let slices = trace.spans.filter { $0.name == taskSliceName }
        #expect(Set(slices.map(\.threadID)).count <= ProcessInfoLite.cores)
    }

    @Test func aKilledHybridWorkerFailsTheRunAndKeepsItsLane() throws {
        var options = Self.options
        options.workerEnvironment = ["LANES_TEST_KILL_ITEM=3"]
        #expect {
            try ScenarioCatalog.pipeline.run(.hybrid, options: options)
        } throws: { error in
            guard case RunError.workerDied(_, let pid, let item, let how, let trace) = error else { return false }
            let process = trace.processes.first { $0.pid == Int64(pid) }
            return item == 3 && how.contains("killed") && process?.exit != nil
                && trace.lanes.contains { $0.pid == Int64(pid) }
        }
        #expect(!Recorder.isRecording)
    }

    @Test func otherScenariosRefuseHybrid() throws {
        #expect(!ScenarioCatalog.cpuPrimes.models.contains(.hybrid))
        #expect(throws: RunError.self) { try ScenarioCatalog.cpuPrimes.run(.hybrid, options: Self.options) }
    }

    private func attempts(_ result: RunResult) -> Int? {
        result.details.first { $0.hasSuffix("(failures retried with exponential backoff)") }
            .flatMap { Int($0.prefix { $0.isNumber }) }
    }

    private func inFlightPeak(_ trace: Trace) -> Double? {
        trace.counters.filter { $0.name == "requests in flight" }.map(\.value).max()
    }
}
