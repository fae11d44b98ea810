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
        // Streamed to a file, the tasks still name their parent and the spawn arrows lead to them.
        #expect(trace.lanes.filter { sleeperLanes.contains($0.id) }.allSatisfy { $0.parentTaskID != nil })
        #expect(trace.flows.filter { $0.name == "spawn" }.count >= 20)
    }

    /// Issue 15, item 5: the executor records jobs as `lanes record` does (one format, one lane builder): each task
    /// one lane, its slices nested under its own spans, its parent named, spawn and wake flows.
    @Test func tasksHaveOneLaneEachWithParentsAndFlows() async throws {
        let executor = try TracingTaskExecutor(threads: 2)
        defer { executor.shutdown() }
        let recorder = try Recorder.start(.init(output: .memory))
        await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        await span("child") {
                            for _ in 0..<3 { await Task.yield() }
                            // The parent is waiting for the group by the time the children end: they wake it.
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
        }
        let trace = try #require(try recorder.stop().trace)
        #expect(trace.validate().isEmpty, "\(trace.validate())")
        let taskLanes = trace.lanes.filter { $0.kind == .task && $0.taskID != nil }
        // One lane per task: the recorder's lane of a task's spans is the lane of its slices.
        #expect(Set(taskLanes.compactMap(\.taskID)).count == taskLanes.count)
        let children = trace.spans.filter { $0.name == "child" }
        let childLanes = Set(children.map(\.lane))
        #expect(children.count == 10 && childLanes.count == 10)
        let parents = Set(taskLanes.filter { childLanes.contains($0.id) }.compactMap(\.parentTaskID))
        #expect(parents.count == 1, "the ten children name one parent task: \(parents)")
        let slices = trace.spans.filter { $0.name == taskSliceName && childLanes.contains($0.lane) }
        // A slice to start, one after each yield and one after the sleep, each under the child's span (one still
        // running when the recorder stopped is there too, cut at the stop).
        #expect(slices.count >= 50)
        let childIDs = Set(children.map(\.id))
        #expect(slices.allSatisfy { $0.parent.map(childIDs.contains) ?? false })
        #expect(children.allSatisfy { c in c.waits.contains { $0.reason == .suspended } })
        let spawns = trace.flows.filter { $0.name == "spawn" }
        #expect(spawns.count >= 10, "\(spawns.count) spawn flows")
        // The parent resumed by a finishing child: a wake flow into the parent's lane. (The parent waits for the
        // group unless it was held off its thread past the children's sleep: then it has one slice, nothing woke it.)
        let parentLanes = Set(taskLanes.filter { parents.contains($0.taskID ?? 0) }.map(\.id))
        let laneOfSpan = Dictionary(trace.spans.map { ($0.id, $0.lane) }, uniquingKeysWith: { a, _ in a })
        let parentSlices = trace.spans.filter { $0.name == taskSliceName && parentLanes.contains($0.lane) }
        #expect(!parentSlices.isEmpty)
        if parentSlices.count >= 2 {
            #expect(
                trace.flows.contains {
                    $0.name == "wake" && parentLanes.contains(laneOfSpan[$0.to] ?? LaneID(UInt32.max))
                })
        }
        #expect(trace.flows.allSatisfy { laneOfSpan[$0.from] != nil && laneOfSpan[$0.to] != nil })
    }

    /// No recorder, nothing recorded; a recorder after it records only its own jobs.
    @Test func onlyJobsWhileRecordingAreRecorded() async throws {
        let executor = try TracingTaskExecutor(threads: 2)
        defer { executor.shutdown() }
        await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<5 { group.addTask { await span("before") { await Task.yield() } } }
            }
        }
        let recorder = try Recorder.start(.init(output: .memory))
        await withTaskExecutorPreference(executor) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<5 { group.addTask { await span("during") { await Task.yield() } } }
            }
        }
        let trace = try #require(try recorder.stop().trace)
        let start = try #require(trace.spans.filter { $0.name == "during" }.map(\.start).min())
        let slices = trace.spans.filter { $0.name == taskSliceName }
        #expect(slices.count >= 10)
        // Every slice is of this recording (allowing for the group's set-up just before the first span).
        #expect(slices.allSatisfy { $0.end >= start - 50_000_000 })
    }
}
