// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Lanes",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LanesCore", targets: ["LanesCore"]),
        .library(name: "LanesRecord", targets: ["LanesRecord"]),
        .library(name: "LanesFormat", targets: ["LanesFormat"]),
        .library(name: "LanesRaster", targets: ["LanesRaster"]),
        .library(name: "LanesWorkloads", targets: ["LanesWorkloads"]),
        .library(name: "LanesAnalysis", targets: ["LanesAnalysis"]),
        .library(name: "LanesRender", targets: ["LanesRender"]),
        .library(name: "LanesTracing", targets: ["LanesTracing"]),
        .executable(name: "lanes", targets: ["lanes"]),
        // The LD_PRELOAD library `lanes record` loads into Swift programs to record every task's jobs.
        .library(name: "LanesTaskRecorder", type: .dynamic, targets: ["CLanesTaskRecorder"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    ],
    targets: [
        // The trace model: value types and pure functions, standard library only.
        .target(name: "LanesCore"),
        // Shared plumbing for every Lanes target, with no dependency on any of them, package-internal where it
        // can be: the one output-file writer (temporary beside the target, fsync, rename; refuses devices, FIFOs
        // and inputs), JSON string quoting, LEB128 varints and byte writing, base64 and SHA-256.
        .target(name: "LanesSupport"),
        // Trace files: the native .lanes format.
        .target(
            name: "LanesFormat", dependencies: ["LanesCore", "LanesSupport", "CLanesSupport"],
            exclude: ["FORMAT.md", "CHROME_JSON.md", "PERFETTO.md"]),
        // C helpers the recorder's hot path needs and Swift cannot express:
        // the timestamp counter, gettid, and a thread-local record cursor.
        .target(name: "CLanesSupport"),
        // The task-recording preload library (C, no Swift runtime of its own): interposes libdispatch's
        // dispatch_async_f/dispatch_after_f and records the concurrency runtime's jobs. Nothing links
        // it; `lanes record` loads it with LD_PRELOAD.
        .target(name: "CLanesTaskRecorder", dependencies: ["CLanesTaskWriter"], exclude: ["TASKS_FORMAT.md"]),
        // The task recording writer the preload library and `recordAllTasks()` share (C, symbols hidden).
        .target(name: "CLanesTaskWriter"),
        // The C half of `recordAllTasks()`: hands jobs to libdispatch with a recording runner.
        .target(name: "CLanesTaskExecutor", dependencies: ["CLanesTaskWriter"]),
        // The instrumentation library.
        .target(
            name: "LanesRecord", dependencies: ["LanesCore", "LanesFormat", "CLanesSupport", "CLanesTaskExecutor"]),
        // A swift-distributed-tracing Tracer whose spans go into the Lanes recorder.
        .target(
            name: "LanesTracing",
            dependencies: ["LanesRecord", .product(name: "Tracing", package: "swift-distributed-tracing")]),
        // System libraries for the raster layer: module maps and nothing else.
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2", providers: [.apt(["libfreetype-dev"]), .brew(["freetype"])]),
        // libpng's low-level writer reports errors by longjmp; this keeps the setjmp in C
        // and turns failures into return codes.
        .target(name: "CLanesPNG", dependencies: ["CLibPNG"]),
        // RGBA canvas, text and PNG. Knows nothing of traces.
        .target(name: "LanesRaster", dependencies: ["CLibPNG", "CFreeType", "CLanesPNG", "LanesSupport"]),
        // Statistics, run comparison, pitfall detection and model advice: pure functions over the model.
        .target(name: "LanesAnalysis", dependencies: ["LanesCore", "LanesSupport"]),
        // The layout shared by every report, and the charts and texts drawn from it.
        // Page/ holds the HTML page's JavaScript and CSS, embedded at build time by LanesEmbedPlugin.
        .target(
            name: "LanesRender", dependencies: ["LanesCore", "LanesAnalysis", "LanesRaster", "LanesSupport"],
            exclude: ["Page"], plugins: ["LanesEmbedPlugin"]),
        // Build-time tool and plugin: text files into Swift string constants (no resource bundle at run time).
        .executableTarget(name: "LanesEmbed"),
        .plugin(name: "LanesEmbedPlugin", capability: .buildTool(), dependencies: ["LanesEmbed"],
                path: "Sources/LanesEmbedPlugin"),
        // Concurrency-model runners and the scenario catalog from the seed.
        .target(name: "LanesWorkloads", dependencies: ["LanesRecord", "LanesCore", "LanesFormat", "LanesSupport"]),
        .executableTarget(
            name: "lanes",
            dependencies: [
                "LanesCore", "LanesFormat", "LanesRecord", "LanesAnalysis", "LanesRender", "LanesWorkloads",
                "LanesSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "LanesCoreTests", dependencies: ["LanesCore"]),
        .testTarget(name: "LanesSupportTests", dependencies: ["LanesSupport"]),
        .testTarget(name: "LanesFormatTests", dependencies: ["LanesFormat", "LanesCore", "LanesSupport"]),
        .testTarget(name: "LanesRecordTests", dependencies: ["LanesRecord", "LanesFormat", "LanesCore"]),
        .testTarget(
            name: "LanesTracingTests",
            dependencies: [
                "LanesTracing", "LanesRecord", "LanesCore",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]),
        .testTarget(name: "LanesRasterTests", dependencies: ["LanesRaster"]),
        // LanesFormat: the Python trace tests import VizTracer and py-spy recordings.
        .testTarget(
            name: "LanesAnalysisTests", dependencies: ["LanesAnalysis", "LanesCore", "LanesWorkloads", "LanesFormat"]),
        .testTarget(
            name: "LanesRenderTests", dependencies: ["LanesRender", "LanesAnalysis", "LanesRaster", "LanesCore"],
            exclude: ["Golden"]),
        .testTarget(name: "LanesWorkloadsTests", dependencies: ["LanesWorkloads", "LanesRecord", "LanesCore"]),
        .testTarget(
            name: "LanesCLITests",
            dependencies: ["lanes", "LanesRecord", "LanesFormat", "LanesCore", "LanesRender"]),
    ],
    swiftLanguageModes: [.v6]
)
