import Foundation
import LanesCore
import LanesFormat
import LanesRecord
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 15: `lanes run` of an async model killed with SIGKILL leaves a readable prefix with its task slices, as it
/// did before the built-in models recorded their tasks into memory.
@Suite(.serialized) struct KilledAsyncRunTests {
    @Test func aKilledAsyncRunKeepsItsTaskSlices() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 20 downloads of 2-8 s, 5 at a time: far longer than the test waits.
        let child = try ChildProcess(
            path: lanesBinary, arguments: ["run", "downloads", "--model", "async", "--scale", "4", "--out", dir.path])
        func partial() -> String? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.first { $0.hasPrefix(".downloads-async.lanes.") && $0.hasSuffix(".partial") }
                .map { dir.appendingPathComponent($0).path }
        }
        // Wait (bounded) until task slices are in the stream, then kill the run.
        var seen = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let p = partial(), let r = try? LanesFile.read(path: p), case let n = slices(r.trace).count, n >= 5 {
                seen = n
                break
            }
            usleep(20_000)
        }
        child.kill(SIGKILL)
        #expect(try child.wait() == .signaled(SIGKILL))
        #expect(seen >= 5, "no task slices were streamed in 60 s")
        let result = try LanesFile.read(path: try #require(partial()))
        #expect(!result.isComplete)
        let trace = result.trace
        let found = slices(trace)
        #expect(found.count >= seen)
        let taskLanes = Set(trace.lanes.filter { $0.kind == .task && $0.taskID != nil }.map(\.id))
        #expect(found.allSatisfy { taskLanes.contains($0.lane) && $0.threadID != 0 })
        // The downloads are children of one task: their parent is named and the spawn arrows lead to them.
        #expect(trace.lanes.filter { taskLanes.contains($0.id) && $0.parentTaskID != nil }.count >= 5)
        #expect(trace.flows.contains { $0.name == "spawn" })
        #expect(trace.validate().isEmpty, "\(trace.validate())")
    }

    private func slices(_ trace: Trace) -> [Span] {
        trace.spans.filter { TaskRecording.recorderSpanIDs.contains($0.id.rawValue) && $0.name == Span.taskSliceName }
    }
}
