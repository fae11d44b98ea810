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
    /// How a result travels back from a worker process, as one line of text; without it the
    /// workload cannot run under ``ConcurrencyModel/processes``.
    public var transport: ResultTransport<Result>?

    public init(
        name: String, items: [Item], work: @escaping @Sendable (Item, WorkContext) throws -> Result,
        asyncWork: (@Sendable (Item) async throws -> Result)? = nil,
        combine: @escaping @Sendable ([Result]) -> String, transport: ResultTransport<Result>? = nil
    ) {
        self.name = SpanName(name)
        self.items = items
        self.work = work
        self.asyncWork = asyncWork
        self.combine = combine
        self.transport = transport
    }
}

/// Turns a result into one line of text (no newline or tab) and back.
public struct ResultTransport<Result>: Sendable {
    public var encode: @Sendable (Result) -> String
    public var decode: @Sendable (String) -> Result?
    public init(encode: @escaping @Sendable (Result) -> String, decode: @escaping @Sendable (String) -> Result?) {
        self.encode = encode
        self.decode = decode
    }
}

extension ResultTransport where Result == Int {
    /// In decimal.
    public static var text: ResultTransport { ResultTransport(encode: { String($0) }, decode: { Int($0) }) }
}

extension ResultTransport where Result == Double {
    /// As Swift prints it, which reads back exactly.
    public static var text: ResultTransport { ResultTransport(encode: { String($0) }, decode: { Double($0) }) }
}

/// What running a workload under a model gave.
public struct RunResult: Sendable {
    public var model: ConcurrencyModel
    /// The combined answer; equal under every model for a correct workload.
    public var answer: String
    /// Scenario-specific findings that may differ between models (e.g. updates lost to a race).
    public var details: [String]
    public var trace: Trace
    /// The run's wall time as every report defines it: the trace's, from its first event to its last
    /// (``LanesCore/Trace/wallTime``), so `lanes run`, `lanes advise` and the demo give one figure; the runner's
    /// own clock only when the run was not traced.
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
    /// A worker process ended while it held an item; the trace keeps what every process recorded.
    case workerDied(worker: Int, pid: Int32, item: Int, how: String, trace: Trace)
    /// A worker process could not be started or spoke out of turn.
    case workerFailed(String)

    public var description: String {
        switch self {
        case .itemFailed(let i, let model, let error): "item \(i) failed under \(model): \(error)"
        case .invalidOptions(let m): m
        case .workerDied(let w, let pid, let item, let how, _):
            "worker \(w) (pid \(pid)) \(how) while processing item \(item)"
        case .workerFailed(let m): m
        }
    }
}
