import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Why a request over loopback failed.
enum FetchError: Error, CustomStringConvertible {
    /// No answer before the deadline.
    case timedOut
    /// The server answered with a status other than 200.
    case status(Int)
    /// The server closed the connection without a whole answer.
    case hungUp
    /// A system call failed.
    case system(String, Int32)

    var description: String {
        switch self {
        case .timedOut: "timed out"
        case .status(let s): "HTTP status \(s)"
        case .hungUp: "connection closed without an answer"
        case .system(let call, let code): "\(call): \(String(cString: strerror(code)))"
        }
    }
}

/// What the loopback server does with one request.
enum LoopbackAnswer: Sendable {
    /// Answers `status` with `body` after `delay` nanoseconds.
    case respond(status: Int, body: [UInt8], delay: UInt64)
    /// Closes the connection without answering after `delay` nanoseconds.
    case hangUp(delay: UInt64)
}

/// A small HTTP/1.0 server on 127.0.0.1 (an ephemeral port) that answers each `GET` after a
/// delay, on one thread with `poll`: it stands in for the network of the seed's fetch examples.
///
/// `route` decides each answer from the path and how many times that path was asked for before
/// (its attempt number, from 1), so failures of first attempts are deterministic. The listen
/// backlog and the descriptor limit are raised so that a thousand clients can connect at once.
final class LoopbackServer: @unchecked Sendable {
    let port: UInt16
    private let listener: Int32
    private let wake: WakePipe
    private let stopping = Atomic<Bool>(false)
    private var thread: PlainThread?

    private struct Connection {
        var input: [UInt8] = []
        var output: [UInt8] = []
        var sent = 0
        /// When the answer is due (monotonic ns); 0 until the request has been read.
        var due: UInt64 = 0
        var hangUp = false
        var answered = false
    }

    init(route: @escaping @Sendable (_ path: String, _ attempt: Int) -> LoopbackAnswer) throws {
        raiseDescriptorLimit()
        let listener = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw FetchError.system("socket", errno) }
        var one: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // The kernel caps the backlog at net.core.somaxconn.
        guard bound == 0, listen(listener, 4096) == 0 else {
            let code = errno
            close(listener)
            throw FetchError.system("bind/listen 127.0.0.1", code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        self.listener = listener
        port = UInt16(bigEndian: address.sin_port)
        do { wake = try WakePipe() } catch {
            close(listener)
            throw error
        }
        thread = try PlainThread { [self] in serve(route) }
    }

    /// Stops serving and closes every connection.
    func stop() {
        stopping.store(true, ordering: .releasing)
        wake.signal()
        thread?.join()
        thread = nil
        close(listener)
        wake.close()
    }

    private func serve(_ route: (String, Int) -> LoopbackAnswer) {
        var connections: [Int32: Connection] = [:]
        var attempts: [String: Int] = [:]
        var fds: [pollfd] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        func drop(_ fd: Int32) {
            connections[fd] = nil
            close(fd)
        }
        while !stopping.load(ordering: .acquiring) {
            let now = monotonicNow()
            let next = connections.values.lazy.filter { $0.due != 0 && !$0.answered }.map(\.due).min()
            let timeout = next.map { $0 <= now ? 0 : Int32(min(50, ($0 - now + 999_999) / 1_000_000)) } ?? 50
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0))
            for (fd, c) in connections {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN) | (c.answered ? Int16(POLLOUT) : 0), revents: 0))
            }
            _ = poll(&fds, nfds_t(fds.count), timeout)
            if fds[0].revents != 0 { wake.drain() }
            if fds[1].revents != 0 {
                while true {
                    let c = accept(listener, nil, nil)
                    if c < 0 { break }
                    _ = fcntl(c, F_SETFD, FD_CLOEXEC)
                    _ = fcntl(c, F_SETFL, O_NONBLOCK)
                    connections[c] = Connection()
                }
            }
            for p in fds.dropFirst(2) where p.revents != 0 {
                let fd = p.fd
                guard var conn = connections[fd] else { continue }
                if p.revents & Int16(POLLOUT) != 0 && conn.answered {
                    if flush(fd, &conn) { connections[fd] = conn } else { drop(fd) }
                    continue
                }
                let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR) {
                    drop(fd)  // the client gave up (a timeout) or went away
                    continue
                }
                guard got > 0, conn.due == 0 else { continue }
                conn.input += buffer[..<got]
                if let path = Self.requestPath(conn.input) {
                    attempts[path, default: 0] += 1
                    switch route(path, attempts[path]!) {
                    case .respond(let status, let body, let delay):
                        let head =
                            "HTTP/1.0 \(status) \(status == 200 ? "OK" : "Error")\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
                        conn.output = Array(head.utf8) + body
                        conn.due = now + max(1, delay)
                    case .hangUp(let delay):
                        conn.hangUp = true
                        conn.due = now + max(1, delay)
                    }
                }
                connections[fd] = conn
            }
            let time = monotonicNow()
            for (fd, var conn) in connections where conn.due != 0 && !conn.answered && conn.due <= time {
                if conn.hangUp {
                    drop(fd)
                    continue
                }
                conn.answered = true
                if flush(fd, &conn) { connections[fd] = conn } else { drop(fd) }
            }
        }
        for fd in connections.keys { close(fd) }
    }

    /// Sends what it can of the answer; false once it is all sent (or the client is gone).
    private func flush(_ fd: Int32, _ conn: inout Connection) -> Bool {
        while conn.sent < conn.output.count {
            let n = conn.output.withUnsafeBytes {
                send(fd, $0.baseAddress! + conn.sent, $0.count - conn.sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 {
                conn.sent += n
            } else if n < 0 && (errno == EAGAIN || errno == EINTR) {
                return true
            } else {
                return false
            }
        }
        return false
    }

    /// The path of a complete `GET` request head, or nil while it is incomplete.
    static func requestPath(_ input: [UInt8]) -> String? {
        guard input.count >= 4,
            (0...(input.count - 4)).contains(where: { input[$0..<$0 + 4].elementsEqual([13, 10, 13, 10]) })
        else {
            return nil
        }
        let line = input.prefix { $0 != 13 }.split(separator: 32)
        return line.count >= 2 ? String(decoding: line[1], as: UTF8.self) : "/"
    }
}

/// Raises this process's soft limit on open descriptors to its hard limit: a thousand requests in
/// flight need a thousand client sockets and a thousand server ones.
func raiseDescriptorLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
