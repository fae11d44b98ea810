import LanesCore
import LanesFormat
import LanesRecord

#if canImport(Glibc)
import Glibc
#endif

/// The `processes` model: N worker processes, each the `lanes` binary re-executed as
/// `lanes _worker SCENARIO --scale S` with `posix_spawn` (never `fork`: the Swift runtime's threads
/// make a forked child unsafe). The parent hands out item indices one at a time on each worker's
/// standard input and reads `index<TAB>result` lines from its standard output; each worker records
/// its own spans and streams them as a `.lanes` stream on descriptor 3, which the parent decodes as
/// it arrives and merges into one trace (all processes share CLOCK_MONOTONIC).
enum ProcessPool {
    /// The descriptor on which a worker writes its trace.
    static let traceDescriptor: Int32 = 3

    static func run<Item, Result>(
        _ w: Workload<Item, Result>, options: RunOptions
    ) throws -> (results: [Result], traces: [Trace]) {
        guard let transport = w.transport else {
            throw RunError.invalidOptions("this workload cannot run under processes: its results cannot be sent between processes")
        }
        guard !options.scenario.isEmpty else {
            throw RunError.invalidOptions("the processes model needs a scenario, which its workers rebuild")
        }
        let executable = options.workerExecutable ?? ownExecutable()
        let count = min(options.workers, max(1, w.items.count))
        var workers: [Worker] = []
        defer { for worker in workers { worker.closeAll() } }
        for k in 0..<count {
            workers.append(
                try Worker.spawn(
                    index: k, executable: executable,
                    arguments: ["_worker", options.scenario, "--scale", "\(options.scale)", "--workers", "\(options.workers)"],
                    environment: options.workerEnvironment))
        }
        var results = [Result?](repeating: nil, count: w.items.count)
        var next = 0
        var failure: RunError?
        for k in workers.indices where next < w.items.count {
            workers[k].assign(next)
            next += 1
        }
        // One loop reads every worker's results and trace stream, so no pipe ever fills up.
        while failure == nil && workers.contains(where: { $0.assigned != nil }) {
            try withWait(.ipc) { try pollReadable(workers) }
            for k in workers.indices {
                workers[k].drainTrace()
                let (lines, ended) = try workers[k].readResults()
                for line in lines {
                    let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
                    guard parts.count == 2, let i = Int(parts[0]), i == workers[k].assigned,
                        let r = transport.decode(parts[1])
                    else {
                        throw RunError.workerFailed("worker \(k) (pid \(workers[k].pid)) answered '\(line)' to item \(workers[k].assigned ?? -1)")
                    }
                    results[i] = r
                    workers[k].assigned = nil
                    if next < w.items.count {
                        workers[k].assign(next)
                        next += 1
                    }
                }
                if ended, let item = workers[k].assigned {
                    let status = workers[k].reap()
                    failure = RunError.workerDied(worker: k, pid: workers[k].pid, item: item, how: status, trace: Trace())
                    workers[k].note = "\(status) while processing item \(item)"
                    break
                }
            }
        }
        // No more items: closing their input ends the workers; then their trace streams end.
        for k in workers.indices { workers[k].closeInput() }
        while workers.contains(where: { !$0.traceEnded }) {
            try pollReadable(workers)
            for k in workers.indices { workers[k].drainTrace() }
        }
        var traces: [Trace] = []
        for k in workers.indices {
            if workers[k].exit == nil { _ = workers[k].reap() }
            traces.append(workers[k].finishTrace())
        }
        if case .workerDied(let worker, let pid, let item, let how, _) = failure {
            throw RunError.workerDied(worker: worker, pid: pid, item: item, how: how, trace: Trace.merging(traces))
        }
        if let failure { throw failure }
        return (results.map { $0! }, traces)
    }

    /// Waits until some worker's output or trace stream has something to read (or has ended).
    private static func pollReadable(_ workers: [Worker]) throws {
        var fds: [pollfd] = []
        for w in workers {
            if w.resultsFD >= 0 { fds.append(pollfd(fd: w.resultsFD, events: Int16(POLLIN), revents: 0)) }
            if w.traceFD >= 0 { fds.append(pollfd(fd: w.traceFD, events: Int16(POLLIN), revents: 0)) }
        }
        guard !fds.isEmpty else { return }
        while poll(&fds, nfds_t(fds.count), -1) < 0 {
            if errno != EINTR { throw RunError.workerFailed("poll: \(String(cString: strerror(errno)))") }
        }
    }

    /// The path of the running executable.
    static func ownExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }
}

/// One worker process and the parent's ends of its pipes.
struct Worker {
    let index: Int
    let pid: Int32
    var inputFD: Int32
    var resultsFD: Int32
    var traceFD: Int32
    var assigned: Int?
    var pending: [UInt8] = []
    var reader = LanesReader()
    var traceError: String?
    var exit: Process.Exit?
    var note = ""
    var traceEnded: Bool { traceFD < 0 }

    static func spawn(index: Int, executable: String, arguments: [String], environment: [String]) throws -> Worker {
        let input = try makePipe()
        let results = try makePipe()
        let trace = try makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // dup2 clears close-on-exec on the copies, so the child keeps exactly 0, 1 and 3 of these.
        posix_spawn_file_actions_adddup2(&actions, input.read, 0)
        posix_spawn_file_actions_adddup2(&actions, results.write, 1)
        posix_spawn_file_actions_adddup2(&actions, trace.write, ProcessPool.traceDescriptor)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var inherited: [String] = []
        var e = environ
        while let entry = e.pointee {
            inherited.append(String(cString: entry))
            e += 1
        }
        let envp = (inherited + environment).map { strdup($0) } + [nil]
        defer { for p in envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(input.read)
        close(results.write)
        close(trace.write)
        guard rc == 0 else {
            close(input.write)
            close(results.read)
            close(trace.read)
            throw RunError.workerFailed("cannot start worker \(index) (\(executable)): \(String(cString: strerror(rc)))")
        }
        return Worker(index: index, pid: pid, inputFD: input.write, resultsFD: results.read, traceFD: trace.read)
    }

    mutating func assign(_ item: Int) {
        assigned = item
        // A write to a worker that died fails; the death itself shows up as the end of its output.
        withSIGPIPEBlocked { _ = Array("\(item)\n".utf8).withUnsafeBytes { try? tracedWrite(inputFD, $0) } }
    }

    /// Complete result lines read so far, and whether the output has ended.
    mutating func readResults() throws -> (lines: [String], ended: Bool) {
        guard resultsFD >= 0, isReadable(resultsFD) else { return ([], false) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = chunk.withUnsafeMutableBytes { read(resultsFD, $0.baseAddress, $0.count) }
        if n <= 0 {
            close(resultsFD)
            resultsFD = -1
            return ([], true)
        }
        pending += chunk[..<n]
        var lines: [String] = []
        while let newline = pending.firstIndex(of: 10) {
            lines.append(String(decoding: pending[..<newline], as: UTF8.self))
            pending.removeSubrange(...newline)
        }
        return (lines, false)
    }

    /// Feeds whatever the trace stream has to the decoder.
    mutating func drainTrace() {
        guard traceFD >= 0, isReadable(traceFD) else { return }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let n = chunk.withUnsafeMutableBytes { read(traceFD, $0.baseAddress, $0.count) }
        if n <= 0 {
            close(traceFD)
            traceFD = -1
            return
        }
        do { try reader.feed(chunk[..<n]) } catch { traceError = "\(error)" }
    }

    mutating func closeInput() {
        if inputFD >= 0 {
            close(inputFD)
            inputFD = -1
        }
    }

    /// Waits for the worker to end and says how it did.
    mutating func reap() -> String {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let how = Process.Exit(waitStatus: status)
        exit = how
        return how.description
    }

    /// The worker's trace, with its process named and its end recorded.
    mutating func finishTrace() -> Trace {
        let result = try? reader.finish()
        reader = LanesReader()
        var trace = result?.trace ?? Trace()
        let name = "worker-\(index)"
        if let i = trace.processes.firstIndex(where: { $0.pid == Int64(pid) }) {
            trace.processes[i].name = name
            trace.processes[i].exit = exit
            trace.processes[i].note = note
        } else {
            trace.processes.append(Process(pid: Int64(pid), name: name, exit: exit, note: note))
        }
        // A worker killed before it flushed anything still gets its lane, saying how it ended.
        if !trace.lanes.contains(where: { $0.pid == Int64(pid) }) {
            trace.lanes.append(
                Lane(id: LaneID(UInt32(trace.lanes.count)), kind: .process, pid: Int64(pid), name: name))
        }
        return trace
    }

    func closeAll() {
        for fd in [inputFD, resultsFD, traceFD] where fd >= 0 { close(fd) }
    }
}

private func isReadable(_ fd: Int32) -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, 0) > 0
}

private func makePipe() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw RunError.workerFailed("pipe: \(String(cString: strerror(errno)))") }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (fds[0], fds[1])
}

/// Runs `body` with SIGPIPE blocked on this thread, so that a write to a pipe whose reader died fails
/// with EPIPE instead of killing the process, and takes any SIGPIPE the write raised before restoring
/// the caller's signal mask (which is the caller's own: it is not changed for good).
func withSIGPIPEBlocked(_ body: () -> Void) {
    var pipe = sigset_t()
    var previous = sigset_t()
    sigemptyset(&pipe)
    sigaddset(&pipe, SIGPIPE)
    pthread_sigmask(SIG_BLOCK, &pipe, &previous)
    body()
    if sigismember(&previous, SIGPIPE) == 0 {
        var zero = timespec()
        while sigtimedwait(&pipe, nil, &zero) == SIGPIPE {}
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }
}
