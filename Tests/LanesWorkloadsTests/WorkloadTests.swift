import LanesCore
import LanesRecord
import Dispatch
import Testing
#if canImport(Glibc)
    import Glibc
#endif

@testable import LanesWorkloads

/// Runs start a recorder, and one recorder may be active per process: these run one at a time.
@Suite(.serialized) struct WorkloadTests {
    /// The `lanes` executable built beside the test bundle: worker processes run it.
    static let lanes: String = {
        let path = CommandLine.arguments[0]
        let dir = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return dir + "/lanes"
    }()
    static let small = RunOptions(workers: 3, scale: 0.05, workerExecutable: lanes)

    @Test(arguments: ScenarioCatalog.all.map(\.name))
    func everyModelGivesTheSameAnswer(_ name: String) throws {
        let scenario = try #require(ScenarioCatalog.named(name))
        var answers: [ConcurrencyModel: String] = [:]
        for model in scenario.models {
            let result = try scenario.run(model, options: Self.small)
            answers[model] = result.answer
            #expect(result.trace.validate().isEmpty, "\(name) under \(model)")
            #expect(result.trace.metadata.model == model.rawValue)
            #expect(result.trace.metadata.scenario == name)
        }
        #expect(Set(answers.values).count == 1, "\(answers)")
    }

    @Test func cpuPrimesCountsThePrimesBelowTheLimit() throws {
        let result = try ScenarioCatalog.cpuPrimes.run(.threads, options: RunOptions(workers: 2, scale: 0.01))
        // π(20,000) = 2,262.
        #expect(result.answer == "2262 primes below 20000")
    }

    @Test func threadModelsHaveOneLanePerWorker() throws {
        let options = RunOptions(workers: 3, scale: 0.05)
        let threads = try ScenarioCatalog.cpuPrimes.run(.threads, options: options).trace
        // Items go to whichever worker asks first, so a worker may finish with none (and no lane).
        let workerLanes = threads.lanes.filter { $0.name.hasPrefix("threads-") }
        #expect((1...3).contains(workerLanes.count))
        #expect(threads.spans.filter { $0.name == "count primes" }.count == 16)
        let perTask = try ScenarioCatalog.cpuPrimes.run(.threadPerTask, options: options).trace
        #expect(perTask.lanes.filter { $0.name.hasPrefix("task-") }.count == 16)
        let async = try ScenarioCatalog.cpuPrimes.run(.async, options: options).trace
        // One task lane per item, and one for the task that drives the group.
        #expect(async.lanes.filter { $0.kind == .task }.count == 17)
        // Tasks run on the executor's threads, one per core, and on no others.
        let taskThreads = Set(async.spans.filter { $0.name == "count primes" }.map(\.threadID))
        #expect(!taskThreads.isEmpty)
        #expect(taskThreads.count <= ProcessInfoLite.cores)
    }

    /// Under the emulated interpreter lock, computing (span time outside its waits) never happens on
    /// two lanes at once, beyond the instant of a hand-over.
    @Test func gilNeverComputesOnTwoLanesAtOnce() throws {
        // Long enough (about 80 ms of work) that every thread has started before the queue runs dry,
        // even on a loaded machine.
        let result = try ScenarioCatalog.cpuPrimes.run(.gil, options: RunOptions(workers: 3, scale: 0.3))
        let trace = result.trace
        var computing: [(start: Int64, end: Int64, lane: LaneID)] = []
        for s in trace.spans where s.name == "count primes" {
            var t = s.start
            for w in s.waits.sorted(by: { $0.start < $1.start }) {
                if w.start > t { computing.append((t, w.start, s.lane)) }
                t = max(t, w.end)
            }
            if s.end > t { computing.append((t, s.end, s.lane)) }
        }
        computing.sort { $0.start < $1.start }
        // At least two threads took turns (on a loaded machine the third may start after the work is gone).
        #expect(Set(computing.map(\.lane)).count >= 2)
        // The lock is handed over between the recorded wait's end and the taker's first instruction,
        // a few microseconds; anything longer would be two threads computing at once.
        let tolerance: Int64 = 200_000
        var overlap: Int64 = 0
        var latestEnd: (end: Int64, lane: LaneID)? = nil
        for c in computing {
            if let l = latestEnd, l.lane != c.lane, c.start < l.end {
                overlap = max(overlap, min(l.end, c.end) - c.start)
            }
            if latestEnd == nil || c.end > latestEnd!.end { latestEnd = (c.end, c.lane) }
        }
        #expect(overlap <= tolerance, "two lanes computed at once for \(overlap) ns")
        let gilWaits = trace.spans.flatMap(\.waits).filter { $0.reason == .gil }
        #expect(!gilWaits.isEmpty)
    }

    /// Under `async`, every slice a task ran is recorded with its thread, and the gaps between
    /// slices inside an item's span are `suspended` waits (or the sleep that caused them).
    @Test func asyncSlicesAndSuspensionsAreRecorded() throws {
        let result = try ScenarioCatalog.downloads.run(.async, options: RunOptions(workers: 5, scale: 0.01))
        let trace = result.trace
        #expect(trace.validate().isEmpty)
        let items = trace.spans.filter { $0.name == "download" }
        #expect(items.count == 20)
        let slices = trace.spans.filter { $0.name == taskSliceName }
        #expect(slices.count >= 40)  // each download runs before and after its sleep
        for item in items {
            let mine = slices.filter { $0.parent == item.id }
            #expect(mine.count >= 2, "a download's task ran in at least two slices")
            // A job can start before the span opens and end after it closes: slices overlap it.
            #expect(mine.allSatisfy { $0.lane == item.lane && $0.start < item.end && $0.end > item.start })
            // Running time and waits cover the span: no gap is left unexplained. They may overlap: a wait's
            // ends are read while the task still (or already) runs, and on a loaded machine the thread can be
            // preempted between the sleep's start and the job's return, so the slice runs on into the sleep.
            let intervals = (mine.map { ($0.start, $0.end) } + item.waits.map { ($0.start, $0.end) })
                .map { (max($0.0, item.start), min($0.1, item.end)) }.filter { $0.1 > $0.0 }.sorted { $0.0 < $1.0 }
            var covered: Int64 = 0
            var reach = item.start
            for (a, b) in intervals where b > reach {
                covered += b - max(a, reach)
                reach = b
            }
            let unexplained = item.duration - covered
            #expect(unexplained < item.duration / 10 + 100_000, "\(unexplained) ns of \(item.duration) not covered")
            #expect(item.waits.contains { $0.reason == .sleep })
        }
        // Recorded as `lanes record` records tasks (issue 15, item 5): each download's task names the task that
        // started it, which drives the group, and an arrow leads from that task to each download's first slice.
        let itemLanes = Set(items.map(\.lane))
        let lanes = trace.lanes.filter { itemLanes.contains($0.id) }
        let parents = Set(lanes.compactMap(\.parentTaskID))
        #expect(lanes.count == 20 && lanes.allSatisfy { $0.parentTaskID != nil } && parents.count == 1, "\(parents)")
        let laneOfSpan = Dictionary(trace.spans.map { ($0.id, $0.lane) }, uniquingKeysWith: { a, _ in a })
        let spawned = Set(trace.flows.filter { $0.name == "spawn" }.compactMap { laneOfSpan[$0.to] })
        #expect(itemLanes.isSubset(of: spawned))
        let parentLane = trace.lanes.first { $0.taskID == parents.first }
        #expect(parentLane != nil && parentLane?.kind == .task)
        // The driver is resumed by the downloads it awaits: wake arrows into its lane.
        #expect(trace.flows.contains { $0.name == "wake" && laneOfSpan[$0.to] == parentLane?.id })
    }

    /// Workers are processes of their own, each with a lane under its pid, and all of them end.
    @Test func processWorkersHaveTheirOwnPids() throws {
        let options = RunOptions(workers: 3, scale: 0.2, workerExecutable: Self.lanes)
        let result = try ScenarioCatalog.cpuPrimes.run(.processes, options: options)
        let trace = result.trace
        #expect(trace.validate().isEmpty)
        let workers = trace.processes.filter { $0.name.hasPrefix("worker-") }
        #expect(workers.count == 3)
        #expect(Set(workers.map(\.pid)).count == 3)
        #expect(!workers.map(\.pid).contains(Int64(getpid())))
        #expect(workers.allSatisfy { $0.exit == .exited(0) })
        let items = trace.spans.filter { $0.name == "count primes" }
        #expect(items.count == 16)
        let itemPids = Set(items.compactMap { trace.lane($0.lane)?.pid })
        #expect(itemPids.isSubset(of: Set(workers.map(\.pid))))
        // The parent's clock and the workers' line up: every item lies inside the run.
        let parentLane = trace.lanes.first { $0.pid == Int64(getpid()) }
        #expect(parentLane != nil)
    }

    /// A worker killed with SIGKILL fails the run with a message naming the worker and the item;
    /// the trace keeps every lane, and the dead worker's process says how it ended.
    @Test func aKilledWorkerFailsTheRunAndKeepsTheTrace() throws {
        let options = RunOptions(
            workers: 2, scale: 0.1, workerExecutable: Self.lanes, workerEnvironment: ["LANES_TEST_KILL_ITEM=5"])
        do {
            _ = try ScenarioCatalog.cpuPrimes.run(.processes, options: options)
            Issue.record("the run succeeded with a killed worker")
        } catch RunError.workerDied(let worker, let pid, let item, let how, let trace) {
            #expect(item == 5)
            #expect(how == "killed by signal 9")
            #expect(
                "\(RunError.workerDied(worker: worker, pid: pid, item: item, how: how, trace: trace))"
                    == "worker \(worker) (pid \(pid)) killed by signal 9 while processing item 5")
            let dead = try #require(trace.processes.first { $0.pid == Int64(pid) })
            #expect(dead.exit == .signaled(9))
            #expect(dead.note.contains("item 5"))
            #expect(trace.lanes.contains { $0.pid == Int64(pid) })
            #expect(trace.processes.filter { $0.name.hasPrefix("worker-") }.count == 2)
        }
        #expect(!Recorder.isRecording)
    }

    /// Work that leaves the traced executor is named as such, not drawn as if it were traced.
    @Test func tasksOutsideTheExecutorAreNamedSo() throws {
        let result = try Runner.record(model: .async, options: RunOptions()) {
            let done = DispatchSemaphore(value: 0)
            Task.detached {
                await span("elsewhere") { await Task.yield() }
                done.signal()
            }
            done.wait()
            return ("done", [])
        }
        let elsewhere = try #require(result.trace.spans.first { $0.name == "elsewhere" })
        let lane = try #require(result.trace.lane(elsewhere.lane))
        #expect(lane.name.hasSuffix("(outside the traced executor)"))
    }

    @Test func aFailingItemFailsTheRunAndSaysWhich() throws {
        struct Boom: Error {}
        let workload = Workload(
            name: "item", items: Array(0..<8),
            work: { (i: Int, _: WorkContext) throws -> Int in
                if i == 5 { throw Boom() }
                return i
            },
            combine: { "\($0.reduce(0, +))" })
        for model in ConcurrencyModel.runnable where model != .processes && model != .hybrid {
            #expect {
                try Runner.run(workload, model: model, options: RunOptions(workers: 2))
            } throws: { error in
                guard case RunError.itemFailed(let index, let m, _) = error else { return false }
                return index == 5 && m == model
            }
            #expect(!Recorder.isRecording)
        }
    }

    @Test func downloadsOverlapUnderConcurrentModels() throws {
        let options = RunOptions(workers: 5, scale: 0.02)
        let sequential = try ScenarioCatalog.downloads.run(.sequential, options: options)
        let threads = try ScenarioCatalog.downloads.run(.threads, options: options)
        let async = try ScenarioCatalog.downloads.run(.async, options: options)
        // 20 waits of 10–40 ms: sequential takes their sum (~500 ms); five at a time far less.
        #expect(threads.wallTime < sequential.wallTime / 2)
        #expect(async.wallTime < sequential.wallTime / 2)
        let sleeps = async.trace.spans.flatMap(\.waits).filter { $0.reason == .sleep }
        #expect(sleeps.count == 20)
    }
}
