import LanesCore
import LanesFormat
import Testing

/// `.lanes` task records chunks (FORMAT.md): an unfinished file's records become task lanes, and forged or damaged
/// records never crash the reader.
struct TaskRecordsChunkTests {
    /// CRC-32C (Castagnoli) one bit at a time, as the task recording format checksums its chunks.
    private func crc32c(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0x82F6_3B78 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }

    private func le<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }

    /// One chunk of the task recording format (TASKS_FORMAT.md).
    private func taskChunk(type: UInt16, tid: UInt32, ticks: UInt64, mono: UInt64, payload: [UInt8]) -> [UInt8] {
        var header = le(UInt32(0x4B53_4154)) + le(type) + le(UInt16(1)) + le(UInt32(4242)) + le(tid)
        header += le(UInt32(payload.count)) + le(UInt32(0)) + le(ticks) + le(mono)
        let crc = crc32c(header + payload)
        header.replaceSubrange(20..<24, with: le(crc))
        return header + payload
    }

    private func record(type: UInt8, kind: UInt8, flags: UInt8, task: UInt64, t0: UInt64, t1: UInt64, other: UInt64)
        -> [UInt8]
    {
        [type, kind, 0, flags] + le(UInt32(0)) + le(task) + le(t0) + le(t1) + le(other)
    }

    /// A `.lanes` file with a header and `records` in task records chunks, never finished.
    private func unfinishedFile(_ records: [UInt8]) throws -> [UInt8] {
        var writer = try LanesWriter(sink: LanesMemorySink(), metadata: Metadata())
        try records.withUnsafeBytes { try writer.writeTaskRecords($0) }
        return writer.sink.bytes
    }

    @Test func anUnfinishedFilesRecordsBecomeTaskLanes() throws {
        // Task 7 spawned by task 1, then two slices of it on thread 11 with a suspension between (ns ticks).
        let records =
            record(type: 2, kind: 0, flags: 0, task: 7, t0: 1_000, t1: 0, other: 1)
            + record(type: 1, kind: 0, flags: 0, task: 1, t0: 500, t1: 1_500, other: 0x10)
            + record(type: 1, kind: 0, flags: 0, task: 7, t0: 2_000, t1: 3_000, other: 0x20)
            + record(type: 2, kind: 0, flags: 0, task: 7, t0: 3_500, t1: 0, other: 1)
            + record(type: 1, kind: 0, flags: 0, task: 7, t0: 9_000, t1: 9_500, other: 0x20)
        let stream =
            taskChunk(type: 3, tid: 0, ticks: 0, mono: 0, payload: le(UInt32(0)) + le(UInt32(40)))
            + taskChunk(type: 1, tid: 11, ticks: 10_000, mono: 10_000, payload: records)
        let read = try LanesFile.decode(try unfinishedFile(stream))
        #expect(!read.isComplete)
        let lane = try #require(read.trace.lanes.first { $0.taskID == 7 })
        #expect(lane.kind == .task && lane.parentTaskID == 1)
        let slices = read.trace.spans.filter { $0.lane == lane.id }
        #expect(slices.map(\.start) == [2_000, 9_000] && slices.allSatisfy { $0.threadID == 11 })
        #expect(read.trace.flows.contains { $0.name == "spawn" })
    }

    @Test func forgedRecordsNeverCrashTheReader() throws {
        var generator = SystemRandomNumberGenerator()
        let extremes: [UInt64] = [0, 1, 1 << 32, UInt64(Int64.max), UInt64(Int64.max) + 1, UInt64.max, UInt64.max - 1]
        func value() -> UInt64 {
            Bool.random(using: &generator)
                ? extremes.randomElement(using: &generator)! : UInt64.random(in: 0...UInt64.max)
        }
        for _ in 0..<200 {
            var stream = taskChunk(
                type: 3, tid: 0, ticks: value(), mono: value(), payload: le(UInt32.random(in: 0...1)) + le(UInt32(40)))
            for _ in 0..<Int.random(in: 1...4) {
                var records: [UInt8] = []
                for _ in 0..<Int.random(in: 0...20) {
                    records += record(
                        type: UInt8.random(in: 0...3), kind: [0, 192, 193, 195, 7].randomElement()!,
                        flags: UInt8.random(in: 0...7), task: [0, 1, 2, 3, value()].randomElement()!, t0: value(),
                        t1: value(), other: [0, 1, 2, value()].randomElement()!)
                }
                stream += taskChunk(
                    type: UInt16.random(in: 1...5), tid: UInt32.random(in: 0...3), ticks: value(), mono: value(),
                    payload: records)
            }
            // Reading must not trap; the trace it gives is whatever the records say.
            _ = try LanesFile.decode(try unfinishedFile(stream))
        }
    }
}
