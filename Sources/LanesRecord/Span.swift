import CLanesSupport

/// An open span, returned by ``beginSpan(_:)-(StaticString)`` and closed by ``endSpan(_:)``.
///
/// Begin and end a span on the same thread, in nesting order; for work that hops threads use the
/// `async` form of ``span(_:_:)-(StaticString,_)``.
public struct SpanToken: Sendable {
    @usableFromInline let start: UInt64
    @usableFromInline let cpu: UInt64
    @usableFromInline let name: UInt64
    /// id << 32 | parent id; 0 when recording was off at begin.
    @usableFromInline let ids: UInt64

    @inlinable init(start: UInt64, cpu: UInt64, name: UInt64, ids: UInt64) {
        self.start = start
        self.cpu = cpu
        self.name = name
        self.ids = ids
    }

    /// Whether the span is being recorded.
    @inlinable public var isRecording: Bool { ids != 0 }
}

@inlinable @inline(__always)
func _beginSpan(_ name: UInt64, mode: Int32) -> SpanToken {
    let st = lanes_state()!
    let id = st.pointee.seq &+ 1
    st.pointee.seq = id
    let parent = st.pointee.current
    st.pointee.current = id
    let cpu = mode == 2 ? _cpuNow() : 0
    return SpanToken(start: lanes_now(), cpu: cpu, name: tag(.span, name), ids: UInt64(id) << 32 | UInt64(parent))
}

/// Opens a span named by a string literal. Costs a load and a branch when no recorder is active.
@inlinable @inline(__always)
public func beginSpan(_ name: StaticString) -> SpanToken {
    let mode = lanes_recording_mode()
    if _slowPath(mode == 0) { return SpanToken(start: 0, cpu: 0, name: 0, ids: 0) }
    return _beginSpan(nameWord(name), mode: mode)
}

/// Opens a span with an interned name.
@inlinable @inline(__always)
public func beginSpan(_ name: SpanName) -> SpanToken {
    let mode = lanes_recording_mode()
    if _slowPath(mode == 0) { return SpanToken(start: 0, cpu: 0, name: 0, ids: 0) }
    return _beginSpan(name.word, mode: mode)
}

/// Closes a span opened on this thread by `beginSpan`.
@inlinable @inline(__always)
public func endSpan(_ token: SpanToken) {
    if _slowPath(token.ids == 0) { return }
    let end = lanes_now()
    let st = lanes_state()!
    st.pointee.current = UInt32(truncatingIfNeeded: token.ids)
    if _slowPath(token.cpu != 0) {
        _appendCPU(token)
    }
    if _slowPath(lanes_append(st, token.start, end, token.name, token.ids) == 0) {
        _appendSlow(token.start, end, token.name, token.ids)
    }
}

/// Runs `body` inside a span named by a string literal; spans nest.
///
/// ```swift
/// span("parse") { parse(input) }
/// ```
@inlinable @inline(__always)
public func span<R, E: Error>(_ name: StaticString, _ body: () throws(E) -> R) throws(E) -> R {
    let token = beginSpan(name)
    defer { endSpan(token) }
    return try body()
}

/// Runs `body` inside a span with an interned name.
@inlinable @inline(__always)
public func span<R, E: Error>(_ name: SpanName, _ body: () throws(E) -> R) throws(E) -> R {
    let token = beginSpan(name)
    defer { endSpan(token) }
    return try body()
}

/// Runs an async `body` inside a span; the span may end on another thread than it began.
///
/// Async spans are drawn on the lane of the task that ran them; spans nest through a task-local
/// value, so child tasks started inside are children of this span.
public func span<R>(
    _ name: StaticString, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R
) async rethrows -> R {
    try await _asyncSpan(nameWord(name), isolation: isolation, body)
}

/// Runs an async `body` inside a span with an interned name.
public func span<R>(
    _ name: SpanName, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R
) async rethrows -> R {
    try await _asyncSpan(name.word, isolation: isolation, body)
}
