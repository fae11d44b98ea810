import CLanesSupport
import LanesCore

/// What recording one span costs the thread that records it, measured when a recording starts (as Tracy
/// calibrates its zones): the hot path of ``beginSpan(_:)-(StaticString)`` and ``endSpan(_:)`` (a sequence
/// number, two timestamps, the thread's CPU clock twice when per-span CPU time is on, and the records'
/// stores) run many times into a scratch buffer, never into the trace. Reports multiply it by the trace's
/// spans and waits to say what the recording cost the run.
enum Calibration {
    /// The `Metadata.extra` key the cost per span is written under, in nanoseconds (see `RecorderCost` in
    /// LanesAnalysis, which reads it).
    static let spanCostKey = "lanes.recorder.spanCostNs"

    /// Nanoseconds per span: the least of a few rounds' averages, the cost when the thread is not preempted.
    /// `tsc` says which timestamp source the recording will use (the process-wide choice is made only when
    /// the recording begins, after this runs).
    static func spanCost(cpu: Bool, tsc: Bool) -> Double {
        let n = cpu ? 256 : 4096
        let capacity = 2 * n
        let scratch = UnsafeMutablePointer<lanes_record>.allocate(capacity: capacity)
        defer { scratch.deallocate() }
        var state = lanes_thread_state()
        var best = Double.infinity
        for _ in 0..<5 {
            state.cursor = scratch
            state.base = scratch
            state.limit = scratch + capacity
            let t0 = lanes_monotonic_ns()
            for _ in 0..<n {
                let id = state.seq &+ 1
                state.seq = id
                let parent = state.current
                state.current = id
                let cpuStart = cpu ? lanes_thread_cpu_ns() : 0
                let start = tsc ? lanes_read_tsc() : lanes_monotonic_ns()
                let end = tsc ? lanes_read_tsc() : lanes_monotonic_ns()
                state.current = parent
                let ids = UInt64(id) << 32 | UInt64(parent)
                if cpu { _ = lanes_append(&state, cpuStart, lanes_thread_cpu_ns(), 0, ids) }
                _ = lanes_append(&state, start, end, 0, ids)
            }
            let t1 = lanes_monotonic_ns()
            best = min(best, Double(t1 &- t0) / Double(n))
        }
        return best
    }
}
