import CLanesSupport
import LanesCore

/// Reads every registered thread's `/proc/self/task/<tid>/schedstat` (time on CPU, time runnable
/// but waiting for one) and records per-interval running, run-queue and blocked time as counters.
struct SchedSampler {
    private var last: [UInt32: (run: UInt64, wait: UInt64, at: UInt64)] = [:]
    private let running = SpanName(CounterName.running).word
    private let runQueue = SpanName(CounterName.runQueue).word
    private let blocked = SpanName(CounterName.blocked).word

    mutating func sample() {
        let threads = Registry.shared.state.withLock { s in s.threads.map { ($0.key, $0.value.tid) } }
        let me = lanes_state()!.pointee.slot
        for (slot, tid) in threads where slot != me {
            guard let text = try? readSmallFile("/proc/self/task/\(tid)/schedstat", limit: 128) else {
                last[slot] = nil
                continue
            }
            let fields = text.split(separator: " ")
            guard fields.count >= 2, let run = UInt64(fields[0]), let wait = UInt64(fields[1]) else { continue }
            let now = lanes_monotonic_ns()
            let ticks = lanes_now()
            if let prev = last[slot] {
                let interval = Double(now &- prev.at)
                let dRun = Double(run &- prev.run)
                let dWait = Double(wait &- prev.wait)
                counter(word: running, value: dRun, slot: slot, at: ticks)
                counter(word: runQueue, value: dWait, slot: slot, at: ticks)
                counter(word: blocked, value: max(0, interval - dRun - dWait), slot: slot, at: ticks)
            }
            last[slot] = (run, wait, now)
        }
    }
}
