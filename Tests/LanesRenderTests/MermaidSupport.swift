import Foundation
import Testing

/// The package's root, from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Golden files beside the tests, compared byte for byte; `LANES_RECORD_GOLDEN=1` re-records them.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["LANES_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
            return
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            Issue.record(
                "no golden file \(name): run the tests with LANES_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if expected != text {
            let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let b = text.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record(
                "\(name) differs from its golden file at line \(line + 1): expected \(line < a.count ? String(a[line]) : "end"), got \(line < b.count ? String(b[line]) : "end") (LANES_RECORD_GOLDEN=1 re-records)",
                sourceLocation: sourceLocation)
        }
    }
}

/// What a rendered diagram must show, for tools/mermaid/validate.py.
struct MermaidExpectation {
    /// Each must equal one text element of the SVG.
    var texts: [String] = []
    /// Each must appear somewhere in the SVG's text.
    var contains: [String] = []
    var absent: [String] = []
    /// An xychart's bar values, in order.
    var bars: [Double]? = nil
    /// A gantt's task id → start, end (axis units).
    var tasks: [String: [Int64]] = [:]
    /// Flowchart class → node ids that must carry it (and no others).
    var classed: [String: [String]] = [:]
    var maxChars = 50_000
}

/// Writes every diagram the tests make, with what it must show, to `LANES_MERMAID_DIR` (default
/// `.build/mermaid-check/`), where `tools/mermaid/validate.py` renders them with mermaid.js.
enum MermaidCheck {
    static let directory: URL = {
        if let dir = ProcessInfo.processInfo.environment["LANES_MERMAID_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        return packageRoot.appendingPathComponent(".build/mermaid-check")
    }()

    static func write(_ diagram: String, _ name: String, _ expect: MermaidExpectation = MermaidExpectation()) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(diagram.utf8).write(to: directory.appendingPathComponent("\(name).mmd"))
        var json: [String: Any] = [
            "texts": expect.texts, "contains": expect.contains, "absent": expect.absent, "maxChars": expect.maxChars,
        ]
        if let bars = expect.bars { json["bars"] = bars }
        if !expect.tasks.isEmpty { json["tasks"] = expect.tasks }
        if !expect.classed.isEmpty { json["classed"] = expect.classed }
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted])
        try data.write(to: directory.appendingPathComponent("\(name).expect.json"))
    }

    /// Every ```mermaid block of a Markdown text.
    static func blocks(of markdown: String) -> [String] {
        var out: [String] = []
        var current: String? = nil
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```mermaid" {
                current = ""
            } else if current != nil, line == "```" {
                out.append(current!)
                current = nil
            } else if current != nil {
                current! += line + "\n"
            }
        }
        return out
    }
}
