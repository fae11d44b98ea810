import Foundation
import LanesCore
import LanesFormat
import Testing

/// `lanes report --depth`: how many nesting levels a lane shows.
@Suite struct ReportDepthCLITests {
    @Test func depthIsCheckedAndChangesTheChart() throws {
        let dir = try temporaryDirectory()
        let lane = Lane(id: LaneID(0), kind: .thread, pid: 3, threadID: 3, name: "main")
        var spans: [Span] = []
        for d in 0..<6 {
            spans.append(
                Span(
                    id: SpanID(UInt64(d + 1)), name: "f\(d)", lane: lane.id, threadID: 3, start: Int64(d) * 1_000_000,
                    end: 50_000_000 - Int64(d) * 1_000_000, parent: d == 0 ? nil : SpanID(UInt64(d))))
        }
        let path = dir.appendingPathComponent("deep.lanes").path
        try LanesFile.write(Trace(processes: [Process(pid: 3, name: "deep")], lanes: [lane], spans: spans), to: path)

        let bad = try runLanes(["report", path, "--depth", "0", "--png", dir.appendingPathComponent("x.png").path])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--depth must be 1...16"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("x.png").path))

        // One level folds everything into one line; six show every level: a taller image.
        var heights: [Int] = []
        for depth in ["1", "6"] {
            let png = dir.appendingPathComponent("d\(depth).png").path
            let run = try runLanes(["report", path, "--depth", depth, "--png", png])
            #expect(run.status == 0, "\(run.stderr)")
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: png)))
            // The IHDR height, bytes 20..<24.
            heights.append(bytes[20..<24].reduce(0) { $0 << 8 | Int($1) })
        }
        #expect(heights[1] > heights[0])
    }
}
