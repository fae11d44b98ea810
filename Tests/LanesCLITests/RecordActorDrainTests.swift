import Foundation
import LanesCore
import LanesFormat
import Testing

/// `lanes record` on a program whose tasks funnel CPU work through one default actor: the actor's drain jobs
/// make the serialised-CPU finding; the same CPU done in the tasks, with only the total sent to the actor, not.
@Suite(.serialized) struct RecordActorDrainTests {
    /// Records `mode` of the task program and returns the trace and `lanes advise`'s output.
    func recordAndAdvise(_ mode: String, in dir: URL) throws -> (Trace, String) {
        let app = try taskProgram.get()
        let out = dir.appendingPathComponent("\(mode).lanes").path
        let r = try runLanes(["record", "-o", out, "--", app, mode])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "total true\n")
        let advise = try runLanes(["advise", out])
        #expect(advise.status == 0, "\(advise.stderr)")
        return (try LanesFile.read(path: out).trace, advise.stdout)
    }

    @Test func cpuWorkInsideADefaultActorIsFoundSerialised() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (trace, advise) = try recordAndAdvise("funnel", in: dir)
        // 24 calls of spin(6_000_000) inside the actor: its drain jobs hold most of that work.
        let drains = trace.spans.filter { $0.name.hasPrefix("actor drain") }
        let drainTime = drains.reduce(0) { $0 + ($1.end - $1.start) }
        #expect(drains.count >= 4, "\(drains.count) drains")
        let wall = try #require(trace.timeRange).count
        #expect(Double(drainTime) >= 0.5 * Double(wall), "drains \(drainTime) of \(wall) ns")
        #expect(advise.contains("serialised-cpu: CPU work serialised: one actor's drain jobs"), "\(advise)")
        // The finding's figures: a large share of the wall, hardly more than one thread wanting a CPU.
        let report = try runLanes(["advise", "--json", dir.appendingPathComponent("funnel.lanes").path])
        #expect(report.status == 0, "\(report.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])
        let run = try #require((json["runs"] as? [[String: Any]])?.first)
        let finding = try #require(
            (run["findings"] as? [[String: Any]])?.first { ($0["title"] as? String)?.contains("drain jobs") == true })
        let figures = try #require(finding["figures"] as? [String: Double])
        #expect((figures["share"] ?? 0) >= 0.5, "\(figures)")
        #expect((figures["parallelism"] ?? 9) <= 1.5, "\(figures)")
        #expect((figures["computing"] ?? 0) >= 0.3, "\(figures)")
        #expect((figures["tasks"] ?? 0) >= 5, "\(figures)")
    }

    @Test func cpuWorkOutsideTheActorIsNotBlamedOnIt() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (trace, advise) = try recordAndAdvise("spread", in: dir)
        // The same CPU in the tasks: their own slices hold it, the actor's drains (if any) are short.
        let own = trace.spans.filter { $0.name == Span.taskSliceName }.reduce(0) { $0 + ($1.end - $1.start) }
        let drains = trace.spans.filter { $0.name.hasPrefix("actor drain") }.reduce(0) { $0 + ($1.end - $1.start) }
        #expect(own > 4 * drains, "task slices \(own) ns, drains \(drains) ns")
        #expect(!advise.contains("drain jobs"), "\(advise)")
    }

    /// A hand-made trace without thread states: 4 tasks that ran a moment each, then 8 drains of 10 ms on one
    /// actor lane, one after another (`sideBySide`: 8 of 20 ms two at a time, as two actors' drains would run).
    func writeDrainTrace(in dir: URL, name: String, model: String = "recorded", sideBySide: Bool = false) throws
        -> String
    {
        var lanes = (1...4).map { Lane(id: LaneID(UInt32($0)), kind: .task, pid: 7, taskID: UInt64($0)) }
        let actor = Lane(id: LaneID(9), kind: .task, pid: 7, name: "actor drain (separate job) jobs")
        lanes.append(actor)
        var spans: [Span] = []
        var next: UInt64 = 1
        func add(_ name: String, _ lane: LaneID, _ start: Int64, _ end: Int64) {
            spans.append(Span(id: SpanID(next), name: name, lane: lane, threadID: 7, start: start, end: end))
            next += 1
        }
        for t in 1...4 { add(Span.taskSliceName, LaneID(UInt32(t)), Int64(t) * 100_000, Int64(t) * 100_000 + 50_000) }
        for k in 0..<8 {
            // Side by side: two at a time, 20 ms each, covering the same 80 ms.
            let length: Int64 = sideBySide ? 20_000_000 : 10_000_000
            let start = 1_000_000 + Int64(sideBySide ? k / 2 : k) * length
            add("actor drain (separate job)", actor.id, start, start + length)
        }
        add(Span.taskSliceName, LaneID(1), 84_000_000, 85_000_000)
        let trace = Trace(
            metadata: Metadata(host: "box", cores: 2, model: model), processes: [Process(pid: 7, name: "app")],
            lanes: lanes, spans: spans)
        let path = dir.appendingPathComponent(name).path
        try LanesFile.write(trace, to: path)
        return path
    }

    /// Without the sampler's thread states the finding rests on the drains and the task slices, and says so;
    /// drains running side by side (several actors) are not one actor's; the built-in actor model keeps its own.
    @Test func drainsWithoutThreadStatesSideBySideAndTheBuiltInModel() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let one = try runLanes(["advise", try writeDrainTrace(in: dir, name: "one.lanes")])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(
            one.stdout.contains("one actor's drain jobs ran 94.2% of the wall time, parallelism 1.00"), "\(one.stdout)")
        #expect(one.stdout.contains("no thread states recorded; meanwhile 4 tasks had started"), "\(one.stdout)")
        let two = try runLanes(["advise", try writeDrainTrace(in: dir, name: "two.lanes", sideBySide: true)])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(!two.stdout.contains("drain jobs"), "\(two.stdout)")
        let model = try runLanes(["advise", try writeDrainTrace(in: dir, name: "model.lanes", model: "actor")])
        #expect(model.status == 0, "\(model.stderr)")
        #expect(!model.stdout.contains("drain jobs"), "\(model.stdout)")
    }
}
