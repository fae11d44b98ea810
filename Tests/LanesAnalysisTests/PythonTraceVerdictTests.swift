import Foundation
import LanesAnalysis
import LanesCore
import LanesFormat
import Testing

// The programs are Tests/Fixtures/python/*.py; traces/ holds VizTracer and py-spy recordings of them, trimmed by
// trim.py (events under 1 ms and the traced sources dropped). record.sh records them all; verdicts.py prints the
// table program × recorder × verdict.

/// What a Python expert says of a program: its work class, the first model, findings that must be there and
/// findings that must not.
struct PythonVerdict: Sendable, CustomStringConvertible {
    var program: String
    var work: WorkClass
    var model: String
    var expected: Set<FindingKind> = []
    var forbidden: Set<FindingKind> = []
    var description: String { program }
}

let pythonVerdicts: [PythonVerdict] = [
    // Sleeping downloads in a ThreadPoolExecutor: waiting, not computing; no GIL claim.
    PythonVerdict(program: "sleepers", work: .ioBound, model: "threads", forbidden: [.serialisedCPU, .lockContention]),
    PythonVerdict(
        program: "aio_semaphore", work: .ioBound, model: "async", forbidden: [.serialisedCPU, .blockedEventLoop]),
    PythonVerdict(
        program: "blocked_loop", work: .ioBound, model: "async", expected: [.blockedEventLoop],
        forbidden: [.serialisedCPU]),
    PythonVerdict(
        program: "lock_threads", work: .ioBound, model: "threads", expected: [.lockContention],
        forbidden: [.serialisedCPU]),
    PythonVerdict(
        program: "prodcons", work: .ioBound, model: "threads", expected: [.producerConsumer],
        forbidden: [.serialisedCPU]),
    PythonVerdict(
        program: "cpu_threads", work: .cpuBound, model: "processes", expected: [.serialisedCPU],
        forbidden: [.lockContention]),
    PythonVerdict(program: "process_pool", work: .cpuBound, model: "processes", forbidden: [.serialisedCPU]),
    PythonVerdict(
        program: "hot_loop", work: .cpuBound, model: "processes", forbidden: [.serialisedCPU, .lockContention]),
    PythonVerdict(
        program: "run_in_executor", work: .ioBound, model: "async", forbidden: [.serialisedCPU, .blockedEventLoop]),
]

let pythonFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/python")

/// The fixtures' sources: the trimmed traces name the programs `/src/<name>.py`.
@Sendable func fixtureSource(_ path: String) -> String? {
    guard path.hasPrefix("/src/") else { return ChromeJSON.readPythonSource(path) }
    return ChromeJSON.readPythonSource(pythonFixtures.appendingPathComponent(String(path.dropFirst(5))).path)
}

func checkVerdict(_ v: PythonVerdict, _ path: String, _ recorder: String) throws {
    let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    let r = try ChromeJSON.decode(bytes, pythonSource: fixtureSource)
    let a = Analysis(r.trace)
    let found = Set(a.findings.map(\.kind))
    #expect(a.advice.workClass == v.work, "\(v.program) \(recorder): \(a.advice.reason)")
    #expect(a.advice.models.first?.rawValue == v.model, "\(v.program) \(recorder): \(a.advice.models)")
    #expect(v.expected.isSubset(of: found), "\(v.program) \(recorder): found \(found.map(\.rawValue))")
    #expect(v.forbidden.isDisjoint(with: found), "\(v.program) \(recorder): found \(a.findings.map(\.title))")
}

@Suite struct PythonTraceVerdictTests {
    @Test(arguments: pythonVerdicts)
    func vizTracerFixture(_ v: PythonVerdict) throws {
        let path = pythonFixtures.appendingPathComponent("traces/\(v.program).viz.json").path
        try checkVerdict(v, path, "viz")
    }

    @Test(arguments: ["blocked_loop", "cpu_threads", "aio_semaphore"])
    func vizTracerLogAsyncFixture(_ program: String) throws {
        let v = try #require(pythonVerdicts.first { $0.program == program })
        try checkVerdict(v, pythonFixtures.appendingPathComponent("traces/\(program).viz-async.json").path, "viz-async")
    }

    /// With `--ignore_c_function` VizTracer drops `time.sleep`; the function's source (kept in the trace's
    /// file_info) says what its own time was.
    @Test(arguments: ["sleepers", "prodcons", "blocked_loop"])
    func vizTracerWithoutCFunctionsFixture(_ program: String) throws {
        let v = try #require(pythonVerdicts.first { $0.program == program })
        try checkVerdict(v, pythonFixtures.appendingPathComponent("traces/\(program).viz-noc.json").path, "viz-noc")
    }

    /// Every py-spy fixture (`program.recorder.json`) gets its program's verdict. Among them, recordings that read
    /// wrong before: `lock_threads.spy-gil-imports` (`--gil` on a loaded machine caught only imports and the main
    /// thread's bare root frame), `lock_threads.spy-gil-thin` (one worker caught once, the main thread in
    /// `Thread.start`), `sleepers.spy-gil-caught` (the main thread caught once between two `submit` calls, then
    /// never again while its workers slept: CPU-bound), `cpu_threads.spy-idle` (constant `spin` stacks read as waiting: mixed),
    /// `process_pool.spy-gil` (the parent only: I/O-bound, threads), `aio_semaphore.spy-gil-import` and
    /// `run_in_executor.spy-gil` (`--gil` caught no frame of the loop, only the program's `import asyncio` or
    /// `asyncio.run(` line: told threads).
    @Test(arguments: [
        "sleepers.spy-gil", "sleepers.spy-gil-caught", "cpu_threads.spy-gil", "cpu_threads.spy-idle",
        "lock_threads.spy-gil",
        "lock_threads.spy-gil-imports", "lock_threads.spy-gil-thin", "prodcons.spy-gil", "process_pool.spy-gil",
        "aio_semaphore.spy-gil", "aio_semaphore.spy-gil-import", "run_in_executor.spy-gil", "blocked_loop.spy-gil",
        "hot_loop.spy-gil", "hot_loop.spy-idle",
    ])
    func pySpyFixture(_ name: String) throws {
        let program = String(name.prefix { $0 != "." })
        var v = try #require(pythonVerdicts.first { $0.program == program })
        // `--gil` samples only the thread holding the GIL: a thread waiting for a lock or a queue is not seen there.
        if name.contains(".spy-gil") { v.expected.subtract([.lockContention, .producerConsumer, .blockedEventLoop]) }
        try checkVerdict(
            v, pythonFixtures.appendingPathComponent("traces/\(name).json").path,
            String(name.dropFirst(program.count + 1)))
    }

    /// py-spy samples Python frames only: the line of the innermost frame says it was in `time.sleep`.
    @Test func pySpySleepersReadTheirLine() throws {
        let v = try #require(pythonVerdicts.first { $0.program == "sleepers" })
        try checkVerdict(v, pythonFixtures.appendingPathComponent("traces/sleepers.spy-idle.json").path, "spy-idle")
        let bytes = try [UInt8](
            Data(contentsOf: pythonFixtures.appendingPathComponent("traces/sleepers.spy-idle.json")))
        let t = try ChromeJSON.decode(bytes, pythonSource: fixtureSource).trace
        let downloads = t.spans.filter { $0.name == "download" }
        #expect(!downloads.isEmpty)
        for d in downloads {
            #expect(d.waits.first?.reason == .sleep)
            #expect(d.waits.first?.object?.contains("time.sleep(0.1)") == true)
        }
        // Without the sources nothing is inferred: the trace alone cannot tell.
        let bare = try ChromeJSON.decode(bytes).trace
        #expect(bare.spans.filter { $0.name == "download" }.allSatisfy { $0.waits.isEmpty })
    }

    /// `--log_async` lanes are tasks: one span from the first step to the last, the steps its children, the gaps
    /// suspensions named by what the step before awaited (the semaphore, then the sleep).
    @Test func asyncioTasksLiveFromFirstStepToLast() throws {
        let t = try ChromeJSON.read(
            path: pythonFixtures.appendingPathComponent("traces/aio_semaphore.viz-async.json").path
        ).trace
        let tasks = t.spans.filter { s in
            s.parent == nil && t.lane(s.lane)?.kind == .task && s.attributes.contains(Attribute("coroutine", "fetch"))
        }
        #expect(tasks.count == 40)
        var reasons = Set<WaitReason>()
        for task in tasks {
            #expect(task.name == t.lane(task.lane)?.name)
            let steps = t.spans.filter { $0.parent == task.id }
            #expect(steps.count >= 2 && steps.first?.name == "fetch")
            #expect(steps.map(\.start).min() == task.start && steps.map(\.end).max() == task.end)
            // Waits lie between steps, never inside one.
            for w in task.waits { #expect(!steps.contains { $0.start < w.end && w.start < $0.end }) }
            reasons.formUnion(task.waits.map(\.reason))
        }
        #expect(reasons.contains(.sleep))
        #expect(reasons.contains(.semaphore))
        #expect(t.validate().isEmpty)
    }

    /// The loop blocked by `time.sleep(0.5)` in a coroutine: the finding names the coroutine and the call.
    @Test func blockedLoopNamesTheCoroutineAndTheCall() throws {
        let r = try ChromeJSON.read(path: pythonFixtures.appendingPathComponent("traces/blocked_loop.viz.json").path)
        let f = try #require(Analysis(r.trace).findings(.blockedEventLoop).first)
        #expect(f.title.contains("slow_handler"))
        #expect(f.title.contains("time.sleep"))
        let longest = try #require(f.figures["longest"])
        #expect(longest >= 450e6 && longest < 1e9)
    }

    /// With `--ignore_c_function` the sleep is invisible: the loop still stood still between two polls.
    @Test func blockedLoopWithoutCFunctions() throws {
        let r = try ChromeJSON.read(
            path: pythonFixtures.appendingPathComponent("traces/blocked_loop.viz-noc.json").path)
        let f = try #require(Analysis(r.trace).findings(.blockedEventLoop).first)
        #expect(f.title.contains("slow_handler"))
        #expect(try #require(f.figures["longest"]) >= 450e6)
    }

    /// py-spy samples Python frames only: the stall shows between two samples in the selector.
    @Test func blockedLoopInPySpySamples() throws {
        let r = try ChromeJSON.read(
            path: pythonFixtures.appendingPathComponent("traces/blocked_loop.spy-idle.json").path)
        let f = try #require(Analysis(r.trace).findings(.blockedEventLoop).first)
        #expect(f.title.contains("slow_handler"))
        #expect(try #require(f.figures["longest"]) >= 400e6)
    }

    /// The GIL finding says what the trace cannot show.
    @Test func gilFindingSaysWhoHeldItIsUnknown() throws {
        let r = try ChromeJSON.read(path: pythonFixtures.appendingPathComponent("traces/cpu_threads.viz.json").path)
        let f = try #require(Analysis(r.trace).findings(.serialisedCPU).first)
        #expect(f.evidence.contains("cannot show who held the GIL"))
        #expect(f.lanes.count == 4)
    }

    /// `with lock:` is no call to a profiler: the finding is inferred and says so.
    @Test func inferredLockSaysHowSure() throws {
        let r = try ChromeJSON.read(path: pythonFixtures.appendingPathComponent("traces/lock_threads.viz.json").path)
        let f = try #require(Analysis(r.trace).findings(.lockContention).first)
        #expect(f.title.contains("'work'"))
        #expect(f.title.contains("evidence"))
        #expect(f.figures["inferred"] == 1)
    }

    /// Advice text speaks Python; the JSON identifiers stay as they are.
    @Test func adviceUsesPythonWords() throws {
        let r = try ChromeJSON.read(path: pythonFixtures.appendingPathComponent("traces/sleepers.viz.json").path)
        let a = Analysis(r.trace).advice
        #expect(a.reason.contains("ThreadPoolExecutor"))
        #expect(a.models == [.threads, .async])
        let cpu = Analysis(
            try ChromeJSON.read(path: pythonFixtures.appendingPathComponent("traces/cpu_threads.viz.json").path).trace)
        #expect(cpu.advice.reason.contains("ProcessPoolExecutor"))
        #expect(cpu.advice.reason.contains("GIL"))
    }

    // MARK: Live recordings, when the tools are installed

    static let viztracer = pythonTool("viztracer")
    static let pyspy = pythonTool("py-spy")
    /// The interpreter itself, not a wrapper such as a pyenv shim: py-spy `--subprocesses` attaches to the process
    /// it starts and may miss the interpreter a wrapper starts after it.
    static let python: String? = {
        guard let python3 = pythonTool("python3") else { return nil }
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: python3)
        process.arguments = ["-c", "import sys; print(sys.executable)"]
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !path.isEmpty ? path : python3
    }()

    @Test(
        .enabled(if: viztracer != nil, "viztracer is not installed"),
        arguments: ["sleepers", "cpu_threads", "lock_threads"])
    func liveVizTracer(_ program: String) throws {
        let v = try #require(pythonVerdicts.first { $0.program == program })
        let out = try record(Self.viztracer!, ["--quiet", "-o", "{out}", "{src}"], program)
        defer { try? FileManager.default.removeItem(atPath: out) }
        try checkVerdict(v, out, "live viz")
    }

    @Test(.enabled(if: viztracer != nil, "viztracer is not installed"), arguments: ["sleepers", "prodcons"])
    func liveVizTracerWithoutCFunctions(_ program: String) throws {
        let v = try #require(pythonVerdicts.first { $0.program == program })
        let out = try record(Self.viztracer!, ["--quiet", "--ignore_c_function", "-o", "{out}", "{src}"], program)
        defer { try? FileManager.default.removeItem(atPath: out) }
        try checkVerdict(v, out, "live viz-noc")
    }

    @Test(
        .enabled(if: pyspy != nil && pythonTool("python3") != nil, "py-spy is not installed"),
        arguments: ["sleepers", "cpu_threads"])
    func livePySpy(_ program: String) throws {
        let v = try #require(pythonVerdicts.first { $0.program == program })
        try recordUntilVerdict(v, ["--idle"], "live spy-idle")
    }

    /// py-spy `--gil` (only the thread holding the GIL is sampled): waiting programs stay I/O-bound without a GIL
    /// claim, CPU-bound threads stay CPU-bound, a parent waiting on a process pool is told its work is in
    /// processes, an asyncio program is told asyncio. What `--gil` cannot see (a thread waiting for a lock or a
    /// queue, an idle or blocked loop) is not required. On a loaded machine py-spy may catch almost nothing of a
    /// short program; the verdict may then rest on what little it caught, so a program gets up to three
    /// recordings that caught something (one that caught nothing, or only threads waiting on one another, gets no
    /// advice and is made again, up to eight in all) and the verdict (work class, first model, expected findings) must hold in one of them; every
    /// recording is checked for no forbidden finding.
    @Test(
        .enabled(if: pyspy != nil && pythonTool("python3") != nil, "py-spy is not installed"),
        arguments: [
            "sleepers", "lock_threads", "prodcons", "cpu_threads", "process_pool", "aio_semaphore", "run_in_executor",
        ])
    func livePySpyGIL(_ program: String) throws {
        var v = try #require(pythonVerdicts.first { $0.program == program })
        v.expected.subtract([.lockContention, .producerConsumer, .blockedEventLoop, .serialisedCPU])
        try recordUntilVerdict(v, ["--gil"], "live spy-gil")
    }

    /// py-spy `--subprocesses`: every program keeps its verdict, process_pool with its workers sampled too.
    @Test(
        .enabled(if: pyspy != nil && pythonTool("python3") != nil, "py-spy is not installed"),
        arguments: ["sleepers", "cpu_threads", "aio_semaphore", "process_pool"])
    func livePySpySubprocesses(_ program: String) throws {
        let v = try #require(pythonVerdicts.first { $0.program == program })
        try recordUntilVerdict(v, ["--idle", "--subprocesses"], "live spy-sub")
    }

    /// py-spy `--idle` on the rest of the programs (sleepers and cpu_threads are in ``livePySpy``).
    @Test(
        .enabled(if: pyspy != nil && pythonTool("python3") != nil, "py-spy is not installed"),
        arguments: ["lock_threads", "prodcons", "process_pool", "aio_semaphore", "run_in_executor", "hot_loop"])
    func livePySpyIdle(_ program: String) throws {
        let v = try #require(pythonVerdicts.first { $0.program == program })
        try recordUntilVerdict(v, ["--idle"], "live spy-idle")
    }

    /// VizTracer `--log_async` on the asyncio programs, and plain VizTracer on the rest.
    @Test(
        .enabled(if: viztracer != nil, "viztracer is not installed"),
        arguments: ["aio_semaphore", "run_in_executor", "prodcons", "process_pool"])
    func liveVizTracerMore(_ program: String) throws {
        let v = try #require(pythonVerdicts.first { $0.program == program })
        let asyncio = program == "aio_semaphore" || program == "run_in_executor"
        let out = try record(
            Self.viztracer!, ["--quiet"] + (asyncio ? ["--log_async"] : []) + ["-o", "{out}", "{src}"], program)
        defer { try? FileManager.default.removeItem(atPath: out) }
        try checkVerdict(v, out, asyncio ? "live viz-async" : "live viz")
    }

    /// Records `program` with py-spy and `options` up to three times until the verdict holds; every recording must
    /// be free of the forbidden findings.
    func recordUntilVerdict(_ v: PythonVerdict, _ options: [String], _ recorder: String) throws {
        var reasons: [String] = []
        // A recording in which py-spy caught nothing (`[]`) or too little to advise on (told "no advice") is honest
        // but proves nothing: it is made again without counting, up to eight recordings in all.
        var counted = 0
        for _ in 0..<8 where counted < 3 {
            guard
                let out = try tryRecord(
                    Self.pyspy!,
                    ["record", "--nonblocking", "--threads", "-r", "200"] + options
                        + ["-f", "chrometrace", "-o", "{out}", "--", Self.python!, "{src}"],
                    v.program)
            else {
                reasons.append("py-spy failed")
                continue
            }
            defer { try? FileManager.default.removeItem(atPath: out) }
            let a = Analysis(try ChromeJSON.read(path: out).trace)
            let found = Set(a.findings.map(\.kind))
            #expect(v.forbidden.isDisjoint(with: found), "\(v.program) \(recorder): \(a.findings.map(\.title))")
            // No advice at all (`unknown`: py-spy caught nothing, or with `--gil` only threads waiting on one another)
            // is no wrong verdict but too little to judge: recorded again, not counted.
            if a.advice.workClass == .unknown {
                reasons.append(a.statistics.spanCount == 0 ? "caught nothing" : "caught too little: no advice")
                continue
            }
            counted += 1
            if a.advice.workClass == v.work, a.advice.models.first?.rawValue == v.model, v.expected.isSubset(of: found)
            {
                return
            }
            reasons.append("\(a.advice.workClass) \(a.advice.models) \(found.map(\.rawValue)): \(a.advice.reason)")
        }
        Issue.record("\(v.program) \(recorder): no recording gave the verdict: \(reasons)")
    }

    @Test(.enabled(if: viztracer != nil, "viztracer is not installed"))
    func liveVizTracerLogAsyncBlockedLoop() throws {
        let v = try #require(pythonVerdicts.first { $0.program == "blocked_loop" })
        let out = try record(Self.viztracer!, ["--quiet", "--log_async", "-o", "{out}", "{src}"], "blocked_loop")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try checkVerdict(v, out, "live viz-async")
    }

    @Test(.enabled(if: pyspy != nil && pythonTool("python3") != nil, "py-spy is not installed"))
    func livePySpyBlockedLoop() throws {
        // A sampler on a loaded machine can merge the loop's polls into too few to call a loop: one more recording
        // then, and the finding must be in one of the two.
        var found = false
        for _ in 0..<2 where !found {
            let out = try record(
                Self.pyspy!,
                [
                    "record", "--nonblocking", "--threads", "-r", "200", "--idle", "-f", "chrometrace", "-o", "{out}",
                    "--", Self.python!, "{src}",
                ],
                "blocked_loop")
            defer { try? FileManager.default.removeItem(atPath: out) }
            let r = try ChromeJSON.read(path: out)
            found = !Analysis(r.trace).findings(.blockedEventLoop).isEmpty
        }
        #expect(found)
    }

    /// Runs `tool` with `arguments` ({src}: the program, {out}: the trace) and returns the trace's path.
    func record(_ tool: String, _ arguments: [String], _ program: String) throws -> String {
        let out = try tryRecord(tool, arguments, program)
        try #require(out != nil, "\(tool) could not record \(program)")
        return out!
    }

    /// As ``record(_:_:_:)``, nil when the tool failed (py-spy now and then loses a thread it was reading).
    func tryRecord(_ tool: String, _ arguments: [String], _ program: String) throws -> String? {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-py-\(UUID().uuidString).json")
            .path
        let src = pythonFixtures.appendingPathComponent("\(program).py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments.map { $0 == "{src}" ? src : $0 == "{out}" ? out : $0 }
        process.currentDirectoryURL = FileManager.default.temporaryDirectory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            try? FileManager.default.removeItem(atPath: out)
            return nil
        }
        return out
    }
}

/// The full path of `name` in `PATH`, if it is there.
func pythonTool(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let candidate = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}
