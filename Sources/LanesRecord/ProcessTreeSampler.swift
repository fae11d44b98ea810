import CLanesSupport
import LanesCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs any command and samples its process tree through `/proc` into a `Trace`: no
/// instrumentation needed.
///
/// Every interval it reads, for each process and thread of the tree, `/proc/PID/task/TID/schedstat`
/// (nanoseconds on a CPU and runnable in the run queue) and `stat` (the state letter, the name).
/// New processes are found through the `children` files of threads that ran since the last sample;
/// a process that starts and ends between two samples is not seen.
///
/// The trace shows each process as its threads: a thread lane per thread (named from `comm`) with one
/// span, named ``ProcessTreeSampler/threadSpanName``, from its first sample to its last. Time on a CPU is the span's running
/// time (and its CPU time); everything else is a wait on the span: `runQueue` while runnable but not on a
/// CPU, and while off the CPU (`S`, `D`) the reason read from the thread's `/proc/…/syscall` (and `wchan`
/// for calls the table does not know): a futex is a `lock` (`condition` when only one thread ever waits
/// on it; `gil` when it lies in a Python interpreter's data, inferred), a sleep `sleep`, epoll/poll/select
/// `poll`, reads and writes `ioRead`/`ioWrite` (`ipc` on a pipe), `wait4` `childProcess`, anything else
/// `other` with the system call's number: see ``ProcessTreeSampler/WaitCause`` and <doc:WaitReasonsFromProc>.
/// So sleeping is never busy time, and statistics, parallelism, the work class and findings follow.
/// The main thread's span carries the process's pid, parent, command line and exit; its lane the exit mark.
/// A reason is read only when a waiting thread ran since the last sample: one whose counts did not move
/// is still in the same wait.
/// Per-thread `sched.*` counters feed the reports' CPU-state strip; trace-wide `threads.running`,
/// `threads.runnable` and `threads.blocked` give the average number of threads in each state.
///
/// Accuracy: amounts of running and runnable time per thread follow schedstat (nanoseconds); where
/// inside one interval they fell is inferred from the state letters at its ends, and the kernel
/// updates a running thread's count only at scheduler ticks (4 ms at `HZ=250`) and context switches,
/// so segment boundaries are good to about one interval while a thread blocks and wakes, and to about
/// one tick inside a busy stretch. At the default 1 ms, two CPU-bound Python threads sharing the GIL
/// show each thread's CPU time to within 1% and their running segments overlapping for about 2% of
/// their running time (measured on a 2-core VM, idle or with two busy processes competing).
public struct ProcessTreeSampler: Sendable {
    /// How to sample.
    public struct Options: Sendable {
        /// Time between samples (ns).
        public var interval: Nanoseconds
        /// Time over which the CPU-state counters are summed (ns); at least one interval.
        public var counterWindow: Nanoseconds
        /// Forward SIGINT and SIGTERM that another process sends to the sampler to the command
        /// (those the terminal sends reach it directly, as it shares the sampler's process group).
        public var forwardSignals: Bool

        /// Every 1 ms, counters summed over 10 ms, no signal forwarding.
        public init(
            interval: Nanoseconds = 1_000_000, counterWindow: Nanoseconds = 10_000_000, forwardSignals: Bool = false
        ) {
            self.interval = interval
            self.counterWindow = counterWindow
            self.forwardSignals = forwardSignals
        }
    }

    /// What a recording produced.
    public struct Recording: Sendable {
        public var trace: Trace
        /// How the command ended.
        public var exit: LanesCore.Process.Exit
        /// Sampling passes over the process tree.
        public var samples: Int
        /// CPU time the sampling thread used.
        public var samplerCPUTime: Nanoseconds
        /// From the command's start to its end.
        public var wallTime: Nanoseconds

        /// A recording made of its parts (for tests and tools that build one).
        public init(
            trace: Trace, exit: LanesCore.Process.Exit, samples: Int, samplerCPUTime: Nanoseconds, wallTime: Nanoseconds
        ) {
            self.trace = trace
            self.exit = exit
            self.samples = samples
            self.samplerCPUTime = samplerCPUTime
            self.wallTime = wallTime
        }

        /// The sampler's CPU time as a share of one core over the recording (0.012 = 1.2%).
        public var samplerCPUShare: Double { wallTime > 0 ? Double(samplerCPUTime) / Double(wallTime) : 0 }

        /// "sampler used 1.2% of one core over 3.4 s, 3,400 samples".
        public var samplerSummary: String {
            let share = (samplerCPUShare * 1000).rounded() / 10
            let seconds = (Double(wallTime) / 1e8).rounded() / 10
            return "sampler used \(share)% of one core over \(seconds) s, \(groupedThousands(samples)) samples"
        }
    }

    /// Why a command could not be recorded.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// No command was given.
        case emptyCommand
        /// The command is neither a path to an executable nor found in `PATH`.
        case commandNotFound(String)
        /// `posix_spawn` failed for another reason (errno).
        case cannotStart(String, errno: Int32)

        public var description: String {
            switch self {
            case .emptyCommand: "no command to record"
            case .commandNotFound(let c): "command not found: \(c)"
            case .cannotStart(let c, let e): "cannot start \(c): \(String(cString: strerror(e)))"
            }
        }
    }

    /// How it samples.
    public var options: Options

    /// A sampler with these options.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// Starts `command` (searched in `PATH`, with this process's environment and standard streams),
    /// samples its process tree until it exits, and returns the trace.
    public func record(_ command: [String]) throws(Failure) -> Recording {
        guard let program = command.first, !program.isEmpty else { throw .emptyCommand }
        let previous = options.forwardSignals ? installForwarding() : nil
        defer {
            forwardTarget.store(0, ordering: .sequentiallyConsistent)
            if let previous { restoreSignals(previous) }
        }
        let started = lanes_monotonic_ns()
        let startedAt = realtimeNanoseconds()
        pendingSignal.store(0, ordering: .sequentiallyConsistent)
        let pid = try spawn(command)
        raiseFileLimit()  // after the spawn: the command keeps the limits it was given
        forwardTarget.store(pid, ordering: .sequentiallyConsistent)
        // A signal that came between the spawn and now is the command's too.
        let early = pendingSignal.exchange(0, ordering: .sequentiallyConsistent)
        if early != 0 { kill(pid, early) }
        var state = SamplerState(root: pid, start: Int64(started), options: options)
        let recording = state.run()
        var trace = state.trace()
        let folded = state.launcherSummary()
        trace.metadata = Metadata(
            command: command, host: hostName(), cores: Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), clock: .monotonic,
            timeSource: "clock_gettime", model: "recorded", startedAt: startedAt,
            extra: [
                Attribute("record.interval", "\(options.interval) ns"),
                Attribute("record.samples", "\(recording.samples)"),
                Attribute("record.samplerCPU", "\(recording.cpu) ns"),
            ] + (folded.map { [Attribute("record.folded", $0)] } ?? []))
        return Recording(
            trace: trace, exit: recording.exit, samples: recording.samples, samplerCPUTime: recording.cpu,
            wallTime: recording.wall)
    }

    private func spawn(_ command: [String]) throws(Failure) -> Int32 {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The command starts with default dispositions and no blocked signals, whatever the sampler has.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGPIPE, SIGQUIT, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let argv = command.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, command[0], nil, &attributes, argv, environ)
        if rc == ENOENT || rc == ENOTDIR { throw .commandNotFound(command[0]) }
        guard rc == 0 else { throw .cannotStart(command[0], errno: rc) }
        return pid
    }
}

// MARK: Signal forwarding

/// The command's pid while a recording forwards signals; 0 otherwise. Read by the signal handler.
private let forwardTarget = Atomic<Int32>(0)

/// A signal to forward that arrived before the command's pid was known. The handler and the recording
/// thread both take it with `exchange`, so exactly one of them forwards it.
private let pendingSignal = Atomic<Int32>(0)

private func forwardSignal(_ signal: Int32, _ info: UnsafeMutablePointer<siginfo_t>?, _: UnsafeMutableRawPointer?) {
    // 0x80 is SI_KERNEL: the terminal's signals go to the whole process group, the command included.
    if let info, info.pointee.si_code == 0x80 { return }
    pendingSignal.store(signal, ordering: .sequentiallyConsistent)
    let pid = forwardTarget.load(ordering: .sequentiallyConsistent)
    guard pid > 0 else { return }
    let pending = pendingSignal.exchange(0, ordering: .sequentiallyConsistent)
    if pending != 0 { kill(pid, pending) }
}

private func installForwarding() -> [Int32: sigaction] {
    var previous: [Int32: sigaction] = [:]
    // A parent may have started us with these blocked (Foundation's Process does); the sampling thread
    // takes them.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    for s in [SIGINT, SIGTERM] {
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = forwardSignal
        action.sa_flags = SA_SIGINFO | SA_RESTART
        sigemptyset(&action.sa_mask)
        var old = sigaction()
        if sigaction(s, &action, &old) == 0 { previous[s] = old }
    }
    return previous
}

private func restoreSignals(_ previous: [Int32: sigaction]) {
    for (s, old) in previous {
        var old = old
        sigaction(s, &old, nil)
    }
}

// MARK: Helpers

/// Each sampled thread keeps two or three `/proc` files open: lift the soft limit on descriptors to
/// the hard one, as a large tree would pass the usual 1024.
private func raiseFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

private func realtimeNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

func threadCPUNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

private func hostName() -> String {
    var host = [CChar](repeating: 0, count: 256)
    gethostname(&host, host.count - 1)
    return String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// 3400 → "3,400".
func groupedThousands(_ n: Int) -> String {
    let digits = Array(String(n.magnitude))
    var out = ""
    for (i, d) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(d)
    }
    return n < 0 ? "-" + out : out
}
