import LanesCore

/// A way to run the items of a workload concurrently (or not): LanesCore's ``ModelKind``, the one list of
/// models the runners, the analysis and the CLI share. The runners run every case of ``runnable``:
///
/// - `sequential`: one item after another on the calling thread: the baseline.
/// - `threads`: a pool of N OS threads fed by a traced queue (Python's ThreadPoolExecutor).
/// - `thread-per-task`: one OS thread per item.
/// - `dispatch`: Grand Central Dispatch: `concurrentPerform` over the items.
/// - `processes`: a pool of N worker processes (the `lanes` binary re-executed), items and results over pipes.
/// - `async`: Swift tasks in a task group, at most N at once.
/// - `actor`: every item funnelled through one actor: Swift's own way to serialise.
/// - `gil`: N threads that must hold an emulated interpreter lock to compute (CPython's GIL).
/// - `hybrid`: async tasks for the I/O, with the CPU work sent to a pool of N worker processes (asyncio +
///   ProcessPoolExecutor); only for scenarios whose items have separate I/O and CPU phases.
public typealias ConcurrencyModel = ModelKind

extension ModelKind {
    /// The models a workload can run under, in ``ModelKind`` order: every case but ``ModelKind/recorded``
    /// (a program `lanes record` sampled, whose model is not known).
    public static let runnable: [ModelKind] = allCases.filter { $0 != .recorded }

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
        case .recorded: "a program lanes record sampled (not a model a workload runs under)"
        }
    }
}
