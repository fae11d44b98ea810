import Foundation
import LanesCore
import LanesFormat
import Testing

/// `TraceFile` tells a trace's format by its content, never by its name.
@Suite struct TraceFileTests {
    private func temporaryFile(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-tracefile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func detectsEachFormatFromItsFirstBytes() throws {
        let lanes = try LanesFile.encode(sampleTrace())
        #expect(TraceFile.Format.detect(lanes.prefix(16)) == .lanes)
        #expect(TraceFile.Format.detect(lanes.prefix(3)) == .lanes)
        #expect(TraceFile.Format.detect(Array(" \n\t[{".utf8)) == .chromeJSON)
        #expect(TraceFile.Format.detect([0xEF, 0xBB, 0xBF] + Array("{\"traceEvents\":[]}".utf8)) == .chromeJSON)
        #expect(TraceFile.Format.detect([0x0A, 0x05, 0x01]) == .perfetto)
        #expect(TraceFile.Format.detect(Array("hello".utf8)) == nil)
    }

    @Test func loadsALanesFileNamedJSONAndJSONNamedLanes() throws {
        let trace = sampleTrace()
        let lanesPath = try temporaryFile("t.json", try LanesFile.encode(trace))
        let a = try TraceFile.load(path: lanesPath)
        #expect(a.format == .lanes && a.isComplete)
        #expect(a.trace.spans.count == trace.spans.count)
        let jsonPath = try temporaryFile(
            "t.lanes", Array(#"[{"ph":"X","name":"f","pid":1,"tid":1,"ts":1,"dur":2}]"#.utf8))
        let b = try TraceFile.load(path: jsonPath)
        #expect(b.format == .chromeJSON)
        #expect(b.trace.spans.map(\.name) == ["f"])
    }

    @Test func whatIsNoTraceFailsWithWhatItFound() throws {
        func loadFailure(_ path: String) -> TraceFile.LoadError? {
            do {
                _ = try TraceFile.load(path: path)
                return nil
            } catch { return error }
        }
        func failure(_ bytes: [UInt8]) throws -> TraceFile.LoadError? { loadFailure(try temporaryFile("x", bytes)) }
        #expect(try failure([]) == .empty)
        #expect(try failure(Array("hello".utf8)) == .unrecognised(found: Array("hello".utf8)))
        #expect(try failure([0x1F, 0x8B, 0x08, 0x00]) == .compressed("gzip"))
        #expect(try failure([0x0A, 0x02, 0x08, 0x01]) == .perfettoNotRead)
        if case .chromeJSON? = try failure(Array("{\"traceEvents\": 5}".utf8)) {
        } else {
            Issue.record("JSON that is no trace must fail as JSON")
        }
        if case .io(let op, _, _)? = loadFailure("/nonexistent/lanes/trace") {
            #expect(op == "open")
        } else {
            Issue.record("a missing file must fail to open")
        }
        #expect(loadFailure(FileManager.default.temporaryDirectory.path) == .isDirectory)
    }
}
