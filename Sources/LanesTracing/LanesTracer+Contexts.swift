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
            MemoryLayout<Entries>.size == MemoryLayout<Storage>.size
        else { return false }
        var context = InstrumentationContext.topLevel
        context[ProbeKey.self] = 42
        var entries = unsafeBitCast(context, to: Entries.self)
        guard entries.count == 1, let first = entries.first,
            ObjectIdentifier(first.key.keyType) == ObjectIdentifier(ProbeKey.self), first.value as? UInt64 == 42
        else { return false }
        // Shared with `context`: not free, and changing it leaves `context` as it was.
        guard !isFree(&entries) else { return false }
        entries.values[entries.startIndex] = UInt64(7)
        guard context[ProbeKey.self] == 42, read(entries) == 7 else { return false }
        // Held by nothing else now: free.
        context = .topLevel
        return isFree(&entries)
    }()

    /// A context holding only `id` under ``LanesTracer/SpanIDKey``, recycled when the thread has one free.
    static func context(_ id: UInt64, _ cache: NameCache) -> InstrumentationContext {
        if cache.canReuse {
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
        if cache.canReuse, cache.contextSlots.count < slotCount {
            let entries = unsafeBitCast(context, to: Entries.self)
            cache.contextSlots.append(Slot(entries: entries, index: entries.startIndex))
        }
        return context
    }

    /// The probe's value in `entries`, read as a context.
    private static func read(_ entries: Entries) -> UInt64? {
        let context = unsafeBitCast(entries, to: InstrumentationContext.self)
        return context.count == 1 ? context[ProbeKey.self] : nil
    }

    /// Stands for the dictionary's storage object in ``isFree``: a native Swift class, so that the check
    /// reads the object's reference count (checked for an `AnyObject`, it is not always answered).
    private final class Storage {}

    /// Whether `entries` is held by nothing but this slot (its storage is uniquely referenced).
    @inline(__always)
    static func isFree(_ entries: inout Entries) -> Bool {
        withUnsafeMutablePointer(to: &entries) { p in
            p.withMemoryRebound(to: Storage.self, capacity: 1) { isKnownUniquelyReferenced(&$0.pointee) }
        }
    }
}
