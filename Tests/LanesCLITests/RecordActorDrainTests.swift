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
        #expect((figures["parallelism"] ?? 9) <= 1.3, "\(figures)")
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
}
