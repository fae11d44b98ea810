// swift-tools-version: 6.1
// libFuzzer targets for the trace readers. Build and run them with tools/fuzz.sh, which passes
// -sanitize=fuzzer,address; a package of its own so the main build never carries them.
import Foundation
import PackageDescription

// A path dependency is known by its folder's name, which is whatever the clone was called.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let lanes = root.lastPathComponent

let package = Package(
    name: "LanesFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(path: "../..")],
    targets: [
        // libFuzzer's driver as an entry point (see FuzzSupport.swift).
        .target(name: "FuzzSupport"),
        .executableTarget(
            name: "fuzz-lanes", dependencies: ["FuzzSupport", .product(name: "LanesFormat", package: lanes)],
            path: "Sources/FuzzLanes"),
        .executableTarget(
            name: "fuzz-chrome-json", dependencies: ["FuzzSupport", .product(name: "LanesFormat", package: lanes)],
            path: "Sources/FuzzChromeJSON"),
    ],
    swiftLanguageModes: [.v6]
)
