import Foundation
import LanesAnalysis
import LanesCore
import LanesFormat
import Testing

/// Cells of the verdict table (program × py-spy option) that read wrong in some recordings, each on such a
/// recording (trimmed by trim.py).
@Suite struct PySpyRecordedCellsTests {
    static func trace(_ name: String) throws -> Trace {
        let bytes = try [UInt8](Data(contentsOf: pythonFixtures.appendingPathComponent("traces/\(name).json")))
        return try ChromeJSON.decode(bytes, pythonSource: fixtureSource).trace
    }

    static func verdict(_ program: String) throws -> PythonVerdict {
        try #require(pythonVerdicts.first { $0.program == program })
    }

    static func check(_ name: String, expected: Set<FindingKind>? = nil) throws {
        let program = String(name.prefix { $0 != "." })
        var v = try verdict(program)
        if let expected { v.expected = expected }
        try checkVerdict(
            v, pythonFixtures.appendingPathComponent("traces/\(name).json").path,
            String(name.dropFirst(program.count + 1)))
    }

    /// `--idle`: the ticker callbacks were too short to be sampled, so py-spy merged the selector's samples into one
    /// poll before `time.sleep(0.5)` and one after. Two polls of asyncio's `_run_once` are a loop all the same.
    @Test func mergedSamplesStillShowTheBlockedLoop() throws {
        try Self.check("blocked_loop.spy-idle-merged")
        let f = try #require(Analysis(try Self.trace("blocked_loop.spy-idle-merged")).findings(.blockedEventLoop).first)
        #expect(f.title.contains("slow_handler"), "\(f.title)")
        #expect(try #require(f.figures["longest"]) >= 400e6)
    }

    /// `--gil` on a loaded machine: the main thread, waiting in `Thread.join`, was left unseen (its root frame
    /// stretched) while the workers were seen computing. Not waiting on I/O: CPU-bound, not mixed.
    @Test func threadsUnseenWhileAnotherComputesAreNotIO() throws {
        try Self.check("cpu_threads.spy-gil-heldoff", expected: [.serialisedCPU])
        let a = Analysis(try Self.trace("cpu_threads.spy-gil-heldoff")).advice
        #expect(a.reason.contains("waiting for the GIL or in a blocking call"), "\(a.reason)")
    }

    /// `--gil`: the interpreter's start-up (a `zipimport` importer reading an archive on sys.path, outside any
    /// `_find_and_load`) is not the program computing: I/O-bound asyncio, not mixed.
    @Test func interpreterStartUpIsNotComputing() throws {
        try Self.check("run_in_executor.spy-gil-zipimport")
    }

    /// `--subprocesses`: forked workers share their parent's thread id, and each sample of the parent cuts the
    /// workers' frames. A worker whose next sample showed another frame lost the frame that was cut (its `spin`
    /// items): they are kept, and the work reads CPU-bound.
    @Test func forkedWorkersKeepTheirFrames() throws {
        let t = try Self.trace("process_pool.spy-sub-forked")
        let first = try #require(t.processes.first?.pid)
        let workers = Set(t.lanes.filter { $0.pid != first }.map(\.id))
        #expect(workers.count == 2)
        for lane in workers {
            let spin = t.spans.filter { $0.lane == lane && $0.name == "spin" }.reduce(0) { $0 + $1.duration }
            #expect(spin >= 50_000_000, "worker lane \(lane.rawValue): \(spin) ns of spin")
        }
        try Self.check("process_pool.spy-sub-forked")
        // py-spy joins a worker's back-to-back `spin` calls into one span: the item count is a floor, and says so.
        if let f = Analysis(t).findings(.processOverhead).first {
            #expect(f.evidence.contains("more items than counted"), "\(f.evidence)")
        }
    }

    /// `--subprocesses` on a short run: the parent's main thread sat with no Python frame after its last one (the
    /// interpreter exiting): neither computing nor waiting on I/O.
    @Test func interpreterExitIsNotWaiting() throws {
        try Self.check("process_pool.spy-sub-exit")
        let a = Analysis(try Self.trace("process_pool.spy-sub-exit")).advice
        #expect(a.reason.contains("the interpreter starting a thread or exiting"), "\(a.reason)")
    }

    /// `--gil` cannot see a loop blocked in `time.sleep` (it releases the GIL): asyncio, I/O-bound, and the advice
    /// says the recording cannot show a blocked loop; a recording with `--idle` that shows it needs no such caveat.
    @Test func blockedLoopUnderGILSaysWhatItCannotSee() throws {
        try Self.check("blocked_loop.spy-gil", expected: [])
        let gil = Analysis(try Self.trace("blocked_loop.spy-gil")).advice
        #expect(gil.reason.contains("cannot show a blocked event loop"), "\(gil.reason)")
        let idle = Analysis(try Self.trace("blocked_loop.spy-idle")).advice
        #expect(!idle.reason.contains("cannot show a blocked event loop"), "\(idle.reason)")
    }

    /// `--gil`: a pool worker caught once (in `Condition.notify`) and never again while it slept; the main thread's
    /// stack only fell back to its bare root frame as the interpreter exited. Not a thread computing in turns with
    /// another: waiting, so I/O-bound, not mixed.
    @Test func aWorkerCaughtOnceIsNotComputing() throws {
        try Self.check("sleepers.spy-gil-notify")
    }

    /// `--gil` caught only consumers in `Queue.get`: lanes waiting on one another, nothing computing and no I/O seen.
    /// No advice rather than a guess, and the reason says what to record instead.
    @Test func onlyQueueWaitsUnderGILGetNoAdvice() throws {
        let a = Analysis(try Self.trace("prodcons.spy-gil-queue"))
        #expect(a.advice.workClass == .unknown)
        #expect(a.advice.models.isEmpty)
        #expect(a.advice.reason.contains("record with --idle"), "\(a.advice.reason)")
        #expect(!a.findings.contains { $0.kind == .serialisedCPU })
    }
}
