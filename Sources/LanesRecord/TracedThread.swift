import CLanesSupport
import LanesCore

#if canImport(Glibc)
import Glibc
#endif

/// An OS thread whose `join` is recorded as a `join` wait.
public final class TracedThread: Sendable {
    private let thread: OSThread
    private let object: SpanName?

    /// Starts a thread named `name` (its lane's name in traces) running `body`.
    public init(name: String = "", _ body: @escaping @Sendable () -> Void) throws {
        object = name.isEmpty ? nil : SpanName(name)
        thread = try OSThread(name: name) {
            if !name.isEmpty { setThreadName(name) }
            body()
        }
    }

    /// Waits for the thread to finish.
    public func join() {
        let token = beginWait(.join, object: object)
        thread.join()
        endWait(token)
    }
}

/// A child process started with `posix_spawn`, whose `wait` is recorded as a `childProcess` wait.
///
/// Lanes never `fork`s: the Swift runtime's threads make a forked child unsafe.
public final class ChildProcess: Sendable {
    public let pid: Int32

    /// How a child ended: the trace model's own `Process.Exit`.
    public typealias Status = LanesCore.Process.Exit

    /// Starts `path` with `arguments` (not including argv[0]) and this process's environment,
    /// with standard input, output and error inherited unless file actions say otherwise.
    public init(path: String, arguments: [String], environment: [String]? = nil) throws {
        var pid: pid_t = 0
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        let rc: Int32
        if let environment {
            let envp = environment.map { strdup($0) } + [nil]
            defer { for p in envp { free(p) } }
            rc = posix_spawn(&pid, path, nil, nil, argv, envp)
        } else {
            rc = posix_spawn(&pid, path, nil, nil, argv, environ)
        }
        guard rc == 0 else { throw SystemError(errno: rc, what: "posix_spawn \(path)") }
        self.pid = pid
    }

    /// Sends `signal` to the child.
    public func kill(_ signal: Int32) {
        _ = Glibc.kill(pid, signal)
    }

    /// Waits for the child to end.
    public func wait() throws -> Status {
        let token = beginWait(.childProcess)
        defer { endWait(token) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw SystemError(errno: errno, what: "waitpid \(pid)") }
        }
        return Status(waitStatus: status)
    }
}

extension LanesCore.Process.Exit {
    /// How a process ended, from the status `waitpid` gave for it.
    public init(waitStatus status: Int32) {
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        self = status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signaled(status & 0x7F)
    }
}
