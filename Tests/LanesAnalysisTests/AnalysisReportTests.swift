import Foundation
import LanesAnalysis
import LanesCore
import Testing

@Suite struct AnalysisReportTests {
    static let report = AnalysisReport([
        ("seq.lanes", Fixtures.cpu(model: "sequential", lanes: 1, items: 4, item: Fixtures.ms)),
        ("threads.lanes", Fixtures.cpu(model: "threads", lanes: 2, items: 2, item: Fixtures.ms)),
    ])

    @Test func textHasEverySection() {
        let text = Self.report.text
        for heading in [
            "== seq.lanes (scenario fixture, model sequential) ==", "statistics", "spans by name", "lanes by busy time",
            "findings: none", "advice", "== comparison (baseline sequential) ==", "advice from all runs",
            "fastest measured: threads",
        ] {
            #expect(text.contains(heading), "\(heading)")
        }
        #expect(text.contains("  threads     2.00 ms  2.00x     1.00x"))
    }

    @Test func jsonParsesWithTheDocumentedKeys() throws {
        let object = try JSONSerialization.jsonObject(with: Data(Self.report.json.utf8)) as? [String: Any]
        let runs = try #require(object?["runs"] as? [[String: Any]])
        #expect(runs.count == 2)
        let st = try #require(runs[1]["statistics"] as? [String: Any])
        #expect(st["wallNs"] as? Int == 2_000_000)
        #expect(st["runningParallelism"] as? Double == 2)
        #expect(st["workName"] as? String == "work")
        #expect((st["spansByName"] as? [[String: Any]])?.first?["p90Ns"] as? Int == 1_000_000)
        let advice = try #require(runs[1]["advice"] as? [String: Any])
        #expect(advice["workClass"] as? String == "CPU-bound")
        #expect(advice["path"] as? [String] == ["start", "bottleneck", "parallelCPU"])
        let comparison = try #require(object?["comparison"] as? [String: Any])
        #expect(comparison["baseline"] as? String == "sequential")
        #expect((comparison["rows"] as? [[String: Any]])?.map { $0["speedup"] as? Double } == [1, 2])
        #expect((comparison["advice"] as? [String: Any])?["winner"] as? String == "threads")
    }

    @Test func findingsAndOddStringsSurviveJSON() throws {
        let b = Fixtures.Builder()
        for l in 0..<2 {
            b.span(
                "up\"date\n<", Fixtures.thread(UInt32(l)), 0, 10 * Fixtures.ms,
                waits: Fixtures.waits(.lock, until: 6 * Fixtures.ms, object: "a\\b"))
        }
        let json = AnalysisReport([("x", b.trace())]).json
        #expect(!json.contains("<"))
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let run = try #require((object?["runs"] as? [[String: Any]])?.first)
        let finding = try #require(
            (run["findings"] as? [[String: Any]])?.first { $0["kind"] as? String == "lock-contention" })
        #expect(finding["severity"] as? String == "critical")
        #expect((finding["figures"] as? [String: Any])?["share"] as? Double == 1.2)
        #expect((run["statistics"] as? [String: Any])?["workName"] as? String == "up\"date\n<")
    }
}
