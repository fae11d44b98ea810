import Foundation
import LanesCore
import LanesFormat
import Testing

/// Issue 18 end to end: one scenario gives one number, and every report says what recording cost.
@Suite struct AgreementCLITests {
    /// The cell of `column` in the row of `model` of `lanes run`'s table.
    private func cell(_ table: [String], model: String, column: Int) -> String? {
        table.first { $0.hasPrefix(model + " ") }?.split(separator: " ", omittingEmptySubsequences: true).map(
            String.init
        )
        .dropFirst(column).first
    }

    @Test func runTableNotesAndAdviseGiveOneWallTimeAndSpeedUp() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try runLanes([
            "run", "downloads", "--model", "sequential", "threads", "--scale", "0.02", "--out", dir.path,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        // The table's speed-up and the scenario's own note: one figure (4.20x against 4.05x before).
        let tableSpeedup = try #require(cell(lines, model: "threads", column: 3))
        let note = try #require(lines.first { $0.hasPrefix("measured speed-up, threads: ") })
        let noted = Double(note.dropFirst("measured speed-up, threads: ".count).dropLast())
        #expect(
            noted.map { abs($0 - Double(tableSpeedup.dropLast())!) < 0.006 } == true, "\(tableSpeedup) against \(note)")
        // `lanes advise` on the traces it wrote gives the table's wall times and speed-up.
        let traces = ["sequential", "threads"].map { dir.appendingPathComponent("downloads-\($0).lanes").path }
        let advise = try runLanes(["advise"] + traces)
        #expect(advise.status == 0, "\(advise.stderr)")
        let comparison = advise.stdout.split(separator: "\n").map(String.init)
            .drop { !$0.hasPrefix("== comparison") }
        let row = try #require(comparison.first { $0.hasPrefix("  threads ") })
        let fields = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let wall =
            try #require(cell(lines, model: "threads", column: 1)) + " "
            + (cell(lines, model: "threads", column: 2) ?? "")
        #expect(fields[1] + " " + fields[2] == wall, "\(row) against \(wall)")
        #expect(fields[3] == tableSpeedup, "\(row) against \(tableSpeedup)")
    }

    @Test func infoAndAdviseSayWhatRecordingCost() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("s.lanes").path
        #expect(try runLanes(["sample", "--out", path]).status == 0)
        for command in [["info", path], ["advise", path]] {
            let run = try runLanes(command)
            #expect(run.status == 0, "\(run.stderr)")
            let line = run.stdout.split(separator: "\n").first { $0.contains("recorder cost") }
            #expect(line?.contains(" ns × ") == true && line?.contains("of wall") == true, "\(run.stdout)")
        }
        let json = dir.appendingPathComponent("v.json").path
        try Data(
            #"{"traceEvents":[{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":2}],"otherData":{"tool":"x"}}"#.utf8
        )
        .write(to: URL(fileURLWithPath: json))
        let imported = try runLanes(["info", json])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("recorder cost   unknown (imported"), "\(imported.stdout)")
        let text = try runLanes(["report", path, "--text"])
        #expect(
            text.status == 0 && text.stdout.contains("\nrecorder cost:") && text.stdout.contains(" ns × "),
            "\(text.stdout)")
        let markdown = dir.appendingPathComponent("r.md").path
        #expect(try runLanes(["report", path, "--markdown", markdown]).status == 0)
        #expect(try String(contentsOfFile: markdown, encoding: .utf8).contains("Recorder cost: "))
    }
}
