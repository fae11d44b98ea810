// Concurrency-model benchmarks: speed-ups over sequential on this machine's cores, and what tracing
// costs (traced ÷ untraced wall time), each measured in the same run as its reference.
// Run from the repository's root, after building the `lanes` binary the worker processes run:
//   swift build -c release --product lanes
//   swift run -c release --package-path tools/benchmarks workload-benchmarks [--quick] [--lanes PATH]
import BenchSupport
import LanesWorkloads

#if canImport(Glibc)
import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
let lanes = CommandLine.arguments.firstIndex(of: "--lanes").map { CommandLine.arguments[$0 + 1] } ?? ".build/release/lanes"
guard access(lanes, X_OK) == 0 else {
    print("workload-benchmarks: \(lanes) is not an executable; build it with `swift build -c release --product lanes` or pass --lanes PATH")
    exit(2)
}
let rounds = quick ? 3 : 5

/// Median wall time of `scenario` under `model` over the rounds.
func wall(_ scenario: Scenario, _ model: ConcurrencyModel, _ options: RunOptions) throws -> Double {
    var times: [Double] = []
    for _ in 0..<rounds { times.append(seconds(try scenario.run(model, options: options).wallTime)) }
    return median(times)
}

let cores = 2
let primes = ScenarioCatalog.cpuPrimes
let primeOptions = RunOptions(workers: cores, scale: quick ? 1 : 2, workerExecutable: lanes)
// `--overhead-of NAME`: only that scenario's tracing overhead, to look again at one figure.
let only = CommandLine.arguments.firstIndex(of: "--overhead-of").map { CommandLine.arguments[$0 + 1] }
var speedups: [ConcurrencyModel: Double] = [:]
if only == nil {
    let sequential = try wall(primes, .sequential, primeOptions)
    print("cpu-primes (scale \(primeOptions.scale)), median of \(rounds): sequential \(fmt(sequential * 1000)) ms")
    for model in [ConcurrencyModel.threads, .processes, .dispatch, .async, .gil] {
        let t = try wall(primes, model, primeOptions)
        speedups[model] = sequential / t
        print("  \(model): \(fmt(t * 1000)) ms, \(fmt(sequential / t))x")
    }
}

// Runs of 0.1 s with threads contending for a lock vary by a fifth from run to run: the ratio of
// medians needs many of them to settle.
let overheadRounds = quick ? 5 : 21

// Tracing overhead for scenarios whose items take at least 1 ms: traced and untraced runs
// alternate, so drift in the machine's speed falls on both alike.
var overheads: [String: Double] = [:]
let withLongItems: [(Scenario, Double)] = [
    (ScenarioCatalog.cpuPrimes, 1.0), (ScenarioCatalog.matrix, 1.0), (ScenarioCatalog.downloads, 0.05),
    (ScenarioCatalog.fileHash, 1.0), (ScenarioCatalog.named("fetch")!, 1.0), (ScenarioCatalog.named("pipeline")!, 1.0),
    (ScenarioCatalog.named("lock-contention")!, 1.0), (ScenarioCatalog.named("race")!, 1.0),
    (ScenarioCatalog.named("producer-consumer")!, 1.0),
]
for (scenario, scale) in withLongItems where only == nil || only == scenario.name {
    var ratios: [Double] = []
    // Worker processes always trace (they stream their records to the parent): no untraced reference.
    let models = [ConcurrencyModel.sequential, .threads].filter { scenario.models.contains($0) }
    for model in models {
        var traced: [Double] = []
        var untraced: [Double] = []
        for _ in 0..<overheadRounds {
            traced.append(seconds(try scenario.run(model, options: RunOptions(workers: 4, scale: scale)).wallTime))
            untraced.append(
                seconds(try scenario.run(model, options: RunOptions(workers: 4, scale: scale, traced: false)).wallTime))
        }
        // The median of each traced run over the untraced run beside it: this machine switches between
        // a fast and a slow mode, and neighbouring runs share one (a ratio of medians can take one of each).
        ratios.append(median(zip(traced, untraced).map { $0 / $1 }))
        if getenv("LANES_BENCH_SAMPLES") != nil {
            print("  \(model) traced ms: \(traced.sorted().map { fmt($0 * 1000) })")
            print("  \(model) untraced ms: \(untraced.sorted().map { fmt($0 * 1000) })")
        }
    }
    overheads[scenario.name] = ratios.max()!
    print("tracing overhead, \(scenario.name): \(ratios.map { fmt($0) }.joined(separator: ", ")) (\(models.map(\.rawValue).joined(separator: ", ")))")
}

guard only == nil else { exit(0) }
print("")
print("cpu-primes-threads-speedup: \(fmt(speedups[.threads]!))")
print("cpu-primes-processes-speedup: \(fmt(speedups[.processes]!))")
print("cpu-primes-dispatch-speedup: \(fmt(speedups[.dispatch]!))")
print("cpu-primes-async-speedup: \(fmt(speedups[.async]!))")
print("cpu-primes-gil-speedup: \(fmt(speedups[.gil]!))")
print("max-tracing-overhead: \(fmt(overheads.values.max()!))")
