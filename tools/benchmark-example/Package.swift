// swift-tools-version: 6.1
// An example package-benchmark suite with Lanes timelines (issue 17): each benchmark adds the two lines of
// LanesRecord's BenchmarkTrace. Measure as usual; run again with LANES_TRACE_DIR to get one trace per benchmark:
//   swift package --package-path tools/benchmark-example benchmark
//   LANES_TRACE_DIR=traces swift package --package-path tools/benchmark-example benchmark
// tools/benchmark-example/run.sh does both and compares two runs' traces with `lanes compare`.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name, which is whatever the clone was called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let lanes = root.lastPathComponent

let package = Package(
    name: "LanesBenchmarkExample",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: "../.."),
        // On Linux with Swift 6.3 package-benchmark's default traits pull in a runtime interposer; the malloc
        // interposer alone gives its allocation metrics.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ExampleBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LanesRecord", package: lanes),
            ],
            path: "Benchmarks/ExampleBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ],
    swiftLanguageModes: [.v6]
)
