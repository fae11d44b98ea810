import Foundation
import LanesCore
import LanesFormat
import LanesRecord
import Testing

/// The executor the DocC guide describes, shipped: tasks run on it written to a file read back with
/// their slices and suspensions, with no step the caller must remember (issue 15, item 6).
@Suite(.serialized) struct TracingTaskExecutorTests {
    @Test func sleepingTasksWrittenToAFileReadBackSuspended() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tasks.lanes").path
        let executor = try TracingTaskExecutor(threads: 2)
        let recorder = try Recorder.start(.init(output: .file(path)))
        await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask { await span("sleeper") { try? await Task.sleep(for: .milliseconds(30)) } }
                }
            }
        }
        _ = try recorder.stop()
        executor.shutdown()
        let trace = try LanesFile.read(path: path).trace
        let sleepers = trace.spans.filter { $0.name == "sleeper" }
        #expect(sleepers.count == 20)
        for s in sleepers {
            // Asleep most of the time: suspended, not running.
            let suspended = s.waits.filter { $0.reason == .suspended }.reduce(0) { $0 + $1.duration }
            #expect(suspended * 2 > s.duration, "\(suspended) of \(s.duration) suspended")
        }
        let slices = trace.spans.filter { $0.name == taskSliceName }
        #expect(slices.count >= 40)
        // Each sleeper's slices nest under it (the test's own task, which has no span, keeps its slices bare).
        let sleeperLanes = Set(sleepers.map(\.lane))
        let nested = slices.filter { sleeperLanes.contains($0.lane) }
        // Two slices a sleeper (before and after its sleep); the last one or two may end after the group returned
        // and the recorder stopped, racing with the stop.
        #expect(nested.count >= 38)
        #expect(Set(nested.map(\.lane)) == sleeperLanes)
        #expect(nested.allSatisfy { $0.parent != nil })
    }
}
