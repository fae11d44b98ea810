import Foundation
import LanesCore
import LanesFormat
import Testing

/// Issue 15, item 6: a trace written without `attachingSuspensions()` (a user's own tracing executor writing
/// a file) has its suspensions when read back, and reading it again changes nothing.
@Suite struct SuspensionsOnReadTests {
    /// 50 tasks that each run 1 ms, sleep 100 ms, run 1 ms: written raw, as the recorder would.
    static func sleepingTasks() -> Trace {
        var t = Trace(processes: [Process(pid: 1)])
        var id: UInt64 = 1
        for task in 0..<50 {
            let lane = LaneID(UInt32(task))
            t.lanes.append(Lane(id: lane, kind: .task, pid: 1, taskID: UInt64(task + 1)))
            let base = Int64(task) * 10_000
            let owner = SpanID(id)
            t.spans.append(Span(id: owner, name: "sleeper", lane: lane, threadID: 7, start: base, end: base + 102_000_000))
            t.spans.append(
                Span(id: SpanID(id + 1), name: Span.taskSliceName, lane: lane, threadID: 7, start: base, end: base + 1_000_000))
            t.spans.append(
                Span(
                    id: SpanID(id + 2), name: Span.taskSliceName, lane: lane, threadID: 8, start: base + 101_000_000,
                    end: base + 102_000_000))
            id += 3
        }
        return t
    }

    @Test func aRawTraceReadBackHasItsSuspensions() throws {
        let raw = Self.sleepingTasks()
        #expect(raw.waitCount == 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-susp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("raw.lanes").path
        try LanesFile.write(raw, to: path)
        let read = try LanesFile.read(path: path).trace
        let owners = read.spans.filter { $0.name == "sleeper" }
        #expect(owners.count == 50)
        for o in owners {
            #expect(o.waits.count == 1)
            #expect(o.waits.first?.reason == .suspended)
            #expect(o.waits.first?.duration == 100_000_000)
        }
        // Every slice now nests under its task's span.
        #expect(read.spans.filter { $0.name == Span.taskSliceName }.allSatisfy { $0.parent != nil })
        // Again: nothing more to add.
        #expect(read.attachingSuspensions() == read)
    }

    @Test func gapsOtherWaitsExplainAreNotSuspensions() {
        var t = Self.sleepingTasks()
        // A lock wait in the middle of the first task's gap: the suspension is cut around it.
        t.spans[0].waits = [Wait(reason: .lock, start: 50_000_000, end: 60_000_000)]
        let out = t.attachingSuspensions()
        let waits = out.spans[0].waits
        #expect(waits.map(\.reason) == [.suspended, .lock, .suspended])
        #expect(waits.map(\.duration) == [49_000_000, 10_000_000, 41_000_000])
    }
}
