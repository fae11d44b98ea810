import LanesCore
import LanesRender
import Testing

/// The gantt stays readable at GitHub's width: few bars per section, and it says what it merged.
@Suite struct MermaidReadableTests {
    /// The README's example: a producer that sleeps 1 ms a job and puts it on a queue, a consumer
    /// that takes each in a few microseconds, 100 jobs (about 300 spans counting the main thread's).
    static func readmeLike() -> Trace {
        let main = Lane(id: LaneID(0), kind: .thread, pid: 9, threadID: 9, name: "main")
        let consumer = Lane(id: LaneID(1), kind: .thread, pid: 9, threadID: 10, name: "consumer")
        let dispatch = Lane(
            id: LaneID(2), kind: .thread, pid: 9, threadID: 11, name: "com.apple.root.default-qos.overcommit")
        var spans: [Span] = []
        var id: UInt64 = 1
        for job in 0..<100 {
            let t = Int64(job) * 1_100_000
            spans.append(
                Span(
                    id: SpanID(id), name: "produce", lane: main.id, threadID: 9, start: t, end: t + 1_080_000,
                    waits: [Wait(reason: .sleep, start: t, end: t + 1_050_000)]))
            spans.append(
                Span(
                    id: SpanID(id + 1), name: "consume", lane: consumer.id, threadID: 10, start: t + 1_085_000,
                    end: t + 1_095_000))
            spans.append(
                Span(
                    id: SpanID(id + 2), name: "total", lane: dispatch.id, threadID: 11, start: t + 1_086_000,
                    end: t + 1_090_000))
            id += 3
        }
        return Trace(processes: [Process(pid: 9, name: "example")], lanes: [main, consumer, dispatch], spans: spans)
    }

    @Test func theReadmeExampleIsMergedToAFewBarsASectionAndSaysSo() {
        let trace = Self.readmeLike()
        let g = Mermaid.gantt(of: trace)
        #expect(g.tasks.count <= 200)
        for section in g.sections.indices {
            let bars = g.tasks.filter { $0.section == section }
            #expect(!bars.isEmpty && bars.count <= 40, "\(g.sections[section]): \(bars.count) bars")
            // Bars of a section do not overlap: each stands on its own at any width.
            #expect(zip(bars, bars.dropFirst()).allSatisfy { $0.end <= $1.start })
        }
        // Every span is in exactly one bar, and the diagram says what was merged.
        #expect(g.tasks.reduce(0) { $0 + $1.spans } == trace.spans.count)
        #expect(g.notes.contains { $0.contains("\(trace.spans.count) spans drawn as \(g.tasks.count) bars") })
        #expect(g.text.contains("merged"))
    }

    @Test func longLaneLabelsKeepTheirStartAndAreGivenInFull() {
        var trace = Self.readmeLike()
        trace.lanes[2].name = "com.apple.root.default-qos.overcommit.with-a-name-far-too-long-for-any-margin"
        let g = Mermaid.gantt(of: trace)
        let label = g.sections[2]
        #expect(label.hasPrefix("com.apple.root.def"))
        #expect(label.hasSuffix("…"))
        #expect(
            g.text.contains("in full: com.apple.root.default-qos.overcommit.with-a-name-far-too-long-for-any-margin"))
    }
}
