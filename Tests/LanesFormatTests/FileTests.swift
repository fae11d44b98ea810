import Foundation
import LanesCore
import Testing
import LanesFormat

@Suite struct FileTests {
    func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "lanes-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name).lanes"
    }

    @Test func fileDescriptorSinkWritesAFileThatReadsBack() throws {
        let path = temporaryPath("fd")
        defer { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        let trace = sampleTrace()
        var writer = try LanesWriter(sink: LanesFileSink(fileDescriptor: fd, path: path), metadata: trace.metadata)
        try writer.write(trace, spansPerChunk: 4)
        try writer.finish()
        #expect(close(fd) == 0)  // the sink leaves a descriptor it did not open alone

        // Small reads, so chunks arrive in pieces.
        let result = try LanesFile.read(path: path, bufferSize: 4096)
        #expect(result.trace == trace)
        #expect(result.isComplete && result.warnings.isEmpty && result.chunks == 3)
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == writer.bytesWritten)
    }

    @Test func pathHelpersWriteAndReadABigTrace() throws {
        let path = temporaryPath("path")
        defer { unlink(path) }
        let batches = recorderLikeBatches(spans: 200_000, threads: 4, bufferSpans: 10_000)
        var writer = try LanesWriter(path: path, metadata: Metadata(host: "h"))
        var builder = TraceBuilder(metadata: Metadata(host: "h"))
        for b in batches {
            try writer.write(b)
            builder.add(b)
        }
        try writer.finish()
        let expected = builder.build().trace
        let result = try LanesFile.read(path: path, bufferSize: 64 * 1024)
        #expect(result.trace == expected)
        #expect(result.isComplete)

        let again = temporaryPath("again")
        defer { unlink(again) }
        try LanesFile.write(expected, to: again)
        #expect(try LanesFile.read(path: again).trace == expected)
    }

    @Test func aKilledWriterLeavesWholeChunks() throws {
        let path = temporaryPath("killed")
        defer { unlink(path) }
        let trace = sampleTrace()
        var writer = try LanesWriter(path: path, metadata: trace.metadata)
        try writer.write(LanesBatch(processes: trace.processes, lanes: trace.lanes, spans: Array(trace.spans[0..<5])))
        let whole = writer.bytesWritten
        // A killed writer leaves its temporary file (the path is replaced only when the writer finishes).
        let written = try #require(writer.sink.temporaryPath)
        defer { unlink(written) }
        // The next chunk is cut off halfway, as by SIGKILL during its write(2).
        var partial = LanesWriter(sinkForTesting: LanesMemorySink())
        try partial.write(LanesBatch(spans: Array(trace.spans[5...])))
        let half = Array(partial.sink.bytes.prefix(partial.sink.bytes.count / 2))
        let fd = open(written, O_WRONLY | O_APPEND)
        #expect(half.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) } == half.count)
        close(fd)
        #expect(access(path, F_OK) != 0, "nothing is at the path until the writer finishes")

        let result = try LanesFile.read(path: written)
        #expect(result.trace.spans == Array(trace.spans[0..<5]))
        #expect(result.trace.processes == trace.processes)
        #expect(result.completeness == .endsAfterChunk(chunks: 1, offset: whole))
        #expect(result.warnings == [.truncatedChunk(chunkOffset: whole, partialBytes: half.count, offset: whole + half.count, chunks: 1)])
        #expect(result.warnings[0].description.contains("ends at byte \(whole + half.count)"))
    }

    @Test func aPipeCarriesAChunkStream() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let trace = sampleTrace()
        // The sample fits in the pipe's buffer, so one thread can write it all before reading.
        var writer = try LanesWriter(sink: LanesFileSink(fileDescriptor: fds[1], closesDescriptor: true), metadata: trace.metadata)
        try writer.write(trace, spansPerChunk: 2)
        try writer.finish()
        let result = try LanesFile.read(fileDescriptor: fds[0])
        close(fds[0])
        #expect(result.trace == trace)
        #expect(result.isComplete)
    }

    @Test func ioErrorsNameThePathAndErrno() {
        let path = "/nonexistent-dir-\(getpid())/x.lanes"
        #expect(throws: LanesFormatError.io(operation: "open", path: path, errno: ENOENT, message: String(cString: strerror(ENOENT)))) {
            try LanesFile.read(path: path)
        }
        do {
            _ = try LanesWriter(path: path, metadata: Metadata())
            Issue.record("created a file in a directory that does not exist")
        } catch {
            #expect(error.description.contains(path) && error.description.contains("No such file"))
        }
        // Writing to a closed descriptor.
        #expect(throws: LanesFormatError.io(operation: "write", path: "fd 9999", errno: EBADF, message: String(cString: strerror(EBADF)))) {
            _ = try LanesWriter(sink: LanesFileSink(fileDescriptor: 9999), metadata: Metadata())
        }
    }
}
