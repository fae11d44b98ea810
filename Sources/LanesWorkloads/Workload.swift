import LanesCore
import LanesRecord

/// Work to run under a concurrency model: a list of items and what to do with each.
///
/// `work` runs on whatever thread or task the model gives it; it calls the context's
/// ``WorkContext/checkpoint()`` now and then while computing and wraps blocking calls in
/// ``WorkContext/blocking(_:)``, so the `gil` model can emulate an interpreter lock. `combine`
/// folds the results, in item order, into the answer that must be the same under every model.
public struct Workload<Item: Sendable, Result: Sendable>: Sendable {
    /// The span name of one item's work.
    public var name: SpanName
    public var items: [Item]
    public var work: @Sendable (Item, WorkContext) throws -> Result
    /// An async form of the work, for models that run tasks; without it they call `work`.
    public var asyncWork: (@Sendable (Item) async throws -> Result)?
    public var combine: @Sendable ([Result]) -> String

    public init(
        name: String, items: [Item], work: @escaping @Sendable (Item, WorkContext) throws -> Result,
        asyncWork: (@Sendable (Item) async throws -> Result)? = nil,
        combine: @escaping @Sendable ([Result]) -> String
    ) {
        self.name = SpanName(name)
        self.items = items
        self.work = work
        self.asyncWork = asyncWork
        self.combine = combine
    }
}

/// What running a workload under a model gave.
public struct RunResult: Sendable {
    public var model: ConcurrencyModel
    /// The combined answer; equal under every model for a correct workload.
    public var answer: String
    /// Scenario-specific findings that may differ between models (e.g. updates lost to a race).
    public var details: [String]
    public var trace: Trace
    /// From the first item's start to the last item's end, as the runner timed it.
    public var wallTime: Duration
    /// CPU time the whole process used meanwhile (user + system).
    public var cpuTime: Duration
}

/// Why a run failed.
public enum RunError: Error, CustomStringConvertible {
    /// An item's work threw; the run stops and says which.
    case itemFailed(index: Int, model: ConcurrencyModel, underlying: any Error)
    /// The options cannot work (e.g. zero workers).
    case invalidOptions(String)

    public var description: String {
        switch self {
        case .itemFailed(let i, let model, let error): "item \(i) failed under \(model): \(error)"
        case .invalidOptions(let m): m
        }
    }
}
