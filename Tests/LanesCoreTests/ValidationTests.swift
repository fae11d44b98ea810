import LanesCore
import Testing

@Suite struct ValidationTests {
    func sound() -> Trace {
        let lane = Lane(id: LaneID(0), kind: .thread, pid: 10, threadID: 11, name: "main")
        let outer = Span(
            id: SpanID(1), name: "outer", lane: lane.id, threadID: 11, start: 100, end: 1_000,
            waits: [Wait(reason: .sleep, start: 200, end: 300), Wait(reason: .lock, start: 400, end: 450)])
        let inner = Span(
            id: SpanID(2), name: "inner", lane: lane.id, threadID: 11, start: 500, end: 600, parent: outer.id)
        return Trace(
            processes: [Process(pid: 10, name: "p")], lanes: [lane], spans: [outer, inner],
            marks: [Mark(name: "m", lane: lane.id, time: 150)],
            flows: [Flow(id: 1, from: outer.id, to: inner.id, fromTime: 150, toTime: 500)])
    }

    @Test func soundTraceHasNoProblems() {
        #expect(sound().validate().isEmpty)
    }

    @Test func reportsEndBeforeStart() {
        var t = sound()
        t.spans[1].end = 400
        #expect(t.validate() == [.spanEndsBeforeStart(SpanID(2), name: "inner", start: 500, end: 400)])
    }

    @Test func reportsWaitOutsideItsSpan() {
        var t = sound()
        t.spans[0].waits[1].end = 1_200
        #expect(t.validate() == [.waitOutsideSpan(SpanID(1), index: 1, reason: .lock)])
    }

    @Test func reportsUnknownLaneAndParent() {
        var t = sound()
        t.spans[1].lane = LaneID(7)
        t.spans[1].parent = SpanID(99)
        let problems = t.validate()
        #expect(problems.contains(.unknownLane(SpanID(2), LaneID(7))))
        #expect(problems.contains(.unknownParent(SpanID(2), parent: SpanID(99))))
    }

    @Test func reportsParentCycleWithoutHanging() {
        var t = sound()
        t.spans[0].parent = SpanID(2)
        #expect(t.validate().contains(.parentCycle(SpanID(1))))
    }

    @Test func blockedTimeIsTheSumOfWaits() {
        let t = sound()
        #expect(t.spans[0].blockedTime == 150)
        #expect(t.blockedTimeByReason() == [.sleep: 100, .lock: 50])
        #expect(t.wallTime == 900)
    }

    @Test func durationsPickAUnit() {
        #expect(formatDuration(850) == "850 ns")
        #expect(formatDuration(12_500) == "12.5 µs")
        #expect(formatDuration(3_204_000) == "3.20 ms")
        #expect(formatDuration(1_750_000_000) == "1.75 s")
        #expect(formatDuration(-125_000_000) == "-125 ms")
    }

    @Test func fixedDecimalsPadAndRound() {
        #expect(formatFixed(2.5, 2) == "2.50")
        #expect(formatFixed(12.46, 1) == "12.5")
        #expect(formatFixed(7.6, 0) == "8")
        #expect(formatFixed(-0.125, 2) == "-0.13")
        #expect(formatFixed(3, 3) == "3.000")
    }
}

@Suite struct MergeTests {
    @Test func mergingKeepsEveryLaneAndSpanDistinct() {
        func trace(pid: Int64) -> Trace {
            let lane = Lane(id: LaneID(0), kind: .thread, pid: pid, threadID: pid, name: "main")
            let a = Span(id: SpanID(1), name: "a", lane: lane.id, threadID: pid, start: 0, end: 10)
            let b = Span(id: SpanID(2), name: "b", lane: lane.id, threadID: pid, start: 2, end: 5, parent: a.id)
            return Trace(
                metadata: Metadata(droppedEvents: 1), processes: [Process(pid: pid)], lanes: [lane], spans: [a, b],
                flows: [Flow(id: 1, from: a.id, to: b.id, fromTime: 1, toTime: 2)])
        }
        let merged = Trace.merging([trace(pid: 1), trace(pid: 2), trace(pid: 3)])
        #expect(merged.validate().isEmpty)
        #expect(merged.lanes.count == 3)
        #expect(Set(merged.lanes.map(\.id)).count == 3)
        #expect(Set(merged.spans.map(\.id)).count == 6)
        #expect(merged.processes.map(\.pid) == [1, 2, 3])
        #expect(merged.metadata.droppedEvents == 3)
        for s in merged.spans where s.name == "b" {
            let parent = merged.spans.first { $0.id == s.parent }
            #expect(parent?.name == "a" && parent?.lane == s.lane)
        }
    }
}
