@_spi(ExperimentalCustomExecutors) @_spi(ExperimentalScheduling) import _Concurrency
import CLanesTaskExecutor
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Records every job of every Swift task of this program — the global pool's, timers' and the main
/// actor's — into the task recording file `lanes record` reads, with no preload library: the one line
/// for statically linked programs (`-static-stdlib`) and for those who prefer code to `LD_PRELOAD`.
///
/// Make it the first statement of `main`, before any task starts:
///
/// ```swift
/// @main struct App {
///     static func main() async {
///         recordAllTasks()
///         …
///     }
/// }
/// ```
///
/// and run the program under `lanes record -- ./app`: the trace then holds a lane per task with its
/// slices on the threads that ran them, its suspensions, and the parent → child and waker → woken
/// flows, as the preload library gives them. It installs, through the runtime's executor-factory
/// interface, a main executor and a default executor that hand jobs to libdispatch as the runtime's
/// own executors do, with a runner that records each job's slice (per-thread buffers, no lock and no
/// allocation per job).
///
/// Without a file to write — not run under `lanes record`, and `path` nil — it changes nothing. When
/// the preload library already records the process, it leaves the recording to it.
///
/// - Parameter path: the file to write (the format of `TaskRecording`); by default the one
///   `lanes record` names in the environment variable `LANES_TASKS_FILE`.
/// - Returns: whether tasks are being recorded by this call.
@discardableResult
public func recordAllTasks(to path: String? = nil) -> Bool {
    guard let file = path ?? getenv("LANES_TASKS_FILE").map({ String(cString: $0) }), !file.isEmpty else {
        return false
    }
    return TaskRecordingExecutors.install(path: file)
}

/// The executors `recordAllTasks` installs, and the one-time installation.
enum TaskRecordingExecutors: ExecutorFactory {
    static let mainExecutor: any MainExecutor = RecordingMainExecutor.shared
    static let defaultExecutor: any TaskExecutor = RecordingGlobalExecutor.shared

    private static let installed = Mutex<Bool?>(nil)

    static func install(path: String) -> Bool {
        installed.withLock { done in
            if let done { return done }
            var ok = false
            if lanes_te_preload_active() == 0 {
                ok = lanes_te_start(path, runMainJob) == 0
                if ok { _createExecutors(factory: TaskRecordingExecutors.self) }
            }
            done = ok
            return ok
        }
    }
}

/// Runs a job the main queue handed back, on the main executor.
private let runMainJob: lanes_te_main_runner = { job in
    guard let job else { return }
    unsafeBitCast(job, to: UnownedJob.self).runSynchronously(on: RecordingMainExecutor.shared.asUnownedSerialExecutor())
}

/// The nanoseconds from now to `instant` of `clock`, 0 if past; for a clock whose durations are not
/// `Duration`, 0 (the job runs at once).
private func delay<C: Clock>(to instant: C.Instant, clock: C) -> Int64 {
    guard let d = clock.now.duration(to: instant) as? Duration else { return 0 }
    let (seconds, attoseconds) = d.components
    guard seconds >= 0 else { return 0 }
    let (ns, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
    return overflow ? Int64.max / 2 : max(0, ns &+ attoseconds / 1_000_000_000)
}

/// The main actor's executor: jobs on libdispatch's main queue, run by `dispatchMain()`.
final class RecordingMainExecutor: MainExecutor, SchedulingExecutor, @unchecked Sendable {
    static let shared = RecordingMainExecutor()

    func run() throws { dispatchMain() }

    func stop() { fatalError("the main executor of recordAllTasks() runs libdispatch's main queue and cannot stop") }

    func enqueue(_ job: consuming ExecutorJob) {
        lanes_te_enqueue(unsafeBitCast(UnownedJob(job), to: UnsafeMutableRawPointer.self), 1, -1)
    }

    func enqueue<C: Clock>(_ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?, clock: C) {
        lanes_te_enqueue(
            unsafeBitCast(UnownedJob(job), to: UnsafeMutableRawPointer.self), 1, delay(to: instant, clock: clock))
    }

    var isMainExecutor: Bool { true }

    func checkIsolated() { dispatchPrecondition(condition: .onQueue(.main)) }
}

/// The default executor: jobs on libdispatch's global queue of their priority.
final class RecordingGlobalExecutor: TaskExecutor, SchedulingExecutor, @unchecked Sendable {
    static let shared = RecordingGlobalExecutor()

    func enqueue(_ job: consuming ExecutorJob) {
        lanes_te_enqueue(unsafeBitCast(UnownedJob(job), to: UnsafeMutableRawPointer.self), 0, -1)
    }

    func enqueue<C: Clock>(_ job: consuming ExecutorJob, at instant: C.Instant, tolerance: C.Duration?, clock: C) {
        lanes_te_enqueue(
            unsafeBitCast(UnownedJob(job), to: UnsafeMutableRawPointer.self), 0, delay(to: instant, clock: clock))
    }

    var isMainExecutor: Bool { false }
}
