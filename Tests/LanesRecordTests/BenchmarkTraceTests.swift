import Glibc
import LanesCore
import LanesFormat
@testable import LanesRecord
import Testing

// In RecorderTests (serialized): the helper starts the process's one recorder.
extension RecorderTests {
    @Test func benchmarkTracingIsOffWithoutTheVariable() throws {
        unsetenv(BenchmarkTrace.directoryVariable)
        let unset = BenchmarkTracer.fromEnvironment()
        #expect(unset.directory == nil)
        setenv(BenchmarkTrace.directoryVariable, "", 1)
        defer { unsetenv(BenchmarkTrace.directoryVariable) }
        let empty = BenchmarkTracer.fromEnvironment()
        #expect(empty.directory == nil)
        for tracer in [unset, empty] {
            for _ in 0..<3 {
                let iteration = tracer.begin("sort", traced: 2)
                #expect(!iteration.isTraced)
                #expect(!Recorder.isRecording)
                iteration.end()
            }
            #expect(tracer.finish() == nil)
        }
    }

    @Test func benchmarkTracingWritesTheFirstIterationsToTheVariablesFolder() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        setenv(BenchmarkTrace.directoryVariable, dir, 1)
        defer { unsetenv(BenchmarkTrace.directoryVariable) }
        let tracer = BenchmarkTracer.fromEnvironment()
        #expect(tracer.directory == dir)

        var traced: [Bool] = []
        for _ in 0..<8 {
            let iteration = tracer.begin("sort/1000 items", traced: 3)
            traced.append(iteration.isTraced)
            #expect(Recorder.isRecording == iteration.isTraced)
            span("inner") { tracedSleep(.microseconds(200)) }
            iteration.end()
        }
        // The recorder stopped when the third iteration ended: the rest ran with recording off.
        #expect(traced == [true, true, true, false, false, false, false, false])
        #expect(!Recorder.isRecording)
        #expect(tracer.finish() == nil)

        let path = "\(dir)/sort_1000_items.lanes"
        let result = try LanesFile.read(path: path)
        #expect(result.isComplete)
        let trace = result.trace
        let iterations = trace.spans.filter { $0.name == "sort/1000 items" }
        let inner = trace.spans.filter { $0.name == "inner" }
        #expect(iterations.count == 3)
        #expect(inner.count == 3)
        #expect(inner.allSatisfy { child in iterations.contains { $0.id == child.parent } })
        #expect(inner.allSatisfy { $0.waits.first?.reason == .sleep })
        #expect(trace.metadata.scenario == "sort/1000 items")
    }

    @Test func benchmarkTracingFinishesShortRunsAndEachNameInItsOwnFile() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let tracer = BenchmarkTracer(directory: dir)
        for _ in 0..<2 { tracer.begin("a", traced: 10).end() }
        #expect(Recorder.isRecording)
        // A new name finishes the previous benchmark's trace first.
        let b = tracer.begin("b", traced: 10)
        #expect(b.isTraced)
        b.end()
        #expect(tracer.finish() == "\(dir)/b.lanes")
        #expect(!Recorder.isRecording)
        #expect(try LanesFile.read(path: "\(dir)/a.lanes").trace.spans.map(\.name) == ["a", "a"])
        #expect(try LanesFile.read(path: "\(dir)/b.lanes").trace.spans.map(\.name) == ["b"])
    }

    @Test func benchmarkTracingThatCannotStartSaysSoAndRunsTheBenchmark() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let other = try Recorder.start(.init())
        defer { _ = try? other.stop() }
        let tracer = BenchmarkTracer(directory: dir)
        var ran = 0
        for _ in 0..<3 {
            let iteration = tracer.begin("sort", traced: 2)
            #expect(!iteration.isTraced)
            ran += 1
            iteration.end()
        }
        #expect(ran == 3)
        #expect(tracer.finish() == nil)
    }

    @Test func benchmarkTraceFileNamesAreSafe() {
        #expect(BenchmarkTracer.fileName(for: "sort") == "sort.lanes")
        #expect(BenchmarkTracer.fileName(for: "a/b c (size: 3)") == "a_b_c_(size__3).lanes")
        #expect(BenchmarkTracer.fileName(for: "../x") == "_.._x.lanes")
        #expect(BenchmarkTracer.fileName(for: "") == "_.lanes")
    }

    @Test func asyncBenchmarkIterationsFollowTheTask() async throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let tracer = BenchmarkTracer(directory: dir)
        for _ in 0..<3 {
            try await tracer.iteration("fetch", traced: 2, isolation: nil) {
                try await Task.sleep(for: .milliseconds(1))
                span("decode") {}
            }
        }
        #expect(!Recorder.isRecording)
        let trace = try LanesFile.read(path: "\(dir)/fetch.lanes").trace
        let fetches = trace.spans.filter { $0.name == "fetch" }
        #expect(fetches.count == 2)
        #expect(trace.spans.filter { $0.name == "decode" }.count == 2)
        #expect(fetches.allSatisfy { $0.end - $0.start >= 1_000_000 })
    }
}
