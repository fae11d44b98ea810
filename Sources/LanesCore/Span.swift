/// Identifies a span within one trace.
public struct SpanID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public static func < (a: SpanID, b: SpanID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "span \(rawValue)" }
}

/// Why a span was not running.
public enum WaitReason: UInt8, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// Waiting to acquire a mutex.
    case lock = 0
    /// Waiting on a condition variable.
    case condition = 1
    /// Waiting on a semaphore.
    case semaphore = 2
    /// Sleeping on purpose.
    case sleep = 3
    /// Blocked reading a file, pipe or socket.
    case ioRead = 4
    /// Blocked writing a file, pipe or socket.
    case ioWrite = 5
    /// Waiting for an item from an empty queue.
    case queueGet = 6
    /// Waiting for room in a full queue.
    case queuePut = 7
    /// Waiting for a thread to finish.
    case join = 8
    /// Waiting for a child process to exit.
    case childProcess = 9
    /// Waiting for another process to answer (pipes to workers, ...).
    case ipc = 10
    /// Runnable but not on a CPU.
    case runQueue = 11
    /// An async task that is suspended, awaiting something.
    case suspended = 12
    /// Waiting for the emulated interpreter lock.
    case gil = 13
    /// Any other reason.
    case other = 14
    /// Idle in an event loop: in `select`, `poll` or `epoll_wait`, waiting for any of several
    /// descriptors or a timer (asyncio's selector, an idle reactor).
    case poll = 15

    public var description: String {
        switch self {
        case .lock: "lock"
        case .condition: "condition"
        case .semaphore: "semaphore"
        case .sleep: "sleep"
        case .ioRead: "ioRead"
        case .ioWrite: "ioWrite"
        case .queueGet: "queueGet"
        case .queuePut: "queuePut"
        case .join: "join"
        case .childProcess: "childProcess"
        case .ipc: "ipc"
        case .runQueue: "runQueue"
        case .suspended: "suspended"
        case .gil: "gil"
        case .other: "other"
        case .poll: "poll"
        }
    }

    /// The reason named `name` (as `description` spells it), if any.
    public init?(name: String) {
        guard let r = WaitReason.allCases.first(where: { $0.description == name }) else { return nil }
        self = r
    }
}

/// Time inside a span spent waiting rather than running.
public struct Wait: Hashable, Sendable {
    public var reason: WaitReason
    public var start: Nanoseconds
    public var end: Nanoseconds
    /// What was waited on (a lock's name, a queue's name, a file path), if known.
    public var object: String?

    public init(reason: WaitReason, start: Nanoseconds, end: Nanoseconds, object: String? = nil) {
        self.reason = reason
        self.start = start
        self.end = end
        self.object = object
    }

    public var duration: Nanoseconds { end - start }
}

/// A key/value attribute on a span or mark.
public struct Attribute: Hashable, Sendable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// A unit of work on a lane.
public struct Span: Hashable, Sendable {
    public var id: SpanID
    public var name: String
    public var lane: LaneID
    /// The OS thread the span ran on (for a task span: where it started).
    public var threadID: Int64
    public var start: Nanoseconds
    public var end: Nanoseconds
    /// CPU time its thread used during the span, when CPU accounting was on.
    public var cpuTime: Nanoseconds?
    /// The enclosing span, if any.
    public var parent: SpanID?
    public var attributes: [Attribute]
    /// Time spent waiting inside the span, in start order.
    public var waits: [Wait]

    public init(
        id: SpanID, name: String, lane: LaneID, threadID: Int64, start: Nanoseconds, end: Nanoseconds,
        cpuTime: Nanoseconds? = nil, parent: SpanID? = nil, attributes: [Attribute] = [], waits: [Wait] = []
    ) {
        self.id = id
        self.name = name
        self.lane = lane
        self.threadID = threadID
        self.start = start
        self.end = end
        self.cpuTime = cpuTime
        self.parent = parent
        self.attributes = attributes
        self.waits = waits
    }

    public var duration: Nanoseconds { end - start }

    /// The sum of the span's waits.
    public var blockedTime: Nanoseconds { waits.reduce(0) { $0 + $1.duration } }

    /// Off-CPU time no wait explains (wall − CPU − blocked), when CPU time is known; never hidden.
    public var unattributedOffCPU: Nanoseconds? {
        cpuTime.map { max(0, duration - $0 - blockedTime) }
    }
}

/// An instant worth pointing at.
public struct Mark: Hashable, Sendable {
    public var name: String
    /// The lane it happened on; nil for a trace-wide mark.
    public var lane: LaneID?
    public var time: Nanoseconds
    public var attributes: [Attribute]

    public init(name: String, lane: LaneID?, time: Nanoseconds, attributes: [Attribute] = []) {
        self.name = name
        self.lane = lane
        self.time = time
        self.attributes = attributes
    }
}

/// One value of a named counter (queue depth, requests in flight, a thread's run time).
public struct CounterSample: Hashable, Sendable {
    public var name: String
    /// The lane it belongs to; nil for a process- or trace-wide counter.
    public var lane: LaneID?
    public var time: Nanoseconds
    public var value: Double

    public init(name: String, lane: LaneID?, time: Nanoseconds, value: Double) {
        self.name = name
        self.lane = lane
        self.time = time
        self.value = value
    }
}

/// An arrow from one span to another: producer → consumer, submit → run, parent task → child.
public struct Flow: Hashable, Sendable {
    public var id: UInt64
    public var from: SpanID
    public var to: SpanID
    /// When the arrow leaves `from` and reaches `to`.
    public var fromTime: Nanoseconds
    public var toTime: Nanoseconds
    public var name: String

    public init(id: UInt64, from: SpanID, to: SpanID, fromTime: Nanoseconds, toTime: Nanoseconds, name: String = "") {
        self.id = id
        self.from = from
        self.to = to
        self.fromTime = fromTime
        self.toTime = toTime
        self.name = name
    }
}
