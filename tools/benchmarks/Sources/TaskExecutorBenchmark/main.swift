// The cost of recording the tasks of the built-in `async` model: 4 tasks of 100,000 `Task.yield()` each
// (400k jobs) on a `TracingTaskExecutor` of 2 threads, in this process, with and without a `Recorder`
// (in memory), in alternating pairs. The recording itself is timed, not the trace built at the stop.
// Run: swift run -c release --package-path tools/benchmarks task-executor-benchmark [--quick]
// Prints `executor-record-slowdown: X` (median of the paired wall-time ratios) and
// `executor-record-ns-per-job: N` (median of the paired differences ÷ the jobs).
import BenchSupport
import Dispatch
import LanesRecord

let quick = CommandLine.arguments.contains("--quick")
let pairs = quick ? 3 : 11
let tasks = 4
let yieldsPerTask = 100_000
let jobs = Double(tasks * (yieldsPerTask + 1))

let executor = try TracingTaskExecutor(threads: 2, name: "bench")

/// Runs the yields on the executor; returns the wall time in ns.
func runOnce() -> UInt64 {
    let done = DispatchSemaphore(value: 0)
    let start = nowNs()
    Task(executorPreference: executor) {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<tasks {
                group.addTask { for _ in 0..<yieldsPerTask { await Task.yield() } }
            }
        }
        done.signal()
    }
    done.wait()
    return nowNs() - start
}

func runRecorded() throws -> (wall: UInt64, slices: Int) {
    let recorder = try Recorder.start(.init(output: .memory))
    let wall = runOnce()
    let trace = try recorder.stop().trace
    return (wall, trace?.spans.count(where: { $0.name == taskSliceName }) ?? 0)
}

_ = runOnce()  // warm up threads and pages
_ = try runRecorded()
var ratios: [Double] = []
var perJob: [Double] = []
var slices = 0
for i in 0..<pairs {
    let plain: UInt64
    let recorded: (wall: UInt64, slices: Int)
    if i % 2 == 0 {
        plain = runOnce()
        recorded = try runRecorded()
    } else {
        recorded = try runRecorded()
        plain = runOnce()
    }
    slices = recorded.slices
    ratios.append(Double(recorded.wall) / Double(plain))
    perJob.append((Double(recorded.wall) - Double(plain)) / jobs)
}
executor.shutdown()
print("jobs per run: \(Int(jobs)); slices in the last recorded trace: \(slices)")
print("executor-record-slowdown: \(fmt(median(ratios), 3))")
print("executor-record-ns-per-job: \(fmt(median(perJob), 1))")
