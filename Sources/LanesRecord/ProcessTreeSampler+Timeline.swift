import LanesCore

extension ProcessTreeSampler {
    /// What a sampled thread was doing during a segment of time.
    public enum ThreadState: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        /// On a CPU (schedstat's run time advanced).
        case running
        /// Runnable but waiting for a CPU (schedstat's run-queue delay advanced).
        case runnable
        /// Off the CPU in an interruptible wait (`S`): a lock, a condition, a sleep, a pipe, the GIL...
        case sleeping
        /// Off the CPU in an uninterruptible wait (`D`), usually disk I/O.
        case diskWait
        /// Stopped by a signal or a debugger (`T`, `t`).
        case stopped

        /// The span name segments in this state get.
        public var description: String {
            switch self {
            case .running: "running"
            case .runnable: "runnable"
            case .sleeping: "sleeping"
            case .diskWait: "disk-wait"
            case .stopped: "stopped"
            }
        }

        /// The off-CPU state a `/proc/…/stat` state letter stands for; nil for `R` (running or runnable).
        init?(offCPULetter letter: UInt8) {
            switch letter {
            case UInt8(ascii: "R"): return nil
            case UInt8(ascii: "D"): self = .diskWait
            case UInt8(ascii: "T"), UInt8(ascii: "t"): self = .stopped
            default: self = .sleeping
            }
        }
    }

    /// One stretch of a thread's time in one state.
    public struct Segment: Hashable, Sendable {
        public var state: ThreadState
        public var start: Nanoseconds
        public var end: Nanoseconds
    }

    /// Turns a thread's successive samples (cumulative schedstat run and run-queue time plus the state
    /// letter) into segments of state.
    ///
    /// Between two samples schedstat says *how much* time the thread spent running and runnable; the
    /// rest of the interval was off the CPU. The order inside the interval is inferred from the state
    /// letters at both ends: off-CPU time goes at the end whose letter was off-CPU (split in two when
    /// both were), runnable before running. The kernel updates a running thread's run time only at
    /// scheduler ticks and context switches, so an `R`→`R` interval whose counters fall short is laid
    /// out as running and the shortfall is repaid from the next counts (bounded by `maxDebt`); a count
    /// larger than its interval carries over. Totals therefore follow schedstat; boundaries inside a
    /// busy stretch are accurate to about one scheduler tick.
    package struct Timeline {
        package private(set) var segments: [Segment] = []
        private var runCarry: Int64 = 0
        private var waitCarry: Int64 = 0
        private var debt: Int64 = 0
        /// Window totals for the CPU-state counters: running, runnable, off-CPU ns.
        private(set) var window: (run: Int64, wait: Int64, off: Int64) = (0, 0, 0)
        /// Most running time laid out ahead of its count (about two ticks at HZ=250, plus slack).
        static let maxDebt: Int64 = 10_000_000
        /// Most counted time held over for later intervals.
        static let maxCarry: Int64 = 20_000_000

        /// Lays out one interval from `start` to `end` in which schedstat counted `run` ns running and
        /// `wait` ns runnable; `before` and `after` are the state letters at the interval's ends.
        package init() {}

        package mutating func add(start: Nanoseconds, end: Nanoseconds, run: Int64, wait: Int64, before: UInt8, after: UInt8) {
            let length = end - start
            guard length > 0 else {
                runCarry = min(Self.maxCarry, runCarry + max(0, run))
                waitCarry = min(Self.maxCarry, waitCarry + max(0, wait))
                return
            }
            var runAvailable = max(0, run) + runCarry
            var waitAvailable = max(0, wait) + waitCarry
            let fromRun = min(debt, runAvailable)
            runAvailable -= fromRun
            debt -= fromRun
            let fromWait = min(debt, waitAvailable)
            waitAvailable -= fromWait
            debt -= fromWait
            var running = min(runAvailable, length)
            let runnable = min(waitAvailable, length - running)
            runCarry = min(Self.maxCarry, runAvailable - running)
            waitCarry = min(Self.maxCarry, waitAvailable - runnable)
            var off = length - running - runnable
            let beforeOff = ThreadState(offCPULetter: before)
            let afterOff = ThreadState(offCPULetter: after)
            if off > 0, beforeOff == nil, afterOff == nil, debt + off <= Self.maxDebt {
                running += off
                debt += off
                off = 0
            }
            window.run += running
            window.wait += runnable
            window.off += off
            var prefix: Int64 = 0
            if beforeOff != nil { prefix = afterOff != nil ? off / 2 : off }
            var t = start
            append(beforeOff ?? .sleeping, from: &t, length: prefix)
            append(.runnable, from: &t, length: runnable)
            append(.running, from: &t, length: running)
            append(afterOff ?? beforeOff ?? .sleeping, from: &t, length: end - t)
        }

        /// Starts a new counter window.
        mutating func resetWindow() { window = (0, 0, 0) }

        private mutating func append(_ state: ThreadState, from t: inout Nanoseconds, length: Int64) {
            guard length > 0 else { return }
            let end = t + length
            if let last = segments.last, last.state == state, last.end == t {
                segments[segments.count - 1].end = end
            } else {
                segments.append(Segment(state: state, start: t, end: end))
            }
            t = end
        }
    }
}
