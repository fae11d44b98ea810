import CLanesSupport
import Synchronization

/// A span that may begin on one thread and end on another, for bridges from other tracing APIs
/// (such as `LanesTracing`'s tracer for swift-distributed-tracing).
///
/// Begin it with ``begin(parent:)``, end it once with ``end(name:attributes:)``: everything is
/// recorded at the end, on the thread that ends it. Inside a task the span is drawn on the task's
/// lane; outside, on the lane of the thread where it began.
public struct ExplicitSpan: Sendable {
    /// The span's id in the trace (`SpanID(id)`), usable as the parent of other explicit spans;
    /// 0 when no recorder was active at begin.
    public let id: UInt64
    @usableFromInline let start: UInt64
    @usableFromInline let task: UInt64
    @usableFromInline let parent: UInt64
    /// The kernel id of the thread where the span began.
    public let threadID: Int64
    @usableFromInline let slot: UInt32

    @usableFromInline init(id: UInt64, start: UInt64, task: UInt64, parent: UInt64, threadID: Int64, slot: UInt32) {
        self.id = id
        self.start = start
        self.task = task
        self.parent = parent
        self.threadID = threadID
        self.slot = slot
    }

    /// Whether the span is being recorded.
    @inlinable public var isRecording: Bool { id != 0 }

    /// A value of an attribute, kept as it is until the trace is made.
    public enum Value: Sendable, Equatable {
        /// Text, interned (do not use it for values that are all different).
        case string(SpanName)
        /// A whole number.
        case int(Int64)
        /// A floating-point number.
        case double(Double)
        /// True or false.
        case bool(Bool)
    }

    /// Begins a span whose parent is `parent` (an ``id`` of another explicit span); with no
    /// parent, the innermost open `span` of this task or thread. Costs a load and a branch when
    /// no recorder is active.
    @inlinable
    public static func begin(parent: UInt64 = 0) -> ExplicitSpan {
        if _slowPath(lanes_recording_mode() == 0) {
            return ExplicitSpan(id: 0, start: 0, task: 0, parent: 0, threadID: 0, slot: 0)
        }
        return _begin(parent: parent)
    }

    @usableFromInline
    static func _begin(parent: UInt64) -> ExplicitSpan {
        let id = asyncSpanBit | nextAsyncID.add(1, ordering: .relaxed).newValue
        let tid = currentThreadID()
        let st = lanes_state()!
        var parent = parent
        if parent == 0 {
            parent = AsyncSpanContext.current
            if parent == 0 && st.pointee.current != 0 {
                parent = UInt64(st.pointee.slot) << 32 | UInt64(st.pointee.current)
            }
        }
        return ExplicitSpan(
            id: id, start: lanes_now(), task: currentTaskID(), parent: parent, threadID: tid, slot: st.pointee.slot)
    }

    /// Records one attribute of the span, on the calling thread; call it before ``end(name:attributes:)``
    /// on the same thread. Unlike passing `attributes` to `end`, it needs no array.
    public func record(_ key: SpanName, _ value: Value) {
        guard id != 0 else { return }
        let (type, bits): (UInt64, UInt64)
        switch value {
        case .string(let s): (type, bits) = (0, s.word)
        case .int(let i): (type, bits) = (1, UInt64(bitPattern: i))
        case .double(let d): (type, bits) = (2, d.bitPattern)
        case .bool(let b): (type, bits) = (3, b ? 1 : 0)
        }
        appendRecord(key.word, bits, tag(.attribute, type << reasonShift), id)
    }

    /// Ends the span now and records it with its name and attributes. Call it once.
    public func end(name: SpanName, attributes: [(key: SpanName, value: Value)] = []) {
        guard id != 0 else { return }
        let end = lanes_now()
        for (key, value) in attributes { record(key, value) }
        // The slot where it began, when it fits beside the tid; 0: unknown.
        let slotBits = slot < 0xFFFF && slot != 0 ? UInt64(slot) << 32 : 0
        appendRecord(task, parent, tag(.explicitInfo, slotBits | UInt64(UInt32(truncatingIfNeeded: threadID))), id)
        appendRecord(start, end, tag(.explicitSpan, name.word), id)
    }
}
