import LanesCore

/// A mutex whose contended acquisitions are recorded as `lock` waits.
///
/// Uncontended, it costs one `pthread_mutex_trylock`; only time actually spent waiting for another
/// holder is recorded. (It is built on a pthread mutex rather than `Synchronization.Mutex` so that
/// programs using it stay clean under ThreadSanitizer.)
public final class TracedMutex<Value: Sendable>: Sendable {
    private let lock: Lock<Value>
    private let name: SpanName?

    /// A mutex guarding `value`; `name` labels its waits in traces.
    public init(_ value: Value, name: String? = nil) {
        lock = Lock(value)
        self.name = name.map(SpanName.init)
    }

    /// Runs `body` with the lock held, recording the wait if another thread held it.
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        if let r = try lock.withLockIfAvailable(body) { return r }
        let token = beginWait(.lock, object: name)
        return try lock.withLock { (v: inout Value) throws(E) -> R in
            endWait(token)
            return try body(&v)
        }
    }
}
