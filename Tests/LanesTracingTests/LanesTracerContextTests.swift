import LanesCore
import LanesRecord
import Glibc
import Testing
import Tracing

@testable import LanesTracing

/// A key of the application's own, beside the tracer's.
enum RequestIDKey: InstrumentationContextKey { typealias Value = String }

/// The address of a context's storage, to tell whether two contexts share it (holds no reference).
func storageAddress(_ context: InstrumentationContext) -> Int {
    withUnsafeBytes(of: context) { $0.load(as: Int.self) }
}

// In the suite of LanesTracerTests (one recorder per process: one test at a time).
extension LanesTracerTests {
    /// Spans one after another on a thread reuse one context; contexts kept past their span, and copies
    /// changed by the application, keep their own span's id however many spans follow.
    @Test func recycledContextsNeverChangeUnderAnyoneHoldingThem() throws {
        #expect(ContextStore.canReuse, "InstrumentationContext is no longer its dictionary: spans pay an allocation")
        let recorder = try Recorder.start()
        // Nothing kept: the second span's context is the first's, a recycled one, rewritten.
        let first = tracer.withSpan("first") { storageAddress($0.context) }
        let second = tracer.withSpan("second") { storageAddress($0.context) }
        #expect(first == second)
        let slots = NameCache.current.contextSlots.map { withUnsafeBytes(of: $0.entries) { $0.load(as: Int.self) } }
        #expect(slots.contains(first), "the spans' context is not a recycled one")

        var kept: [(id: UInt64, context: InstrumentationContext)] = []
        var changed: [(id: UInt64, context: InstrumentationContext)] = []
        var ids: [UInt64] = []
        for i in 0..<30 {
            tracer.withSpan("loop") { span in
                ids.append(span.id)
                #expect(LanesTracer.spanID(in: span.context) == span.id)
                #expect(LanesTracer.spanID(in: InstrumentationContext.current ?? .topLevel) == span.id)
                if i % 5 == 0 { kept.append((span.id, span.context)) }
                if i % 7 == 0 {
                    var context = span.context
                    context[RequestIDKey.self] = "r\(i)"
                    changed.append((span.id, context))
                }
            }
        }
        let trace = try #require(try recorder.stop().trace)

        #expect(Set(ids).count == 30 && !ids.contains(0))
        #expect(kept.count == 6 && changed.count == 5)
        for (id, context) in kept {
            #expect(LanesTracer.spanID(in: context) == id)
            #expect(context.count == 1)
        }
        for (n, (id, context)) in changed.enumerated() {
            #expect(LanesTracer.spanID(in: context) == id)
            #expect(context[RequestIDKey.self] == "r\(n * 7)")
        }
        let loops = spans(named: "loop", in: trace)
        #expect(Set(loops.map(\.id)) == Set(ids.map { SpanID($0) }))
        #expect(loops.allSatisfy { $0.parent == nil })
    }

    /// Spans nested deeper than a thread keeps recycled contexts, spans started from a context that also
    /// holds the application's keys, and contexts kept by a child started later on another thread: each
    /// span has its parent.
    @Test func recycledContextsKeepParentsAtAnyDepth() throws {
        let recorder = try Recorder.start()
        let depth = ContextStore.slotCount + 3
        var chain: [UInt64] = []
        var held: InstrumentationContext?
        func nest(_ level: Int) {
            tracer.withSpan("level \(level)") { span in
                chain.append(span.id)
                if level == 2 { held = span.context }
                if level < depth { nest(level + 1) }
            }
        }
        for _ in 0..<3 { nest(1) }
        // A child of a span that ended long ago, started from its kept context on another thread.
        let late = LockedBox<UInt64>(0)
        let context = try #require(held)
        let thread = try TracedThread(name: "late child") {
            late.value = LanesTracer().withSpan("late", context: context) { $0.id }
        }
        thread.join()
        // The application's own key: the context is not one of the tracer's, both keys are kept.
        var mixed = InstrumentationContext.topLevel
        mixed[RequestIDKey.self] = "request"
        let (mixedID, mixedContext) = tracer.withSpan("mixed", context: mixed) { ($0.id, $0.context) }
        let (childID, childParentInContext) = tracer.withSpan("mixed child", context: mixedContext) {
            ($0.id, $0.context[RequestIDKey.self])
        }
        let trace = try #require(try recorder.stop().trace)

        #expect(chain.count == 3 * depth)
        let byID = Dictionary(trace.spans.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for run in 0..<3 {
            for level in 1...depth {
                let span = try #require(byID[SpanID(chain[run * depth + level - 1])])
                #expect(span.name == "level \(level)")
                #expect(span.parent == (level == 1 ? nil : SpanID(chain[run * depth + level - 2])), "level \(level)")
            }
        }
        #expect(byID[SpanID(late.value)]?.parent == SpanID(chain[2 * depth + 1]))
        #expect(mixedContext[RequestIDKey.self] == "request" && LanesTracer.spanID(in: mixedContext) == mixedID)
        #expect(childParentInContext == "request")
        #expect(byID[SpanID(childID)]?.parent == SpanID(mixedID))
    }

    /// Contexts handed to another thread, which reads them and drops them (some at once, some later), while
    /// this thread keeps recycling: no context ever shows another span's id.
    @Test func contextsHeldOnAnotherThreadAreNotRecycledUnderIt() throws {
        let recorder = try Recorder.start()
        let handed = Handoff()
        let reader = try TracedThread(name: "reader") {
            var held: [(id: UInt64, context: InstrumentationContext)] = []
            var finished = false
            while !finished {
                let (batch, done) = handed.take()
                finished = done
                for entry in batch {
                    handed.check(entry.id, entry.context)
                    if entry.id % 4 == 0 { held.append(entry) }
                }
                if held.count > 16 {
                    for entry in held { handed.check(entry.id, entry.context) }
                    held.removeAll()
                }
            }
            for entry in held { handed.check(entry.id, entry.context) }
        }
        let n = 3_000
        for i in 0..<n {
            tracer.withSpan("handed") { span in
                #expect(LanesTracer.spanID(in: span.context) == span.id)
                if i % 3 == 0 { handed.put(span.id, span.context) }
            }
        }
        handed.finish()
        reader.join()
        _ = try recorder.stop()
        let (checked, wrong) = handed.results
        #expect(wrong == 0, "\(wrong) contexts showed another span's id")
        #expect(checked >= n / 3)
    }
}

/// Contexts passed from one thread to another, and what the other found in them. Guarded by a pthread
/// mutex, which ThreadSanitizer sees (it does not see `Synchronization.Mutex` on Linux).
final class Handoff: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var queue: [(id: UInt64, context: InstrumentationContext)] = []
    private var done = false
    private var checked = 0
    private var wrong = 0

    init() { pthread_mutex_init(&mutex, nil) }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    func put(_ id: UInt64, _ context: InstrumentationContext) { locked { queue.append((id, context)) } }
    func finish() { locked { done = true } }
    func take() -> ([(id: UInt64, context: InstrumentationContext)], Bool) {
        locked {
            let batch = queue
            queue = []
            return (batch, done && batch.isEmpty)
        }
    }
    func check(_ id: UInt64, _ context: InstrumentationContext) {
        let right = LanesTracer.spanID(in: context) == id
        locked {
            checked += 1
            if !right { wrong += 1 }
        }
    }
    var results: (checked: Int, wrong: Int) { locked { (checked, wrong) } }
}
