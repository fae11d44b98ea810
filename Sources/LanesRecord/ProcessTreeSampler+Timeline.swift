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
        /// What the thread was doing.
        public var state: ThreadState
        /// When the segment began (ns, CLOCK_MONOTONIC).
        public var start: Nanoseconds
        /// When it ended.
        public var end: Nanoseconds

        package init(state: ThreadState, start: Nanoseconds, end: Nanoseconds) {
            self.state = state
            self.start = start
            self.end = end
        }
    }

    /// Turns a thread's successive samples (cumulative schedstat run and run-queue time plus the state
    /// letter) into segments of state.
    ///
    /// Between two samples schedstat says *how much* time the thread spent running and runnable; the
    /// rest of the interval was off the CPU. The order inside the interval is inferred from the state
    /// letters at both ends: off-CPU time goes at the end whose letter was off-CPU (split in two when
    /// both were), runnable before running. The kernel counts a running thread's time only at scheduler
    /// ticks and context switches, and a runnable thread's wait only once it gets a CPU, so an `R`→`R`
    /// interval whose counts fall short is laid out as running on credit (at most `maxDebt`). Later
    /// counts repay the credit: run-queue counts first, and the time they repay is relabelled runnable.
    /// A woken thread's run-queue count that does not fit its interval is laid out before it, over
    /// time first laid out as off-CPU; other counts larger than their interval carry over. Totals therefore follow schedstat; boundaries
    /// inside a busy stretch are accurate to about one scheduler tick.
    package struct Timeline {
        package private(set) var segments: [Segment] = []
        private var runCarry: Int64 = 0
        private var waitCarry: Int64 = 0
        /// Time laid out as running before any count explained it, oldest first.
        private var credit: [(start: Nanoseconds, end: Nanoseconds)] = []
        private var debt: Int64 = 0
        /// Most running time laid out ahead of its count (a few ticks at HZ=250).
        static let maxDebt: Int64 = 20_000_000
        /// Most counted time held over for later intervals.
        static let maxCarry: Int64 = 20_000_000

        package init() {}

        /// Lays out one interval from `start` to `end` in which schedstat counted `run` ns running and
        /// `wait` ns runnable; `before` and `after` are the state letters at the interval's ends.
        package mutating func add(
            start: Nanoseconds, end: Nanoseconds, run: Int64, wait: Int64, before: UInt8, after: UInt8
        ) {
            let length = end - start
            guard length > 0 else {
                runCarry = min(Self.maxCarry, runCarry + max(0, run))
                waitCarry = min(Self.maxCarry, waitCarry + max(0, wait))
                return
            }
            var runAvailable = max(0, run) + runCarry
            var waitAvailable = max(0, wait) + waitCarry
            let fromWait = min(debt, waitAvailable)
            waitAvailable -= fromWait
            settle(fromWait, runnable: true)
            let fromRun = min(debt, runAvailable)
            runAvailable -= fromRun
            settle(fromRun, runnable: false)
            var running = min(runAvailable, length)
            let runnable = min(waitAvailable, length - running)
            runCarry = min(Self.maxCarry, runAvailable - running)
            var waitExcess = waitAvailable - runnable
            var off = length - running - runnable
            let beforeOff = ThreadState(offCPULetter: before)
            let afterOff = ThreadState(offCPULetter: after)
            if beforeOff != nil, waitExcess > 0 {
                // A woken thread's run-queue wait is counted when it gets a CPU, here; what does not fit
                // came just before, in time laid out as off-CPU while the thread was still waking.
                let back = min(waitExcess, Self.maxCarry)
                relabel(start - back, start, to: .runnable) { $0 != .running }
                waitExcess = 0
            }
            waitCarry = min(Self.maxCarry, waitExcess)
            if off > 0, beforeOff == nil, afterOff == nil, debt + off <= Self.maxDebt {
                running += off
                debt += off
                credit.append((end - off, end))
                off = 0
            }
            var prefix: Int64 = 0
            if beforeOff != nil { prefix = afterOff != nil ? off / 2 : off }
            var t = start
            append(beforeOff ?? .sleeping, from: &t, length: prefix)
            append(.runnable, from: &t, length: runnable)
            append(.running, from: &t, length: running)
            append(afterOff ?? beforeOff ?? .sleeping, from: &t, length: end - t)
        }

        /// Pays back `amount` of the oldest credit; time paid by run-queue counts becomes runnable.
        private mutating func settle(_ amount: Int64, runnable: Bool) {
            var left = amount
            debt -= amount
            while left > 0, let first = credit.first {
                let take = min(left, first.end - first.start)
                if runnable { relabel(first.start, first.start + take, to: .runnable) { $0 == .running } }
                left -= take
                if take == first.end - first.start { credit.removeFirst() } else { credit[0].start += take }
            }
        }

        /// Gives the time between `from` and `to` (recent: within `maxDebt` of the end) in states that
        /// `matching` accepts the state `state`.
        private mutating func relabel(
            _ from: Nanoseconds, _ to: Nanoseconds, to state: ThreadState, matching: (ThreadState) -> Bool
        ) {
            var k = segments.count
            while k > 0, segments[k - 1].end > from { k -= 1 }
            let tail = segments[k...]
            segments.removeSubrange(k...)
            for s in tail {
                var t = s.start
                guard matching(s.state), s.start < to, s.end > from else {
                    append(s.state, from: &t, length: s.end - s.start)
                    continue
                }
                append(s.state, from: &t, length: max(s.start, from) - s.start)
                append(state, from: &t, length: min(s.end, to) - t)
                append(s.state, from: &t, length: s.end - t)
            }
        }

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
