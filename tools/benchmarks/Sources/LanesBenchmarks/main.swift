// Lanes recorder benchmarks. Every figure is a ratio against a reference measured in the same run,
// because these machines are shared and noisy; absolute times are printed for context only.
// Run: swift run -c release --package-path tools/benchmarks lanes-benchmarks [--quick]
import BenchSupport
import CFloor
import LanesCore
import LanesFormat
import LanesRecord
import Synchronization
import Tracing

#if canImport(Glibc)
import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
/// `--only file-span` runs just the file-output span cost (for profiling); figures left unmeasured print as 0.
let only = CommandLine.arguments.firstIndex(of: "--only").map { CommandLine.arguments[$0 + 1] }
let rounds = quick ? 3 : 7
let spansPerRound = quick ? 2_000_000 : 10_000_000

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

// MARK: - Memory per span in buffers
// Measured first, in a fresh process, so no freed-but-resident memory hides the growth.

let memSpans = quick ? 1_000_000 : 4_000_000
let rssBefore = residentBytes()
let memRecorder = try Recorder.start(.init(output: .memory, memoryLimit: 1 << 30))
for _ in 0..<memSpans { span("bench") {} }
let rssAfter = residentBytes()
_ = try memRecorder.stop()
let bytesPerSpanInMemory = Double(rssAfter - rssBefore) / Double(memSpans)
print("memory: \(fmt(bytesPerSpanInMemory)) bytes resident per span recorded in memory")

// MARK: - Two threads at once against one

/// Spans per second with `threads` threads recording at once. With memory output nothing else runs,
/// so this measures the hot path; file output needs a core for its flusher, which a 2-core machine
/// only has to spare while one thread records.
func throughput(threads: Int, spansEach n: Int, output: Recorder.Configuration.Output) throws -> Double {
    let bufferSize = Int(getenv("BENCH_BUFFER").map { String(cString: $0) } ?? "") ?? 65_536
    let recorder = try Recorder.start(.init(output: output, memoryLimit: 1 << 30, bufferSize: bufferSize))
    let elapsed = try together(threads: threads) { for _ in 0..<n { span("bench") {} } }
    _ = try recorder.stop()
    return Double(threads * n) / elapsed * 1e9
}

/// Runs `body` on `threads` threads released together; returns ns from the first start to the last
/// end, as the threads themselves read the clock (a spinning thread may keep the releasing thread
/// off a core for a time slice, so the releasing thread's clock would count that too).
func together(threads: Int, _ body: @escaping @Sendable () -> Void) throws -> Double {
    let ready = Atomic<Int>(0)
    let go = Atomic<Bool>(false)
    let times = TracedMutex<[(UInt64, UInt64)]>([])
    let workers = try (0..<threads).map { _ in
        try TracedThread(name: "bench") {
            ready.add(1, ordering: .acquiringAndReleasing)
            while !go.load(ordering: .acquiring) {}
            let start = nowNs()
            body()
            let end = nowNs()
            times.withLock { $0.append((start, end)) }
        }
    }
    while ready.load(ordering: .acquiring) < threads {}
    go.store(true, ordering: .releasing)
    for w in workers { w.join() }
    let t = times.withLock { $0 }
    return Double(t.map(\.1).max()! - t.map(\.0).min()!)
}

/// The same for the C floor: its scaling is what this machine allows two threads at all.
func floorThroughput(threads: Int, spansEach n: Int) throws -> Double {
    let elapsed = try together(threads: threads) { _ = floor_loop(UInt64(n)) }
    return Double(threads * n) / elapsed * 1e9
}

if only == "scaling" {
    for _ in 0..<5 {
        let f1 = try floorThroughput(threads: 1, spansEach: 2_000_000)
        let f2 = try floorThroughput(threads: 2, spansEach: 2_000_000)
        print("floor scaling \(fmt(f2 / f1))")
    }
    exit(0)
}

// Measured before the sections that churn through gigabytes of memory: the kernel compacts memory
// in the background for a while after them, taking CPU from whichever runs need both cores.
// Warm: 1M spans per thread fit in the buffer memory the recorder keeps mapped between
// recordings (after a warm-up), so this is the recording path itself, as in a long run whose
// buffers are recycled. Cold: 5M per thread, most of it in memory the kernel must zero first,
// which on this machine is bounded by memory bandwidth rather than by the recorder.
var scalings: [Double] = []
var coldScalings: [Double] = []
var fileScalings: [Double] = []
var floorScalings: [Double] = []
_ = try throughput(threads: 2, spansEach: 1_000_000, output: .memory)  // warm-up
for _ in 0..<rounds {
    let one = try throughput(threads: 1, spansEach: 1_000_000, output: .memory)
    let two = try throughput(threads: 2, spansEach: 1_000_000, output: .memory)
    scalings.append(two / one)
    floorScalings.append(try floorThroughput(threads: 2, spansEach: 1_000_000) / floorThroughput(threads: 1, spansEach: 1_000_000))
}
for _ in 0..<(quick ? 1 : 3) {
    let n = spansPerRound / 2
    coldScalings.append(try throughput(threads: 2, spansEach: n, output: .memory) / throughput(threads: 1, spansEach: n, output: .memory))
    let oneFile = try throughput(threads: 1, spansEach: n, output: .file("\(tmp)/scale.lanes"))
    let twoFile = try throughput(threads: 2, spansEach: n, output: .file("\(tmp)/scale.lanes"))
    fileScalings.append(twoFile / oneFile)
}
// Two threads on a 2-core shared machine meet every interruption that one thread can dodge onto
// the idle core, so rounds vary; the median and the best are both printed, beside the floor's.
let scaling = median(scalings)
print("two threads: \(fmt(scaling))x one thread's spans per second (memory output, warm buffers; median of \(rounds), best \(fmt(scalings.max()!)))")
print("two threads of the C floor: \(fmt(median(floorScalings)))x (median; best \(fmt(floorScalings.max()!)))")
print("two threads: \(fmt(median(coldScalings)))x with cold buffers (5M spans each, fresh pages)")
print("two threads: \(fmt(median(fileScalings)))x with file output (the flusher shares the 2 cores)")

// MARK: - Span cost against the C floor and swift-distributed-tracing's no-op tracer

/// The floor: two timestamp-counter reads and a 32-byte store into a preallocated thread-local
/// buffer, inlined into this loop exactly as `span` is.
@inline(never) func floorRound(_ n: Int) -> Double {
    let t0 = nowNs()
    for i in 0..<n { floor_span(UInt64(i)) }
    return Double(nowNs() - t0) / Double(n)
}

/// Begin + end of an empty span, CPU accounting off, one thread. With memory output (the default)
/// every record is kept; with file output a flusher thread converts and writes them meanwhile,
/// which at this rate (one span every ~20 ns) cannot keep up, so the recording thread also pays
/// for the memory of the backlog.
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
    if only == "file-span" { continue }
    inMemory.append(try lanesRound(spansPerRound / 4, output: .memory))
    noops.append(noopRound(spansPerRound / 10))
}
if only == "file-span" {
    print("span-cost-ns: \(fmt(median(filed)))  floor-ns: \(fmt(median(floors)))")
    exit(0)
}
let floorNs = median(floors)
let spanNs = median(filed)
let memoryNs = median(inMemory)
let noopNs = median(noops)
print("  C floor (2 rdtsc + 32-byte TLS store)  \(fmt(floorNs)) ns")
print("  lanes span, memory output (default)    \(fmt(memoryNs)) ns")
print("  lanes span, file output                \(fmt(spanNs)) ns")
print("  NoOpTracer.withSpan                    \(fmt(noopNs)) ns")

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
print("span-cost-ns: \(fmt(memoryNs))")
print("floor-ns: \(fmt(floorNs))")
print("span-cost-ratio-vs-floor: \(fmt(memoryNs / floorNs))")
print("span-cost-ratio-vs-floor-file-output: \(fmt(spanNs / floorNs))")
print("noop-withSpan-ns: \(fmt(noopNs))")
print("speedup-vs-noop-withSpan: \(fmt(noopNs / memoryNs))")
print("speedup-vs-noop-withSpan-file-output: \(fmt(noopNs / spanNs))")
print("two-thread-scaling: \(fmt(scaling))")
print("two-thread-scaling-best: \(fmt(scalings.max()!))")
print("floor-two-thread-scaling: \(fmt(median(floorScalings)))")
print("two-thread-scaling-vs-floor: \(fmt(scaling / median(floorScalings)))")
print("memory-bytes-per-span: \(fmt(bytesPerSpanInMemory, 1))")
print("file-bytes-per-span: \(fmt(fileBytesPerSpan))")
print("read-spans-per-second: \(Int(readRate))")
