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
    /// How `lanes demo` sizes it.
    public let demo: DemoSize
    private let runner: @Sendable (ConcurrencyModel, RunOptions) throws -> RunResult
    /// Lines worth printing after a run of all models (e.g. theoretical against measured speed-up).
    public let notes: @Sendable ([RunResult], RunOptions) -> [String]

    public init(
        name: String, seedSection: String, summary: String, demo: DemoSize = DemoSize(), models: [ConcurrencyModel] = ConcurrencyModel.runnable.filter { $0 != .hybrid },
        defaultWorkers: Int = 4, notes: @escaping @Sendable ([RunResult], RunOptions) -> [String] = { _, _ in [] },
        run: @escaping @Sendable (ConcurrencyModel, RunOptions) throws -> RunResult
    ) {
        self.name = name
        self.seedSection = seedSection
        self.summary = summary
        self.models = models
        self.defaultWorkers = defaultWorkers
        self.demo = demo
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

/// How `lanes demo` runs a scenario: its scale, and a rough time per model, so the whole catalog finishes
/// within 90 s (20 s with `--quick`) on two cores.
public struct DemoSize: Hashable, Sendable {
    /// The scale of a full demo run.
    public var scale: Double
    /// The scale of `lanes demo --quick`.
    public var quickScale: Double
    /// Rough seconds one model takes at ``scale``, for the progress line's estimate.
    public var secondsPerModel: Double

    public init(scale: Double = 1, quickScale: Double = 0.25, secondsPerModel: Double = 0.5) {
        self.scale = scale
        self.quickScale = quickScale
        self.secondsPerModel = secondsPerModel
    }

    /// The scale to run at.
    public func scale(quick: Bool) -> Double { quick ? quickScale : scale }

    /// Rough seconds for `models` models at the scale `quick` chooses.
    public func estimate(quick: Bool, models: Int) -> Double { secondsPerModel * scale(quick: quick) / scale * Double(models) }
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
