import LanesRecord
import Tracing

#if canImport(Glibc)
    import Glibc
#endif

/// Interned names per thread, so a span's name and attribute keys, the same from call to call,
/// cost a string comparison rather than a lookup under the name table's lock; and the thread's spare
/// attribute dictionaries (``AttributeStore``) and service contexts (``ContextStore``).
final class NameCache {
    // One thread uses a cache: no exclusivity checks on its fields (each would cost a runtime call).

    /// ``AttributeStore/canRecycle`` and ``ContextStore/canReuse``, read here without a `swift_once` each time.
    let canRecycle = AttributeStore.canRecycle
    let canReuse = ContextStore.canReuse

    /// Empty attribute dictionaries with their storage, for the next spans' attributes.
    @exclusivity(unchecked) var spareAttributes: [AttributeStore.Entries] = []
    /// At most this many spare dictionaries per thread (spans nest a few deep).
    static let spareCount = 8
    /// Contexts holding only a span id, rewritten for later spans once free (``ContextStore``).
    @exclusivity(unchecked) var contextSlots: [ContextStore.Slot] = []

    /// The names used last, searched before the table: a span's name and keys repeat from span to span,
    /// and comparing a few short strings costs less than hashing one.
    @exclusivity(unchecked) private var recent: [(String, SpanName)] = []
    /// Where the search starts: after the name found last, since names come in the same order from
    /// span to span (its name, then its keys and values), so the next one is usually found first.
    @exclusivity(unchecked) private var cursor = 0
    @exclusivity(unchecked) private var next = 0
    @exclusivity(unchecked) private var names: [String: SpanName] = [:]
    private static let recentCount = 8

    @inline(__always)
    func name(_ s: String) -> SpanName {
        let count = recent.count
        var i = cursor < count ? cursor : 0
        for _ in 0..<count {
            if recent[i].0 == s {
                cursor = i + 1
                return recent[i].1
            }
            i = i + 1 < count ? i + 1 : 0
        }
        let name: SpanName
        if let n = names[s] {
            name = n
        } else {
            name = SpanName(s)
            // Bounded: names are meant to be few; values that are all different are not cached.
            if names.count < 1024 { names[s] = name }
        }
        if count < Self.recentCount {
            recent.append((s, name))
            cursor = count + 1
        } else {
            recent[next] = (s, name)
            cursor = next + 1
            next = (next + 1) % Self.recentCount
        }
        return name
    }

    /// The calling thread's cache.
    static var current: NameCache {
        if let p = pthread_getspecific(key) { return Unmanaged<NameCache>.fromOpaque(p).takeUnretainedValue() }
        return makeCurrent()
    }

    /// Runs `body` with the calling thread's cache, which the thread holds meanwhile: no retain and
    /// release of it around the call, as ``current`` costs.
    @inline(__always)
    static func withCurrent<R>(_ body: (NameCache) -> R) -> R {
        if let p = pthread_getspecific(key) { return Unmanaged<NameCache>.fromOpaque(p)._withUnsafeGuaranteedRef(body) }
        return body(makeCurrent())
    }

    private static func makeCurrent() -> NameCache {
        let cache = NameCache()
        pthread_setspecific(key, Unmanaged.passRetained(cache).toOpaque())
        return cache
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { p in
            if let p { Unmanaged<NameCache>.fromOpaque(p).release() }
        }
        return key
    }()
}
