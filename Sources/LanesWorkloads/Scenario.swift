import LanesCore

/// One entry of the scenario catalog: a workload from the seed text, runnable under several models.
public struct Scenario: Sendable {
    public let name: String
    /// The part of `seed/concurrency.md` it mirrors.
    public let seedSection: String
    public let summary: String
    /// The models it can run under (sequential first: it is the baseline). By default every model
    /// but ``ConcurrencyModel/hybrid``, which needs items with separate I/O and CPU phases.
    public let models: [ConcurrencyModel]
    /// Workers when `--workers` is not given.
    public let defaultWorkers: Int
    private let runner: @Sendable (ConcurrencyModel, RunOptions) throws -> RunResult
    /// Lines worth printing after a run of all models (e.g. theoretical against measured speed-up).
    public let notes: @Sendable ([RunResult], RunOptions) -> [String]

    public init(
        name: String, seedSection: String, summary: String, models: [ConcurrencyModel] = ConcurrencyModel.allCases.filter { $0 != .hybrid },
        defaultWorkers: Int = 4, notes: @escaping @Sendable ([RunResult], RunOptions) -> [String] = { _, _ in [] },
        run: @escaping @Sendable (ConcurrencyModel, RunOptions) throws -> RunResult
    ) {
        self.name = name
        self.seedSection = seedSection
        self.summary = summary
        self.models = models
        self.defaultWorkers = defaultWorkers
        self.notes = notes
        self.runner = run
    }

    /// Runs the scenario under `model`.
    public func run(_ model: ConcurrencyModel, options: RunOptions) throws -> RunResult {
        guard models.contains(model) else {
            throw RunError.invalidOptions(
                "\(name) does not run under \(model); it runs under \(models.map(\.rawValue).joined(separator: ", "))")
        }
        var options = options
        options.scenario = name
        return try runner(model, options)
    }
}

/// The scenarios Lanes ships, from the seed's examples, pitfalls and exercises.
public enum ScenarioCatalog {
    public static let all: [Scenario] = [
        cpuPrimes, downloads, fetch, fileHash, pipeline, producerConsumer, race, blockingAsync, fireAndForget,
        lockContention, matrix,
    ]

    /// The scenario named `name`, if there is one.
    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }
}
