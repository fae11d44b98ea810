import Foundation

/// An ordinary Swift program with no Lanes code, compiled once per test run with `swiftc` (about 10 s):
/// `all` runs a task group of 20 tasks (Task.sleep, Task.yield, a contended actor, a @MainActor hop, CPU
/// work), then leaves a detached task sleeping unawaited and blocks a pool thread in `usleep`; `yield N`
/// yields N times over 4 tasks; `funnel N` and `spread N` run 4 tasks × 6 × `spin(N)`
/// inside a default actor or in the tasks (only the total goes through the actor); `many` runs 64 tasks of 300 yields with actor and main-actor hops; `killed`
/// yields until it sends itself SIGKILL.
let taskProgramSource = #"""
    #if canImport(Glibc)
    import Glibc
    #endif

    actor Counter {
        var n = 0
        func bump() -> Int {
            n += 1
            var x = 0
            for i in 0..<20_000 { x &+= i &* n }
            return x
        }
    }

    /// A default actor holding a total: `heavy` computes inside the actor, `add` only bumps the total.
    actor Ledger {
        var total = 0
        func heavy(_ n: Int) -> Int {
            let x = spin(n)
            total &+= x
            return x
        }
        func add(_ x: Int) { total &+= x }
    }

    @MainActor func onMain(_ i: Int) -> Int { i * 2 }

    func spin(_ n: Int) -> Int {
        var x = 0
        for i in 0..<n { x &+= i &* i }
        return x
    }

    @main struct App {
        static func main() async {
            let mode = CommandLine.arguments.dropFirst().first ?? "all"
            if mode == "yield" {
                let n = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 100_000
                await withTaskGroup(of: Void.self) { g in
                    for _ in 0..<4 { g.addTask { for _ in 0..<(n / 4) { await Task.yield() } } }
                }
                return
            }
            if mode == "many" {
                // 64 tasks on every pool thread: yields, a contended actor, main-actor hops.
                let box = Counter()
                await withTaskGroup(of: Void.self) { g in
                    for _ in 0..<64 {
                        g.addTask {
                            for i in 0..<300 {
                                await Task.yield()
                                if i % 10 == 0 { _ = await box.bump() }
                                if i % 50 == 0 { _ = await onMain(i) }
                            }
                        }
                    }
                }
                return
            }
            if mode == "funnel" || mode == "spread" {
                // 4 tasks × 6 calls of `spin(n)`: inside the actor (funnel) or in the tasks, with only the
                // total sent to the actor (spread).
                let n = Int(CommandLine.arguments.dropFirst(2).first ?? "") ?? 6_000_000
                let ledger = Ledger()
                await withTaskGroup(of: Void.self) { g in
                    for _ in 0..<4 {
                        g.addTask {
                            for _ in 0..<6 {
                                if mode == "funnel" { _ = await ledger.heavy(n) } else { await ledger.add(spin(n)) }
                            }
                        }
                    }
                }
                print("total", await ledger.total != 0)
                return
            }
            if mode == "killed" {
                await withTaskGroup(of: Void.self) { g in
                    for t in 0..<4 {
                        g.addTask {
                            for i in 0..<1_000_000 {
                                await Task.yield()
                                if t == 0 && i == 20_000 { _ = kill(getpid(), SIGKILL) }
                            }
                        }
                    }
                }
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
                        let m = await onMain(i)
                        return spin(200_000) &+ m &+ x
                    }
                }
                var s = 0
                for await v in g { s &+= v }
                print("group", s != 0)
            }
            Task.detached { try? await Task.sleep(for: .seconds(5)) }  // never awaited: outlives main
            await Task.detached { usleep(30_000) }.value  // a blocking call holds a pool thread
            print("done", await counter.n)
        }
    }
    """#

/// The compiled program's path, or why it could not be built.
let taskProgram: Result<String, TaskProgramError> = {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-task-program-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let source = dir.appendingPathComponent("app.swift")
    let binary = dir.appendingPathComponent("app").path
    do {
        try taskProgramSource.write(to: source, atomically: true, encoding: .utf8)
    } catch {
        return .failure(TaskProgramError(message: "cannot write \(source.path): \(error)"))
    }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    let swiftc =
        (path.split(separator: ":").map { "\($0)/swiftc" } + ["/opt/swift/usr/bin/swiftc"])
        .first { FileManager.default.isExecutableFile(atPath: $0) } ?? "swiftc"
    let p = Process()
    p.executableURL = URL(fileURLWithPath: swiftc)
    p.arguments = ["-parse-as-library", "-swift-version", "6", source.path, "-o", binary]
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    do { try p.run() } catch { return .failure(TaskProgramError(message: "cannot run \(swiftc): \(error)")) }
    let diagnostics = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        return .failure(TaskProgramError(message: "swiftc failed: \(String(decoding: diagnostics, as: UTF8.self))"))
    }
    return .success(binary)
}()

struct TaskProgramError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The preload library built beside `lanes`.
let taskRecorderLibrary: String = {
    URL(fileURLWithPath: lanesBinary).deletingLastPathComponent().appendingPathComponent("libLanesTaskRecorder.so").path
}()

/// Runs `path` with `arguments` and extra environment, waiting for it; returns its status and standard error.
func runWithEnvironment(_ path: String, _ arguments: [String], _ extra: [String: String]) throws -> (
    status: Int32, reason: Process.TerminationReason, stderr: String
) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = arguments
    p.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    let err = Pipe()
    p.standardError = err
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    let data = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, p.terminationReason, String(decoding: data, as: UTF8.self))
}
