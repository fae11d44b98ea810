import LanesCore

extension ScenarioCatalog {
    /// Counting primes below N in chunks: pure CPU work (Example 2; Pitfall 1).
    public static let cpuPrimes = Scenario(
        name: "cpu-primes", seedSection: "Example 2; Pitfall 1",
        summary: "count primes below N in chunks: pure CPU work",
        demo: DemoSize(scale: 2, quickScale: 0.3, secondsPerModel: 0.5)
    ) { model, options in
        let limit = max(1_000, Int(2_000_000 * options.scale))
        let chunks = 16
        let size = (limit + chunks - 1) / chunks
        let ranges = (0..<chunks).map { c in (c * size)..<min(limit, (c + 1) * size) }
        let workload = Workload(
            name: "count primes", items: ranges,
            work: { (range: Range<Int>, context: WorkContext) -> Int in
                var count = 0
                for n in range {
                    if n & 1023 == 0 { context.checkpoint() }
                    if isPrime(n) { count += 1 }
                }
                return count
            },
            combine: { "\($0.reduce(0, +)) primes below \(limit)" }, transport: ResultTransport.text)
        return try Runner.run(workload, model: model, options: options)
    }
}

/// Trial division by 6k ± 1, as the seed's `is_prime`.
func isPrime(_ n: Int) -> Bool {
    if n < 2 { return false }
    if n < 4 { return true }
    if n % 2 == 0 || n % 3 == 0 { return false }
    var i = 5
    while i * i <= n {
        if n % i == 0 || n % (i + 2) == 0 { return false }
        i += 6
    }
    return true
}
