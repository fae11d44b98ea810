import Foundation
import LanesCore
import LanesFormat
import Testing

/// Issue 19, defect 8: names from a trace never reach a terminal as bytes it acts on.
@Suite(.serialized) struct TerminalSafetyTests {
    /// Window title, clear screen, NUL, a one-byte CSI and a right-to-left override.
    static let hostile = "evil\u{1B}]0;owned\u{07}\u{1B}[2J\u{0}\u{9B}31m\u{202E}gnp.exe"

    func hostileTrace() -> Trace {
        let name = Self.hostile
        let lanes = [
            Lane(id: LaneID(0), kind: .thread, pid: 5, threadID: 5, name: name),
            Lane(id: LaneID(1), kind: .thread, pid: 5, threadID: 6, name: "w" + name),
        ]
        var spans: [Span] = []
        for i in 0..<6 {
            let lane: UInt32 = i % 2 == 0 ? 0 : 1
            let start = Int64(i) * 10_000
            spans.append(
                Span(
                    id: SpanID(UInt64(i + 1)), name: name + "\(i % 2)", lane: LaneID(lane), threadID: 5 + Int64(lane),
                    start: start, end: start + 9_000,
                    waits: [Wait(reason: .lock, start: start + 100, end: start + 5_000, object: "lock" + name)]))
        }
        return Trace(
            metadata: Metadata(command: [name, "--flag"], host: name, cores: 2, scenario: name, model: name),
            processes: [Process(pid: 5, name: name)], lanes: lanes, spans: spans)
    }

    /// Scalars a terminal acts on, other than newline and tab.
    func unsafeScalars(_ text: String) -> [UInt32] {
        text.unicodeScalars.filter { s in
            let v = s.value
            if s == "\n" || s == "\t" { return false }
            return v < 0x20 || (0x7F...0x9F).contains(v) || [0x061C, 0x200E, 0x200F].contains(v)
                || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
        }.map(\.value)
    }

    @Test func noCommandPrintsATerminalControlFromTheTrace() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("evil.lanes").path
        let other = dir.appendingPathComponent("other.lanes").path
        try LanesFile.write(hostileTrace(), to: path)
        try LanesFile.write(hostileTrace(), to: other)
        let commands: [[String]] = [
            ["info", path],
            ["advise", path],
            ["advise", path, other],
            ["report", path, "--text"],
            ["report", path, "--markdown", "-"],
            ["compare", path, other, "--markdown", "-"],
            ["compare", "--baseline", path, "--candidate", other],
        ]
        for args in commands {
            let run = try runLanes(args)
            #expect(run.status == 0, "\(args): \(run.stderr)")
            #expect(run.stdout.contains("owned"), "\(args): the name is shown, cleaned: \(run.stdout.prefix(300))")
            #expect(unsafeScalars(run.stdout) == [], "\(args)")
            #expect(unsafeScalars(run.stderr) == [], "\(args)")
        }
    }
}
