/// A way to run the items of a workload concurrently (or not).
public enum ConcurrencyModel: String, CaseIterable, Sendable, CustomStringConvertible {
    /// One item after another on the calling thread: the baseline.
    case sequential
    /// A pool of N OS threads fed by a traced queue (Python's ThreadPoolExecutor).
    case threads
    /// One OS thread per item.
    case threadPerTask = "thread-per-task"
    /// Grand Central Dispatch: `concurrentPerform` over the items.
    case dispatch
    /// A pool of N worker processes (the `lanes` binary re-executed), items and results over pipes.
    case processes
    /// Swift tasks in a task group, at most N at once.
    case async
    /// Every item funnelled through one actor: Swift's own way to serialise.
    case actor
    /// N threads that must hold an emulated interpreter lock to compute (CPython's GIL).
    case gil
    /// Async tasks for the I/O, with the CPU work sent to a pool of N worker processes (asyncio +
    /// ProcessPoolExecutor); only for scenarios whose items have separate I/O and CPU phases.
    case hybrid

    public var description: String { rawValue }

    /// What the model is, in a few words, for listings.
    public var summary: String {
        switch self {
        case .sequential: "one item after another (baseline)"
        case .threads: "a pool of N OS threads fed by a traced queue"
        case .threadPerTask: "one OS thread per item"
        case .dispatch: "Dispatch concurrentPerform"
        case .processes: "a pool of N worker processes, items and results over pipes"
        case .async: "Swift tasks in a task group, at most N at once"
        case .actor: "all work through one actor"
        case .gil: "N threads under an emulated interpreter lock (5 ms switch interval)"
        case .hybrid: "async tasks for I/O, CPU work sent to a pool of N worker processes"
        }
    }
}
