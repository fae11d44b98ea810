import Foundation
import LanesAnalysis
import LanesCore
import LanesFormat
import Testing

/// py-spy `--gil` samples only the thread holding the GIL, and writes an event only when a sampled stack
/// changes: a program that mostly sleeps or waits leaves long stretches without events, over which its last
/// frames are stretched. Those stretches are waiting, not computing (issue 13); threads that take turns in Python
/// code change the sampled stack far more often and stay CPU-bound. The traces are the fixture programs recorded
/// by record.sh with `py-spy record --gil`.
@Suite struct PySpyGILVerdictTests {
    static func analysis(_ name: String, sources: Bool = true) throws -> Analysis {
        let bytes = try [UInt8](Data(contentsOf: pythonFixtures.appendingPathComponent("traces/\(name)")))
        return Analysis(try ChromeJSON.decode(bytes, pythonSource: sources ? fixtureSource : nil).trace)
    }

    /// Sleeping downloads, a lock held across a sleep, a queue with sleeping consumers, asyncio sleeps: a Python
    /// programmer calls none of them CPU-bound, and none should be sent to processes.
    @Test(arguments: ["sleepers", "lock_threads", "prodcons", "aio_semaphore"])
    func waitingProgramsAreNotCPUBound(_ program: String) throws {
        let a = try Self.analysis("\(program).spy-gil.json")
        #expect(a.advice.workClass == .ioBound, "\(a.advice.reason)")
        #expect(a.advice.models.first != .processes)
        #expect(!a.findings.contains { $0.kind == .serialisedCPU }, "\(a.findings.map(\.title))")
        // What the data cannot tell is said.
        #expect(a.advice.reason.contains("the file cannot say which"), "\(a.advice.reason)")
        #expect(a.advice.reason.contains("--idle"))
    }

    /// Threads spinning in Python code hand the GIL over every few milliseconds: no long stretch without
    /// samples, so the verdict stays CPU-bound, with processes first and the GIL finding.
    @Test func spinningThreadsStayCPUBound() throws {
        let a = try Self.analysis("cpu_threads.spy-gil.json")
        #expect(a.advice.workClass == .cpuBound, "\(a.advice.reason)")
        #expect(a.advice.models.first == .processes)
        #expect(a.findings.contains { $0.kind == .serialisedCPU })
        #expect(!a.advice.reason.contains("no sampled stack changed"))
    }

    /// One pure-Python function computing for 3 s in one thread: its sampled stack changes only when the sampled
    /// line does, so it too leaves stretches without events, but short ones, many and alike. They do not make it
    /// waiting, with `--gil` or with `--idle`.
    @Test(arguments: ["hot_loop.spy-gil.json", "hot_loop.spy-idle.json"])
    func oneHotFunctionStaysCPUBound(_ name: String) throws {
        let a = try Self.analysis(name)
        #expect(a.advice.workClass == .cpuBound, "\(a.advice.reason)")
        #expect(a.advice.models.first == .processes)
    }

    /// The waiting counted is the threads' time inside the stretches, and the figures the reason prints agree
    /// with it: the waiting time printed equals the unsampled time.
    @Test func theReasonPrintsTheUnsampledTime() throws {
        let a = try Self.analysis("lock_threads.spy-gil.json")
        let reason = a.advice.reason
        #expect(reason.contains("of it time in which py-spy sampled no change"))
        guard let against = reason.range(of: " against "), let waiting = reason.range(of: " waiting (") else {
            Issue.record("no figures in \(reason)")
            return
        }
        let total = reason[against.upperBound..<waiting.lowerBound]
        #expect(reason.contains("(\(total) of it time in which py-spy sampled no change"), "\(reason)")
        #expect(reason.contains("For \(total) of the threads' time"), "\(reason)")
    }

    /// py-spy `--idle` samples sleeping threads, but `time.sleep` is a C call, visible only from the source line
    /// that made it: without the sources, the sleeping workers' frames once read as CPU-bound computing. Their
    /// unchanging stacks are the same stretches without events, and the reason says why the waits are unknown.
    @Test func idleSamplesWithoutSourcesAreNotCPUBound() throws {
        let a = try Self.analysis("sleepers.spy-idle.json", sources: false)
        #expect(a.advice.workClass == .ioBound, "\(a.advice.reason)")
        #expect(a.advice.models.first == .threads)
        #expect(a.advice.reason.contains("the source line of the call was found"), "\(a.advice.reason)")
        // With the sources the sleeps are recognised, and no stretch is counted.
        let withSources = try Self.analysis("sleepers.spy-idle.json")
        #expect(withSources.advice.workClass == .ioBound)
        #expect(!withSources.advice.reason.contains("no sampled stack changed"), "\(withSources.advice.reason)")
    }
}
