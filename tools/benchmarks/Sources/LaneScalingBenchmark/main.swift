// How analysis and the Markdown report grow with the number of lanes at a fixed span count (issue 19, defect 7):
// the same spans spread over 200,000 lanes and over 64 lanes. Many asyncio or Swift tasks are many lanes.
// Run: swift run -c release --package-path tools/benchmarks lane-scaling-benchmark [SPANS] [ROUNDS]
// Prints analysis-200k-lanes-over-64-lanes (goal: at most 1.5) and markdown-200k-lanes-over-64-lanes.
import BenchSupport
import LanesAnalysis
import LanesCore
import LanesRender

let arguments = CommandLine.arguments
let spanCount = arguments.count > 1 ? Int(arguments[1]) ?? 400_000 : 400_000
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3

/// `spanCount` top-level spans, each with a lock wait, dealt round-robin onto `laneCount` thread lanes.
func trace(lanes laneCount: Int) -> Trace {
    let lanes = (0..<laneCount).map { i in
        Lane(id: LaneID(UInt32(i)), kind: .thread, pid: 1, threadID: Int64(1000 + i), name: "worker-\(i)")
    }
    var spans: [Span] = []
    spans.reserveCapacity(spanCount)
    for i in 0..<spanCount {
        let lane = i % laneCount
        let start = Int64(i / laneCount) * 100_000 + Int64(i % 7) * 10
        let end = start + 50_000
        spans.append(
            Span(
                id: SpanID(UInt64(i + 1)), name: i % 3 == 0 ? "fetch" : "parse", lane: LaneID(UInt32(lane)),
                threadID: Int64(1000 + lane), start: start, end: end,
                waits: [Wait(reason: .lock, start: start + 1_000, end: start + 11_000, object: "m")]))
    }
    return Trace(
        metadata: Metadata(command: ["lane-scaling"], cores: 2), processes: [Process(pid: 1, name: "bench")],
        lanes: lanes, spans: spans)
}

func time(_ body: () -> Void) -> Double {
    var xs: [Double] = []
    for _ in 0..<rounds {
        let t0 = nowNs()
        body()
        xs.append(Double(nowNs() - t0) / 1e9)
    }
    return median(xs)
}

let many = trace(lanes: 200_000)
let few = trace(lanes: 64)
var sink = 0
let analysisMany = time { sink &+= Analysis(many).statistics.spanCount }
let analysisFew = time { sink &+= Analysis(few).statistics.spanCount }
let markdownMany = time { sink &+= MarkdownReport.trace(many, analysis: Analysis(many)).utf8.count }
let markdownFew = time { sink &+= MarkdownReport.trace(few, analysis: Analysis(few)).utf8.count }
print("spans \(spanCount), median of \(rounds) rounds (checksum \(sink % 10))")
print("analysis 200k lanes \(fmt(analysisMany, 3)) s, 64 lanes \(fmt(analysisFew, 3)) s")
print("markdown 200k lanes \(fmt(markdownMany, 3)) s, 64 lanes \(fmt(markdownFew, 3)) s")
print("analysis-200k-lanes-over-64-lanes \(fmt(analysisMany / analysisFew, 2))")
print("markdown-200k-lanes-over-64-lanes \(fmt(markdownMany / markdownFew, 2))")
