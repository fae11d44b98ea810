import Glibc
import LanesCore
import LanesFormat
import LanesRecord
import Testing

/// A fresh temporary directory; the caller removes it with `removeTree`.
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/lanes-record-XXXXXX".utf8CString)
    return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
}

func removeTree(_ dir: String) {
    if let d = opendir(dir) {
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { unlink("\(dir)/\(name)") }
        }
        closedir(d)
    }
    rmdir(dir)
}

extension RecorderTests {
    @Test func fileOutputHoldsEverySpanAndWait() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let path = "\(dir)/run.lanes"
        // Small buffers and a short interval, so the file is written in many chunks while recording.
        let recorder = try Recorder.start(
            .init(output: .file(path), bufferSize: 4096, flushInterval: .milliseconds(2), model: "threads"))
        let lock = TracedMutex(0, name: "total")
        let threads = try (0..<4).map { i in
            try TracedThread(name: "w\(i)") {
                for _ in 0..<20_000 { span("add") { lock.withLock { $0 += 1 } } }
                span("rest") { tracedSleep(.milliseconds(3)) }
            }
        }
        for t in threads { t.join() }
        let recording = try recorder.stop()
        #expect(recording.path == path)

        let result = try LanesFile.read(path: path)
        #expect(result.isComplete)
        #expect(result.chunks > 2)
        #expect(result.warnings.isEmpty)
        let trace = result.trace
        #expect(trace.spans.filter { $0.name == "add" }.count == 80_000)
        #expect(trace.spans.count == recording.spanCount)
        #expect(lock.withLock { $0 } == 80_000)
        let rests = trace.spans.filter { $0.name == "rest" }
        #expect(rests.count == 4)
        #expect(rests.allSatisfy { $0.waits.count == 1 && $0.waits[0].reason == .sleep && $0.waits[0].duration >= 3_000_000 })
        #expect(trace.metadata.model == "threads")
        #expect(trace.metadata.cores > 0)
        #expect(trace.validate().isEmpty)
    }

    @Test func anUnwritableOutputFailsToStartAndSaysWhere() throws {
        let path = "/nonexistent-dir/run.lanes"
        do {
            _ = try Recorder.start(.init(output: .file(path)))
            Issue.record("recording started with an unwritable output")
        } catch let error as Recorder.Error {
            guard case .output(let p, let message) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(p == path)
            #expect(message.contains("No such file or directory"))
            #expect(!"\(error)".contains("\n"))
        }
        #expect(!Recorder.isRecording)
        // And the next recorder starts normally.
        _ = try Recorder.start().stop()
    }

    /// When the output cannot keep up (here: a pipe that nobody reads until recording ends), the
    /// memory bound drops events, counts them, and the count reaches the file.
    @Test func droppedCountReachesTheFile() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTree(dir) }
        let fifo = "\(dir)/stream.lanes"
        #expect(mkfifo(fifo, 0o600) == 0)
        let drain = TracedMutex<[UInt8]>([])
        let start = TracedSemaphore(value: 0)
        let reader = try TracedThread(name: "reader") {
            let fd = open(fifo, O_RDONLY)
            start.wait()  // hold the pipe full until recording is over
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                drain.withLock { $0 += chunk[..<n] }
            }
            close(fd)
        }
        let recorder = try Recorder.start(
            .init(output: .file(fifo), memoryLimit: 256 << 10, bufferSize: 4096, flushInterval: .milliseconds(1)))
        let total = 400_000
        let worker = try TracedThread(name: "busy") { for _ in 0..<total { span("x") {} } }
        worker.join()
        start.signal()
        let recording = try recorder.stop()
        reader.join()

        #expect(recording.droppedEvents > 0)
        let result = try LanesFile.decode(drain.withLock { $0 })
        #expect(result.isComplete)
        #expect(result.trace.metadata.droppedEvents == recording.droppedEvents)
        let kept = result.trace.spans.filter { $0.name == "x" }.count
        // Every "x" span is either in the file or counted; the count may also hold a wait of the
        // main thread's (its join), dropped for the same reason.
        #expect(UInt64(total - kept) <= recording.droppedEvents)
        #expect(recording.droppedEvents <= UInt64(total - kept) + 2)
    }

    /// The README's example, as written there, runs and records what it says.
    @Test func readmeExampleRecordsWhatItSays() throws {
        let recorder = try Recorder.start(.init(output: .memory))

        let queue = TracedQueue<Int>(capacity: 10, name: "jobs")
        let lock = TracedMutex(0, name: "total")

        let consumer = try TracedThread(name: "consumer") {
            while case let job = queue.get(), job >= 0 {
                span("consume") {
                    lock.withLock { $0 += job }
                }
            }
        }
        for job in 0..<100 {
            span("produce") {
                tracedSleep(.milliseconds(1))
                queue.put(job)
            }
        }
        queue.put(-1)
        consumer.join()

        let recording = try recorder.stop()
        let trace = try #require(recording.trace)
        #expect(lock.withLock { $0 } == 4950)
        #expect(trace.spans.filter { $0.name == "produce" }.count == 100)
        #expect(trace.spans.filter { $0.name == "consume" }.count == 100)
        let reasons = Set(trace.spans.flatMap(\.waits).map(\.reason))
        #expect(reasons.isSuperset(of: [.sleep, .join, .queueGet]))
    }
}
