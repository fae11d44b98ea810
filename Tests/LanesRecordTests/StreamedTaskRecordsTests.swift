import Foundation
import LanesCore
import LanesFormat
import LanesRecord
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 15: a `Recorder` streaming to a file writes the task records of its task executors as their buffers
/// fill, so a program killed before it stops leaves its task slices; a finished file reads as it always did.
@Suite(.serialized) struct StreamedTaskRecordsTests {
    @Test func taskSlicesReachTheFileWhileRecordingAndTheFinishedFileHasNoRawRecords() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tasks.lanes").path
        // The recorder writes a hidden partial file beside `path`, renamed to it at the stop.
        let early = try await recordYields(to: .file(path)) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            return names.first { $0.hasPrefix(".tasks.lanes.") }.map { dir.appendingPathComponent($0).path }
        }
        #expect(!early.isComplete)
        let earlySlices = streamedSlices(early.trace)
        let taskLanes = Set(early.trace.lanes.filter { $0.kind == .task && $0.taskID != nil }.map(\.id))
        #expect(taskLanes.count >= 8, "the eight yielding tasks have lanes")
        #expect(earlySlices.allSatisfy { taskLanes.contains($0.lane) && $0.threadID != 0 && $0.end >= $0.start })
        #expect(early.trace.lanes.contains { $0.kind == .task && $0.parentTaskID != nil })
        #expect(early.trace.validate().isEmpty, "\(early.trace.validate())")

        // The finished file: complete, with every slice of the prefix and more, from the batch of lanes the recorder
        // wrote at its stop; the raw records it streamed stay in it and are not read twice.
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(chunkKinds(bytes).contains(UInt8(ascii: "T")))
        let whole = try LanesFile.decode(bytes)
        #expect(whole.isComplete)
        #expect(whole.warnings.isEmpty, "\(whole.warnings)")
        let wholeSlices = streamedSlices(whole.trace)
        #expect(wholeSlices.count > earlySlices.count)
        #expect(Set(wholeSlices.map(\.id)).count == wholeSlices.count, "the raw records are not added twice")
    }

    @Test func aFileCutBeforeTheStopReadsAsTheFinishedOne() async throws {
        let dir = try directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("tasks.lanes").path
        // On a descriptor, as in a file: the raw records stay in it after the stop.
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(fd >= 0)
        _ = try await recordYields(to: .descriptor(fd)) { path }
        close(fd)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(chunkKinds(bytes).contains(UInt8(ascii: "T")))
        let whole = try LanesFile.decode(bytes)
        #expect(whole.isComplete)
        #expect(whole.warnings.isEmpty, "\(whole.warnings)")
        let wholeSlices = streamedSlices(whole.trace)
        #expect(Set(wholeSlices.map(\.id)).count == wholeSlices.count, "the raw records are not added twice")

        // Cut just before the batch of task lanes (a kill before the stop got to it), the file reads from the
        // streamed records as the finished one: same task lanes, slices and flows.
        let cut = try #require(offsetOfTaskBatch(bytes))
        let killed = try LanesFile.decode(bytes[..<cut])
        #expect(!killed.isComplete)
        let ids = TaskRecording.recorderSpanIDs
        #expect(streamedSlices(killed.trace) == wholeSlices, "the slices differ")
        #expect(killed.trace.lanes.filter { $0.kind == .task } == whole.trace.lanes.filter { $0.kind == .task })
        #expect(
            killed.trace.flows.filter { ids.contains($0.id) } == whole.trace.flows.filter { ids.contains($0.id) },
            "the flows differ")
        #expect(killed.trace.flows.contains { ids.contains($0.id) })
    }

    private func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Records eight tasks yielding on a `TracingTaskExecutor` into `output`, reads the file at `readable()` as they
    /// run until it holds slices of all eight (what a SIGKILL then would leave), stops; returns that read.
    private func recordYields(
        to output: Recorder.Configuration.Output, readable: () -> String?
    ) async throws -> LanesReadResult {
        let executor = try TracingTaskExecutor(threads: 2)
        defer { executor.shutdown() }
        let recorder = try Recorder.start(.init(output: output, flushInterval: .milliseconds(20)))
        let stop = StopFlag()
        let work = Task(executorPreference: executor) {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { while !stop.isSet { await Task.yield() } }
                }
            }
        }
        var midRun: LanesReadResult?
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            // Until the slices of all eight tasks are there (a task's first ones may come with a later flush).
            if let p = readable(), let r = try? LanesFile.read(path: p),
                Set(streamedSlices(r.trace).map(\.lane)).count >= 8
            {
                midRun = r
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        stop.set()
        await work.value
        _ = try recorder.stop()
        return try #require(midRun, "no task slices reached the file in 60 s")
    }

    /// The spans a recorder makes of its task records (ids 2^61 ..< 2^62), in order.
    private func streamedSlices(_ trace: Trace) -> [Span] {
        trace.spans.filter { TaskRecording.recorderSpanIDs.contains($0.id.rawValue) && $0.name == taskSliceName }
    }

    /// The start and kind of each chunk (kind u8, length u32, CRC u32, payload; after a 12-byte preamble).
    private func chunks(_ bytes: [UInt8]) -> [(offset: Int, kind: UInt8)] {
        var out: [(Int, UInt8)] = []
        var o = 12
        while o + 9 <= bytes.count {
            let length = (1...4).reduce(0) { $0 | Int(bytes[o + $1]) << (8 * ($1 - 1)) }
            out.append((o, bytes[o]))
            o += 9 + length
        }
        return out
    }

    private func chunkKinds(_ bytes: [UInt8]) -> [UInt8] { chunks(bytes).map(\.kind) }

    /// Where the batch chunk holding the recorder's task lanes starts.
    private func offsetOfTaskBatch(_ bytes: [UInt8]) -> Int? {
        let batchStarts = chunks(bytes).filter { $0.kind == UInt8(ascii: "B") }.map(\.offset)
        var decoder = LanesDecoder()
        decoder.feed(bytes)
        decoder.finish()
        var batches = 0
        while let event = try? decoder.next() {
            guard case .batch(let batch) = event else { continue }
            if batch.spans.contains(where: { TaskRecording.recorderSpanIDs.contains($0.id.rawValue) }) {
                return batchStarts[batches]
            }
            batches += 1
        }
        return nil
    }
}

private final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
