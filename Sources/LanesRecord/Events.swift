import CLanesSupport
import LanesCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

@usableFromInline @inline(never)
func _cpuNow() -> UInt64 { max(1, lanes_thread_cpu_ns()) }

@usableFromInline @inline(never)
func _appendCPU(_ token: SpanToken) {
    appendRecord(token.cpu, lanes_thread_cpu_ns(), tag(.cpu, 0), token.ids >> 32)
}

// MARK: - Async spans

/// The async span a task is inside, so nested async spans and waits know their parent.
enum AsyncSpanContext {
    @TaskLocal static var current: UInt64 = 0
}

let nextAsyncID = Atomic<UInt64>(0)

/// The runtime's id of the current task (the id a task executor sees on its jobs), or 0 outside a task.
public func currentTaskID() -> UInt64 { lanes_current_task_id() }

/// The calling thread's kernel id, cached after the first call on each thread.
public func currentThreadID() -> Int64 {
    let st = lanes_state()!
    if st.pointee.slot != 0 && st.pointee.slot != UInt32.max { return st.pointee.tid }
    if st.pointee.slot == UInt32.max { return lanes_gettid() }
    return Registry.shared.register(st)
}

@usableFromInline
func _asyncSpan<R>(
    _ name: UInt64, isolation: isolated (any Actor)?, _ body: () async throws -> R
) async rethrows -> R {
    guard lanes_recording_mode() != 0 else { return try await body() }
    let id = asyncSpanBit | nextAsyncID.add(1, ordering: .relaxed).newValue
    let parent = AsyncSpanContext.current
    let task = currentTaskID()
    let tid = currentThreadID()
    let start = lanes_now()
    defer {
        let end = lanes_now()
        appendRecord(task, parent, tag(.asyncInfo, 0) | UInt64(bitPattern: tid) & nameMask, id)
        appendRecord(start, end, tag(.asyncSpan, name), id)
    }
    return try await AsyncSpanContext.$current.withValue(id, operation: body, isolation: isolation)
}

// MARK: - Waits

/// A wait in progress, from ``beginWait(_:object:)`` to ``endWait(_:)``.
public struct WaitToken: Sendable {
    @usableFromInline let start: UInt64
    @usableFromInline let word: UInt64
    @inlinable init(start: UInt64, word: UInt64) {
        self.start = start
        self.word = word
    }
}

/// Starts timing a wait by hand (the traced primitives do this for you).
@inlinable
public func beginWait(_ reason: WaitReason, object: SpanName? = nil) -> WaitToken {
    guard lanes_recording_mode() != 0 else { return WaitToken(start: 0, word: 0) }
    let word = UInt64(reason.rawValue) << reasonShift | (object?.word ?? 0)
    return WaitToken(start: lanes_now(), word: word)
}

/// Records the wait begun with `token` as part of the innermost open span (sync or async); outside
/// any span it becomes a span of its own, named after its reason (`join`, `queueGet`, …), with what
/// it waited on as the attribute `object`.
public func endWait(_ token: WaitToken) {
    guard token.start != 0 else { return }
    let end = lanes_now()
    let current = UInt64(lanes_state()!.pointee.current)
    if current == 0 {
        let async = AsyncSpanContext.current
        if async != 0 {
            appendRecord(token.start, end, tag(.asyncWait, token.word), async)
            return
        }
    }
    appendRecord(token.start, end, tag(.wait, token.word), current)
}

/// Runs `body` and records the time it takes as a wait for `reason`.
@inlinable
public func withWait<R, E: Error>(
    _ reason: WaitReason, object: SpanName? = nil, _ body: () throws(E) -> R
) throws(E) -> R {
    let token = beginWait(reason, object: object)
    defer { endWait(token) }
    return try body()
}

// MARK: - Marks, counters, flows, names

/// Records an instant on this thread's lane.
public func mark(_ name: StaticString) { _mark(nameWord(name)) }

/// Records an instant on this thread's lane.
public func mark(_ name: SpanName) { _mark(name.word) }

private func _mark(_ word: UInt64) {
    guard lanes_recording_mode() != 0 else { return }
    appendRecord(lanes_now(), 0, tag(.mark, word), UInt64(lanes_state()!.pointee.current))
}

/// Records a counter's value now (queue depth, requests in flight), for the whole process.
public func counter(_ name: SpanName, _ value: Double) {
    guard lanes_recording_mode() != 0 else { return }
    appendRecord(lanes_now(), value.bitPattern, tag(.counter, name.word), 0)
}

/// Records a counter's value now, for the whole process.
public func counter(_ name: StaticString, _ value: Double) {
    guard lanes_recording_mode() != 0 else { return }
    appendRecord(lanes_now(), value.bitPattern, tag(.counter, nameWord(name)), 0)
}

func counter(word: UInt64, value: Double, slot: UInt32, at ticks: UInt64) {
    appendRecord(ticks, value.bitPattern, tag(.counter, word), UInt64(slot))
}

/// One end of an arrow between spans: made where work is handed off, finished where it is picked up.
public struct FlowHandle: Hashable, Sendable {
    public let id: UInt64
}

private let nextFlowID = Atomic<UInt64>(0)

/// Starts an arrow from the current span (call it inside a span; outside, the arrow is not recorded).
public func flowStart(_ name: StaticString = "") -> FlowHandle {
    let id = nextFlowID.add(1, ordering: .relaxed).newValue
    _flow(.flowOut, id: id, word: nameWord(name))
    return FlowHandle(id: id)
}

/// Ends the arrow `flow` at the current span.
public func flowEnd(_ flow: FlowHandle) { _flow(.flowIn, id: flow.id, word: 0) }

private func _flow(_ kind: RecordKind, id: UInt64, word: UInt64) {
    guard lanes_recording_mode() != 0 else { return }
    var span = UInt64(lanes_state()!.pointee.current)
    if span == 0 { span = AsyncSpanContext.current }
    appendRecord(lanes_now(), id, tag(kind, word), span)
}

/// Names the calling thread in traces (and, cut to 15 bytes, for the OS).
public func setThreadName(_ name: String) {
    _ = lanes_set_thread_name(name)
    Registry.shared.setName(name, st: lanes_state()!)
}
