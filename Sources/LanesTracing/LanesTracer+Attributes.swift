import Tracing

/// Attribute dictionaries recycled from span to span, so that a span's attributes cost their inserts and
/// not an allocation, a free and a closure call per attribute each time.
///
/// `span.attributes[key] = value` can only go through `SpanAttributes`, a dictionary the span has to own.
/// The first attribute of a span takes an empty dictionary, with room for a few, from its thread's
/// ``NameCache``; when the span is released its dictionary is emptied in place and given back to the
/// releasing thread's cache. `SpanAttributes` has no API to empty it and keep its storage, so this reads it
/// as the dictionary it holds, once ``canRecycle`` has checked that it is exactly that in memory; otherwise
/// spans get fresh dictionaries and are read through `SpanAttributes.forEach`, as before.
enum AttributeStore {
    typealias Entries = [String: SpanAttribute]

    /// No attributes, made once (making an empty `SpanAttributes` is a call into Tracing).
    static let none = SpanAttributes()

    /// The capacity of a new dictionary: two or three attributes per span are usual.
    static let initialCapacity = 4
    /// Larger dictionaries are freed rather than kept.
    static let maximumKeptCapacity = 32

    /// Whether `SpanAttributes` is laid out as exactly the dictionary it wraps: checked once, by comparing
    /// the bits of a dictionary with those of a `SpanAttributes` made from it, so a release of
    /// swift-distributed-tracing that stores anything else turns recycling off instead of misreading it.
    static let canRecycle: Bool = {
        guard MemoryLayout<SpanAttributes>.size == MemoryLayout<Entries>.size,
            MemoryLayout<SpanAttributes>.stride == MemoryLayout<Entries>.stride,
            MemoryLayout<SpanAttributes>.alignment == MemoryLayout<Entries>.alignment
        else { return false }
        let entries: Entries = ["lanes.check": .int64(1)]
        let attributes = SpanAttributes(entries)
        return withUnsafeBytes(of: entries) { a in withUnsafeBytes(of: attributes) { b in a.elementsEqual(b) } }
    }()

    /// The dictionary `attributes` holds (another reference to the same storage). Only when ``canRecycle``.
    @inline(__always)
    static func entries(_ attributes: SpanAttributes) -> Entries {
        unsafeBitCast(attributes, to: Entries.self)
    }

    /// An empty `SpanAttributes` with room for a few attributes, recycled when possible.
    static func make(_ cache: NameCache) -> SpanAttributes {
        guard cache.canRecycle, let spare = cache.spareAttributes.popLast() else {
            return SpanAttributes(Entries(minimumCapacity: initialCapacity))
        }
        return SpanAttributes(spare)
    }

    /// Empties the attributes of a span that is gone and keeps their storage in the calling thread's cache for
    /// another span. (Storage something else still holds, a `SpanAttributes` copied out of the span, stays with
    /// it: emptying a shared dictionary makes a new one.)
    static func recycle(_ attributes: consuming SpanAttributes) {
        guard NameCache.withCurrent({ $0.canRecycle && $0.spareAttributes.count < NameCache.spareCount }) else {
            return
        }
        var entries = unsafeBitCast(consume attributes, to: Entries.self)
        guard entries.capacity >= initialCapacity, entries.capacity <= maximumKeptCapacity else { return }
        entries.removeAll(keepingCapacity: true)
        NameCache.withCurrent { $0.spareAttributes.append(entries) }
    }
}
