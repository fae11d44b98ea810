import LanesCore
import LanesRecord

extension ScenarioCatalog {
    /// Twenty simulated downloads of 0.5–2.0 s each (times the scale), five workers (Exercise 1):
    /// pure waiting, where concurrency pays up to the longest download.
    public static let downloads = Scenario(
        name: "downloads", seedSection: "Exercise 1",
        summary: "20 downloads of 0.5-2.0 s (scaled), 5 workers: pure waiting",
        demo: DemoSize(scale: 0.1, quickScale: 0.02, secondsPerModel: 1.1),
        defaultWorkers: 5,
        notes: { results, options in
            let times = downloadTimes(scale: options.scale)
            let total = times.reduce(0, +)
            let theoretical = total / max(times.max() ?? 1, total / Double(max(1, options.workers)))
            var lines = ["theoretical speed-up with \(options.workers) workers: \(format(theoretical))x"]
            if let base = results.first(where: { $0.model == .sequential }) {
                for r in results where r.model != .sequential {
                    lines.append("measured speed-up, \(r.model): \(format(base.wallTime / r.wallTime))x")
                }
            }
            return lines
        }
    ) { model, options in
        let times = downloadTimes(scale: options.scale)
        let workload = Workload(
            name: "download", items: Array(times.enumerated()),
            work: { (item: (offset: Int, element: Double), context: WorkContext) -> Int in
                context.blocking { tracedSleep(.nanoseconds(Int64(item.element * 1e9))) }
                return 1_000 * (item.offset + 1)
            },
            asyncWork: { item in
                try await tracedSleep(for: .nanoseconds(Int64(item.element * 1e9)))
                return 1_000 * (item.offset + 1)
            },
            combine: { "\($0.count) downloads, \($0.reduce(0, +)) bytes" }, transport: ResultTransport.text)
        return try Runner.run(workload, model: model, options: options)
    }

    /// Twenty durations from 0.5 to 2.0 s in a fixed shuffled order, times `scale`.
    static func downloadTimes(scale: Double) -> [Double] {
        (0..<20).map { (i: Int) -> Double in
            let step = Double((i * 7) % 20) / 19
            return (0.5 + 1.5 * step) * scale
        }
    }
}

func format(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    return String(r)
}
