import LanesCore
import LanesRecord
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// HTTP/1.0 `GET`s to the loopback server, two ways: with blocking sockets whose reads and writes
/// are traced `ioRead`/`ioWrite` waits (for thread models), and with non-blocking sockets whose
/// readiness a ``Reactor`` awaits (for async models), the waits recorded on the task's span.
struct LoopbackClient: Sendable {
    let port: UInt16
    /// How long one attempt may take.
    let timeout: Duration
    static let object = SpanName("127.0.0.1")

    private func request(_ path: String) -> [UInt8] { Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8) }

    private var address: sockaddr_in {
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = port.bigEndian
        a.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        return a
    }

    private func connect(_ fd: Int32) -> Int32 {
        var a = address
        return withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }

    /// One attempt with a blocking socket; `SO_RCVTIMEO` bounds each read by the timeout.
    func getBlocking(_ path: String) throws -> [UInt8] {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FetchError.system("socket", errno) }
        defer { close(fd) }
        let c = timeout.components
        var tv = timeval(tv_sec: Int(c.seconds), tv_usec: Int(c.attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard withWait(.ioWrite, object: Self.object, { connect(fd) }) == 0 else {
            throw FetchError.system("connect 127.0.0.1:\(port)", errno)
        }
        do {
            // send with MSG_NOSIGNAL rather than tracedWrite: a server that hung up must not raise SIGPIPE.
            try withWait(.ioWrite, object: Self.object) {
                let bytes = request(path)
                var sent = 0
                while sent < bytes.count {
                    let n = bytes.withUnsafeBytes {
                        send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
                    }
                    if n >= 0 {
                        sent += n
                    } else if errno != EINTR {
                        throw SystemError(errno: errno, what: "send")
                    }
                }
            }
            var response: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4_096)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try tracedRead(fd, into: $0, object: Self.object) }
                if n == 0 { break }
                response += chunk[..<n]
            }
            return try Self.body(of: response)
        } catch let error as SystemError where error.errno == EAGAIN || error.errno == EWOULDBLOCK {
            throw FetchError.timedOut
        } catch let error as SystemError {
            throw error.errno == ECONNRESET || error.errno == EPIPE
                ? FetchError.hungUp : FetchError.system(error.what, error.errno)
        }
    }

    /// One attempt with a non-blocking socket: the task suspends on the reactor whenever the socket
    /// is not ready, and no thread waits for it.
    func get(_ path: String, reactor: Reactor) async throws -> [UInt8] {
        let deadline =
            monotonicNow() + UInt64(timeout.components.seconds) * 1_000_000_000
            + UInt64(timeout.components.attoseconds / 1_000_000_000)
        let fd = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw FetchError.system("socket", errno) }
        defer { close(fd) }
        if connect(fd) != 0 {
            guard errno == EINPROGRESS else { throw FetchError.system("connect 127.0.0.1:\(port)", errno) }
            try await awaitReady(fd, .write, deadline, reactor)
            var error: Int32 = 0
            var length = socklen_t(4)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 { throw FetchError.system("connect 127.0.0.1:\(port)", error) }
        }
        let bytes = request(path)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 {
                sent += n
            } else if errno == EAGAIN || errno == EINTR {
                try await awaitReady(fd, .write, deadline, reactor)
            } else {
                throw errno == ECONNRESET || errno == EPIPE ? FetchError.hungUp : FetchError.system("send", errno)
            }
        }
        // The server answers later, never at once: wait for it before taking a read buffer, so a
        // task parked on its request holds no buffer (a blocked thread must hold one).
        try await awaitReady(fd, .read, deadline, reactor)
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4_096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                response += chunk[..<n]
            } else if n == 0 {
                break
            } else if errno == EAGAIN || errno == EINTR {
                try await awaitReady(fd, .read, deadline, reactor)
            } else {
                throw errno == ECONNRESET ? FetchError.hungUp : FetchError.system("read", errno)
            }
        }
        return try Self.body(of: response)
    }

    private func awaitReady(_ fd: Int32, _ interest: Reactor.Interest, _ deadline: UInt64, _ reactor: Reactor)
        async throws
    {
        let token = beginWait(interest == .read ? .ioRead : .ioWrite, object: Self.object)
        defer { endWait(token) }
        try await reactor.wait(fd, for: interest, deadline: deadline)
    }

    /// The body of a whole HTTP/1.0 answer with status 200.
    static func body(of response: [UInt8]) throws -> [UInt8] {
        guard
            let head = (0..<max(0, response.count - 3)).first(where: {
                response[$0..<$0 + 4].elementsEqual([13, 10, 13, 10])
            })
        else { throw FetchError.hungUp }
        let status = response.prefix { $0 != 13 }.split(separator: 32).dropFirst().first.flatMap {
            Int(String(decoding: $0, as: UTF8.self))
        }
        guard let status else { throw FetchError.hungUp }
        guard status == 200 else { throw FetchError.status(status) }
        let headers = String(decoding: response[..<head], as: UTF8.self).lowercased()
        let body = Array(response[(head + 4)...])
        if let line = headers.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
            let length = Int(line.dropFirst("content-length:".count).trimmingPrefix(" ")), length != body.count
        {
            throw FetchError.hungUp
        }
        return body
    }
}

/// The requests in flight, as a counter in the trace and a peak for the notes.
final class InFlight: Sendable {
    static let counterName = SpanName("requests in flight")
    private let current = Atomic<Int>(0)
    private let highest = Atomic<Int>(0)
    private let attemptCount = Atomic<Int>(0)
    private let observe: (@Sendable (Int) -> Void)?

    init(observe: (@Sendable (Int) -> Void)? = nil) { self.observe = observe }

    var peak: Int { highest.load(ordering: .relaxed) }
    var attempts: Int { attemptCount.load(ordering: .relaxed) }

    func enter() {
        attemptCount.add(1, ordering: .relaxed)
        let now = current.add(1, ordering: .relaxed).newValue
        highest.max(now, ordering: .relaxed)
        counter(Self.counterName, Double(now))
        observe?(now)
    }

    func leave() {
        let now = current.subtract(1, ordering: .relaxed).newValue
        counter(Self.counterName, Double(now))
        observe?(now)
    }
}

/// How requests are retried: up to `attempts` tries, waiting `base × 2^attempt` between them
/// (the seed's `2 ** attempt * 0.1`).
struct RetryPolicy: Sendable {
    var attempts = 4
    var base: Duration

    func backoff(after attempt: Int) -> Duration { base * (1 << attempt) }
}

extension LoopbackClient {
    /// Fetches `path`, retrying failures and timeouts with exponential backoff; nil once every
    /// attempt failed (as the seed's `fetch_with_retry` returns None).
    func fetchWithRetry(_ path: String, policy: RetryPolicy, inFlight: InFlight, context: WorkContext) -> [UInt8]? {
        for attempt in 1...policy.attempts {
            inFlight.enter()
            let result = Swift.Result { try context.blocking { try getBlocking(path) } }
            inFlight.leave()
            if case .success(let body) = result { return body }
            if attempt < policy.attempts { context.blocking { tracedSleep(policy.backoff(after: attempt)) } }
        }
        return nil
    }

    /// The async twin of ``fetchWithRetry(_:policy:inFlight:context:)``: sockets and backoff suspend.
    func fetchWithRetry(_ path: String, policy: RetryPolicy, inFlight: InFlight, reactor: Reactor) async -> [UInt8]? {
        for attempt in 1...policy.attempts {
            inFlight.enter()
            let result: Swift.Result<[UInt8], any Error>
            do { result = .success(try await get(path, reactor: reactor)) } catch { result = .failure(error) }
            inFlight.leave()
            if case .success(let body) = result { return body }
            if attempt < policy.attempts { try? await tracedSleep(for: policy.backoff(after: attempt)) }
        }
        return nil
    }
}

/// A counting semaphore for tasks: `acquire` suspends (recorded as a `semaphore` wait) rather than
/// blocking a thread, as asyncio's `Semaphore`.
final class AsyncSemaphore: Sendable {
    private struct State {
        var permits: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }
    private let state: Lock<State>

    init(permits: Int) { state = Lock(State(permits: permits)) }

    func acquire() async {
        let got = state.withLock { s in
            guard s.permits > 0 else { return false }
            s.permits -= 1
            return true
        }
        if got { return }
        let token = beginWait(.semaphore)
        defer { endWait(token) }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s in
                if s.permits > 0 {
                    s.permits -= 1
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    func release() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard s.head < s.waiters.count else {
                s.permits += 1
                return nil
            }
            let c = s.waiters[s.head]
            s.head += 1
            if s.head == s.waiters.count {
                s.waiters.removeAll(keepingCapacity: true)
                s.head = 0
            }
            return c
        }
        next?.resume()
    }
}
