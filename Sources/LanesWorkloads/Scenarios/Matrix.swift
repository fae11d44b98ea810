import LanesCore

extension ScenarioCatalog {
    /// Matrix multiplication split by rows (Exercise 3): the runner sweeps sizes to find where
    /// parallel starts to beat sequential; one run uses the size `256 × scale`.
    public static let matrix = Scenario(
        name: "matrix", seedSection: "Exercise 3",
        summary: "matrix multiplication split by rows (n = 256 x scale)", demo: DemoSize(secondsPerModel: 0.1),
        models: [.sequential, .threads, .threadPerTask, .dispatch, .processes, .async, .actor, .gil]
    ) { model, options in
        let n = max(8, Int(256 * options.scale))
        let a = (0..<(n * n)).map { Double(($0 * 31) % 17) - 8 }
        let b = (0..<(n * n)).map { Double(($0 * 17) % 13) - 6 }
        let bands = min(n, 16)
        let rows = (0..<bands).map { k in (k * n / bands)..<((k + 1) * n / bands) }
        let workload = Workload(
            name: "rows", items: rows,
            work: { (range: Range<Int>, context: WorkContext) -> Double in
                var sum = 0.0
                for i in range {
                    context.checkpoint()
                    for j in 0..<n {
                        var c = 0.0
                        for k in 0..<n { c += a[i * n + k] * b[k * n + j] }
                        sum += c
                    }
                }
                return sum
            },
            combine: { "n=\(n), sum of C = \(Int($0.reduce(0, +)))" }, transport: ResultTransport.text)
        return try Runner.run(workload, model: model, options: options)
    }
}
