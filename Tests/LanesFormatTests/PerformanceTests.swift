import Foundation
import LanesCore
import LanesFormat
import Testing

/// Size and speed on a recorder-like trace of 1M spans over 16 threads. Off unless `LANES_BENCH` is set;
/// meaningful in release mode:
///
///     LANES_BENCH=1 swift test -c release --filter LanesFormatTests.PerformanceTests
@Suite(.enabled(if: ProcessInfo.processInfo.environment["LANES_BENCH"] != nil))
struct PerformanceTests {
    static let spanCount = 1_048_576

    func best(of runs: Int, _ body: () throws -> Void) rethrows -> Duration {
        var best = Duration.seconds(1_000)
        for _ in 0..<runs {
            let t = ContinuousClock.now
            try body()
            best = min(best, ContinuousClock.now - t)
        }
        return best
    }

    /// The best time of `runs` reads; the result of each is dropped outside the timed part.
    func bestRead(of runs: Int, _ body: () throws -> LanesReadResult) rethrows -> (Duration, LanesReadResult?) {
        var best = Duration.seconds(1_000)
        var last: LanesReadResult?
        for _ in 0..<runs {
            last = nil
            let t = ContinuousClock.now
            let r = try body()
            best = min(best, ContinuousClock.now - t)
            last = r
        }
        return (best, last)
    }

    func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    @Test func sizeAndReadSpeed() throws {
        let batches = recorderLikeBatches(spans: Self.spanCount, threads: 16, bufferSpans: 4_096)
        var writer = try LanesWriter(sink: LanesMemorySink(), metadata: Metadata(command: ["bench"], host: "h", cores: 16))
        let writeTime = try best(of: 1) {
            for b in batches { try writer.write(b) }
            try writer.finish()
        }
        let bytes = writer.sink.bytes
        let spans = writer.spansWritten
        let perSpan = Double(bytes.count) / Double(spans)
        print("recorder-like, one chunk per 4096-span thread buffer: \(bytes.count) bytes, \(spans) spans, "
            + "\(String(format: "%.2f", perSpan)) bytes/span; write \(Int(Double(spans) / seconds(writeTime))) spans/s")
        #expect(perSpan <= 12)

        var result: LanesReadResult?
        let memoryTime: Duration
        (memoryTime, result) = try bestRead(of: 5) { try LanesFile.decode(bytes) }
        #expect(result?.trace.spans.count == spans)
        #expect(result?.isComplete == true)
        print("read from memory: \(Int(Double(spans) / seconds(memoryTime))) spans/s (\(memoryTime))")

        let path = NSTemporaryDirectory() + "lanes-bench-\(getpid()).lanes"
        defer { unlink(path) }
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        if let n = ProcessInfo.processInfo.environment["LANES_BENCH_PROFILE"].flatMap(Int.init) {
            for _ in 0..<n { result = try LanesFile.read(path: path) }  // for `perf record`
        }
        let fileTime: Duration
        (fileTime, result) = try bestRead(of: 5) { try LanesFile.read(path: path) }
        #expect(result?.trace.spans.count == spans)
        print("read from file (256 KiB reads): \(Int(Double(spans) / seconds(fileTime))) spans/s (\(fileTime))")

        // As a stream (a pipe from a worker): no end chunk to size the span array from.
        let streamTime: Duration
        (streamTime, result) = try bestRead(of: 5) {
            var reader = LanesReader()
            var i = 0
            while i < bytes.count {
                let n = min(bytes.count - i, 64 * 1024)
                try reader.feed(bytes[i..<(i + n)])
                i += n
            }
            return try reader.finish()
        }
        #expect(result?.trace.spans.count == spans)
        print("read as a stream in 64 KiB pieces: \(Int(Double(spans) / seconds(streamTime))) spans/s (\(streamTime))")

        // The same spans written as a whole trace (lane after lane, 64 Ki spans a chunk), and interleaved by end time.
        let trace = try LanesFile.decode(bytes).trace
        let whole = try LanesFile.encode(trace)
        print("whole trace, 64 Ki spans a chunk: \(String(format: "%.2f", Double(whole.count) / Double(spans))) bytes/span")
        var interleaved = trace
        interleaved.spans.sort { ($0.end, $0.id) < ($1.end, $1.id) }
        let mixed = try LanesFile.encode(interleaved)
        print("all threads interleaved by end time: \(String(format: "%.2f", Double(mixed.count) / Double(spans))) bytes/span")
        let mixedTime: Duration
        (mixedTime, result) = try bestRead(of: 3) { try LanesFile.decode(mixed) }
        print("read interleaved: \(Int(Double(spans) / seconds(mixedTime))) spans/s")
    }
}
