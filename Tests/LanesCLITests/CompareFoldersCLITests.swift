import Foundation
import Testing

/// Issue 17, part 2: `lanes compare --baseline DIR --candidate DIR` pairs the traces of two folders by name.
@Suite struct CompareFoldersCLITests {
    @Test func foldersArePairedByTheirTracesNames() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for side in ["main", "pr"] {
            let folder = dir.appendingPathComponent(side)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for (name, items) in [("alpha", "20"), ("beta", "40")] {
                let run = try runLanes([
                    "sample", "--items", items, "--out", folder.appendingPathComponent("\(name).lanes").path,
                ])
                #expect(run.status == 0, "\(run.stderr)")
            }
            // Not a trace: left out of the folder's runs.
            try Data("notes".utf8).write(to: folder.appendingPathComponent("README.md"))
            // package-benchmark's jsonSmallerIsBetter export: results beside the traces, not a run.
            let value = side == "main" ? 200 : 300
            try Data(#"[{"name": "Bench - Wall clock (ns)", "unit": "ns", "value": \#(value)}]"#.utf8)
                .write(to: folder.appendingPathComponent("Bench.json"))
        }
        let out = dir.appendingPathComponent("cmp.md").path
        let run = try runLanes([
            "compare", "--baseline", dir.appendingPathComponent("main").path + "/", "--candidate",
            dir.appendingPathComponent("pr").path, "--markdown", out,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("no candidate run") && !run.stderr.contains("no baseline run"), "\(run.stderr)")
        let md = try String(contentsOfFile: out, encoding: .utf8)
        #expect(md.contains("alpha") && md.contains("beta"), "\(md)")
        #expect(!md.contains("| Bench |"), "\(md)")
        #expect(md.contains("| Bench - Wall clock (ns) | ns | 200 | 300 | 50.0% |"), "\(md)")
        let empty = dir.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let none = try runLanes([
            "compare", "--baseline", empty.path, "--candidate", dir.appendingPathComponent("pr").path,
        ])
        #expect(none.status == 1)
        #expect(
            none.stderr.contains("--baseline \(empty.path): the folder holds no .lanes or .json trace"),
            "\(none.stderr)")
    }
}
