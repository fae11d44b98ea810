// The cost of recording the tasks of the built-in `async` model: 4 tasks of 100,000 `Task.yield()` each on a
// `TracingTaskExecutor` of 2 threads, in this process, with and without a `Recorder` (in memory), in
// alternating pairs. The recording itself is timed, not the trace built at the stop. Under a task executor
// each yield is two jobs (the task's, and the runtime's continuation job that resumes it): about 800k jobs.
// With `--file`, the recorder streams to a `.lanes` file in the temporary folder instead (the task records go to the
// file as the run goes, what `lanes run -o` does).
// Run: swift run -c release --package-path tools/benchmarks task-executor-benchmark [--quick] [--file]
// Prints `executor-record-slowdown: X` (median of the paired wall-time ratios),
// `executor-record-ns-per-job: N` (median of the paired wall-time differences ÷ the jobs recorded) and
// `executor-record-cpu-ns-per-job: N` (the same for the process's CPU time).
import BenchSupport
import Dispatch
import LanesRecord

#if canImport(Glibc)
    import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
let toFile = CommandLine.arguments.contains("--file")
let filePath = "/tmp/lanes-task-executor-benchmark-\(getpid()).lanes"
let pairs = quick ? 3 : 11
let tasks = 4
let yieldsPerTask = 100_000

let executor = try TracingTaskExecutor(threads: 2, name: "bench")

/// User + system CPU time of this process, ns.
func cpuNs() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1e9
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e3
}

/// Runs the yields on the executor; returns the wall and CPU time in ns.
func runOnce() -> (wall: Double, cpu: Double) {
    let done = DispatchSemaphore(value: 0)
    let cpu = cpuNs()
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
    return (Double(nowNs() - start), cpuNs() - cpu)
}

/// A recorded run: its times, and the jobs recorded (the benchmark has no spans of its own: every span is a job).
func runRecorded() throws -> (wall: Double, cpu: Double, jobs: Int) {
    let recorder = try Recorder.start(.init(output: toFile ? .file(filePath) : .memory))
    let t = runOnce()
    let recording = try recorder.stop()
    if toFile { unlink(filePath) }
    return (t.wall, t.cpu, recording.trace?.spans.count ?? recording.spanCount)
}

_ = runOnce()  // warm up threads and pages
_ = try runRecorded()
var ratios: [Double] = []
var perJob: [Double] = []
var cpuPerJob: [Double] = []
var jobs = 0
for i in 0..<pairs {
    let plain: (wall: Double, cpu: Double)
    let recorded: (wall: Double, cpu: Double, jobs: Int)
    if i % 2 == 0 {
        plain = runOnce()
        recorded = try runRecorded()
    } else {
        recorded = try runRecorded()
        plain = runOnce()
    }
    jobs = recorded.jobs
    ratios.append(recorded.wall / plain.wall)
    perJob.append((recorded.wall - plain.wall) / Double(max(1, recorded.jobs)))
    cpuPerJob.append((recorded.cpu - plain.cpu) / Double(max(1, recorded.jobs)))
}
executor.shutdown()
print("jobs recorded in the last run: \(jobs), to \(toFile ? "a file" : "memory")")
print("executor-record-slowdown: \(fmt(median(ratios), 3))")
print("executor-record-ns-per-job: \(fmt(median(perJob), 1))")
print("executor-record-cpu-ns-per-job: \(fmt(median(cpuPerJob), 1))")
