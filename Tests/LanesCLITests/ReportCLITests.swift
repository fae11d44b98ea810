import Foundation
import LanesCore
import LanesFormat
import LanesRender
import Testing

/// `lanes report` and `lanes compare`, run as a user runs them.
@Suite(.serialized) struct ReportCLITests {
    static let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// A small trace with two threads, a lock wait and a nested span, written to `dir`.
    func writeTrace(in dir: URL, name: String = "run.lanes", model: String = "threads", stretch: Int64 = 1) throws
        -> String
    {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 5, threadID: 5, name: "main")
        let b = Lane(id: LaneID(1), kind: .thread, pid: 5, threadID: 6, name: "worker")
        let spans = [
            Span(id: SpanID(1), name: "load", lane: a.id, threadID: 5, start: 0, end: 4_000_000 * stretch),
            Span(
                id: SpanID(2), name: "work", lane: b.id, threadID: 6, start: 1_000_000, end: 9_000_000 * stretch,
                waits: [Wait(reason: .lock, start: 2_000_000, end: 3_000_000)]),
            Span(
                id: SpanID(3), name: "step", lane: b.id, threadID: 6, start: 4_000_000, end: 5_000_000,
                parent: SpanID(2)),
        ]
        let trace = Trace(
            metadata: Metadata(host: "box", cores: 2, scenario: "cli", model: model),
            processes: [Process(pid: 5, name: "demo")], lanes: [a, b], spans: spans)
        let path = dir.appendingPathComponent(name).path
        try LanesFile.write(trace, to: path)
        return path
    }

    @Test func reportWritesAPNGAndTheSameBytesEachTime() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = try writeTrace(in: dir)
        let out1 = dir.appendingPathComponent("a.png").path, out2 = dir.appendingPathComponent("b.png").path
        for out in [out1, out2] {
            let run = try runLanes(["report", trace, "--png", out, "--width", "900"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: out1)), b = try Data(contentsOf: URL(fileURLWithPath: out2))
        #expect(Array(a.prefix(8)) == Self.pngMagic)
        // Two processes (so two hash seeds): still the same bytes.
        #expect(a == b)
    }

    @Test func reportTakesItsOptions() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = try writeTrace(in: dir)
        let out = dir.appendingPathComponent("o.png").path
        let run = try runLanes([
            "report", trace, "--png", out, "--width", "700", "--scale", "2", "--theme", "dark", "--group-by", "process",
            "--from", "1ms", "--to", "8ms", "--max-lanes", "1", "--flows",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
        // IHDR width, big-endian, at offset 16: 700 points at scale 2.
        let width = bytes[16..<20].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 1400)
    }

    @Test func badOptionsAreOneLineAndAFailure() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = try writeTrace(in: dir)
        for args in [["--theme", "pink"], ["--group-by", "planet"], ["--from", "soon"], ["--scale", "9"]] {
            let run = try runLanes(["report", trace, "--png", dir.appendingPathComponent("x.png").path] + args)
            #expect(run.status != 0)
            #expect(run.stderr.contains(args[0]), "\(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.png").path))
    }

    @Test func anUnwritableOutputIsOneLineANonZeroExitAndNoFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let trace = try writeTrace(in: dir)
        // A directory in the way: the temporary file is written, the rename fails, nothing is left.
        let blocked = dir.appendingPathComponent("taken.png")
        try FileManager.default.createDirectory(at: blocked, withIntermediateDirectories: false)
        // A parent that is a file: nothing can be created at all.
        let notADir = dir.appendingPathComponent("file")
        try Data("x".utf8).write(to: notADir)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        for out in [blocked.path, notADir.appendingPathComponent("out.png").path, "/nonexistent/dir/out.png"] {
            let run = try runLanes(["report", trace, "--png", out])
            #expect(run.status != 0)
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(run.stderr)")
            #expect(run.stderr.contains(out))
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == before)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: blocked.path).isEmpty)
    }

    @Test func compareStacksRunsWithSpeedups() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let slow = try writeTrace(in: dir, name: "seq.lanes", model: "sequential", stretch: 3)
        let fast = try writeTrace(in: dir, name: "thr.lanes", model: "threads")
        for align in ["shared", "own"] {
            let out = dir.appendingPathComponent("cmp-\(align).png").path
            let run = try runLanes(["compare", slow, fast, "--png", out, "--align", align])
            #expect(run.status == 0, "\(run.stderr)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: out))
            #expect(Array(bytes.prefix(8)) == Self.pngMagic)
        }
        let bad = try runLanes([
            "compare", slow, fast, "--png", dir.appendingPathComponent("z.png").path, "--align", "wide",
        ])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--align"))
        let missing = try runLanes([
            "compare", slow, "/nonexistent/t.lanes", "--png", dir.appendingPathComponent("z.png").path,
        ])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/t.lanes"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("z.png").path))
    }
}
