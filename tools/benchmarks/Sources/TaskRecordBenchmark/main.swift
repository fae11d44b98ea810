// The cost of recording every task of an unmodified Swift program: task-yield-program (≥ 400k jobs)
// run with and without libLanesTaskRecorder.so loaded by LD_PRELOAD, in alternating pairs.
// Run: swift run -c release --package-path tools/benchmarks task-record-benchmark [--quick]
// Prints `task-record-slowdown: X` (median of the paired wall-time ratios) and
// `task-record-ns-per-job: N` (median of the paired differences ÷ the jobs the library recorded), and the
// same for the program's CPU time (`task-record-cpu-ns-per-job`); then the same three figures for the one
// line, `recordAllTasks()` (task-yield-one-line-program with and without LANES_TASKS_FILE), prefixed
// `task-record-one-line-`.
import BenchSupport
import LanesFormat
import LanesRecord

#if canImport(Glibc)
    import Glibc
#endif

let quick = CommandLine.arguments.contains("--quick")
let pairs = quick ? 3 : 11
let yields = 400_000

/// This executable's folder: the program and the library are built beside it.
let here: String = {
    var buffer = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    let path = String(decoding: buffer[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
}()
let plainProgram = here + "/task-yield-program"
let oneLineProgram = here + "/task-yield-one-line-program"
let library = here + "/libLanesTaskRecorder.so"
let file = "/tmp/task-record-benchmark-\(getpid()).tasks"

/// Runs a program once, recording when `recording` (the preload library, or the one line's file); returns
/// its wall time and its CPU time (user + system, from wait4) in ns.
func runOnce(recording: Bool, oneLine: Bool) -> (wall: UInt64, cpu: UInt64) {
    let program = oneLine ? oneLineProgram : plainProgram
    var env = ["PATH=/usr/bin:/bin"]
    if recording { env += (oneLine ? [] : ["LD_PRELOAD=\(library)"]) + ["LANES_TASKS_FILE=\(file)"] }
    unlink(file)
    let argv = [program, "\(yields)"].map { $0.withCString { strdup($0) } } + [nil]
    let envp = env.map { $0.withCString { strdup($0) } } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    let start = nowNs()
    guard posix_spawn(&pid, program, nil, nil, argv, envp) == 0 else {
        print("cannot run \(program)")
        exit(1)
    }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let wall = nowNs() - start
    let cpu =
        UInt64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1_000_000_000
        + UInt64(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1_000
    guard status == 0 else {
        print("\(program) failed (status \(status))")
        exit(1)
    }
    return (wall, cpu)
}

guard access(library, R_OK) == 0, access(plainProgram, X_OK) == 0, access(oneLineProgram, X_OK) == 0 else {
    print(
        "build first: swift build -c release --package-path tools/benchmarks (needs \(plainProgram), \(oneLineProgram) and \(library))"
    )
    exit(1)
}

/// Paired runs with and without recording; prints the figures under `prefix`.
func measure(oneLine: Bool, prefix: String) {
    _ = runOnce(recording: false, oneLine: oneLine)  // warm the page cache
    var ratios: [Double] = []
    var differences: [Double] = []
    var cpuDifferences: [Double] = []
    var jobs = 0
    for i in 0..<pairs {
        // Alternate which goes first, so a drift of the machine's speed favours neither.
        let first = i % 2 == 0
        let a = runOnce(recording: first, oneLine: oneLine)
        if first, jobs == 0 { jobs = (try? TaskRecording.read(path: file).slices.count) ?? 0 }
        let b = runOnce(recording: !first, oneLine: oneLine)
        if !first, jobs == 0 { jobs = (try? TaskRecording.read(path: file).slices.count) ?? 0 }
        let (with, without) = first ? (a, b) : (b, a)
        ratios.append(Double(with.wall) / Double(without.wall))
        differences.append(Double(with.wall) - Double(without.wall))
        cpuDifferences.append(Double(with.cpu) - Double(without.cpu))
        print(
            "\(prefix)pair \(i + 1): without \(fmt(Double(without.wall) / 1e6, 1)) ms (CPU \(fmt(Double(without.cpu) / 1e6, 1))), "
                + "with \(fmt(Double(with.wall) / 1e6, 1)) ms (CPU \(fmt(Double(with.cpu) / 1e6, 1)))")
    }
    unlink(file)
    print("\(prefix)jobs recorded per run: \(jobs) (\(yields) yields over 4 tasks)")
    print("\(prefix)slowdown: \(fmt(median(ratios), 3))")
    print("\(prefix)ns-per-job: \(fmt(jobs > 0 ? median(differences) / Double(jobs) : 0, 1))")
    // CPU time is less at the mercy of other programs on a shared machine than wall time.
    print("\(prefix)cpu-ns-per-job: \(fmt(jobs > 0 ? median(cpuDifferences) / Double(jobs) : 0, 1))")
}

measure(oneLine: false, prefix: "task-record-")
measure(oneLine: true, prefix: "task-record-one-line-")
