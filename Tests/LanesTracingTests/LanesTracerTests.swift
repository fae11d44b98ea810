import Glibc
import LanesCore
import LanesRecord
import LanesTracing
import Testing
import Tracing

struct Failure: Error, CustomStringConvertible {
    var description: String { "disk on fire" }
}

/// Nanoseconds on CLOCK_MONOTONIC, the trace's clock.
func monotonicNow() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

func spans(named name: String, in trace: Trace) -> [LanesCore.Span] { trace.spans.filter { $0.name == name } }

/// One recorder per process: these tests run one at a time.
@Suite(.serialized)
struct LanesTracerTests {
    let tracer = LanesTracer()

    @Test func syncNestedSpansKeepNamesParentsAttributesErrorsAndThreads() throws {
        let before = monotonicNow()
        let recorder = try Recorder.start()
        let tid = currentThreadID()
        let ids: (outer: UInt64, inner: UInt64) = tracer.withSpan("outer") { outer in
            outer.attributes["text"] = "hello"
            outer.attributes["count"] = 42
            outer.attributes["ratio"] = 0.5
            outer.attributes["ok"] = true
            let inner = try? tracer.withSpan("inner") { inner -> UInt64 in
                #expect(inner.isRecording)
                throw Failure()
            }
            #expect(inner == nil)
            return (outer.id, LanesTracer.spanID(in: InstrumentationContext.current ?? .topLevel) ?? 0)
        }
        let trace = try #require(try recorder.stop().trace)
        let after = monotonicNow()

        let outer = try #require(spans(named: "outer", in: trace).first)
        let inner = try #require(spans(named: "inner", in: trace).first)
        #expect(spans(named: "outer", in: trace).count == 1)
        #expect(outer.id == SpanID(ids.outer))
        #expect(ids.inner == ids.outer)  // the current context after the inner span is the outer one
        #expect(outer.parent == nil)
        #expect(inner.parent == outer.id)
        #expect(
            Set(outer.attributes) == [
                Attribute("text", "hello"), Attribute("count", "42"), Attribute("ratio", "0.5"),
                Attribute("ok", "true"),
            ])
        #expect(inner.attributes == [Attribute("error", "disk on fire")])
        #expect(before <= outer.start && outer.start <= inner.start && inner.start <= inner.end)
        #expect(inner.end <= outer.end && outer.end <= after)
        #expect(outer.threadID == tid && inner.threadID == tid)
        let lane = try #require(trace.lane(outer.lane))
        if currentTaskID() == 0 {
            #expect(lane.kind == .thread && lane.threadID == tid)
        } else {
            #expect(lane.kind == .task && lane.taskID == currentTaskID())
        }
    }

    @Test func spansOutsideATaskGoOnTheirThreadsLane() throws {
        let recorder = try Recorder.start()
        let tid = LockedBox<Int64>(0)
        let thread = try TracedThread(name: "plain") {
            tid.value = currentThreadID()
            LanesTracer().withSpan("on a thread") { span in span.attributes["n"] = 1 }
        }
        thread.join()
        let trace = try #require(try recorder.stop().trace)
        let span = try #require(spans(named: "on a thread", in: trace).first)
        let lane = try #require(trace.lane(span.lane))
        #expect(lane.kind == .thread && lane.threadID == tid.value && span.threadID == tid.value)
        #expect(span.attributes == [Attribute("n", "1")])
    }

    @Test func asyncSpansInATaskGroupKeepTheirParent() async throws {
        let before = monotonicNow()
        let recorder = try Recorder.start()
        let tracer = self.tracer
        let parentID = try await tracer.withSpan("request") { span -> UInt64 in
            span.attributes["route"] = "/users/:id"
            await withTaskGroup(of: Void.self) { group in
                for i in 0..<3 {
                    group.addTask {
                        try? await tracer.withSpan("child") { child in
                            child.attributes["index"] = i
                            await Task.yield()
                            try await tracer.withSpan("grandchild") { _ in try await Task.sleep(for: .microseconds(10))
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(1))
            return span.id
        }
        let trace = try #require(try recorder.stop().trace)
        let after = monotonicNow()
        let request = try #require(spans(named: "request", in: trace).first)
        let children = spans(named: "child", in: trace)
        let grandchildren = spans(named: "grandchild", in: trace)
        #expect(request.id == SpanID(parentID))
        #expect(request.attributes == [Attribute("route", "/users/:id")])
        #expect(children.count == 3 && grandchildren.count == 3)
        #expect(children.allSatisfy { $0.parent == request.id })
        #expect(
            Set(children.flatMap(\.attributes)) == [
                Attribute("index", "0"), Attribute("index", "1"), Attribute("index", "2"),
            ])
        #expect(Set(grandchildren.compactMap(\.parent)) == Set(children.map(\.id)))
        let requestLane = try #require(trace.lane(request.lane))
        for child in children {
            let lane = try #require(trace.lane(child.lane))
            #expect(lane.kind == .task && lane.taskID != requestLane.taskID)
            #expect(request.start <= child.start && child.end <= request.end)
            #expect(child.threadID != 0)
        }
        #expect(before <= request.start && request.end <= after)
    }

    @Test func aSpanEndedOnAnotherThreadIsRecordedOnce() throws {
        let recorder = try Recorder.start()
        let tid = currentThreadID()
        let span = tracer.startSpan("hop")
        span.attributes["from"] = "here"
        let endTID = LockedBox<Int64>(0)
        let thread = try TracedThread(name: "ender") {
            endTID.value = currentThreadID()
            span.attributes["to"] = "there"
            span.end()
        }
        thread.join()
        span.end()  // a second end is ignored
        span.attributes["late"] = "ignored"
        #expect(!span.isRecording)
        let trace = try #require(try recorder.stop().trace)
        let hops = spans(named: "hop", in: trace)
        #expect(hops.count == 1)
        let hop = try #require(hops.first)
        #expect(endTID.value != tid)
        #expect(hop.threadID == tid)
        #expect(hop.start <= hop.end)
        #expect(Set(hop.attributes) == [Attribute("from", "here"), Attribute("to", "there")])
    }

    @Test func withoutARecorderNothingIsRecordedAndLittleIsSpent() throws {
        #expect(!Recorder.isRecording)
        let span = tracer.startSpan("unseen")
        span.attributes["k"] = "v"
        span.recordError(Failure())
        #expect(!span.isRecording && span.id == 0)
        #expect(span.attributes.isEmpty && span.operationName == "")
        span.end()
        #expect(LanesTracer.spanID(in: span.context) == nil)

        // Against swift-distributed-tracing's NoOpTracer in the same build and run (a ratio, as debug and
        // ThreadSanitizer builds on a busy machine make absolute times meaningless): the best of interleaved rounds.
        let noOp = NoOpTracer()
        let n = 5_000
        var lanes = Double.infinity, none = Double.infinity
        for _ in 0..<5 {
            var t0 = monotonicNow()
            for _ in 0..<n { tracer.withSpan("off") { _ in } }
            lanes = min(lanes, Double(monotonicNow() - t0) / Double(n))
            t0 = monotonicNow()
            for _ in 0..<n { noOp.withSpan("off") { _ in } }
            none = min(none, Double(monotonicNow() - t0) / Double(n))
        }
        #expect(lanes < 4 * none, "\(lanes) ns per span with no recorder against NoOpTracer's \(none) ns")

        let recorder = try Recorder.start()
        let trace = try #require(try recorder.stop().trace)
        #expect(spans(named: "unseen", in: trace).isEmpty && spans(named: "off", in: trace).isEmpty)
    }
}

/// A value handed between threads in a test, guarded by a pthread mutex.
final class LockedBox<T: Sendable>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var _value: T
    init(_ value: T) {
        _value = value
        pthread_mutex_init(&mutex, nil)
    }
    var value: T {
        get {
            pthread_mutex_lock(&mutex)
            defer { pthread_mutex_unlock(&mutex) }
            return _value
        }
        set {
            pthread_mutex_lock(&mutex)
            _value = newValue
            pthread_mutex_unlock(&mutex)
        }
    }
}
