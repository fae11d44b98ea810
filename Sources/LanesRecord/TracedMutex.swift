import LanesCore

/// A mutex whose contended acquisitions are recorded as `lock` waits.
///
/// Uncontended, it costs one `pthread_mutex_trylock`. Contended, it tries a few more times (about
/// 1–2 µs at most, as adaptive mutexes spin) and then blocks; only the blocking wait is recorded, so a
/// hot lock with tiny critical sections shows its real blocking rather than a record per brief
/// collision, which would cost the program more than the collision itself. (It is built on a pthread mutex rather than `Synchronization.Mutex` so that
/// programs using it stay clean under ThreadSanitizer.)
public final class TracedMutex<Value: Sendable>: Sendable {
    private let lock: Lock<Value>
    private let name: SpanName?
    /// Tries of the lock before a wait is recorded (each about 0.1 µs when contended).
    static var spins: Int { 16 }

    /// A mutex guarding `value`; `name` labels its waits in traces.
    public init(_ value: Value, name: String? = nil) {
        lock = Lock(value)
        self.name = name.map(SpanName.init)
    }

    /// Runs `body` with the lock held, recording the wait if another thread held it.
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        // A few tries before counting it a wait, as adaptive mutexes spin before they sleep: a holder
        // about to leave a short critical section is not worth a record, and recording each of those
        // would cost more than the wait (millions a second on a hot lock).
        for _ in 0..<Self.spins {
            if let r = try lock.withLockIfAvailable(body) { return r }
        }
        let token = beginWait(.lock, object: name)
        return try lock.withLock { (v: inout Value) throws(E) -> R in
            endWait(token)
            return try body(&v)
        }
    }
}
