import LanesAnalysis
import LanesCore
import Testing

@testable import LanesRender

/// The demo's REPORT.md and index.html from fixed runs: the CLI only writes what these return.
@Suite struct DemoReportTests {
    /// A scenario run under `sequential` and `threads` (the pipeline trace at one and four workers), and one
    /// whose only run failed.
    static func report(answers: (String, String) = ("42", "42"), quick: Bool = true) -> DemoReport {
        let runs = [
            (
                trace: Traces.pipeline(model: "sequential", workers: 1, stretch: 3), model: "sequential",
                answer: answers.0
            ),
            (trace: Traces.pipeline(model: "threads"), model: "threads", answer: answers.1),
        ]
        return DemoReport(
            scenarios: [
                DemoReport.Scenario(
                    name: "pipe", summary: "Items through a queue | a lock", seedSection: "Example 4", runs: runs,
                    notes: ["theoretical speed-up 4 | measured less"]),
                DemoReport.Scenario(
                    name: "broken", summary: "Never finishes", seedSection: "Exercise 9", runs: [],
                    failures: [(model: "threads", message: "worker died\nwith status 9")]),
            ], quick: quick)
    }

    @Test func theMarkdownSaysWhichModelAndShowsEachScenario() throws {
        let md = Self.report().markdown()
        #expect(
            md.hasPrefix(
                "# Lanes demo: the scenario catalog under every model\n\nMeasured by `lanes demo --quick` on 2 cores"))
        // The overview: one row per scenario, a failed one said so.
        #expect(md.contains("| scenario | the work is | Lanes recommends | fastest measured | speed-up |\n"))
        #expect(md.contains("| [broken](#broken) | – | – | failed | |\n"))
        let comparison = Comparison([Traces.pipeline(model: "sequential", workers: 1, stretch: 3), Traces.pipeline()])
        let best = try #require(comparison.winner.map { comparison.rows[$0] })
        #expect(best.label == "threads")
        #expect(md.contains("| `threads` | \(formatFixed(best.speedup, 2))× |\n"))
        // The scenario's section: its summary (a `|` escaped for the table cells), table, chart, notes.
        #expect(md.contains("\n## pipe\n\nItems through a queue \\| a lock (seed: Example 4).\n\n"))
        for row in comparison.rows {
            #expect(
                md.contains(
                    "| `\(row.label)` | \(formatDuration(row.statistics.wall)) | \(formatFixed(row.speedup, 2))× | "))
        }
        #expect(md.contains("![pipe under each model](pipe.png)\n"))
        #expect(!md.contains("broken.png"))
        #expect(md.contains("Answer, the same under every model: `42`.\n- theoretical speed-up 4 \\| measured less\n"))
        #expect(md.contains("Recorder cost, estimated from its own measurement per span: `sequential` "))
        // The failure, on one line.
        #expect(
            md.contains(
                "\n## broken\n\nNever finishes (seed: Exercise 9).\n\n\n**Failed under `threads`:** worker died with status 9\n"
            ))
        // The speed-up chart and the decision path, as Mermaid.
        let blocks = MermaidCheck.blocks(of: md)
        #expect(blocks.count == 2)
        #expect(blocks.first?.contains("xychart") == true && blocks.last?.hasPrefix("flowchart TD\n") == true)
    }

    @Test func differentAnswersAndAFullRunAreSaid() {
        let md = Self.report(answers: ("42", "41"), quick: false).markdown()
        #expect(md.contains("**The models gave different answers.**\n"))
        #expect(!md.contains("Answer, the same under every model"))
        #expect(md.contains("Measured by `lanes demo` on 2 cores"))
    }

    @Test func thePageHasEveryScenarioAndLinksOnlyChartsThatExist() {
        let page = Self.report().html()
        #expect(page.contains("Lanes demo: the scenario catalog under every model (quick)"))
        #expect(page.contains(HTMLReport.jsonQuoted("pipe")) && page.contains(HTMLReport.jsonQuoted("broken")))
        #expect(page.contains(HTMLReport.jsonQuoted("Items through a queue | a lock (seed: Example 4)")))
        #expect(page.contains("pipe.png") && !page.contains("broken.png"))
        #expect(page.contains(HTMLReport.jsonQuoted("threads: worker died\nwith status 9")))
    }
}
