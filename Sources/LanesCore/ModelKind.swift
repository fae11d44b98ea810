/// The concurrency model a trace ran under, as the analysis switches over it: the names `lanes run` writes
/// into ``Metadata/model``, and `recorded` for `lanes record`. The one list of models: LanesWorkloads'
/// `ConcurrencyModel` is this type, and runs every case but `recorded` (its summary and runner are
/// extensions there), so a new model is a new case here.
public enum ModelKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// One item after another: the baseline.
    case sequential
    /// A pool of OS threads.
    case threads
    /// One OS thread per item.
    case threadPerTask = "thread-per-task"
    /// Dispatch's `concurrentPerform`.
    case dispatch
    /// A pool of worker processes.
    case processes
    /// Swift tasks in a task group.
    case async
    /// Every item through one actor.
    case actor
    /// Threads under an emulated interpreter lock: a constraint shown for the lesson, not a model to choose.
    case gil
    /// Async tasks for the I/O, CPU work in a pool of processes.
    case hybrid
    /// A program `lanes record` sampled: its model is not known.
    case recorded

    public var description: String { rawValue }
}

extension Metadata {
    /// ``model`` as a ``ModelKind``; nil when unknown or not one of them.
    public var modelKind: ModelKind? { model.flatMap(ModelKind.init(rawValue:)) }
}
