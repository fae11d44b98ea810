#if canImport(Glibc)
import Glibc
#endif

/// State guarded by a `pthread_mutex_t`; for every module of this package whose tests run under
/// ThreadSanitizer.
///
/// Why not `Synchronization.Mutex`: on Linux its contended path waits in a futex call that
/// ThreadSanitizer cannot see, so every contended section is reported as a race (checked with
/// Swift 6.3.1: two threads incrementing a `Mutex<Int>` give "Swift access race" though the count
/// is right). The recorder's tests must run clean under ThreadSanitizer, and pthread mutexes are
/// intercepted by it; uncontended, both cost about the same.
package final class Lock<State>: @unchecked Sendable {
    // `state` is only touched with `mutex` held.
    private var state: State
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init(_ state: State) {
        self.state = state
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func withLock<R, E: Error>(_ body: (inout State) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Runs `body` with the lock if no one else holds it; nil if someone does.
    package func withLockIfAvailable<R, E: Error>(_ body: (inout State) throws(E) -> R) throws(E) -> R? {
        guard pthread_mutex_trylock(mutex) == 0 else { return nil }
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }
}
