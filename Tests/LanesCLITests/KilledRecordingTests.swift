import Foundation
import LanesCore
import LanesFormat
import LanesRecord
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 19, defect 5: a recording cut short holds a prefix of what each thread recorded, and a complete one
/// holds every thread's spans in order.
@Suite(.serialized) struct KilledRecordingTests {
    /// Checks that every thread lane's `sK` spans run s0, s1, s2… (cyclic at 4096) in file order with rising
    /// starts; returns the spans per lane. A hole or a reordering names the lane and the place.
    func checkPrefixes(_ trace: Trace, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) -> [LaneID:
        Int]
    {
        var next: [LaneID: Int] = [:]
        var lastStart: [LaneID: Int64] = [:]
        var failures = 0
        for s in trace.spans where s.name.hasPrefix("s") {
            guard let k = Int(s.name.dropFirst()) else { continue }
            let expected = next[s.lane, default: 0]
            if k != expected % 4096 || (lastStart[s.lane].map { s.start < $0 } ?? false) {
                failures += 1
                if failures <= 3 {
                    Issue.record(
                        "\(label): lane \(s.lane.rawValue): span \(expected) should be s\(expected % 4096), is \(s.name)",
                        sourceLocation: sourceLocation)
                }
            }
            next[s.lane] = expected + 1
            lastStart[s.lane] = s.start
        }
        return next
    }

    /// The temporary file a recording to `target` streams into.
    func partialFile(in dir: URL, for target: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.first { $0.hasPrefix("." + target + ".") && $0.hasSuffix(".partial") }
            .map { dir.appendingPathComponent($0).path }
    }

    @Test func fiftyKilledRecordingsEachHoldAPrefixOfEveryThread() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var generator = SystemRandomNumberGenerator()
        var withSpans = 0
        var total = 0
        for trial in 0..<50 {
            let name = "k\(trial).lanes"
            let child = try ChildProcess(
                path: lanesBinary,
                arguments: [
                    "_spin", "--out", dir.appendingPathComponent(name).path, "--flush-ms", "2", "--threads", "4",
                ])
            // Once spans reach the file (bounded wait), a random moment up to 80 ms later.
            let deadline = ContinuousClock.now + .seconds(10)
            while ContinuousClock.now < deadline {
                var info = stat()
                if let p = partialFile(in: dir, for: name), stat(p, &info) == 0, info.st_size > 1_000 { break }
                usleep(1_000)
            }
            usleep(UInt32.random(in: 0...80_000, using: &generator))
            child.kill(SIGKILL)
            #expect(try child.wait() == .signaled(SIGKILL))
            guard let path = partialFile(in: dir, for: name), let result = try? LanesFile.read(path: path) else {
                continue
            }
            let perLane = checkPrefixes(result.trace, "trial \(trial)")
            if perLane.values.reduce(0, +) > 0 { withSpans += 1 }
            total += perLane.values.reduce(0, +)
            try? FileManager.default.removeItem(atPath: path)
        }
        #expect(withSpans >= 25, "only \(withSpans) of 50 killed recordings held spans (\(total) in all)")
    }

    @Test func aCompleteRecordingHoldsEveryThreadInOrder() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("whole.lanes").path
        let run = try runLanes(["_spin", "--out", path, "--flush-ms", "1", "--threads", "4", "--spans", "100000"])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try LanesFile.read(path: path)
        #expect(result.isComplete)
        let perLane = checkPrefixes(result.trace, "complete file")
        #expect(perLane.count == 4)
        #expect(perLane.values.allSatisfy { $0 == 100_000 }, "\(perLane)")
    }
}
