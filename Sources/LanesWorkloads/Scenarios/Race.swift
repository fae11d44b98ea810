import LanesCore
import LanesRecord
import Synchronization

extension ScenarioCatalog {
    /// Four workers adding 100,000 each to one counter (Pitfall 5, Exercise 4): unprotected (a
    /// read, then a write, of an atomic, so updates are lost without undefined behaviour), with a
    /// lock, through a queue to one owner thread, and by adding up per-worker results. The answer is
    /// the three correct totals; the updates the unprotected counter lost are reported beside it.
    public static let race = Scenario(
        name: "race", seedSection: "Pitfall 5; Exercise 4",
        summary: "4 workers x 100,000 increments: unprotected, locked, queued, aggregated",
        demo: DemoSize(secondsPerModel: 0.05),
        models: [.sequential, .threads, .threadPerTask, .dispatch, .gil], defaultWorkers: 4,
        notes: { results, _ in results.flatMap { r in r.details.map { "\(r.model): \($0)" } } }
    ) { model, options in
        let perWorker = max(1_000, Int(100_000 * options.scale) / 1_000 * 1_000)
        let workers = 4
        return try Runner.record(model: model, options: options) {
            let unprotected = Atomic<Int>(0)
            let locked = TracedMutex(0, name: "counter lock")
            let queue = TracedQueue<Int>(capacity: 64, name: "increments")
            let queued = TracedMutex(0)
            let owner = try TracedThread(name: "counter owner") {
                var total = 0
                var done = 0
                while done < workers {
                    let n = queue.get()
                    if n < 0 { done += 1 } else { total += n }
                }
                queued.withLock { $0 = total }
            }
            let workload = Workload(
                name: "increment", items: Array(0..<workers),
                work: { (_: Int, context: WorkContext) -> Int in
                    span("unprotected") {
                        for i in 0..<perWorker {
                            let v = unprotected.load(ordering: .relaxed)
                            unprotected.store(v + 1, ordering: .relaxed)
                            if i & 1023 == 0 { context.checkpoint() }
                        }
                    }
                    span("locked") {
                        for i in 0..<perWorker {
                            locked.withLock { $0 += 1 }
                            if i & 1023 == 0 { context.checkpoint() }
                        }
                    }
                    span("queued") {
                        // In batches of 1,000: the queue carries a hundred messages per worker.
                        for _ in 0..<(perWorker / 1_000) { context.blocking { queue.put(1_000) } }
                    }
                    var mine = 0
                    span("aggregated") { for _ in 0..<perWorker { mine += 1 } }
                    return mine
                },
                combine: { "\($0.reduce(0, +))" })
            let aggregated = try Runner.execute(workload, model: model, workers: options.workers).reduce(0, +)
            for _ in 0..<workers { queue.put(-1) }
            owner.join()
            let lost = workers * perWorker - unprotected.load(ordering: .relaxed)
            let answer = "locked \(locked.withLock { $0 }), queued \(queued.withLock { $0 }), aggregated \(aggregated)"
            return (answer, ["the unprotected counter lost \(lost) of \(workers * perWorker) updates"])
        }
    }
}
