import LanesCore
import LanesRecord

extension ScenarioCatalog {
    /// Workers that all update one counter under one mutex, with a critical section of growing
    /// size: the more of the work sits inside the lock, the less the workers run at once.
    public static let lockContention = Scenario(
        name: "lock-contention", seedSection: "Thread Safety, Locks, and Race Conditions",
        summary: "N threads on one mutex with a critical section of growing size", demo: DemoSize(secondsPerModel: 0.1),
        models: [.sequential, .threads, .threadPerTask, .dispatch, .async, .gil]
    ) { model, options in
        // The counter: how many updates it saw, and a value mixed by each (order-dependent, so not part
        // of the answer). An update lost to a missing lock would show in the count.
        let lock = TracedMutex((updates: UInt64(0), value: UInt64(0)), name: "counter")
        let rounds = max(10, Int(400 * options.scale))
        // Item i: `rounds` updates whose critical section grows with i (0 … 15 units of work); its
        // result is its work outside the lock, the same for every item.
        let workload = Workload(
            name: "update", items: Array(0..<16),
            work: { (i: Int, context: WorkContext) -> UInt64 in
                var local: UInt64 = 0
                for r in 0..<rounds {
                    local = mix(local, 2_000)
                    lock.withLock { c in
                        c.updates += 1
                        c.value = mix(c.value &+ UInt64(r), 200 * i)
                    }
                    if r & 15 == 0 { context.checkpoint() }
                }
                return local
            },
            combine: { locals in
                let updates = lock.withLock { $0.updates }
                let same = Set(locals).count == 1 ? "the same work outside the lock in every item" : "items differ outside the lock"
                return "\(updates) updates of one counter (\(16 * rounds) made), \(same)"
            })
        return try Runner.run(workload, model: model, options: options)
    }
}

/// `steps` rounds of a cheap mixing function: CPU work of a known size.
@inline(never) func mix(_ x: UInt64, _ steps: Int) -> UInt64 {
    var v = x
    for s in 0..<steps { v = (v ^ UInt64(s)) &* 0x9E37_79B9_7F4A_7C15 }
    return v
}
