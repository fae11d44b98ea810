import Synchronization

/// A span, mark or counter name interned once, so passing it costs nothing per call.
///
/// Names written as string literals (`StaticString`) need no interning; use `SpanName` for names
/// built at run time, and create it once, outside the hot loop:
/// ```swift
/// let stage = SpanName("stage \(n)")
/// for item in items { span(stage) { process(item) } }
/// ```
public struct SpanName: Hashable, Sendable {
    @usableFromInline let id: UInt32

    /// Interns `name` (a lookup under a lock: do it once, not per span).
    public init(_ name: String) {
        id = NameTable.shared.intern(name)
    }

    @usableFromInline var word: UInt64 { internedNameBit | UInt64(id) }

    /// The name as given.
    public var string: String { NameTable.shared.name(id) }
}

/// The process-wide table of interned names. Ids are never reused, so a record can hold one.
final class NameTable: Sendable {
    static let shared = NameTable()
    private struct State {
        var ids: [String: UInt32] = [:]
        var names: [String] = [""]
    }
    private let state = Lock(State())

    func intern(_ name: String) -> UInt32 {
        state.withLock { s in
            if let id = s.ids[name] { return id }
            let id = UInt32(s.names.count)
            s.names.append(name)
            s.ids[name] = id
            return id
        }
    }

    func name(_ id: UInt32) -> String {
        state.withLock { s in Int(id) < s.names.count ? s.names[Int(id)] : "" }
    }

    func snapshot() -> [String] { state.withLock { $0.names } }
}
