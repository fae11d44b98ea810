// Lanes' Chrome Trace JSON export (ChromeJSON.encode), timed on a synthetic trace: 300,000 spans on 64 lanes,
// half with a lock wait, a quarter nested, names that need escaping. Prints the median and the best of 7 rounds;
// compare two builds (before and after a change) in one session, as the machines are shared and noisy.
// Run: swift run -c release --package-path tools/benchmarks json-export-bench
import BenchSupport
import LanesCore
import LanesFormat

let spanCount = 300_000
let lanes = (0..<64).map { i in
    Lane(id: LaneID(UInt32(i)), kind: .thread, pid: 1, threadID: Int64(1000 + i), name: "worker-\(i)")
}
var spans: [Span] = []
spans.reserveCapacity(spanCount)
for i in 0..<spanCount {
    let lane = i % 64
    let start = Int64(i / 64) * 100_000 + Int64(i % 7) * 10
    spans.append(
        Span(
            id: SpanID(UInt64(i + 1)), name: ["fetch", "parse \"x\"", "write <y>"][i % 3], lane: LaneID(UInt32(lane)),
            threadID: Int64(1000 + lane), start: start, end: start + 50_123,
            parent: i % 4 == 1 ? SpanID(UInt64(i)) : nil,
            waits: i % 2 == 0 ? [Wait(reason: .lock, start: start + 1_000, end: start + 11_000, object: "m")] : []))
}
let trace = Trace(
    metadata: Metadata(command: ["export"], cores: 2), processes: [Process(pid: 1, name: "bench")], lanes: lanes,
    spans: spans)
var xs: [Double] = []
var bytes = 0
for _ in 0..<7 {
    let t0 = nowNs()
    bytes = ChromeJSON.encode(trace).count
    xs.append(Double(nowNs() - t0) / 1e9)
}
print("json-export \(spanCount) spans, \(bytes) bytes: median \(fmt(median(xs), 3)) s, min \(fmt(xs.min()!, 3)) s")
