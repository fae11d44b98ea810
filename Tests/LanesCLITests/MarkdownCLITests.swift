import Foundation
import LanesCore
import LanesFormat
import Testing

/// `lanes report --mermaid/--markdown/--text` and `lanes compare --baseline/--candidate`.
@Suite(.serialized) struct MarkdownCLITests {
    /// One lane with one span of `ms` milliseconds and a lock wait, written to `dir/name`.
    func writeTrace(in dir: URL, name: String, model: String, ms: Double, scenario: String = "cli") throws -> String {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 5, threadID: 5, name: "main: #1")
        let end = Nanoseconds(ms * 1e6)
        let span = Span(
            id: SpanID(1), name: "work", lane: a.id, threadID: 5, start: 0, end: end,
            waits: [Wait(reason: .lock, start: end / 4, end: end / 2, object: "m")])
        let trace = Trace(
            metadata: Metadata(scenario: scenario, model: model), processes: [], lanes: [a], spans: [span])
        let path = dir.appendingPathComponent(name).path
        try LanesFile.write(trace, to: path)
        return path
    }

    func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    @Test func reportWritesMermaidMarkdownAndText() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = try writeTrace(in: dir, name: "t.lanes", model: "threads", ms: 8)
        let mmd = dir.appendingPathComponent("t.mmd").path, md = dir.appendingPathComponent("out/t.md").path
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        let png = dir.appendingPathComponent("t.png").path
        let run = try runLanes(["report", trace, "--mermaid", mmd, "--markdown", md, "--png", png])
        #expect(run.status == 0, "\(run.stderr)")
        let gantt = try read(mmd)
        #expect(gantt.contains("\ngantt\n"))
        #expect(gantt.contains("    section main#58; #35;1 · 5\n"))
        let report = try read(md)
        #expect(report.contains("![Timeline of cli — threads](../t.png)"))
        #expect(report.contains("```mermaid\nsequenceDiagram\n"))
        #expect(report.contains("participant K as lock m\n"))
        let other = try runLanes(["report", trace, "--markdown", md, "--lock", "gil"])
        #expect(other.status == 0, "\(other.stderr)")
        #expect(try read(md).contains("Note over K: no waits recorded on interpreter lock\n"))
        let lockAlone = try runLanes(["report", trace, "--text", "--lock", "m"])
        #expect(lockAlone.status == 64)
        #expect(lockAlone.stderr.contains("--lock needs --markdown"))
        // Piped: plain text at $COLUMNS.
        let text = try runLanes(["report", trace, "--text", "--columns", "64"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(!text.stdout.contains("\u{1B}"))
        #expect(text.stdout.split(separator: "\n").allSatisfy { $0.count <= 64 })
        #expect(text.stdout.contains("main: #1 · 5"))
    }

    @Test func reportNeedsAnOutputAndGoodColumns() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = try writeTrace(in: dir, name: "t.lanes", model: "threads", ms: 8)
        let none = try runLanes(["report", trace])
        #expect(none.status != 0)
        #expect(none.stderr.contains("give at least one of --png, --html, --mermaid, --markdown or --text"))
        let narrow = try runLanes(["report", trace, "--text", "--columns", "3"])
        #expect(narrow.status != 0)
        #expect(narrow.stderr.contains("--columns must be 40...1000, not 3"))
        let unwritable = try runLanes(["report", trace, "--markdown", "/nonexistent/dir/r.md"])
        #expect(unwritable.status == 1)
        #expect(unwritable.stderr.contains("/nonexistent/dir/r.md"))
        #expect(unwritable.stderr.split(separator: "\n").count == 1)
    }

    @Test func regressionExitCode() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = try [100.0, 104, 98].enumerated().map {
            try writeTrace(in: dir, name: "old\($0).lanes", model: "threads", ms: $1)
        }
        let slower = try [120.0, 122].enumerated().map {
            try writeTrace(in: dir, name: "new\($0).lanes", model: "threads", ms: $1)
        }
        let same = try writeTrace(in: dir, name: "same.lanes", model: "threads", ms: 101)
        let md = dir.appendingPathComponent("cmp.md").path

        let failing = try runLanes(
            ["compare", "--baseline"] + old + ["--candidate"] + slower + [
                "--markdown", md, "--fail-on-regression", "10%",
            ])
        #expect(failing.status == 3, "\(failing.stderr)")
        #expect(failing.stderr.contains("regression: threads is 21.0% slower than its baseline (threshold 10%)"))
        #expect(try read(md).contains("| threads | 100 ms (median of 3) | 121 ms (median of 2) | +21.0% |"))

        let lenient = try runLanes(
            ["compare", "--baseline"] + old + ["--candidate"] + slower + ["--fail-on-regression", "25"])
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stdout.contains("**No regression** beyond 25.0%."))

        let unflagged = try runLanes(["compare", "--baseline"] + old + ["--candidate"] + slower)
        #expect(unflagged.status == 0)
        #expect(unflagged.stdout.contains("**regression**"))

        let fine = try runLanes(
            ["compare", "--baseline"] + old + ["--candidate", same, "--fail-on-regression", "10%"])
        #expect(fine.status == 0, "\(fine.stderr)")

        let bad = try runLanes(["compare", "--baseline"] + old + ["--candidate", same, "--fail-on-regression", "ten"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--fail-on-regression must be a percentage such as 10%, not 'ten'"))
        let oneSided = try runLanes(["compare", "--baseline"] + old)
        #expect(oneSided.status == 64)
        #expect(oneSided.stderr.contains("give both --baseline and --candidate traces"))
    }

    /// Two scenarios under one model: each candidate is checked against its own scenario's baseline.
    @Test func regressionExitCodeWithTwoScenarios() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        func trace(_ file: String, _ scenario: String, ms: Double) throws -> String {
            try writeTrace(in: dir, name: file, model: "threads", ms: ms, scenario: scenario)
        }
        let oldPrimes = try trace("old-primes.lanes", "cpu-primes", ms: 100)
        let oldDownloads = try trace("old-downloads.lanes", "downloads", ms: 400)
        let slowerPrimes = try trace("new-primes.lanes", "cpu-primes", ms: 130)
        let samePrimes = try trace("same-primes.lanes", "cpu-primes", ms: 101)
        let newDownloads = try trace("new-downloads.lanes", "downloads", ms: 400)
        let md = dir.appendingPathComponent("cmp.md").path

        // One scenario 30% slower, the other unchanged: a regression, not +6% on a mixed median.
        let slower = try runLanes(
            ["compare", "--baseline", oldPrimes, oldDownloads, "--candidate", slowerPrimes, newDownloads]
                + ["--markdown", md, "--fail-on-regression", "10%"])
        #expect(slower.status == 3, "\(slower.stderr)")
        #expect(
            slower.stderr.contains(
                "regression: cpu-primes · threads is 30.0% slower than its baseline (threshold 10%)"))
        let report = try read(md)
        #expect(report.contains("| cpu-primes | threads | 100 ms | 130 ms | +30.0% | — | **regression** |"))
        #expect(report.contains("| downloads | threads | 400 ms | 400 ms | 0.0% | — | unchanged |"))

        // A new scenario in the candidate is reported, not compared with the baseline's other scenario.
        let added = try runLanes(
            ["compare", "--baseline", oldPrimes, "--candidate", samePrimes, newDownloads]
                + ["--markdown", md, "--fail-on-regression", "10%"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.contains("warning: downloads · threads has no baseline run: not compared"))
        #expect(try read(md).contains("**Not compared:** no baseline run for downloads · threads.\n"))

        // A baseline scenario the candidate lacks was not checked: it fails the check, and only then.
        let dropped = try runLanes(
            [
                "compare", "--baseline", oldPrimes, oldDownloads, "--candidate", newDownloads, "--fail-on-regression",
                "10%",
            ])
        #expect(dropped.status == 3, "\(dropped.stderr)")
        #expect(
            dropped.stderr.contains(
                "missing: cpu-primes · threads has no candidate run, so it was not checked (fails --fail-on-regression)"
            ))
        #expect(dropped.stdout.contains("**Not compared:** no candidate run for cpu-primes · threads.\n"))
        let unflagged = try runLanes(["compare", "--baseline", oldPrimes, oldDownloads, "--candidate", newDownloads])
        #expect(unflagged.status == 0, "\(unflagged.stderr)")
        #expect(unflagged.stderr.contains("warning: cpu-primes · threads has no candidate run: not compared"))

        // Different workloads only: nothing compared, no regression claimed.
        let apart = try runLanes(["compare", "--baseline", oldPrimes, "--candidate", newDownloads])
        #expect(apart.status == 0, "\(apart.stderr)")
        #expect(apart.stdout.contains("**Nothing compared:**"))
        #expect(!apart.stdout.contains("%"))
    }

    @Test func compareWritesMarkdownWithoutAPNG() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try writeTrace(in: dir, name: "sequential.lanes", model: "sequential", ms: 40)
        let b = try writeTrace(in: dir, name: "threads.lanes", model: "threads", ms: 10)
        let md = dir.appendingPathComponent("c.md").path
        let run = try runLanes(["compare", a, b, "--markdown", md])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try read(md)
        #expect(text.contains("| threads | 10.0 ms | 4.00× |"))
        #expect(text.contains("xychart-beta"))
        #expect(!text.contains("!["))
    }
}
