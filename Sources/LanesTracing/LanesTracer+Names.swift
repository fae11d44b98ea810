import LanesRecord

#if canImport(Glibc)
import Glibc
#endif

/// Interned names per thread, so a span's name and attribute keys, the same from call to call,
/// cost a string comparison rather than a lookup under the name table's lock.
final class NameCache {
    private var last = ""
    private var lastName = SpanName("")
    private var names: [String: SpanName] = [:]

    @inline(__always)
    func name(_ s: String) -> SpanName {
        if s == last { return lastName }
        let name: SpanName
        if let n = names[s] {
            name = n
        } else {
            name = SpanName(s)
            // Bounded: names are meant to be few; values that are all different are not cached.
            if names.count < 1024 { names[s] = name }
        }
        last = s
        lastName = name
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
