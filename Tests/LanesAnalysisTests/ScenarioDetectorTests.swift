import LanesAnalysis
import LanesCore
import LanesWorkloads
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `lanes` executable built beside the test bundle (worker processes run it), if it is there.
let lanesBinary: String? = {
    let bundle = CommandLine.arguments[0]
    let dir = bundle.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    let path = (dir.isEmpty ? "." : dir) + "/lanes"
    return access(path, X_OK) == 0 ? path : nil
}()

/// The detectors and the advice on traces of the scenario catalog, run small. Each run records, and only one
/// recording may run per process: serialised.
@Suite(.serialized) struct ScenarioDetectorTests {
    static func trace(_ scenario: String, _ model: ConcurrencyModel, scale: Double = 0.05) throws -> Trace {
        let s = try #require(ScenarioCatalog.named(scenario))
        return try s.run(
            model, options: RunOptions(workers: s.defaultWorkers, scale: scale, workerExecutable: lanesBinary)
        )
        .trace
    }

    /// What a failed expectation needs to be understood: the figures the detectors look at.
    static func describe(_ a: Analysis) -> Comment {
        let workers = a.profile.lanes.filter { $0.workCount > 0 }.map { "\($0.label): \($0.workCount)" }
        return """
            wall \(formatDuration(a.profile.wall)), running parallelism \(a.profile.runningParallelism), \
            work per lane \(workers), blocked \(a.statistics.blockedByReason.map { "\($0.key) \(formatDuration($0.value))" }), \
            findings \(a.findings.map(\.title))
            """
    }

    static func names(_ f: Finding, in trace: Trace) -> Set<String> {
        let ids = Set(f.spans)
        return Set(trace.spans.filter { ids.contains($0.id) }.map(\.name))
    }

    @Test func aBlockingSleepInAsyncCodeIsFlaggedAndTaskSleepIsNot() throws {
        let t = try Self.trace("blocking-async", .async, scale: 0.1)
        let f = try #require(Analysis(t).findings(.blockedCooperativePool).first)
        // Only the blocking variant's spans: Task.sleep suspends, and the offloaded sleep runs elsewhere.
        #expect(Self.names(f, in: t) == ["blocking sleep"])
        #expect(f.figures["spans"] == 12)
    }

    @Test func cpuPrimesUnderTheInterpreterLockIsSerialised() throws {
        let t = try Self.trace("cpu-primes", .gil, scale: 0.3)
        let a = Analysis(t)
        let f = try #require(a.findings(.serialisedCPU).first, Self.describe(a))
        #expect(f.figures["parallelism"]! <= 1.3)
        #expect(f.title.contains("interpreter lock"))
        #expect([ModelKind.threads, .processes].contains(a.advice.models.first))
        #expect(a.advice.workClass == .cpuBound)
    }

    @Test func cpuPrimesWithoutTheLockIsNotSerialisedAndGoesToThreadsOrProcesses() throws {
        for model in [ConcurrencyModel.sequential, .threads] {
            let a = Analysis(try Self.trace("cpu-primes", model, scale: 0.3))
            #expect(a.findings(.serialisedCPU).isEmpty, "\(model)")
            #expect(a.findings(.lockContention).isEmpty, "\(model)")
            #expect(a.advice.workClass == .cpuBound, "\(model)")
            #expect([ModelKind.threads, .processes].contains(a.advice.models.first), "\(model)")
            #expect(a.advice.path == [.start, .bottleneck, .parallelCPU])
        }
    }

    @Test func cpuPrimesThroughOneActorIsSerialised() throws {
        let a = Analysis(try Self.trace("cpu-primes", .actor, scale: 0.3))
        let f = try #require(a.findings(.serialisedCPU).first, Self.describe(a))
        #expect(f.title.contains("one actor"))
        #expect(a.findings(.serialisedCPU).count == 1)
        // The tasks' slices run on the actor's thread while its lane shows the work: one thread busy,
        // not two. (Counting both gave 2.0 on a run that used half of two cores.)
        #expect(a.statistics.averageParallelism < 1.3, Self.describe(a))
        #expect(a.profile.runningParallelism < 1.3, Self.describe(a))
    }

    @Test func forgottenTasksWaitWithinTheirOwnLanesTime() throws {
        let a = Analysis(try Self.trace("fire-and-forget", .async, scale: 0.3))
        // Each forgotten task's span has its parent on the parent task's lane: it is still its own lane's
        // work, so its sleep is part of busy time (counting only parentless spans gave 363%).
        #expect(a.statistics.blockedShare <= 1.0, Self.describe(a))
        #expect(a.statistics.blockedShare > 0.5, Self.describe(a))
    }

    @Test func fetchUnderEveryThreadModelIsIOBound() throws {
        for model in [ConcurrencyModel.threadPerTask, .threads] {
            let a = Analysis(try Self.trace("fetch", model, scale: 0.3))
            // Threads parked on the semaphore are waiting for a permit, not computing.
            #expect(a.advice.workClass == .ioBound, "\(model): \(Self.describe(a))")
        }
    }

    @Test func aThreadPoolsOwnFeedIsNotBackPressure() throws {
        for scenario in ["file-hash", "matrix"] {
            let a = Analysis(try Self.trace(scenario, .threads, scale: 0.3))
            // The feed holds every item, so its producer never waits. (On a loaded machine the feeding thread can be
            // descheduled while the workers wait for their first items: that is measured starvation, told as info.)
            let pc = a.findings(.producerConsumer)
            #expect(!pc.contains { $0.title.hasPrefix("Back-pressure") }, "\(scenario): \(Self.describe(a))")
            #expect(pc.allSatisfy { $0.severity == .info }, "\(scenario): \(Self.describe(a))")
        }
    }

    @Test func asyncTasksOnAPoolCountTheirRunningTime() throws {
        let a = Analysis(try Self.trace("cpu-primes", .async, scale: 0.3))
        // Two executor threads computing: about two, however the slices nest.
        #expect(a.statistics.averageParallelism > 1.4, Self.describe(a))
        #expect(a.profile.runningParallelism > 1.4, Self.describe(a))
    }

    @Test func anUnprotectedRaceIsNotATimingFinding() throws {
        let t = try Self.trace("race", .threads)
        let findings = Analysis(t).findings
        // The locked variant's waits are contention, and the finding names the spans that waited.
        if let f = findings.first(where: { $0.kind == .lockContention }) {
            #expect(!f.spans.isEmpty && f.range != nil, "\(f.title)")
        }
        for f in findings {
            #expect(!Self.names(f, in: t).contains("unprotected"), "\(f.kind): \(f.title)")
            #expect(!f.evidence.contains("unprotected"), "\(f.kind): \(f.evidence)")
        }
    }

    @Test func aLargeCriticalSectionIsLockContentionAndSequentialIsClean() throws {
        let contended = Analysis(try Self.trace("lock-contention", .threads, scale: 1))
        let f = try #require(contended.findings(.lockContention).first, Self.describe(contended))
        #expect(f.title.contains("'counter'"))
        #expect(f.figures["share"]! >= 0.2)
        let sequential = Analysis(try Self.trace("lock-contention", .sequential, scale: 0.1))
        #expect(sequential.findings(.lockContention).isEmpty)
        #expect(sequential.findings(.serialisedCPU).isEmpty)
    }

    @Test func forgottenTasksOutliveTheirParent() throws {
        let t = try Self.trace("fire-and-forget", .async, scale: 0.2)
        let f = try #require(Analysis(t).findings(.unawaitedTasks).first)
        #expect(Self.names(f, in: t) == ["forgotten task"])
    }

    @Test(.enabled(if: lanesBinary != nil, "needs the built lanes binary for its worker processes"))
    func smallItemsInWorkerProcessesCostMoreThanTheirWork() throws {
        let a = Analysis(try Self.trace("cpu-primes", .processes, scale: 0.05))
        let f = try #require(a.findings(.processOverhead).first)
        #expect(f.figures["items"] == 16)
        #expect(f.figures["perItem"]! > f.figures["perItemWork"]!)
        // The pipes between the processes are not the work's I/O: still CPU-bound.
        #expect(a.advice.workClass == .cpuBound)
        #expect([ModelKind.threads, .processes].contains(a.advice.models.first))
    }
}
