import Foundation
import Testing

/// `--blocked-loop`: how long an event loop may go between polls before `advise` and `report` call it blocked.
@Suite struct BlockedLoopOptionTests {
    /// A VizTracer trace of an asyncio program whose coroutine calls `time.sleep(0.5)`.
    static let trace = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Fixtures/python/traces/blocked_loop.viz.json").standardized.path

    @Test func theThresholdDecidesWhatCountsAsBlocked() throws {
        let byDefault = try runLanes(["advise", Self.trace])
        #expect(byDefault.status == 0, "\(byDefault.stderr)")
        #expect(byDefault.stdout.contains("Event loop blocked"), "\(byDefault.stdout)")
        #expect(byDefault.stdout.contains("a gap counts from 100 ms"), "\(byDefault.stdout)")

        let lenient = try runLanes(["advise", Self.trace, "--blocked-loop", "2s"])
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(!lenient.stdout.contains("Event loop blocked"), "\(lenient.stdout)")

        let dir = try temporaryDirectory()
        let md = dir.appendingPathComponent("r.md").path
        let report = try runLanes(["report", Self.trace, "--markdown", md, "--blocked-loop", "2s"])
        #expect(report.status == 0, "\(report.stderr)")
        #expect(!(try String(contentsOfFile: md, encoding: .utf8)).contains("Event loop blocked"))
    }

    @Test func aBadThresholdIsOneLineNamingTheOption() throws {
        for bad in ["0", "soon", "-5ms"] {
            let r = try runLanes(["advise", Self.trace, "--blocked-loop", bad])
            #expect(r.status == 64, "\(bad): \(r.stderr)")
            #expect(r.stderr.contains("--blocked-loop"), "\(bad): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(bad): \(r.stderr)")
        }
    }
}
