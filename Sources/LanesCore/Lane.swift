/// Identifies a lane within one trace.
public struct LaneID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public static func < (a: LaneID, b: LaneID) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "lane \(rawValue)" }
}

/// Where work runs: an OS thread, a whole process, or an async task.
public struct Lane: Hashable, Sendable {
    /// What kind of place a lane is.
    public enum Kind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
        /// An OS thread; `threadID` is its tid.
        case thread = 0
        /// A process drawn as one lane (a worker process, or a process seen from outside).
        case process = 1
        /// An async task; `taskID` identifies it and its spans may run on several threads.
        case task = 2

        public var description: String {
            switch self {
            case .thread: "thread"
            case .process: "process"
            case .task: "task"
            }
        }
    }

    public var id: LaneID
    public var kind: Kind
    /// The process the lane belongs to.
    public var pid: Int64
    /// The OS thread id, for thread lanes.
    public var threadID: Int64?
    /// The task id, for task lanes.
    public var taskID: UInt64?
    /// The parent task id, for task lanes whose parent is known.
    public var parentTaskID: UInt64?
    /// A human name: the thread's name, the task's name; empty when unknown.
    public var name: String
    /// Where the lane sorts within its process (lower first); ties keep file order.
    public var sortIndex: Int32

    public init(
        id: LaneID, kind: Kind, pid: Int64, threadID: Int64? = nil, taskID: UInt64? = nil,
        parentTaskID: UInt64? = nil, name: String = "", sortIndex: Int32 = 0
    ) {
        self.id = id
        self.kind = kind
        self.pid = pid
        self.threadID = threadID
        self.taskID = taskID
        self.parentTaskID = parentTaskID
        self.name = name
        self.sortIndex = sortIndex
    }

    /// A label for charts: the name if there is one, else the kind and its id.
    public var label: String {
        if !name.isEmpty { return name }
        switch kind {
        case .thread: return "thread \(threadID.map(String.init) ?? "?")"
        case .process: return "process \(pid)"
        case .task: return "task \(taskID.map(String.init) ?? "?")"
        }
    }
}

/// A process that took part in a trace.
public struct Process: Hashable, Sendable {
    /// How a process ended, if it did while traced.
    public enum Exit: Hashable, Sendable, CustomStringConvertible {
        /// It returned from main or called exit with this status.
        case exited(Int32)
        /// A signal ended it (e.g. 9 for SIGKILL).
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let s): "exited with status \(s)"
            case .signaled(let s): "killed by signal \(s)"
            }
        }
    }

    public var pid: Int64
    public var name: String
    /// How the process ended; nil while running or when unknown.
    public var exit: Exit?
    /// A note about the process's end, e.g. the work item it was processing when it died.
    public var note: String

    public init(pid: Int64, name: String = "", exit: Exit? = nil, note: String = "") {
        self.pid = pid
        self.name = name
        self.exit = exit
        self.note = note
    }
}
