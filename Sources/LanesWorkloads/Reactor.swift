import LanesRecord

#if canImport(Glibc)
    import Glibc
#endif

/// A poll reactor: one thread waits for the sockets that tasks await and resumes them, so no
/// thread is parked per request (as asyncio's event loop, or swift-nio's selector). It uses
/// `poll`, which the Glibc module offers, rather than epoll, which it does not.
///
/// A task registers interest in one descriptor at a time, with a deadline; the reactor resumes it
/// when the descriptor is ready, or throws ``FetchError/timedOut`` once the deadline passes.
/// Callers loop on `EAGAIN`, so a wake-up that finds nothing to read costs only another wait.
final class Reactor: @unchecked Sendable {
    enum Interest {
        case read, write
    }

    private struct Waiter {
        var continuation: CheckedContinuation<Void, any Error>
        var events: Int16
        var deadline: UInt64
    }

    private struct State {
        var waiters: [Int32: Waiter] = [:]
        var stopping = false
    }

    private let wake: WakePipe
    private let state = Lock(State())
    private var thread: PlainThread?

    init() throws {
        wake = try WakePipe()
        thread = try PlainThread { [self] in loop() }
    }

    /// Suspends the calling task until `fd` is ready for `interest`, or throws once `deadline`
    /// (monotonic nanoseconds; 0 for none) has passed.
    func wait(_ fd: Int32, for interest: Interest, deadline: UInt64) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let events = Int16(interest == .read ? POLLIN : POLLOUT)
            let stopping = state.withLock { s in
                if !s.stopping { s.waiters[fd] = Waiter(continuation: c, events: events, deadline: deadline) }
                return s.stopping
            }
            if stopping { return c.resume(throwing: FetchError.system("reactor stopped", ECANCELED)) }
            wake.signal()
        }
    }

    /// Ends the reactor thread; tasks still waiting are resumed with an error.
    func stop() {
        state.withLock { $0.stopping = true }
        wake.signal()
        thread?.join()
        thread = nil
        for w in state.withLock({ s in
            defer { s.waiters = [:] }; return Array(s.waiters.values)
        }) {
            w.continuation.resume(throwing: FetchError.system("reactor stopped", ECANCELED))
        }
        wake.close()
    }

    private func loop() {
        var fds: [pollfd] = []
        while true {
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wake.readEnd, events: Int16(POLLIN), revents: 0))
            let stopping = state.withLock { s in
                for (fd, w) in s.waiters { fds.append(pollfd(fd: fd, events: w.events, revents: 0)) }
                return s.stopping
            }
            if stopping { return }
            // A short tick bounds how late a deadline is noticed, without a timer structure.
            let n = poll(&fds, nfds_t(fds.count), 5)
            if fds[0].revents != 0 { wake.drain() }
            var ready: [CheckedContinuation<Void, any Error>] = []
            var expired: [CheckedContinuation<Void, any Error>] = []
            let now = monotonicNow()
            state.withLock { s in
                if n > 0 {
                    for p in fds.dropFirst() where p.revents != 0 {
                        if let w = s.waiters.removeValue(forKey: p.fd) { ready.append(w.continuation) }
                    }
                }
                for (fd, w) in s.waiters where w.deadline != 0 && w.deadline <= now {
                    s.waiters[fd] = nil
                    expired.append(w.continuation)
                }
            }
            for c in ready { c.resume() }
            for c in expired { c.resume(throwing: FetchError.timedOut) }
        }
    }
}

/// A non-blocking pipe that wakes a thread sleeping in `poll`.
struct WakePipe: Sendable {
    let readEnd: Int32
    let writeEnd: Int32

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw FetchError.system("pipe", errno) }
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, O_NONBLOCK)
        }
        (readEnd, writeEnd) = (fds[0], fds[1])
    }

    /// Wakes the poller; a full pipe already will.
    func signal() {
        var one: UInt8 = 1
        _ = write(writeEnd, &one, 1)
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while buffer.withUnsafeMutableBytes({ read(readEnd, $0.baseAddress, $0.count) }) > 0 {}
    }

    func close() {
        _ = Glibc.close(readEnd)
        _ = Glibc.close(writeEnd)
    }
}

/// CLOCK_MONOTONIC in nanoseconds: the clock traces use, so deadlines and spans agree.
func monotonicNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// A bare pthread for the reactor and the loopback server: they record nothing, so they need
/// none of a traced thread's bookkeeping and never appear as lanes.
final class PlainThread: @unchecked Sendable {
    private var handle = pthread_t()

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    init(_ body: @escaping @Sendable () -> Void) throws {
        let box = Unmanaged.passRetained(Box(body))
        let rc = pthread_create(
            &handle, nil,
            { raw in
                Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
                return nil
            }, box.toOpaque())
        if rc != 0 {
            box.release()
            throw FetchError.system("pthread_create", rc)
        }
    }

    func join() { pthread_join(handle, nil) }
}
