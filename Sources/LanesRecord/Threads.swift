import CLanesSupport

#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread running a closure; the recorder's own background threads and ``TracedThread`` use it.
final class OSThread: @unchecked Sendable {
    // Written once by start before the thread runs, read by join: no race.
    private var handle = pthread_t()

    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    init(name: String, _ body: @escaping @Sendable () -> Void) throws {
        let box = Unmanaged.passRetained(Box {
            if !name.isEmpty { _ = lanes_set_thread_name(name) }
            body()
        })
        let rc = pthread_create(&handle, nil, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box.toOpaque())
        if rc != 0 {
            box.release()
            throw SystemError(errno: rc, what: "pthread_create")
        }
    }

    func join() {
        pthread_join(handle, nil)
    }
}

/// A pthread mutex with a condition variable on CLOCK_MONOTONIC: what ``Wakeup`` and
/// ``TracedCondition`` are built on.
final class ConditionVariable: @unchecked Sendable {
    // The pthread objects live at fixed addresses for the object's life, as pthreads require.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }
    func unlock() { pthread_mutex_unlock(mutex) }
    /// Waits for a signal; the mutex must be held.
    func wait() { pthread_cond_wait(cond, mutex) }
    /// Waits for a signal until `deadline` (CLOCK_MONOTONIC ns); false on timeout. The mutex must be held.
    func wait(until deadline: Int64) -> Bool {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        return pthread_cond_timedwait(cond, mutex, &ts) != ETIMEDOUT
    }
    func signal() { pthread_cond_signal(cond) }
    func broadcast() { pthread_cond_broadcast(cond) }
}

/// A flag that one thread sets and another waits for, with a timeout.
final class Wakeup: @unchecked Sendable {
    private let condition = ConditionVariable()
    // Only touched with the condition's mutex held.
    private var signalled = false

    func signal() {
        condition.lock()
        signalled = true
        condition.signal()
        condition.unlock()
    }

    /// Waits until signalled or `nanoseconds` pass; clears the signal.
    func wait(nanoseconds: Int64) {
        condition.lock()
        let deadline = Int64(lanes_monotonic_ns()) + nanoseconds
        while !signalled {
            if !condition.wait(until: deadline) { break }
        }
        signalled = false
        condition.unlock()
    }
}
