// Three small benchmarks, each with the two lines that give it a Lanes timeline: `import LanesRecord` and the
// `BenchmarkTrace` line at the top of its closure. Without LANES_TRACE_DIR those lines cost a cached check.
import Benchmark
import LanesRecord

#if canImport(Glibc)
import Glibc
#endif

/// Extra work per iteration, to show a regression on purpose: LANES_EXAMPLE_SLOWDOWN=3 makes every
/// benchmark do its work three times (the offline workflow test uses it).
let slowdown: Int = {
    guard let text = getenv("LANES_EXAMPLE_SLOWDOWN").map({ String(cString: $0) }), let n = Int(text), n > 1 else {
        return 1
    }
    return n
}()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal], warmupIterations: 1, maxDuration: .milliseconds(300),
        maxIterations: 25)

    Benchmark("sort") { benchmark in
        let trace = BenchmarkTrace.begin(benchmark.name); defer { trace.end() }
        for _ in 0..<slowdown {
            var numbers = span("shuffle") { (0..<50_000).map { _ in Int.random(in: 0..<1_000_000) } }
            span("sort numbers") { numbers.sort() }
            blackHole(numbers)
        }
    }

    Benchmark("locked counter") { benchmark in
        let trace = BenchmarkTrace.begin(benchmark.name); defer { trace.end() }
        let counter = TracedMutex(0, name: "counter")
        let threads = (0..<4).map { i in
            try! TracedThread(name: "adder \(i)") {
                for _ in 0..<(2_000 * slowdown) { span("add") { counter.withLock { $0 += 1 } } }
            }
        }
        for thread in threads { thread.join() }
        blackHole(counter.withLock { $0 })
    }

    Benchmark("task group") { benchmark in
        try await BenchmarkTrace.iteration(benchmark.name) {
            let total = await withTaskGroup(of: Int.self) { group in
                for part in 0..<8 {
                    group.addTask {
                        span("sum part") { (0..<(20_000 * slowdown)).reduce(part) { $0 &+ $1 } }
                    }
                }
                return await group.reduce(0, &+)
            }
            blackHole(total)
        }
    }
}
