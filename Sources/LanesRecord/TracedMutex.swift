import LanesCore
import Synchronization

/// A mutex whose contended acquisitions are recorded as `lock` waits.
///
/// Uncontended, it costs what `Mutex` costs plus one failed-or-not try; only time actually spent
/// waiting for another holder is recorded.
public final class TracedMutex<Value: ~Copyable>: Sendable {
    private let mutex: Mutex<Value>
    private let name: SpanName?

    /// A mutex guarding `value`; `name` labels its waits in traces.
    public init(_ value: consuming sending Value, name: String? = nil) {
        mutex = Mutex(value)
        self.name = name.map(SpanName.init)
    }

    /// Runs `body` with the lock held, recording the wait if another thread held it.
    public func withLock<R: ~Copyable, E: Error>(_ body: (inout sending Value) throws(E) -> sending R) throws(E) -> sending R {
        if let r = try mutex.withLockIfAvailable(body) { return r }
        let token = beginWait(.lock, object: name)
        return try mutex.withLock { (v: inout sending Value) throws(E) -> sending R in
            endWait(token)
            return try body(&v)
        }
    }
}
