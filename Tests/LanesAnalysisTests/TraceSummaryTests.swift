import LanesAnalysis
import LanesCore
import Testing

/// `lanes info`'s summary as a library.
@Suite struct TraceSummaryTests {
    @Test func summarisesWhatTheTraceHolds() {
        var trace = Fixtures.cpu(model: "threads", lanes: 2, items: 3, item: Fixtures.ms)
        trace.metadata.extra = [Attribute(RecorderCost.spanCostKey, "40")]
        let lines = TraceSummary(path: "t.lanes", trace: trace, about: ".lanes, complete", warnings: ["odd"]).text
            .split(separator: "\n").map(String.init)
        #expect(lines.first == "trace           t.lanes (.lanes, complete)")
        #expect(lines.contains("model           threads"))
        #expect(lines.contains("duration        3.00 ms"), "\(lines)")
        #expect(lines.contains("lanes           2 (2 threads)"), "\(lines)")
        #expect(lines.contains("spans           6 (1 distinct name)"))
        #expect(lines.contains("recorder cost   40 ns × 6 spans and waits ≈ 240 ns, <0.01% of wall"), "\(lines)")
        #expect(lines.last == "warning: odd")
    }
}
