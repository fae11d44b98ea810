import CLanesSupport
import LanesCore

/// An emulation of CPython's global interpreter lock, as Python 3.2 and later implement it.
///
/// A thread must hold it to compute. A thread that wants it waits up to the switch interval (5 ms);
/// if the holder has not let go by then, the holder is asked to drop it at its next
/// ``checkpoint()``, and after dropping it waits until another thread has taken it (forced
/// switching), so a computing thread cannot take it straight back. Which waiter gets it is up to
/// the scheduler, not first come, first served. Time spent waiting for it is recorded as `gil` waits.
public final class InterpreterLock: @unchecked Sendable {
    // All fields below are only touched with the condition's mutex held.
    private let condition = ConditionVariable()
    private var holder: Int64 = 0
    private var waiters = 0
    private var dropRequest = false
    /// Counts hand-overs, so a thread that dropped the lock can wait for another to take it.
    private var switches: UInt64 = 0
    private var handOvers: UInt64 = 0
    /// CPython's `sys.getswitchinterval()`.
    public let switchInterval: Duration
    private let intervalNs: Int64

    public init(switchInterval: Duration = .milliseconds(5)) {
        self.switchInterval = switchInterval
        let c = switchInterval.components
        intervalNs = max(1, c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
    }

    /// Takes the lock, waiting as CPython's `take_gil` does.
    public func acquire() {
        let me = currentThreadID()
        condition.lock()
        if holder == 0 && waiters == 0 {
            holder = me
            switches &+= 1
            condition.broadcast()  // a thread that dropped the lock waits to see it taken
            condition.unlock()
            return
        }
        let token = beginWait(.gil)
        waiters += 1
        while holder != 0 {
            let deadline = Int64(lanes_monotonic_ns()) + intervalNs
            let before = switches
            while holder != 0 {
                if !condition.wait(until: deadline) { break }
            }
            // A whole interval without a switch: ask the holder to drop it.
            if holder != 0 && switches == before { dropRequest = true }
        }
        waiters -= 1
        holder = me
        switches &+= 1
        dropRequest = false
        condition.broadcast()
        condition.unlock()
        endWait(token)
    }

    /// Releases the lock (around a blocking call, or when the thread's work is done).
    public func release() {
        condition.lock()
        holder = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Called by computing code now and then: drops the lock if another thread asked for it, waits
    /// until another thread has taken it, then competes for it again.
    public func checkpoint() {
        condition.lock()
        guard dropRequest, waiters > 0 else {
            condition.unlock()
            return
        }
        dropRequest = false
        holder = 0
        handOvers &+= 1
        let before = switches
        condition.broadcast()
        let token = beginWait(.gil)
        while switches == before && waiters > 0 { condition.wait() }
        condition.unlock()
        endWait(token)
        acquire()
    }

    /// How many times a holder was made to hand the lock over.
    public var forcedSwitches: UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return handOvers
    }
}
