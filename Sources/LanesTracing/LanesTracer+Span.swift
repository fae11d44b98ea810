import LanesRecord
import Synchronization
import Tracing

extension LanesTracer {
    /// A span of ``LanesTracer``: a handle on shared state, safe to use from any thread, that
    /// records once, when it ends (on whichever thread ends it).
    public struct Span: Tracing.Span {
        public let context: InstrumentationContext
        let storage: Storage?

        init(context: InstrumentationContext, storage: Storage?) {
            self.context = context
            self.storage = storage
        }

        /// The span's id in the Lanes trace, 0 when it is not recorded.
        public var id: UInt64 { storage?.explicit.id ?? 0 }

        public var isRecording: Bool { storage?.isOpen ?? false }

        public var operationName: String {
            get { storage?.withState { $0.name } ?? "" }
            nonmutating set { storage?.withOpenState { $0.name = newValue } }
        }

        public var attributes: SpanAttributes {
            get { storage?.withState { $0.attributes } ?? AttributeStore.none }
            nonmutating set { storage?.withOpenState { $0.attributes = newValue } }
            // `span.attributes[key] = value` mutates in place: a get and a set would copy the whole
            // dictionary on every attribute (the state and the copy share its storage).
            nonmutating _modify {
                if storage == nil {
                    var ignored = AttributeStore.none
                    yield &ignored
                } else {
                    // Borrowed from `self`, which outlives the access: the storage is not retained for it.
                    yield &storage.unsafelyUnwrapped.attributesInPlace
                }
            }
        }

        /// Status is not drawn by Lanes; an error status is already told by the error recorded with it.
        public func setStatus(_ status: SpanStatus) {}

        /// Events are not recorded (Lanes marks belong to a lane, not a span).
        public func addEvent(_ event: SpanEvent) {}

        /// Links are not recorded.
        public func addLink(_ link: SpanLink) {}

        /// Records the error as the attribute `error` (its description); the last error wins.
        public func recordError<Instant: TracerInstant>(
            _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
        ) {
            guard let storage else { return }
            let text = String(describing: error)
            storage.withOpenState { $0.error = text }
        }

        public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
            storage?.end()
        }
    }
}

extension LanesTracer.Span {
    final class Storage: Sendable {
        struct State {
            var name: String
            /// The span's own attributes (recycled or set); none until the first.
            var attributes: SpanAttributes?
            var error: String?
            var open = true
        }

        let explicit: ExplicitSpan
        private let locked = Atomic<Bool>(false)
        // Guarded by `locked` (or, in `deinit`, by being the last reference): no exclusivity checks.
        // `_modify` of `attributes` holds the lock across its `yield` on the state itself.
        @exclusivity(unchecked) nonisolated(unsafe) fileprivate var state: State

        init(_ explicit: ExplicitSpan, name: String) {
            self.explicit = explicit
            self.state = State(name: name)
        }

        var isOpen: Bool { withState { $0.open } }

        /// The span's attributes for a change in place, under the lock: its own while it is open (a recycled
        /// dictionary, with room for a few attributes, when it has none yet; growing a dictionary one insert
        /// at a time reallocates and rehashes it), a copy that is thrown away once it has ended.
        var attributesInPlace: SpanAttributes {
            get { withState { $0.attributes } ?? AttributeStore.none }
            _modify {
                lock()
                defer { unlock() }
                if state.open {
                    if state.attributes == nil { state.attributes = NameCache.withCurrent(AttributeStore.make) }
                    yield &state.attributes!
                } else {
                    var ignored = state.attributes ?? AttributeStore.none
                    yield &ignored
                }
            }
        }

        /// A spin lock: spans are rarely touched by two threads at once, and a pthread mutex
        /// would cost an allocation per span.
        func withState<R>(_ body: (inout State) -> R) -> R {
            lock()
            defer { unlock() }
            return body(&state)
        }

        func lock() {
            while !locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged {
                while locked.load(ordering: .relaxed) {}
            }
        }

        func unlock() { locked.store(false, ordering: .releasing) }

        func withOpenState(_ body: (inout State) -> Void) {
            withState { s in if s.open { body(&s) } }
        }

        /// Gives the attributes' dictionary back for another span (see ``AttributeStore``).
        deinit {
            if let attributes = state.attributes.take() { AttributeStore.recycle(attributes) }
        }

        func end() {
            lock()
            guard state.open else {
                unlock()
                return
            }
            state.open = false
            // Recorded under the lock, read in place: the state is not copied.
            let name = NameCache.withCurrent { names in
                if let attributes = state.attributes {
                    if names.canRecycle {
                        for (key, attribute) in AttributeStore.entries(attributes) {
                            explicit.record(names.name(key), Self.value(attribute, names))
                        }
                    } else {
                        attributes.forEach { key, attribute in
                            explicit.record(names.name(key), Self.value(attribute, names))
                        }
                    }
                }
                if let error = state.error { explicit.record(names.name("error"), .string(SpanName(error))) }
                return names.name(state.name)
            }
            unlock()
            explicit.end(name: name)
        }

        static func value(_ attribute: SpanAttribute, _ names: NameCache) -> ExplicitSpan.Value {
            switch attribute {
            case .int32(let v): return .int(Int64(v))
            case .int64(let v): return .int(v)
            case .double(let v): return .double(v)
            case .bool(let v): return .bool(v)
            case .string(let v): return .string(names.name(v))
            case .stringConvertible(let v): return .string(SpanName(String(describing: v)))
            case .int32Array(let v): return .string(SpanName(String(describing: v)))
            case .int64Array(let v): return .string(SpanName(String(describing: v)))
            case .doubleArray(let v): return .string(SpanName(String(describing: v)))
            case .boolArray(let v): return .string(SpanName(String(describing: v)))
            case .stringArray(let v): return .string(SpanName(String(describing: v)))
            case .stringConvertibleArray(let v): return .string(SpanName(String(describing: v)))
            default: return .string(SpanName(String(describing: attribute)))
            }
        }
    }
}
