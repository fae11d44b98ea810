import ArgumentParser
import LanesCore
import LanesFormat
import LanesRecord
import LanesRender

#if canImport(Glibc)
    import Glibc
#endif

/// `lanes record -- COMMAND ARGS`: runs any program and samples its process tree through `/proc`.
struct Record: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Runs any command and samples its process tree through /proc into a trace; no instrumentation needed.",
        discussion: """
            Every interval, each thread of the command and of its child processes is read from /proc: its state \
            (running, runnable, sleeping, disk-wait), its CPU and run-queue time (schedstat) and its name (comm). \
            The trace has a lane per thread, grouped by process. Waiting is not running: time runnable but not on a \
            CPU is a run-queue wait, and time asleep is a wait with the reason read from /proc/PID/task/TID/syscall: \
            a futex is a lock (named by its address, so threads on one lock wait on the same object; a condition when \
            one thread alone waits on it; the interpreter lock, inferred, when it lies in a Python interpreter's \
            data), a sleep is a sleep, epoll/poll/select is poll (an idle event loop), reads and writes are I/O (IPC \
            on a pipe), wait4 is a child process, anything else 'other' with the system call's number. `lanes \
            report` draws it and `lanes advise` reads it. Helper processes that a wrapper (a shell script, a version \
            manager's shim) ran before it exec'd into the program are folded into the program.

            The command's standard streams are passed through, SIGINT and SIGTERM sent to lanes are forwarded to it, \
            and lanes exits with its exit status (128 + the signal if a signal ended it). Lanes' own messages go to \
            standard error.

            Accuracy: running and runnable time per thread add up to what schedstat counts (ns); where they fall \
            inside one interval is inferred, and a running thread's count advances at scheduler ticks (4 ms at \
            HZ=250), so segment edges are good to about one interval, or one tick inside busy stretches. Processes \
            that start and end within one interval are not seen. Cost: at 1 ms the sampler uses about 3% of one \
            core for a 3-thread program (half of it just waking up every 1 ms), at 10 ms about 1%; under 3 µs per \
            thread per sample, and a waiting thread whose counts did not move costs one read.
            """)

    @Option(help: "Time between samples, e.g. 1ms, 500us, 10ms (50us...1s).")
    var interval: String = "1ms"

    @Option(name: .shortAndLong, help: "The trace file to write: its name must end in .lanes, .json or .pftrace.")
    var out: String = "record.lanes"

    @Flag(name: .customLong("no-tasks"), help: "Do not load the task recorder into a Swift program.")
    var noTasks = false

    @Argument(parsing: .postTerminator, help: "The command to run and its arguments, after `--`.")
    var command: [String] = []

    func validate() throws {
        guard !command.isEmpty else {
            throw ValidationError(
                "no command to record; usage: lanes record [--interval 1ms] [--out FILE] -- COMMAND ARGS")
        }
        guard let v = parseDuration(interval), (50_000...1_000_000_000).contains(v) else {
            throw ValidationError(
                "--interval must be a duration from 50us to 1s such as 1ms or 500us, not '\(interval)'")
        }
        // Find out now, not after the command ran, that the trace cannot be written.
        _ = try TraceFormat.forWriting(out)
        try checkOutputs([out], inputs: [])
    }

    func run() throws {
        let format = try TraceFormat.forWriting(out)  // checked in validate(): cannot fail here
        let sampler = ProcessTreeSampler(options: .init(interval: parseDuration(interval)!, forwardSignals: true))
        let tasks = TaskRecordingSetup.prepare(command: command, enabled: !noTasks)
        let recording: ProcessTreeSampler.Recording
        do {
            recording = try sampler.record(command)
        } catch {
            throw CLIError("\(error)")
        }
        let (trace, tasksSummary) = tasks.finish(recording.trace)
        do {
            switch format {
            case .lanes: try LanesFile.write(trace, to: out)
            case .chromeJSON: try ChromeJSON.write(trace, to: out)
            case .perfetto: try PerfettoTrace.write(trace, to: out)
            }
        } catch {
            throw writeFailure(out, error)
        }
        let threads = trace.lanes.filter { $0.kind == .thread }.count
        printToStandardError(
            "lanes record: \(command[0]) \(recording.exit); wrote \(out): \(counted(trace.processes.count, "process")), "
                + "\(counted(threads, "thread")), \(counted(trace.spans.count, "span"))")
        if let folded = trace.metadata.extra.first(where: { $0.key == "record.folded" }) {
            printToStandardError("lanes record: \(folded.value)")
        }
        printToStandardError("lanes record: \(recording.samplerSummary)")
        if let tasksSummary { printToStandardError("lanes record: \(tasksSummary)") }
        switch recording.exit {
        case .exited(0): return
        case .exited(let status): throw ExitCode(status)
        case .signaled(let signal): throw ExitCode(128 + signal)
        }
    }
}

/// Writes one line to standard error.
private func printToStandardError(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
