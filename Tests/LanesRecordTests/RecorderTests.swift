import LanesCore
import LanesFormat
import LanesRecord
import Testing

/// One recorder may be active per process, so the recorder's tests run one at a time.
@Suite(.serialized) struct RecorderTests {
    @Test func eightThreadsRecordEverySpanOnce() throws {
        let recorder = try Recorder.start()
        let tids = TracedMutex<[Int64]>([])
        let threads = try (0..<8).map { i in
            try TracedThread(name: "worker-\(i)") {
                tids.withLock { $0.append(currentThreadID()) }
                for _ in 0..<100_000 { span("unit") {} }
            }
        }
        for t in threads { t.join() }
        let trace = try #require(try recorder.stop().trace)
        let units = trace.spans.filter { $0.name == "unit" }
        #expect(units.count == 800_000)
        #expect(Set(units.map(\.id)).count == 800_000)
        let workerTids = Set(tids.withLock { $0 })
        #expect(workerTids.count == 8)
        var perThread: [Int64: Int] = [:]
        var laneMismatches = 0
        let laneTid = Dictionary(uniqueKeysWithValues: trace.lanes.map { ($0.id, $0.threadID) })
        for s in units {
            perThread[s.threadID, default: 0] += 1
            if laneTid[s.lane] != s.threadID { laneMismatches += 1 }
        }
        #expect(laneMismatches == 0)
        #expect(Set(perThread.keys) == workerTids)
        #expect(perThread.values.allSatisfy { $0 == 100_000 })
        let names = Set(trace.lanes.map(\.name))
        for i in 0..<8 { #expect(names.contains("worker-\(i)")) }
        #expect(trace.metadata.droppedEvents == 0)
        #expect(trace.validate().isEmpty)
    }

    @Test func spansNestAndKeepTheirParent() throws {
        let recorder = try Recorder.start()
        span("outer") {
            span("a") { span("a1") {} }
            span("b") {}
        }
        let trace = try #require(try recorder.stop().trace)
        let byName = Dictionary(uniqueKeysWithValues: trace.spans.map { ($0.name, $0) })
        let outer = try #require(byName["outer"])
        #expect(outer.parent == nil)
        #expect(byName["a"]?.parent == outer.id)
        #expect(byName["b"]?.parent == outer.id)
        #expect(byName["a1"]?.parent == byName["a"]?.id)
        #expect(outer.start <= byName["a"]!.start && byName["b"]!.end <= outer.end)
        #expect(trace.validate().isEmpty)
    }

    @Test func sleepInsideASpanIsASleepWait() throws {
        let recorder = try Recorder.start()
        span("nap") { tracedSleep(.milliseconds(50)) }
        let trace = try #require(try recorder.stop().trace)
        let nap = try #require(trace.spans.first { $0.name == "nap" })
        #expect(nap.waits.count == 1)
        let wait = try #require(nap.waits.first)
        #expect(wait.reason == .sleep)
        #expect(wait.duration >= 50_000_000)
        #expect(wait.duration < 1_000_000_000)
        #expect(nap.blockedTime == nap.waits.reduce(0) { $0 + $1.duration })
        #expect(nap.blockedTime <= nap.duration)
        #expect(trace.validate().isEmpty)
    }

    @Test func boundedQueueHandsEveryItemOverOnce() throws {
        let recorder = try Recorder.start()
        let queue = TracedQueue<Int>(capacity: 2, name: "items")
        let consumed = TracedMutex<[Int]>([])
        // Consumers start first and find the queue empty; a burst of producers then fills it.
        let consumers = try (0..<2).map { c in
            try TracedThread(name: "consumer-\(c)") {
                while true {
                    let item = queue.get()
                    if item < 0 { return }
                    span("consume") { consumed.withLock { $0.append(item) } }
                }
            }
        }
        let producers = try (0..<3).map { p in
            try TracedThread(name: "producer-\(p)") {
                for i in 0..<200 { span("produce") { queue.put(p * 1000 + i) } }
            }
        }
        for p in producers { p.join() }
        queue.put(-1)
        queue.put(-1)
        for c in consumers { c.join() }
        let trace = try #require(try recorder.stop().trace)
        let items = consumed.withLock { $0 }
        #expect(items.count == 600)
        #expect(Set(items) == Set((0..<3).flatMap { p in (0..<200).map { p * 1000 + $0 } }))
        let reasons = trace.spans.flatMap(\.waits).map(\.reason)
        #expect(reasons.contains(.queueGet))
        #expect(reasons.contains(.queuePut))
        #expect(trace.counters.contains { $0.name == "items" })
        #expect(trace.validate().isEmpty)
    }

    @Test func memoryBoundDropsAndCounts() throws {
        // Two 1 KiB buffers: 64 records; everything past them is dropped and counted.
        let recorder = try Recorder.start(.init(memoryLimit: 2048, bufferSize: 1024))
        let t = try TracedThread(name: "busy") { for _ in 0..<1_000 { span("x") {} } }
        t.join()
        let recording = try recorder.stop()
        let trace = try #require(recording.trace)
        // Buffers that earlier tests left with their threads count against the bound too, so
        // this thread may get one buffer or none.
        let kept = trace.spans.filter { $0.name == "x" }.count
        #expect(kept <= 32)
        // 1,000 spans on the busy thread and the main thread's join wait: each kept or counted.
        let joinKept = trace.spans.contains { $0.name == "join" } ? 1 : 0
        #expect(recording.droppedEvents == UInt64(1_001 - kept - joinKept))
        #expect(trace.metadata.droppedEvents == recording.droppedEvents)
    }

    @Test func droppingEndsWithItsRecording() throws {
        let tight = try Recorder.start(.init(memoryLimit: 1024, bufferSize: 1024))
        for _ in 0..<10_000 { span("x") {} }
        #expect(try tight.stop().droppedEvents > 0)
        let next = try Recorder.start()
        for _ in 0..<5 { span("y") {} }
        let recording = try next.stop()
        #expect(recording.droppedEvents == 0)
        #expect(recording.trace?.spans.filter { $0.name == "y" }.count == 5)
    }

    @Test func perSpanCPUTimeIsMeasured() throws {
        let recorder = try Recorder.start(.init(cpu: .perSpan))
        var x: UInt64 = 1
        span("spin") { for i in 0..<2_000_000 { x = x &* 6364136223846793005 &+ UInt64(i) } }
        span("nap") { tracedSleep(.milliseconds(20)) }
        let trace = try #require(try recorder.stop().trace)
        #expect(x != 0)
        let spin = try #require(trace.spans.first { $0.name == "spin" })
        let nap = try #require(trace.spans.first { $0.name == "nap" })
        let spinCPU = try #require(spin.cpuTime)
        let napCPU = try #require(nap.cpuTime)
        // Ratios, not absolute bounds: on a loaded machine the spinning thread is not always on a CPU.
        let spinShare = Double(spinCPU) / Double(spin.duration)
        let napShare = Double(napCPU) / Double(nap.duration)
        #expect(spinCPU > 0 && spinCPU <= spin.duration + 1_000_000)
        #expect(napShare < 0.25)
        #expect(spinShare > 4 * napShare)
    }

    @Test func sampledCPUGivesSchedCounters() throws {
        let recorder = try Recorder.start(.init(cpu: .sampled(intervalMilliseconds: 5)))
        let t = try TracedThread(name: "sleeper") {
            span("nap") { tracedSleep(.milliseconds(60)) }
        }
        t.join()
        span("main") { tracedSleep(.milliseconds(30)) }
        let trace = try #require(try recorder.stop().trace)
        let blocked = trace.counters.filter { $0.name == CounterName.blocked }
        #expect(!blocked.isEmpty)
        #expect(blocked.allSatisfy { $0.lane != nil })
        #expect(trace.counters.contains { $0.name == CounterName.running })
    }

    @Test func asyncSpansNestAcrossSuspensions() async throws {
        let recorder = try Recorder.start()
        await span("request") {
            try? await tracedSleep(for: .milliseconds(5))
            await span("child") { await Task.yield() }
        }
        let trace = try #require(try recorder.stop().trace)
        let request = try #require(trace.spans.first { $0.name == "request" })
        let child = try #require(trace.spans.first { $0.name == "child" })
        #expect(child.parent == request.id)
        #expect(request.waits.map(\.reason) == [.sleep])
        #expect(trace.lane(request.lane)?.kind == .task)
        #expect(trace.lane(request.lane)?.taskID != 0)
        // The thread an async span began on is a kernel tid, as a thread lane's is (it carried the record's
        // kind in its top byte, so --group-by thread drew a second row for one thread).
        #expect(request.threadID > 0 && request.threadID < 1 << 32)
        #expect(child.threadID > 0 && child.threadID < 1 << 32)
        #expect(trace.spans.filter { $0.lane == request.lane }.allSatisfy { $0.threadID < 1 << 32 })
        #expect(trace.validate().isEmpty)
    }

    @Test func marksCountersAndFlows() throws {
        let recorder = try Recorder.start()
        let handle = span("producer") { () -> FlowHandle in
            mark("made")
            return flowStart("item")
        }
        counter("depth", 3)
        let t = try TracedThread(name: "consumer") { span("consumer") { flowEnd(handle) } }
        t.join()
        let trace = try #require(try recorder.stop().trace)
        let producer = try #require(trace.spans.first { $0.name == "producer" })
        let consumer = try #require(trace.spans.first { $0.name == "consumer" })
        #expect(trace.flows.count == 1)
        #expect(trace.flows.first?.from == producer.id)
        #expect(trace.flows.first?.to == consumer.id)
        #expect(trace.marks.map(\.name) == ["made"])
        #expect(trace.counters.map(\.value) == [3])
        #expect(trace.validate().isEmpty)
    }

    @Test func aSecondRecorderIsRefusedAndStoppingTwiceFails() throws {
        let recorder = try Recorder.start()
        #expect(throws: Recorder.Error.alreadyRecording) { try Recorder.start() }
        _ = try recorder.stop()
        #expect(throws: Recorder.Error.notRecording) { try recorder.stop() }
    }

    @Test func nothingIsRecordedWhenOff() throws {
        span("before") {}
        let recorder = try Recorder.start()
        span("during") {}
        let trace = try #require(try recorder.stop().trace)
        span("after") {}
        #expect(trace.spans.map(\.name) == ["during"])
    }
}
