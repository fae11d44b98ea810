// swift-tools-version: 6.1
// Performance benchmarks for Lanes: a package of its own so the main manifest never pays for them.
// Run: swift run -c release --package-path tools/benchmarks lanes-benchmarks
//      swift run -c release --package-path tools/benchmarks lanes-png-benchmark
//      swift run -c release --package-path tools/benchmarks tracing-bridge-benchmark
//      swift run -c release --package-path tools/benchmarks fetch-benchmark
//      swift run -c release --package-path tools/benchmarks record-sampler-benchmark
//      swift run -c release --package-path tools/benchmarks lane-scaling-benchmark
//      swift run -c release --package-path tools/benchmarks task-record-benchmark
//      swift run -c release --package-path tools/benchmarks task-executor-benchmark
//      python3 tools/benchmarks/json_import_bench.py   (Chrome Trace JSON import against orjson and json)
//      swift run -c release --package-path tools/benchmarks json-export-bench
//      bash tools/benchmarks/before-after.sh REV   (PNG, JSON import and HTML report: REV against HEAD, interleaved)
import Foundation
import PackageDescription

// A path dependency is known by its folder's name, which is whatever the clone was called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let lanes = root.lastPathComponent

let package = Package(
    name: "LanesBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    ],
    targets: [
        // Clock, median and number formatting shared by the benchmarks.
        .target(name: "BenchSupport"),
        // The floor the recorder is measured against, in C: two timestamp reads and one 32-byte store.
        .target(name: "CFloor"),
        .executableTarget(
            name: "lanes-benchmarks",
            dependencies: [
                "BenchSupport",
                "CFloor",
                .product(name: "LanesRecord", package: lanes),
                .product(name: "LanesFormat", package: lanes),
                .product(name: "LanesCore", package: lanes),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Sources/LanesBenchmarks"
        ),
        .executableTarget(
            name: "workload-benchmarks",
            dependencies: [
                "BenchSupport", .product(name: "LanesWorkloads", package: lanes),
            ],
            path: "Sources/WorkloadBenchmarks"
        ),
        // fetch with a thousand requests in flight: async tasks against threads, memory per request.
        .executableTarget(
            name: "fetch-benchmark",
            dependencies: ["BenchSupport", .product(name: "LanesWorkloads", package: lanes)],
            path: "Sources/FetchBenchmark"
        ),
        // PNG charts against matplotlib (png_matplotlib.py, run in the same process run).
        .executableTarget(
            name: "lanes-png-benchmark",
            dependencies: [
                "BenchSupport",
                .product(name: "LanesRender", package: lanes),
                .product(name: "LanesCore", package: lanes),
            ],
            path: "Sources/LanesPNGBenchmark"
        ),
        // LanesTracing's cost per span against swift-distributed-tracing's InMemoryTracer.
        .executableTarget(
            name: "tracing-bridge-benchmark",
            dependencies: [
                "BenchSupport",
                .product(name: "LanesTracing", package: lanes),
                .product(name: "LanesRecord", package: lanes),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            path: "Sources/TracingBridgeBenchmark"
        ),
        // The CPU the /proc sampler behind `lanes record` uses while recording a 2-thread Python program.
        .executableTarget(
            name: "record-sampler-benchmark",
            dependencies: ["BenchSupport", .product(name: "LanesRecord", package: lanes)],
            path: "Sources/RecordSamplerBenchmark"
        ),
        // Analysis and Markdown on 200k lanes against 64 lanes, same span count (issue 19: no growth with lanes²).
        .executableTarget(
            name: "lane-scaling-benchmark",
            dependencies: [
                "BenchSupport",
                .product(name: "LanesAnalysis", package: lanes),
                .product(name: "LanesRender", package: lanes),
                .product(name: "LanesCore", package: lanes),
            ],
            path: "Sources/LaneScalingBenchmark"
        ),
        // A yield-heavy Swift program with no Lanes code, for task-record-benchmark.
        .executableTarget(name: "task-yield-program", path: "Sources/TaskYieldProgram"),
        // The same with `recordAllTasks()` as its first line (the one-line alternative to the preload).
        .executableTarget(
            name: "task-yield-one-line-program", dependencies: [.product(name: "LanesRecord", package: lanes)],
            path: "Sources/TaskYieldOneLineProgram"),
        // The task-recording preload library's cost: task-yield-program with and without it. Depends on the
        // library's product only so that it is built beside the benchmark; it is off in this process.
        .executableTarget(
            name: "task-record-benchmark",
            dependencies: [
                "BenchSupport", "task-yield-program", "task-yield-one-line-program",
                .product(name: "LanesFormat", package: lanes), .product(name: "LanesRecord", package: lanes),
                .product(name: "LanesTaskRecorder", package: lanes),
            ],
            path: "Sources/TaskRecordBenchmark"
        ),
        // The cost of recording the built-in async model's tasks (TracingTaskExecutor under a Recorder).
        .executableTarget(
            name: "task-executor-benchmark",
            dependencies: ["BenchSupport", .product(name: "LanesRecord", package: lanes)],
            path: "Sources/TaskExecutorBenchmark"
        ),
        // Chrome Trace JSON import timing; json_import_bench.py runs it beside orjson and json.
        .executableTarget(
            name: "json-import-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "LanesFormat", package: lanes),
                .product(name: "LanesCore", package: lanes),
            ],
            path: "Sources/JSONImportBench"
        ),
        // Chrome Trace JSON export timing.
        .executableTarget(
            name: "json-export-bench",
            dependencies: [
                "BenchSupport",
                .product(name: "LanesFormat", package: lanes),
                .product(name: "LanesCore", package: lanes),
            ],
            path: "Sources/JSONExportBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
