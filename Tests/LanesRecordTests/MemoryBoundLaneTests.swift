import LanesCore
import LanesRecord
import Testing

/// Issue 19, defect 10: a thread that lost events to the memory bound keeps its lane, which says what it dropped.
@Suite(.serialized) struct MemoryBoundLaneTests {
    @Test func everyThreadHasALaneAndItsDropsAreMarked() throws {
        // Four 1 KiB buffers (32 records each) for sixteen busy threads: most threads keep nothing.
        let recorder = try Recorder.start(.init(memoryLimit: 4096, bufferSize: 1024))
        let threads = try (0..<16).map { i in
            try TracedThread(name: "busy-\(i)") { for _ in 0..<2_000 { span("x") {} } }
        }
        for t in threads { t.join() }
        let recording = try recorder.stop()
        let trace = try #require(recording.trace)
        #expect(recording.droppedEvents > 0)
        var dropsMarked: UInt64 = 0
        for i in 0..<16 {
            let lanes = trace.lanes.filter { $0.kind == .thread && $0.name == "busy-\(i)" }
            #expect(lanes.count == 1, "busy-\(i) has \(lanes.count) lanes")
            guard let lane = lanes.first else { continue }
            let kept = trace.spans.filter { $0.lane == lane.id && $0.name == "x" }.count
            let marks = trace.marks.filter { $0.lane == lane.id && $0.name.hasPrefix("dropped ") }
            let dropped = marks.compactMap { UInt64($0.name.dropFirst("dropped ".count).prefix { $0.isNumber }) }.reduce(0, +)
            #expect(UInt64(kept) + dropped == 2_000, "busy-\(i): \(kept) kept, \(dropped) dropped")
            dropsMarked += dropped
        }
        // Every dropped event is on some lane's mark (the main thread's join waits may be dropped too).
        let allMarked = trace.marks.filter { $0.name.hasPrefix("dropped ") }
            .compactMap { UInt64($0.name.dropFirst("dropped ".count).prefix { $0.isNumber }) }.reduce(0, +)
        #expect(allMarked == recording.droppedEvents)
        #expect(dropsMarked <= allMarked)
    }
}
