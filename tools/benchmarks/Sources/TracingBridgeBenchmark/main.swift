// LanesTracing's cost per span against swift-distributed-tracing's own InMemoryTracer, measured in
// the same run, rounds alternating; the ratio is what counts (shared, noisy machines).
// Run: swift run -c release --package-path tools/benchmarks tracing-bridge-benchmark [--quick]
// The last lines are machine-readable: `tracing-bridge-vs-inmemory: <InMemoryTracer ns / LanesTracer ns>`;
// `tracing-bridge-added-cost-vs-inmemory` = (InMemory − NoOp) ÷ (Lanes − NoOp) without attributes, what each
// tracer adds to `withSpan` itself; `tracing-bridge-attributes-vs-inmemory` = InMemory ÷ Lanes with two attributes.
import BenchSupport
import InMemoryTracing
import LanesRecord
import LanesTracing
import Tracing

#if canImport(Glibc)
import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
let rounds = quick ? 3 : 7
let spansPerRound = quick ? 50_000 : 200_000

/// One span as instrumented libraries write it: `withSpan`, optionally with two attributes.
@inline(__always) func work<T: Tracer>(_ tracer: T, _ i: Int, attributes: Bool) {
    tracer.withSpan("bench") { span in
        if attributes {
            span.attributes["route"] = "/users/:id"
            span.attributes["index"] = i
        }
    }
}

@inline(never) func inMemoryRound(_ n: Int, attributes: Bool) -> Double {
    let tracer = InMemoryTracer()
    let t0 = nowNs()
    for i in 0..<n { work(tracer, i, attributes: attributes) }
    let t = Double(nowNs() - t0) / Double(n)
    precondition(tracer.finishedSpans.count == n, "InMemoryTracer lost spans")
    return t
}

/// The loop's time per span, and the recorder's stop (turning records into a trace) per span.
@inline(never) func lanesRound(_ n: Int, attributes: Bool) throws -> (span: Double, stop: Double) {
    let recorder = try Recorder.start(.init(output: .memory, memoryLimit: 1 << 30))
    let tracer = LanesTracer()
    let t0 = nowNs()
    for i in 0..<n { work(tracer, i, attributes: attributes) }
    let t1 = nowNs()
    let recording = try recorder.stop()
    let t2 = nowNs()
    precondition(recording.spanCount == n && recording.droppedEvents == 0, "the recorder lost spans")
    return (Double(t1 - t0) / Double(n), Double(t2 - t1) / Double(n))
}

@inline(never) func offRound(_ n: Int) -> Double {
    let tracer = LanesTracer()
    let t0 = nowNs()
    for i in 0..<n { work(tracer, i, attributes: true) }
    return Double(nowNs() - t0) / Double(n)
}

enum BenchKey: InstrumentationContextKey { typealias Value = UInt64 }

/// Putting a span's id into a fresh service context, as a tracer that links parents does unless it recycles
/// contexts (LanesTracer rewrites a recycled one in place instead).
@inline(never) func contextRound(_ n: Int) -> Double {
    var sum = 0
    let t0 = nowNs()
    for i in 0..<n {
        var context = InstrumentationContext.topLevel
        context[BenchKey.self] = UInt64(i)
        sum &+= context.count
    }
    let t = Double(nowNs() - t0) / Double(n)
    precondition(sum == n)
    return t
}

@inline(never) func noopRound(_ n: Int, attributes: Bool) -> Double {
    let tracer = NoOpTracer()
    let t0 = nowNs()
    for i in 0..<n { work(tracer, i, attributes: attributes) }
    return Double(nowNs() - t0) / Double(n)
}

// `--profile [--attributes] [--inmemory]`: LanesTracer (or InMemoryTracer) alone, for perf.
if CommandLine.arguments.contains("--profile") {
    let attributes = CommandLine.arguments.contains("--attributes")
    for _ in 0..<20 {
        if CommandLine.arguments.contains("--inmemory") {
            _ = inMemoryRound(spansPerRound / 4, attributes: attributes)
        } else {
            _ = try lanesRound(spansPerRound, attributes: attributes)
        }
    }
    exit(0)
}
print("tracer cost per span: \(rounds) rounds of \(spansPerRound) spans, alternating, medians")
var memBare: [Double] = [], memAttr: [Double] = []
var lanesBare: [Double] = [], lanesAttr: [Double] = [], stops: [Double] = []
var off: [Double] = [], noop: [Double] = [], noopBare: [Double] = [], contexts: [Double] = []
// One round of each unmeasured first: page in code and buffers.
_ = inMemoryRound(spansPerRound / 10, attributes: true)
_ = try lanesRound(spansPerRound / 10, attributes: true)
for _ in 0..<rounds {
    memBare.append(inMemoryRound(spansPerRound, attributes: false))
    let bare = try lanesRound(spansPerRound, attributes: false)
    lanesBare.append(bare.span)
    stops.append(bare.stop)
    memAttr.append(inMemoryRound(spansPerRound, attributes: true))
    lanesAttr.append(try lanesRound(spansPerRound, attributes: true).span)
    off.append(offRound(spansPerRound))
    noop.append(noopRound(spansPerRound, attributes: true))
    noopBare.append(noopRound(spansPerRound, attributes: false))
    contexts.append(contextRound(spansPerRound))
}
let ratioBare = median(memBare) / median(lanesBare)
let ratioAttr = median(memAttr) / median(lanesAttr)
print("  withSpan, no attributes:   InMemoryTracer \(fmt(median(memBare))) ns   LanesTracer \(fmt(median(lanesBare))) ns   \(fmt(ratioBare, 1))x")
print("  withSpan, two attributes:  InMemoryTracer \(fmt(median(memAttr))) ns   LanesTracer \(fmt(median(lanesAttr))) ns   \(fmt(ratioAttr, 1))x")
print("  recorder stop, per span (converting records; not in the figures above): \(fmt(median(stops))) ns")
print("  no recorder: LanesTracer \(fmt(median(off))) ns   NoOpTracer \(fmt(median(noop))) ns (two attributes)")
// withSpan itself (a task-local push and pop) is a floor no tracer gets under.
print("  floor: NoOpTracer.withSpan, no attributes \(fmt(median(noopBare))) ns (InMemoryTracer / NoOpTracer: \(fmt(median(memBare) / median(noopBare), 1))x)")
print("  one key set in a fresh InstrumentationContext (what LanesTracer's recycled contexts save) \(fmt(median(contexts))) ns")
let addedCost = (median(memBare) - median(noopBare)) / max(1, median(lanesBare) - median(noopBare))
print("tracing-bridge-vs-inmemory: \((ratioBare * 10).rounded() / 10)")
print("tracing-bridge-added-cost-vs-inmemory: \((addedCost * 10).rounded() / 10)")
print("tracing-bridge-attributes-vs-inmemory: \((ratioAttr * 10).rounded() / 10)")
