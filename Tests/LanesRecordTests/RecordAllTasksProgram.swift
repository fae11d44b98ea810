import Foundation

/// A Swift program whose only Lanes code is `recordAllTasks()`, the first statement of `main`: a task group
/// of 20 tasks (Task.sleep, Task.yield, a contended default actor, a @MainActor hop), then `yield N` mode (4
/// tasks yielding N times in all) for the benchmark-like check. Prints whether it records.
let recordAllTasksSource = #"""
    import Glibc
    import LanesRecord

    actor Counter {
        var n = 0
        func bump() -> Int {
            n += 1
            var x = 0
            for i in 0..<20_000 { x &+= i &* n }
            return x
        }
    }

    @MainActor func onMain(_ i: Int) -> Int { i * 2 }

    @main struct App {
        static func main() async {
            let recording = recordAllTasks()
            let mode = CommandLine.arguments.dropFirst().first ?? "all"
            if mode == "block" {
                // Tasks that block their thread (a blocking sleep): the runtime runs them a few at a time.
                await withTaskGroup(of: Void.self) { g in
                    for _ in 0..<8 { g.addTask { usleep(100_000) } }
                }
                print("recording", recording)
                return
            }
            if mode == "yield" {
                let n = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 100_000
                await withTaskGroup(of: Void.self) { g in
                    for _ in 0..<4 { g.addTask { for _ in 0..<(n / 4) { await Task.yield() } } }
                }
                print("recording", recording)
                return
            }
            let counter = Counter()
            await withTaskGroup(of: Int.self) { g in
                for i in 0..<20 {
                    g.addTask {
                        try? await Task.sleep(for: .milliseconds(2))
                        await Task.yield()
                        var x = 0
                        for _ in 0..<5 { x &+= await counter.bump() }
                        return await onMain(i) &+ x
                    }
                }
                var s = 0
                for await v in g { s &+= v }
                print("group", s != 0)
            }
            print("recording", recording, await counter.n)
        }
    }
    """#

/// Builds the program above with `swiftc` against this package's build of LanesRecord (the objects and
/// module of the build directory the tests run from), dynamically or with `-static-stdlib`.
enum RecordAllTasksProgram {
    struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    /// The build directory the test binary lives in (`.build/debug` or `.build-tsan/…/debug`).
    static var buildDirectory: URL {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = String(decoding: buffer[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while url.path != "/" && !FileManager.default.fileExists(atPath: url.appendingPathComponent("Modules").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    /// The tests run under ThreadSanitizer (CI's TSan step): the program is built with it too. A static
    /// runtime then hides libdispatch's hand-overs from ThreadSanitizer (every task reads as racing with
    /// itself), and its libdispatch interceptors come before any preload library: those cases are left out.
    static let underThreadSanitizer = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil

    /// The linkings to test: dynamic, and static (`-static-stdlib`) but not under ThreadSanitizer.
    static let linkings: [Bool] = underThreadSanitizer ? [false] : [false, true]

    /// Where the programs are built; removed when the test process exits (a static build is about 20 MB).
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-record-all-\(getpid())")

    static let built: [Bool: Result<String, BuildError>] = {
        atexit { try? FileManager.default.removeItem(at: RecordAllTasksProgram.directory) }
        var out: [Bool: Result<String, BuildError>] = [:]
        for staticStdlib in linkings { out[staticStdlib] = build(staticStdlib: staticStdlib) }
        return out
    }()

    static func path(staticStdlib: Bool) throws -> String {
        guard let result = built[staticStdlib] else { throw BuildError(description: "not built under ThreadSanitizer") }
        return try result.get()
    }

    private static func build(staticStdlib: Bool) -> Result<String, BuildError> {
        let build = buildDirectory
        let dir = directory
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let source = dir.appendingPathComponent("app.swift")
        let binary = dir.appendingPathComponent(staticStdlib ? "app-static" : "app").path
        do {
            try recordAllTasksSource.write(to: source, atomically: true, encoding: .utf8)
        } catch {
            return .failure(BuildError(description: "cannot write \(source.path): \(error)"))
        }
        let modules = ["LanesRecord", "LanesCore", "LanesFormat", "LanesSupport"]
        let cModules = ["CLanesSupport", "CLanesTaskExecutor", "CLanesTaskWriter"]
        var objects: [String] = []
        for m in modules + cModules {
            let d = build.appendingPathComponent("\(m).build")
            let files = (try? FileManager.default.contentsOfDirectory(atPath: d.path)) ?? []
            objects += files.filter { $0.hasSuffix(".o") }.sorted().map { d.appendingPathComponent($0).path }
        }
        var arguments = ["-parse-as-library", "-swift-version", "6", source.path, "-o", binary]
        arguments += ["-I", build.appendingPathComponent("Modules").path]
        for m in cModules {
            arguments += [
                "-Xcc", "-fmodule-map-file=" + build.appendingPathComponent("\(m).build/module.modulemap").path,
            ]
        }
        if staticStdlib { arguments.append("-static-stdlib") }
        // The objects of a ThreadSanitizer build need its runtime.
        if underThreadSanitizer { arguments.append("-sanitize=thread") }
        arguments += objects
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let swiftc =
            (path.split(separator: ":").map { "\($0)/swiftc" } + ["/opt/swift/usr/bin/swiftc"])
            .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "swiftc"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: swiftc)
        p.arguments = arguments
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        do { try p.run() } catch { return .failure(BuildError(description: "cannot run \(swiftc): \(error)")) }
        let diagnostics = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            return .failure(BuildError(description: "swiftc failed: \(String(decoding: diagnostics, as: UTF8.self))"))
        }
        return .success(binary)
    }

    /// Runs `path` with `arguments`, extra environment and the preload library `preload` (none by default);
    /// its status and standard output.
    static func run(
        _ path: String, _ arguments: [String], _ extra: [String: String], preload: String? = nil
    ) throws -> (status: Int32, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        var environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        environment["LD_PRELOAD"] = preload
        p.environment = environment
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
