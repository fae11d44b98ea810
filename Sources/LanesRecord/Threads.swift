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

/// A flag that one thread sets and another waits for, with a timeout (mutex + condition variable).
final class Wakeup: @unchecked Sendable {
    // The pthread objects are only touched through the functions below, each under `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var signalled = false

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

    func signal() {
        pthread_mutex_lock(mutex)
        signalled = true
        pthread_cond_signal(cond)
        pthread_mutex_unlock(mutex)
    }

    /// Waits until signalled or `nanoseconds` pass; clears the signal.
    func wait(nanoseconds: Int64) {
        pthread_mutex_lock(mutex)
        let deadline = Int64(lanes_monotonic_ns()) + nanoseconds
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        while !signalled {
            if pthread_cond_timedwait(cond, mutex, &ts) == ETIMEDOUT { break }
        }
        signalled = false
        pthread_mutex_unlock(mutex)
    }
}
