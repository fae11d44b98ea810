// Lanes recorder benchmarks. Every figure is a ratio against a reference measured in the same run,
// because these machines are shared and noisy; absolute times are printed for context only.
// Run: swift run -c release --package-path tools/benchmarks lanes-benchmarks [--quick]
import CFloor
import LanesCore
import LanesFormat
import LanesRecord
import Tracing

#if canImport(Glibc)
import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
let rounds = quick ? 3 : 7
let spansPerRound = quick ? 2_000_000 : 10_000_000

func nowNs() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func fmt(_ x: Double, _ digits: Int = 2) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (x * p).rounded() / p
    return String(r)
}

func residentBytes() -> Int {
    guard let f = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let s = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if s.hasPrefix("VmRSS:") {
            let kb = s.split(separator: " ").compactMap { Int($0) }.first ?? 0
            return kb * 1024
        }
    }
    return 0
}

let tmp = "/tmp/lanes-bench-\(getpid())"
mkdir(tmp, 0o755)
defer {
    for name in ["span.lanes", "scale.lanes", "file.lanes"] { unlink("\(tmp)/\(name)") }
    rmdir(tmp)
}

// MARK: - Span cost against the C floor and swift-distributed-tracing's no-op tracer

/// The floor: two timestamp-counter reads and a 32-byte store into a preallocated thread-local
/// buffer, inlined into this loop exactly as `span` is.
@inline(never) func floorRound(_ n: Int) -> Double {
    let t0 = nowNs()
    for i in 0..<n { floor_span(UInt64(i)) }
    return Double(nowNs() - t0) / Double(n)
}

/// Begin + end of an empty span, CPU accounting off, one thread; the recorder writes to a file
/// (buffers are recycled as the flusher drains them, as in a real run).
@inline(never) func lanesRound(_ n: Int, output: Recorder.Configuration.Output) throws -> Double {
    let recorder = try Recorder.start(.init(output: output, memoryLimit: 1 << 30))
    let t0 = nowNs()
    for _ in 0..<n { span("bench") {} }
    let t = Double(nowNs() - t0) / Double(n)
    let recording = try recorder.stop()
    precondition(recording.spanCount == n && recording.droppedEvents == 0, "the benchmark lost spans")
    return t
}

@inline(never) func noopRound(_ n: Int) -> Double {
    let tracer = NoOpTracer()
    let t0 = nowNs()
    for _ in 0..<n { tracer.withSpan("bench") { _ in } }
    return Double(nowNs() - t0) / Double(n)
}

print("span cost: \(rounds) rounds of \(spansPerRound) spans, medians")
var floors: [Double] = []
var filed: [Double] = []
var inMemory: [Double] = []
var noops: [Double] = []
for _ in 0..<rounds {
    floors.append(floorRound(spansPerRound))
    filed.append(try lanesRound(spansPerRound, output: .file("\(tmp)/span.lanes")))
    inMemory.append(try lanesRound(spansPerRound / 4, output: .memory))
    noops.append(noopRound(spansPerRound / 10))
}
let floorNs = median(floors)
let spanNs = median(filed)
let memoryNs = median(inMemory)
let noopNs = median(noops)
print("  C floor (2 rdtsc + 32-byte TLS store)  \(fmt(floorNs)) ns")
print("  lanes span, file output                \(fmt(spanNs)) ns")
print("  lanes span, memory output (fresh pages) \(fmt(memoryNs)) ns")
print("  NoOpTracer.withSpan                    \(fmt(noopNs)) ns")

// MARK: - Two threads at once against one

func throughput(threads: Int, spansEach n: Int) throws -> Double {
    let recorder = try Recorder.start(.init(output: .file("\(tmp)/scale.lanes"), memoryLimit: 1 << 30))
    let start = nowNs()
    let workers = try (0..<threads).map { _ in try TracedThread(name: "bench") { for _ in 0..<n { span("bench") {} } } }
    for w in workers { w.join() }
    let elapsed = Double(nowNs() - start)
    _ = try recorder.stop()
    return Double(threads * n) / elapsed * 1e9
}

var scalings: [Double] = []
for _ in 0..<rounds {
    let one = try throughput(threads: 1, spansEach: spansPerRound / 2)
    let two = try throughput(threads: 2, spansEach: spansPerRound / 2)
    scalings.append(two / one)
}
let scaling = median(scalings)
print("two threads: \(fmt(scaling))x one thread's spans per second")

// MARK: - Memory per span in buffers (resident growth while recording in memory)

let memSpans = quick ? 1_000_000 : 4_000_000
let rssBefore = residentBytes()
let memRecorder = try Recorder.start(.init(output: .memory, memoryLimit: 1 << 30))
for _ in 0..<memSpans { span("bench") {} }
let rssAfter = residentBytes()
_ = try memRecorder.stop()
let bytesPerSpanInMemory = Double(rssAfter - rssBefore) / Double(memSpans)
print("memory: \(fmt(bytesPerSpanInMemory)) bytes resident per span recorded in memory")

// MARK: - File size and read speed: 1M spans over 16 threads

let fileThreads = 16
let iterations = 1_000_000 / fileThreads / 3 + 1
let fileRecorder = try Recorder.start(.init(output: .file("\(tmp)/file.lanes"), memoryLimit: 1 << 30))
let workers = try (0..<fileThreads).map { i in
    try TracedThread(name: "worker-\(i)") {
        var x: UInt64 = UInt64(i)
        for j in 0..<iterations {
            span("request") {
                span("parse") { for k in 0..<(j % 7) { x = x &* 31 &+ UInt64(k) } }
                span("compute") { for k in 0..<(j % 13) { x = x &* 17 &+ UInt64(k) } }
            }
        }
        precondition(x != 42)
    }
}
for w in workers { w.join() }
let fileRecording = try fileRecorder.stop()
var st = stat()
stat("\(tmp)/file.lanes", &st)
let fileBytesPerSpan = Double(st.st_size) / Double(fileRecording.spanCount)
print("file: \(fileRecording.spanCount) spans over \(fileThreads) threads in \(st.st_size) bytes")

var readRates: [Double] = []
for _ in 0..<3 {
    let t0 = nowNs()
    let read = try LanesFile.read(path: "\(tmp)/file.lanes")
    let elapsed = Double(nowNs() - t0)
    precondition(read.trace.spans.count == fileRecording.spanCount, "the file lost spans")
    readRates.append(Double(read.trace.spans.count) / elapsed * 1e9)
}
let readRate = readRates.max()!
print("read: \(Int(readRate)) spans/s (best of 3)")

print("")
print("span-cost-ns: \(fmt(spanNs))")
print("floor-ns: \(fmt(floorNs))")
print("span-cost-ratio-vs-floor: \(fmt(spanNs / floorNs))")
print("span-cost-ratio-vs-floor-memory-output: \(fmt(memoryNs / floorNs))")
print("noop-withSpan-ns: \(fmt(noopNs))")
print("speedup-vs-noop-withSpan: \(fmt(noopNs / spanNs))")
print("two-thread-scaling: \(fmt(scaling))")
print("memory-bytes-per-span: \(fmt(bytesPerSpanInMemory, 1))")
print("file-bytes-per-span: \(fmt(fileBytesPerSpan))")
print("read-spans-per-second: \(Int(readRate))")
