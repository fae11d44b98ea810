import Foundation
import LanesCore
import LanesFormat
import LanesRecord
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 19, defect 11: killing `lanes run` midway leaves what the parent recorded.
@Suite(.serialized) struct KilledRunTests {
    @Test func aKilledRunLeavesItsOwnTrace() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A long run: far more work than the test waits for.
        let child = try ChildProcess(
            path: lanesBinary,
            arguments: ["run", "cpu-primes", "--model", "threads", "--scale", "40", "--out", dir.path])
        func partial() -> String? {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.first { $0.hasPrefix(".cpu-primes-threads.lanes.") && $0.hasSuffix(".partial") }
                .map { dir.appendingPathComponent($0).path }
        }
        // Wait (bounded) until spans have been flushed into the stream, then kill the parent.
        var seen = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let p = partial(), let r = try? LanesFile.read(path: p), r.trace.spans.count > 0 {
                seen = r.trace.spans.count
                break
            }
            usleep(20_000)
        }
        child.kill(SIGKILL)
        #expect(try child.wait() == .signaled(SIGKILL))
        #expect(seen > 0, "no spans were streamed in 60 s")
        let path = try #require(partial())
        let result = try LanesFile.read(path: path)
        #expect(!result.isComplete)
        #expect(result.trace.spans.count >= seen)
        #expect(result.trace.metadata.scenario == "cpu-primes")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("cpu-primes-threads.lanes").path))
    }
}
