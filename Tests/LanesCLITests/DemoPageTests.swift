import Foundation
import LanesAnalysis
import LanesCore
import LanesFormat
import LanesRender
import Testing

/// Writes a multi-scenario page from real runs of the whole catalog, for the browser check
/// (`tools/browser/html_check.py --demo-page .build/demo-html-check/index.html`). Runs only with
/// `LANES_WRITE_DEMO_PAGE` set, to the scale of the runs (`1`) or anything else for 0.25.
@Suite struct DemoPageTests {
    static let scale = Double(ProcessInfo.processInfo.environment["LANES_WRITE_DEMO_PAGE"] ?? "") ?? 0.25

    @Test(.enabled(if: ProcessInfo.processInfo.environment["LANES_WRITE_DEMO_PAGE"] != nil))
    func writeDemoPage() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let out = root.appendingPathComponent(".build/demo-html-check")
        try? FileManager.default.removeItem(at: out.appendingPathComponent("traces"))
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)

        let catalog = try runLanes(["scenarios"])
        try #require(catalog.status == 0)
        // Scenario lines start at the left margin; the model list after "models:" does not count.
        let names = catalog.stdout.split(separator: "\n").prefix { $0 != "models:" }
            .filter { !$0.hasPrefix(" ") && !$0.isEmpty }.map { String($0.split(separator: " ")[0]) }
        let summaries = Dictionary(
            catalog.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.map { line in
                let parts = line.split(separator: " ", maxSplits: 1)
                return (String(parts[0]), parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "")
            }, uniquingKeysWith: { a, _ in a })
        #expect(names.count >= 10)

        var scenarios: [HTMLScenario] = []
        for name in names {
            let dir = out.appendingPathComponent("traces/\(name)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let run = try runLanes(["run", name, "--scale", String(Self.scale), "--out", dir.path])
            // The table's first column gives the models in the scenario's order; the lines after it are notes.
            let lines = run.stdout.split(separator: "\n").map(String.init)
            let rows = lines.dropFirst().prefix { !$0.hasPrefix(" ") && $0.contains("  ") }
            let models = rows.map { String($0.split(separator: " ")[0]) }
            let notes = lines.dropFirst(1 + rows.count).filter { !$0.hasPrefix("traces in") }
            var runs: [(trace: Trace, name: String)] = []
            var files: [String] = []
            var failures: [String] = []
            if run.status != 0 { failures.append(run.stderr.split(separator: "\n").last.map(String.init) ?? "failed") }
            for model in models {
                let file = dir.appendingPathComponent("\(name)-\(model).lanes")
                guard let bytes = try? Data(contentsOf: file) else {
                    failures.append("\(model): no trace")
                    continue
                }
                runs.append((try LanesFile.decode(Array(bytes)).trace, model))
                files.append(file.path)
            }
            var png: String? = nil
            if files.count >= 2,
                try runLanes(["compare"] + files + ["--png", out.appendingPathComponent("\(name).png").path]).status
                    == 0
            {
                png = "\(name).png"
            }
            scenarios.append(
                HTMLScenario(
                    name: name, summary: summaries[name] ?? "", runs: runs, notes: notes, failures: failures, png: png,
                    mermaid: runs.isEmpty ? nil : Mermaid.speedupChart(Comparison(runs.map(\.trace))).text))
        }
        let clock = ContinuousClock()
        let started = clock.now
        let page = HTMLReport(scenarios: scenarios, title: "Lanes demo (test page)").render()
        let elapsed = clock.now - started
        try Data(page).write(to: out.appendingPathComponent("index.html"))
        let spans = scenarios.reduce(0) { $0 + $1.runs.reduce(0) { $0 + $1.trace.spans.count } }
        print(
            "wrote \(out.path)/index.html: \(scenarios.count) scenarios, \(scenarios.reduce(0) { $0 + $1.runs.count }) runs, "
                + "\(spans) spans, \(page.count) bytes, rendered in \(elapsed)")
        #expect(scenarios.count == names.count)
    }
}
