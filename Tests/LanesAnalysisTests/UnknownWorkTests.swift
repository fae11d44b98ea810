import Foundation
import LanesAnalysis
import LanesCore
import LanesFormat
import Testing

/// A trace that measured no work gets no advice, not a guess: py-spy `--gil` on a program that only waits often
/// catches no sample and writes `[]`, which was once told "CPU-bound, use processes".
@Suite struct UnknownWorkTests {
    @Test func anEmptyPySpyRecordingGetsNoAdvice() throws {
        // Written by `py-spy record --gil -f chrometrace` on prodcons.py, which caught no sample.
        let bytes = try [UInt8](
            Data(contentsOf: pythonFixtures.appendingPathComponent("traces/prodcons.spy-gil-empty.json")))
        let trace = try ChromeJSON.decode(bytes).trace
        let a = Analysis(trace)
        #expect(a.advice.workClass == .unknown)
        #expect(a.advice.models.isEmpty)
        #expect(a.advice.reason.contains("holds no spans"), "\(a.advice.reason)")
        #expect(AnalysisReport([("empty", trace)]).text.contains("  use: no recommendation\n"))
    }

    @Test func lanesOnlyWaitingOnEachOtherGetNoAdvice() {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 7, threadID: 7, name: "main")
        let b = Lane(id: LaneID(1), kind: .thread, pid: 7, threadID: 8, name: "worker")
        let spans = [
            Span(
                id: SpanID(1), name: "join", lane: a.id, threadID: 7, start: 0, end: 1_000_000, cpuTime: 0,
                waits: [Wait(reason: .join, start: 0, end: 1_000_000, object: "worker")]),
            Span(
                id: SpanID(2), name: "take", lane: b.id, threadID: 8, start: 0, end: 1_000_000, cpuTime: 0,
                waits: [Wait(reason: .lock, start: 0, end: 1_000_000, object: "m")]),
        ]
        let trace = Trace(
            metadata: Metadata(host: "box", cores: 2, scenario: "deadlock", model: "threads"),
            processes: [Process(pid: 7, name: "app")], lanes: [a, b], spans: spans)
        let advice = Analysis(trace).advice
        #expect(advice.workClass == .unknown)
        #expect(advice.models.isEmpty)
        #expect(advice.reason.contains("waiting on one another"), "\(advice.reason)")
    }

    /// A Chrome trace from a tool that is not a Python profiler is not assumed to run under an interpreter lock.
    @Test func aForeignChromeTraceComputingGetsThreadsFirst() throws {
        let json =
            #"[{"name":"work","ph":"X","ts":0,"dur":1000,"pid":1,"tid":1},"#
            + #"{"name":"work","ph":"X","ts":0,"dur":1000,"pid":1,"tid":2}]"#
        let advice = Analysis(try ChromeJSON.decode(Array(json.utf8)).trace).advice
        #expect(advice.workClass == .cpuBound)
        #expect(advice.models.first == .threads)
        #expect(!advice.reason.contains("held back by an interpreter lock"), "\(advice.reason)")
    }
}
