// The /proc sampler behind `lanes record`: its own CPU time, now that it also reads why waiting threads
// wait, (a) recording a program with three threads (two CPU-bound Python threads sharing the GIL, as in
// the README's example) at 1 ms and 10 ms, and (b) recording 64 threads, half computing and half waiting
// (this benchmark re-run as that workload: 32 Swift threads spinning at idle priority, 32 blocked on a
// semaphore), at 1 ms. Cost per thread per sample: the sampler's CPU time over samples × threads.
// Beside it, the floor: a thread that wakes every 1 ms and does nothing.
// Run: swift run -c release --package-path tools/benchmarks record-sampler-benchmark [--quick]
// The last lines are machine-readable:
//   record-sampler-cpu-share: <% of one core, 3 threads at 1 ms>%
//   record-sampler-64-threads-cpu-share: <% of one core, 64 threads at 1 ms>%
//   record-sampler-us-per-thread-sample: <µs of sampler CPU per thread per sample, 64 threads at 1 ms>
import BenchSupport
import LanesRecord

#if canImport(Glibc)
import Glibc
#endif

// MARK: The 64-thread workload (this program, re-run with --workload)

if CommandLine.arguments.count >= 3, CommandLine.arguments[1] == "--workload" {
    runWorkload(seconds: Double(CommandLine.arguments[2]) ?? 1)
    exit(0)
}

// MARK: The benchmark

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

/// This executable, to re-run as the 64-thread workload.
let selfPath: String = {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    return n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
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

func record(_ command: [String], interval: Int64) -> ProcessTreeSampler.Recording {
    do {
        return try ProcessTreeSampler(options: .init(interval: interval)).record(command)
    } catch {
        print("cannot run \(command[0]): \(error)")
        exit(1)
    }
}

var floors: [Double] = []
var shares: [Int64: [Double]] = [:]
var perSample: [Int64: [Double]] = [:]
var shares64: [Double] = []
var perThreadSample64: [Double] = []
var perThreadSample3: [Double] = []
for round in 0..<rounds {
    floors.append(wakeUpShare(count: quick ? 500 : 2000))
    for interval: Int64 in [1_000_000, 10_000_000] {
        let r = record([python, "-c", program], interval: interval)
        shares[interval, default: []].append(r.samplerCPUShare * 100)
        perSample[interval, default: []].append(Double(r.samplerCPUTime) / Double(max(1, r.samples)) / 1000)
        let threads = r.trace.lanes.filter { $0.kind == .thread }.count
        if interval == 1_000_000 {
            perThreadSample3.append(Double(r.samplerCPUTime) / 1000 / Double(max(1, r.samples * threads)))
        }
        print(
            "round \(round + 1), 3 threads, interval \(interval / 1_000_000) ms: \(r.samplerSummary); "
                + "\(fmt(Double(r.samplerCPUTime) / Double(max(1, r.samples)) / 1000, 1)) µs per sample over \(threads) threads"
        )
    }
    let r = record([selfPath, "--workload", "\(seconds)"], interval: 1_000_000)
    let threads = r.trace.lanes.filter { $0.kind == .thread }.count
    let perThread = Double(r.samplerCPUTime) / 1000 / Double(max(1, r.samples * threads))
    shares64.append(r.samplerCPUShare * 100)
    perThreadSample64.append(perThread)
    print(
        "round \(round + 1), \(threads) threads (32 computing, 32 waiting), interval 1 ms: \(r.samplerSummary); "
            + "\(fmt(perThread, 2)) µs per thread per sample")
}
let floor = median(floors)
for interval: Int64 in [1_000_000, 10_000_000] {
    print(
        "3 threads, interval \(interval / 1_000_000) ms: sampler \(fmt(median(shares[interval]!), 2))% of one core (median), "
            + "\(fmt(median(perSample[interval]!), 1)) µs per sample")
}
print(
    "65 threads, interval 1 ms: sampler \(fmt(median(shares64), 2))% of one core (median), "
        + "\(fmt(median(perThreadSample64), 2)) µs per thread per sample (3 threads: \(fmt(median(perThreadSample3), 2)) µs)")
print("waking every 1 ms and doing nothing: \(fmt(floor, 2))% of one core (the floor)")
print("record-sampler-cpu-share: \(fmt(median(shares[1_000_000]!), 2))%")
print("record-sampler-64-threads-cpu-share: \(fmt(median(shares64), 2))%")
print("record-sampler-us-per-thread-sample: \(fmt(median(perThreadSample64), 2))")
