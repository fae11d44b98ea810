import LanesCore

#if canImport(Glibc)
import Glibc
#endif

/// Sleeps the calling thread for `duration`, recorded as a `sleep` wait.
public func tracedSleep(_ duration: Duration) {
    let token = beginWait(.sleep)
    let c = duration.components
    var req = timespec(tv_sec: Int(c.seconds), tv_nsec: Int(c.attoseconds / 1_000_000_000))
    var rem = timespec()
    while nanosleep(&req, &rem) != 0 && errno == EINTR { req = rem }
    endWait(token)
}

/// Suspends the current task for `duration` (it does not block a thread), recorded as a `sleep`
/// wait of the enclosing async span.
public func tracedSleep(for duration: Duration) async throws {
    let token = beginWait(.sleep)
    defer { endWait(token) }
    try await Task.sleep(for: duration)
}
