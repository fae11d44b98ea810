import LanesRecord

#if canImport(Glibc)
import Glibc
#endif

/// Interned names per thread, so a span's name and attribute keys, the same from call to call,
/// cost a string comparison rather than a lookup under the name table's lock.
final class NameCache {
    /// The names used last, searched in order before the table: a span's name and keys repeat from
    /// span to span, and comparing a few short strings costs less than hashing one.
    private var recent: [(String, SpanName)] = []
    private var next = 0
    private var names: [String: SpanName] = [:]
    private static let recentCount = 8

    @inline(__always)
    func name(_ s: String) -> SpanName {
        for (text, name) in recent where text == s { return name }
        let name: SpanName
        if let n = names[s] {
            name = n
        } else {
            name = SpanName(s)
            // Bounded: names are meant to be few; values that are all different are not cached.
            if names.count < 1024 { names[s] = name }
        }
        if recent.count < Self.recentCount {
            recent.append((s, name))
        } else {
            recent[next] = (s, name)
            next = (next + 1) % Self.recentCount
        }
        return name
    }

    /// The calling thread's cache.
    static var current: NameCache {
        if let p = pthread_getspecific(key) { return Unmanaged<NameCache>.fromOpaque(p).takeUnretainedValue() }
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
