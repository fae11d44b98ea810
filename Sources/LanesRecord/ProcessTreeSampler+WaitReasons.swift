import LanesCore

extension ProcessTreeSampler {
    /// Why a sampled thread was off the CPU: the trace's wait reason and the object waited on.
    public struct WaitCause: Hashable, Sendable {
        public var reason: WaitReason
        /// What was waited on: `futex 0x55e56df0c130`, `pipe:[123]`, `socket:[456]`, a file's path, `syscall 999`.
        public var object: String?

        public init(_ reason: WaitReason, _ object: String? = nil) {
            self.reason = reason
            self.object = object
        }
    }

    /// What a blocking system call waits for, before its arguments are looked at.
    package enum BlockingCall: Hashable, Sendable {
        /// A futex: a lock or a condition (the first argument is its address).
        case futex
        /// A timed sleep.
        case sleep
        /// Waiting for any of several descriptors: an event loop's selector.
        case poll
        /// Reading or receiving from the descriptor in the first argument.
        case read
        /// Writing or sending to the descriptor in the first argument.
        case write
        /// Waiting for a connection on the listening socket in the first argument.
        case accept
        /// Waiting for a child process to end.
        case child
        /// Waiting for a signal.
        case signal
    }

    /// THE table: system call number → what a thread blocked in it waits for (names are the kernel's).
    /// Anything else is `other` with the number kept (`syscall 999`, plus the kernel function from `wchan`).
    /// The article WaitReasonsFromProc in the DocC catalogue says how each becomes a wait reason.
    package static let blockingCalls: [Int: (name: String, call: BlockingCall)] = {
        #if arch(arm64)
        return [
            98: ("futex", .futex), 101: ("nanosleep", .sleep), 115: ("clock_nanosleep", .sleep),
            22: ("epoll_pwait", .poll), 441: ("epoll_pwait2", .poll), 72: ("pselect6", .poll), 73: ("ppoll", .poll),
            63: ("read", .read), 65: ("readv", .read), 67: ("pread64", .read), 69: ("preadv", .read),
            207: ("recvfrom", .read), 212: ("recvmsg", .read), 243: ("recvmmsg", .read),
            64: ("write", .write), 66: ("writev", .write), 68: ("pwrite64", .write), 70: ("pwritev", .write),
            206: ("sendto", .write), 211: ("sendmsg", .write), 269: ("sendmmsg", .write),
            202: ("accept", .accept), 242: ("accept4", .accept),
            260: ("wait4", .child), 95: ("waitid", .child),
            133: ("rt_sigsuspend", .signal), 137: ("rt_sigtimedwait", .signal),
        ]
        #else
        return [
            202: ("futex", .futex), 35: ("nanosleep", .sleep), 230: ("clock_nanosleep", .sleep),
            232: ("epoll_wait", .poll), 281: ("epoll_pwait", .poll), 441: ("epoll_pwait2", .poll),
            7: ("poll", .poll), 271: ("ppoll", .poll), 23: ("select", .poll), 270: ("pselect6", .poll),
            0: ("read", .read), 19: ("readv", .read), 17: ("pread64", .read), 295: ("preadv", .read),
            45: ("recvfrom", .read), 47: ("recvmsg", .read), 299: ("recvmmsg", .read),
            1: ("write", .write), 20: ("writev", .write), 18: ("pwrite64", .write), 296: ("pwritev", .write),
            44: ("sendto", .write), 46: ("sendmsg", .write), 307: ("sendmmsg", .write),
            43: ("accept", .accept), 288: ("accept4", .accept),
            61: ("wait4", .child), 247: ("waitid", .child),
            34: ("pause", .signal), 130: ("rt_sigsuspend", .signal), 128: ("rt_sigtimedwait", .signal),
        ]
        #endif
    }()

    /// The cause of a wait from a thread's `/proc/…/syscall` line (`202 0x55e56df0c130 0x189 …`).
    ///
    /// - `descriptor` names what a descriptor of the thread's process is (`readlink` of `/proc/PID/fd/N`).
    /// - `isInterpreterLock` says whether a futex address lies in a Python interpreter's static data
    ///   (where CPython keeps its GIL; `threading.Lock`s live on the heap).
    /// - `kernelFunction` is the thread's `wchan`, read only for calls the table does not know.
    /// Nil when the line says the thread is running (it woke between reading its state and this).
    package static func cause(
        syscallLine line: Substring, descriptor: (Int32) -> String?, isInterpreterLock: (UInt64) -> Bool,
        kernelFunction: () -> String?
    ) -> WaitCause? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = fields.first, first != "running" else { return nil }
        guard let number = Int(first), number >= 0 else {
            // -1: blocked outside a system call (a page fault, a stop); wchan says where.
            return WaitCause(.other, kernelFunction().map { "in kernel: \($0)" } ?? "not in a system call")
        }
        func argument(_ k: Int) -> UInt64? {
            guard fields.count > k else { return nil }
            let text = fields[k].hasPrefix("0x") ? fields[k].dropFirst(2) : fields[k]
            return UInt64(text, radix: 16)
        }
        guard let entry = blockingCalls[number] else {
            let where_ = kernelFunction().map { " (\($0))" } ?? ""
            return WaitCause(.other, "syscall \(number)\(where_)")
        }
        let hex = { (v: UInt64) in "0x" + String(v, radix: 16) }
        switch entry.call {
        case .futex:
            let address = argument(1) ?? 0
            return isInterpreterLock(address)
                ? WaitCause(.gil, "futex \(hex(address)) (interpreter lock, inferred)")
                : WaitCause(.lock, "futex \(hex(address))")
        case .sleep: return WaitCause(.sleep, entry.name)
        case .poll: return WaitCause(.poll, entry.name)
        case .child: return WaitCause(.childProcess, entry.name)
        case .signal: return WaitCause(.other, entry.name)
        case .read, .write, .accept:
            let fd = argument(1).map { Int32(truncatingIfNeeded: $0) }
            let target = fd.flatMap(descriptor) ?? "fd \(fd.map { String($0) } ?? "?")"
            if target.hasPrefix("pipe:") { return WaitCause(.ipc, target) }
            switch entry.call {
            case .write: return WaitCause(.ioWrite, target)
            case .accept: return WaitCause(.ioRead, "accept on \(target)")
            default: return WaitCause(.ioRead, target)
            }
        }
    }
}
