/// Exercise 3: a scenario run at several scales under several models, with the speed-up of each over
/// `sequential` at each scale and the first scale where each model beats it. Speed-up is baseline wall ÷
/// run wall, the walls being the traces' (``RunResult/wallTime``), as in every other report.
public struct Sweep: Sendable {
    public var scenario: String
    /// The models compared with `sequential`, in the order given.
    public var models: [ConcurrencyModel]
    /// The scales, ascending.
    public var scales: [Double]
    /// Runs per point; the median wall of them is used.
    public var runsPerPoint: Int
    /// `speedups[i][j]`: model `j`'s speed-up over sequential at scale `i`.
    public var speedups: [[Double]]

    /// A sweep from measured walls: `walls[i]` holds every model's median wall at scale `i`, `sequential` included.
    public init(
        scenario: String, models: [ConcurrencyModel], scales: [Double], runsPerPoint: Int,
        walls: [[ConcurrencyModel: Duration]]
    ) {
        self.scenario = scenario
        let compared = models.filter { $0 != .sequential }
        self.models = compared
        self.scales = scales
        self.runsPerPoint = runsPerPoint
        speedups = walls.map { row in
            let base = Self.seconds(row[.sequential] ?? .zero)
            return compared.map { m in base / max(Self.seconds(row[m] ?? .zero), 1e-9) }
        }
    }

    /// Runs `scenario` under `sequential` and `models` at each of `scales`, `runsPerPoint` times per point;
    /// `progress` is told what runs next.
    public static func run(
        _ scenario: Scenario, models: [ConcurrencyModel], scales: [Double], options: RunOptions, runsPerPoint: Int = 3,
        progress: (String) -> Void = { _ in }
    ) throws -> Sweep {
        let all = models.contains(.sequential) ? models : [.sequential] + models
        let sorted = scales.sorted()
        var walls: [[ConcurrencyModel: Duration]] = []
        for (k, scale) in sorted.enumerated() {
            var o = options
            o.scale = scale
            var row: [ConcurrencyModel: Duration] = [:]
            for model in all {
                progress("[\(k + 1)/\(sorted.count)] \(scenario.name) at scale \(scale) under \(model)…")
                let times = try (0..<max(1, runsPerPoint)).map { _ in try scenario.run(model, options: o).wallTime }
                    .sorted()
                row[model] = times[times.count / 2]
            }
            walls.append(row)
        }
        return Sweep(
            scenario: scenario.name, models: all, scales: sorted, runsPerPoint: max(1, runsPerPoint), walls: walls)
    }

    /// The first scale at which `model` ran faster than sequential; nil when it never did.
    public func firstWin(_ model: ConcurrencyModel) -> Double? {
        guard let j = models.firstIndex(of: model) else { return nil }
        return scales.indices.first { speedups[$0][j] > 1 }.map { scales[$0] }
    }

    /// The table and one line per model, as `lanes run --sweep` prints them.
    public var text: String {
        var rows = [["scale"] + models.map(\.rawValue)]
        for (i, scale) in scales.enumerated() { rows.append(["\(scale)"] + speedups[i].map { Self.fixed2($0) + "x" }) }
        let widths = rows[0].indices.map { c in rows.map { $0[c].count }.max()! }
        var lines = [
            "speed-up over sequential, \(scenario) (median of \(runsPerPoint) run\(runsPerPoint == 1 ? "" : "s") per scale):"
        ]
        for row in rows {
            var line = ""
            for (c, cell) in row.enumerated() {
                line += cell + String(repeating: " ", count: widths[c] + 2 - cell.count)
            }
            while line.last == " " { line.removeLast() }
            lines.append(line)
        }
        for model in models {
            lines.append(
                firstWin(model).map { "\(model) first beats sequential at scale \($0)" }
                    ?? "\(model) never beats sequential in this sweep")
        }
        return lines.joined(separator: "\n")
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    private static func fixed2(_ x: Double) -> String {
        let hundredths = Int((x * 100).rounded())
        let frac = abs(hundredths) % 100
        return "\(hundredths / 100).\(frac < 10 ? "0" : "")\(frac)"
    }
}
