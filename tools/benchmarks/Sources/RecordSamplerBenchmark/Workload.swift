// The workload the benchmark records with 64 threads: this program re-run with `--workload SECONDS`.
import BenchSupport

#if canImport(Glibc)
import Glibc
#endif

/// 32 threads compute (at idle priority) until `seconds` have passed while 32 wait on a semaphore (futex waits); then the
/// waiters are released and every thread is joined.
func runWorkload(seconds: Double) {
    let waiting = 32, computing = 32
    let release = DispatchLikeSemaphore()
    var threads: [pthread_t] = []
    let deadline = Double(nowNs()) / 1e9 + seconds
    for k in 0..<(waiting + computing) {
        var t = pthread_t()
        let box = Unmanaged.passRetained(Job(wait: k < waiting, until: deadline, semaphore: release))
        pthread_create(&t, nil, runJob, box.toOpaque())
        threads.append(t)
    }
    while Double(nowNs()) / 1e9 < deadline { usleep(10_000) }
    for _ in 0..<waiting { release.signal() }
    for t in threads { pthread_join(t, nil) }
}

private func runJob(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().run()
    return nil
}

final class DispatchLikeSemaphore: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var count = 0
    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }
    func wait() {
        pthread_mutex_lock(&mutex)
        while count == 0 { pthread_cond_wait(&condition, &mutex) }
        count -= 1
        pthread_mutex_unlock(&mutex)
    }
    func signal() {
        pthread_mutex_lock(&mutex)
        count += 1
        pthread_cond_signal(&condition)
        pthread_mutex_unlock(&mutex)
    }
}

final class Job: @unchecked Sendable {
    let wait: Bool
    let until: Double
    let semaphore: DispatchLikeSemaphore
    init(wait: Bool, until: Double, semaphore: DispatchLikeSemaphore) {
        self.wait = wait
        self.until = until
        self.semaphore = semaphore
    }
    func run() {
        if wait {
            semaphore.wait()
            return
        }
        // At idle priority, so that the sampler (at normal priority) gets a CPU when it wakes: 32 threads
        // computing on 2 cores would otherwise leave it in the run queue and the samples far apart.
        var parameters = sched_param()
        _ = sched_setscheduler(0, 5 /* SCHED_IDLE */, &parameters)
        var x: UInt64 = 0
        while Double(nowNs()) / 1e9 < until {
            for i in 0..<10_000 { x = x &+ UInt64(i) &* UInt64(i) }
        }
        if x == 42 { print(x) }
    }
}

