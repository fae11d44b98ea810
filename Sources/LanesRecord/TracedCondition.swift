import CLanesSupport
import LanesCore

#if canImport(Glibc)
import Glibc
#endif

/// State guarded by a lock with a condition variable (a monitor); waits for the condition are
/// recorded as `condition` waits (or the reason you give), contended locking as `lock` waits.
///
/// ```swift
/// let ready = TracedCondition(false, name: "ready")
/// ready.withLock { $0 = true }; ready.broadcast()   // one thread
/// ready.wait(until: { $0 })                         // another
/// ```
public final class TracedCondition<State: Sendable>: @unchecked Sendable {
    // `state` is only touched with the condition's mutex held.
    private var state: State
    private let condition = ConditionVariable()
    private let name: SpanName?

    public init(_ state: State, name: String? = nil) {
        self.state = state
        self.name = name.map(SpanName.init)
    }

    private func lock() {
        if condition.tryLock() { return }
        let token = beginWait(.lock, object: name)
        condition.lock()
        endWait(token)
    }

    /// Runs `body` with the lock held.
    public func withLock<R, E: Error>(_ body: (inout State) throws(E) -> R) throws(E) -> R {
        lock()
        defer { condition.unlock() }
        return try body(&state)
    }

    /// Waits until `predicate` holds, then runs `body` with the lock held. Time spent waiting is
    /// recorded as one wait for `reason`.
    public func wait<R, E: Error>(
        until predicate: (State) -> Bool, reason: WaitReason = .condition, then body: (inout State) throws(E) -> R
    ) throws(E) -> R {
        lock()
        defer { condition.unlock() }
        if !predicate(state) {
            let token = beginWait(reason, object: name)
            while !predicate(state) { condition.wait() }
            endWait(token)
        }
        return try body(&state)
    }

    /// Waits until `predicate` holds.
    public func wait(until predicate: (State) -> Bool, reason: WaitReason = .condition) {
        wait(until: predicate, reason: reason) { _ in }
    }

    /// Wakes one waiter.
    public func signal() { condition.signal() }

    /// Wakes every waiter.
    public func broadcast() { condition.broadcast() }
}

/// A counting semaphore whose waits are recorded as `semaphore` waits.
public final class TracedSemaphore: Sendable {
    private let monitor: TracedCondition<Int>

    /// A semaphore with `value` permits.
    public init(value: Int, name: String? = nil) {
        monitor = TracedCondition(value, name: name)
    }

    /// Takes a permit, waiting for one if there is none.
    public func wait() {
        monitor.wait(until: { $0 > 0 }, reason: .semaphore) { $0 -= 1 }
    }

    /// Returns a permit.
    public func signal() {
        monitor.withLock { $0 += 1 }
        monitor.signal()
    }

    /// Runs `body` holding a permit.
    public func withPermit<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        wait()
        defer { signal() }
        return try body()
    }
}

/// A bounded first-in first-out queue for producers and consumers. A `get` from an empty queue is
/// recorded as a `queueGet` wait, a `put` into a full one as a `queuePut` wait; with a `name`, its
/// depth is recorded as a counter of that name.
public final class TracedQueue<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element?]
        var head = 0
        var count = 0
    }

    private let monitor: TracedCondition<State>
    /// The most items the queue holds.
    public let capacity: Int
    private let depthName: SpanName?

    public init(capacity: Int, name: String? = nil) {
        precondition(capacity > 0, "a queue needs room for at least one item")
        self.capacity = capacity
        monitor = TracedCondition(State(items: Array(repeating: nil, count: capacity)), name: name)
        depthName = name.map { SpanName($0) }
    }

    /// Adds `item`, waiting while the queue is full.
    public func put(_ item: Element) {
        let depth = monitor.wait(until: { $0.count < capacity }, reason: .queuePut) { s in
            s.items[(s.head + s.count) % capacity] = item
            s.count += 1
            return s.count
        }
        monitor.broadcast()
        if let depthName { counter(depthName, Double(depth)) }
    }

    /// Takes the oldest item, waiting while the queue is empty.
    public func get() -> Element {
        let (item, depth) = monitor.wait(until: { $0.count > 0 }, reason: .queueGet) { s in
            let item = s.items[s.head]!
            s.items[s.head] = nil
            s.head = (s.head + 1) % capacity
            s.count -= 1
            return (item, s.count)
        }
        monitor.broadcast()
        if let depthName { counter(depthName, Double(depth)) }
        return item
    }

    /// The number of items queued now.
    public var count: Int { monitor.withLock { $0.count } }
}
