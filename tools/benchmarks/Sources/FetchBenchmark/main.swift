// The `fetch` scenario with a thousand requests in flight at once: that `async` completes it, and
// what each request in flight costs in memory as a task (`async`) against as a thread
// (`thread-per-task`). Each measurement runs in a process of its own (this executable re-run with
// --measure), so memory one model freed cannot be reused by the next and hide its cost.
// Run from the repository's root:
//   swift run -c release --package-path tools/benchmarks fetch-benchmark [--requests N]
import BenchSupport
import Dispatch
import LanesWorkloads
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
func option(_ name: String) -> String? { arguments.firstIndex(of: name).map { arguments[$0 + 1] } }
let requests = option("--requests").flatMap(Int.init) ?? 1_000

/// This process's resident set, from /proc/self/status, in bytes.
func residentBytes() -> Int {
    guard let file = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, Int32(line.count), file) != nil {
        let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if text.hasPrefix("VmRSS:") {
            return (Int(text.dropFirst(6).filter(\.isNumber)) ?? 0) * 1024
        }
    }
    return 0
}

/// The largest resident set seen while every request is in flight, sampled every 2 ms by a
/// thread of its own (the requests are then parked in their reads, buffers allocated).
final class PeakProbe: Sendable {
    let target: Int
    private let current = Atomic<Int>(0)
    private let highest = Atomic<Int>(0)
    private let rss = Atomic<Int>(0)
    private let done = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    init(target: Int) {
        self.target = target
        DispatchQueue.global().async { [self] in
            while !done.load(ordering: .acquiring) {
                if current.load(ordering: .relaxed) >= target { rss.max(residentBytes(), ordering: .relaxed) }
                usleep(2_000)
            }
            finished.signal()
        }
    }

    func observe(_ inFlight: Int) {
        current.store(inFlight, ordering: .relaxed)
        highest.max(inFlight, ordering: .relaxed)
    }

    func stop() -> (peak: Int, rss: Int) {
        done.store(true, ordering: .releasing)
        finished.wait()
        return (highest.load(ordering: .relaxed), rss.load(ordering: .relaxed))
    }
}

// Child: run one model once and print `key=value` lines for the parent.
if let model = option("--measure").flatMap(ConcurrencyModel.init(rawValue:)) {
    let traced = arguments.contains("--traced")
    // The server holds each answer for a second: long enough for every request to be in flight.
    let plan = Fetch.Plan(requests: requests, failures: false, delay: 1.0...1.0, timeout: 30)
    // A warm-up run, so that what the runtime and the server allocate once is not counted.
    _ = try Fetch.run(
        model, options: RunOptions(workers: 8, scale: 0.01, traced: false),
        plan: Fetch.Plan(requests: 16, failures: false, delay: 1...1, timeout: 30))
    let probe = PeakProbe(target: requests)
    let before = residentBytes()
    let start = nowNs()
    let result = try Fetch.run(
        model, options: RunOptions(workers: requests, scale: 1, traced: traced), plan: plan, observe: probe.observe)
    let wall = Double(nowNs() - start) / 1e9
    let (peak, rss) = probe.stop()
    print("answer=\(result.answer)")
    print("completed=\(result.answer.hasPrefix("\(requests)/\(requests) requests answered") ? 1 : 0)")
    print("peak=\(peak)")
    print("bytes-per-request=\(peak >= requests && rss > 0 ? (rss - before) / peak : 0)")
    print("wall=\(fmt(wall, 3))")
    exit(0)
}

/// Runs this executable with `--measure model`, and returns what it printed; nil if it failed.
func measure(_ model: ConcurrencyModel, count: Int, traced: Bool = false) -> [String: String]? {
    let command = "'\(ownPath())' --measure \(model.rawValue) --requests \(count)\(traced ? " --traced" : "") 2>&1"
    guard let pipe = popen(command, "r") else { return nil }
    var out: [String: String] = [:]
    var text = ""
    var line = [CChar](repeating: 0, count: 4096)
    while fgets(&line, Int32(line.count), pipe) != nil {
        let s = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }.trimmingSuffix("\n")
        text += s + "\n"
        if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
    }
    let status = pclose(pipe)
    guard status == 0, out["completed"] == "1" else {
        print("  \(model) with \(count) requests failed (status \(status)): \(text.split(separator: "\n").last ?? "")")
        return nil
    }
    return out
}

func ownPath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    return n > 0 ? buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } : arguments[0]
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

print("fetch, \(requests) requests held 1 s each by the loopback server, all in flight at once")
let async = measure(.async, count: requests)
if let a = async {
    print(
        "  async: \(a["peak"]!) in flight, \(a["bytes-per-request"]!) bytes per task, \(a["wall"]!) s; \(a["answer"]!)")
}
let tracedAsync = measure(.async, count: requests, traced: true)
if let t = tracedAsync { print("  async, traced: \(t["peak"]!) in flight, \(t["wall"]!) s") }
// A thousand threads may be more than the machine allows: halve until it works, and say so.
var threadCount = requests
var threads: [String: String]?
while threadCount >= 16 {
    threads = measure(.threadPerTask, count: threadCount)
    if threads != nil { break }
    threadCount /= 2
}
if let t = threads {
    if threadCount < requests {
        print("  thread-per-task could not run \(requests) threads here; measured at \(threadCount)")
    }
    print("  thread-per-task: \(t["peak"]!) in flight, \(t["bytes-per-request"]!) bytes per thread, \(t["wall"]!) s")
}
let perTask = async.flatMap { Int($0["bytes-per-request"]!) }
let perThread = threads.flatMap { Int($0["bytes-per-request"]!) }
if let perTask, let perThread, perTask > 0 {
    print("  a thread costs \(fmt(Double(perThread) / Double(perTask), 1))x a task")
}

print("")
print("fetch-async-\(requests)-completed: \(async != nil ? 1 : 0)")
print("fetch-async-\(requests)-traced-completed: \(tracedAsync != nil ? 1 : 0)")
print("fetch-async-bytes-per-task: \(perTask.map(String.init) ?? "n/a")")
print("fetch-thread-count: \(threads != nil ? threadCount : 0)")
print("fetch-thread-bytes-per-thread: \(perThread.map(String.init) ?? "n/a")")
if let perTask, let perThread, perTask > 0 {
    print("fetch-thread-over-task-memory: \(fmt(Double(perThread) / Double(perTask), 1))")
}
