import Tracing

/// Service contexts recycled from span to span, so that putting a span's id into its context costs a
/// store and not a dictionary of its own (an allocation, a hash of the key and a free, a fifth of a span).
///
/// A span started from an empty context, or from one that holds nothing but a Lanes span id, gets a
/// context that holds nothing but its own id. Each thread keeps a few such contexts (``NameCache``); one
/// nothing else holds any more (its span has ended and nobody kept a copy) is rewritten in place with the
/// new id and handed out again. A context someone still holds is never touched: its copies keep their id,
/// and anyone who changes one gets a dictionary of their own, as with any Swift value.
///
/// `InstrumentationContext` has no API to overwrite a value without hashing its key, so this reads it as the
/// dictionary it holds, once ``canReuse`` has checked that it is exactly that in memory; otherwise every span
/// sets its id in its context, as before.
enum ContextStore {
    typealias Entries = [AnyInstrumentationContextKey: any Sendable]

    /// One recycled context and the position of the span id in it.
    struct Slot {
        var entries: Entries
        let index: Entries.Index
    }

    /// At most this many recycled contexts per thread (spans nest a few deep).
    static let slotCount = 4

    private enum ProbeKey: InstrumentationContextKey { typealias Value = UInt64 }

    /// Whether `InstrumentationContext` is laid out as exactly the dictionary it wraps: checked once, by
    /// reading a context as a dictionary and a dictionary as a context, so that a release of
    /// swift-distributed-tracing that stores anything else turns recycling off instead of misreading it.
    static let canReuse: Bool = {
        guard MemoryLayout<InstrumentationContext>.size == MemoryLayout<Entries>.size,
            MemoryLayout<InstrumentationContext>.stride == MemoryLayout<Entries>.stride,
            MemoryLayout<InstrumentationContext>.alignment == MemoryLayout<Entries>.alignment,
            MemoryLayout<Entries>.size == MemoryLayout<AnyObject>.size
        else { return false }
        var context = InstrumentationContext.topLevel
        context[ProbeKey.self] = 42
        var entries = unsafeBitCast(context, to: Entries.self)
        guard entries.count == 1, let first = entries.first,
            ObjectIdentifier(first.key.keyType) == ObjectIdentifier(ProbeKey.self), first.value as? UInt64 == 42
        else { return false }
        entries.values[entries.startIndex] = UInt64(7)
        let changed = unsafeBitCast(entries, to: InstrumentationContext.self)
        return changed[ProbeKey.self] == 7 && changed.count == 1 && context[ProbeKey.self] == 42
    }()

    /// A context holding only `id` under ``LanesTracer/SpanIDKey``, recycled when the thread has one free.
    static func context(_ id: UInt64, _ cache: NameCache) -> InstrumentationContext {
        if canReuse {
            let reused = cache.contextSlots.withUnsafeMutableBufferPointer { slots -> InstrumentationContext? in
                for i in slots.indices where isFree(&slots[i].entries) {
                    slots[i].entries.values[slots[i].index] = id
                    return unsafeBitCast(slots[i].entries, to: InstrumentationContext.self)
                }
                return nil
            }
            if let reused { return reused }
        }
        var context = InstrumentationContext.topLevel
        context[LanesTracer.SpanIDKey.self] = id
        if canReuse, cache.contextSlots.count < slotCount {
            let entries = unsafeBitCast(context, to: Entries.self)
            cache.contextSlots.append(Slot(entries: entries, index: entries.startIndex))
        }
        return context
    }

    /// Whether `entries` is held by nothing but this slot (its storage is uniquely referenced).
    @inline(__always)
    private static func isFree(_ entries: inout Entries) -> Bool {
        withUnsafeMutablePointer(to: &entries) { p in
            p.withMemoryRebound(to: AnyObject.self, capacity: 1) { isKnownUniquelyReferenced(&$0.pointee) }
        }
    }
}
