// The /proc sampler behind `lanes record`: its own CPU time while it records a program with two
// CPU-bound threads (Python, so they share the GIL, as in the README's example), at 1 ms and 10 ms.
// Run: swift run -c release --package-path tools/benchmarks record-sampler-benchmark [--quick]
// The last line is machine-readable: `record-sampler-cpu-share: <% of one core at 1 ms>%`.
import BenchSupport
import LanesRecord

#if canImport(Glibc)
import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
let rounds = quick ? 1 : 3
let seconds = quick ? 0.5 : 1.5

/// Two threads that each use `seconds` of CPU.
let program = """
    import threading, time
    def spin():
        end = time.thread_time() + \(seconds)
        x = 0
        while time.thread_time() < end:
            for i in range(1000): x += i * i
    ts = [threading.Thread(target=spin) for _ in range(2)]
    for t in ts: t.start()
    for t in ts: t.join()
    """

/// The interpreter itself, not a version manager's shim script (whose own processes would be sampled too).
let python: String = {
    guard let f = popen("python3 -c 'import sys; print(sys.executable)'", "r") else { return "python3" }
    defer { pclose(f) }
    var line = [CChar](repeating: 0, count: 4096)
    guard fgets(&line, Int32(line.count), f) != nil else { return "python3" }
    let path = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return path.isEmpty ? "python3" : path
}()

var shares: [Int64: [Double]] = [:]
var perSample: [Int64: [Double]] = [:]
for round in 0..<rounds {
    for interval: Int64 in [1_000_000, 10_000_000] {
        let sampler = ProcessTreeSampler(options: .init(interval: interval))
        let r: ProcessTreeSampler.Recording
        do {
            r = try sampler.record([python, "-c", program])
        } catch {
            print("cannot run python3: \(error)")
            exit(1)
        }
        shares[interval, default: []].append(r.samplerCPUShare * 100)
        perSample[interval, default: []].append(Double(r.samplerCPUTime) / Double(max(1, r.samples)) / 1000)
        let threads = r.trace.lanes.filter { $0.kind == .thread }.count
        print(
            "round \(round + 1), interval \(interval / 1_000_000) ms: \(r.samplerSummary); "
                + "\(fmt(Double(r.samplerCPUTime) / Double(max(1, r.samples)) / 1000, 1)) µs per sample over \(threads) threads"
        )
    }
}
for interval: Int64 in [1_000_000, 10_000_000] {
    print(
        "interval \(interval / 1_000_000) ms: sampler \(fmt(median(shares[interval]!), 2))% of one core (median), "
            + "\(fmt(median(perSample[interval]!), 1)) µs per sample")
}
print("record-sampler-cpu-share: \(fmt(median(shares[1_000_000]!), 2))%")
