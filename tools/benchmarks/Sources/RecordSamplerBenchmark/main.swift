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

/// The floor: the CPU a thread uses just waking every 1 ms (timer and context switch), no work.
func wakeUpShare(count: Int) -> Double {
    func clock(_ id: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(id, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
    let cpu0 = clock(CLOCK_THREAD_CPUTIME_ID)
    let wall0 = clock(CLOCK_MONOTONIC)
    var next = wall0
    for _ in 0..<count {
        next += 1_000_000
        var ts = timespec(tv_sec: Int(next / 1_000_000_000), tv_nsec: Int(next % 1_000_000_000))
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nil)
    }
    return Double(clock(CLOCK_THREAD_CPUTIME_ID) - cpu0) / Double(clock(CLOCK_MONOTONIC) - wall0) * 100
}

var floors: [Double] = []
var shares: [Int64: [Double]] = [:]
var perSample: [Int64: [Double]] = [:]
for round in 0..<rounds {
    floors.append(wakeUpShare(count: quick ? 500 : 2000))
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
print("waking every 1 ms and doing nothing: \(fmt(median(floors), 2))% of one core (the floor)")
print("record-sampler-cpu-share: \(fmt(median(shares[1_000_000]!), 2))%")
