/// A forward-only JSON tokenizer over bytes in memory, made for one pass over large trace files.
///
/// It never builds a value it is not asked for: strings come back as byte ranges (decoded on demand),
/// unwanted values are skipped by scanning, and numbers are read straight into integers.
struct JSONScanner {
    let base: UnsafePointer<UInt8>
    let count: Int
    var i: Int = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        // An empty buffer may have no base address; point at a static byte instead.
        if let b = bytes.baseAddress, bytes.count > 0 {
            base = b.assumingMemoryBound(to: UInt8.self)
            count = bytes.count
        } else {
            base = JSONScanner.emptyByte
            count = 0
        }
    }

    nonisolated(unsafe) private static let emptyByte: UnsafePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        p.initialize(to: 0)
        return UnsafePointer(p)
    }()

    /// A string's bytes between its quotes.
    struct StringRange {
        var start: Int
        var end: Int
        var hasEscapes: Bool
        var count: Int { end - start }
    }

    var atEnd: Bool { i >= count }

    @inline(__always) mutating func skipWhitespace() {
        while i < count {
            let c = base[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { return }
        }
    }

    /// The next non-blank byte, not consumed; nil at the end.
    @inline(__always) mutating func peek() -> UInt8? {
        skipWhitespace()
        return i < count ? base[i] : nil
    }

    /// An excerpt of the bytes at `offset`, for error messages.
    func excerpt(at offset: Int) -> String {
        guard offset < count else { return "the end of the data" }
        let end = min(count, offset + 16)
        let s = String(decoding: UnsafeBufferPointer(start: base + offset, count: end - offset), as: UTF8.self)
        return "\"" + s.replacingNewlines() + (end < count ? "…" : "") + "\""
    }

    func endError(_ field: String) -> ChromeJSONError { .unexpectedEnd(offset: count, field: field) }

    mutating func expect(_ byte: UInt8, _ what: String, in field: String) throws(ChromeJSONError) {
        skipWhitespace()
        guard i < count else { throw endError(field) }
        guard base[i] == byte else { throw .invalidJSON(offset: i, field: field, expected: what, found: excerpt(at: i)) }
        i += 1
    }

    /// Reads a string whose opening quote is at `i`; returns the range between the quotes.
    @inline(__always) mutating func stringRange(_ field: String) throws(ChromeJSONError) -> StringRange {
        i += 1
        let start = i
        var escapes = false
        while true {
            // Eight bytes at a time to the next quote or backslash.
            while i + 8 <= count {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let hits = zeroBytes(w ^ 0x2222_2222_2222_2222) | zeroBytes(w ^ 0x5C5C_5C5C_5C5C_5C5C)
                if hits != 0 {
                    i += hits.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < count else { throw endError(field) }
            let c = base[i]
            if c == 0x22 { break }
            if c == 0x5C {
                escapes = true
                i += 2
                continue
            }
            i += 1
        }
        let r = StringRange(start: start, end: i, hasEscapes: escapes)
        i += 1
        return r
    }

    /// Decodes a string's range, escapes included.
    func string(_ r: StringRange) -> String {
        let raw = UnsafeBufferPointer(start: base + r.start, count: r.count)
        if !r.hasEscapes { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(r.count)
        var k = 0
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var v: UInt32 = 0
            for j in at..<(at + 4) {
                let c = raw[j]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        func append(_ scalar: UInt32) {
            let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(s)).utf8))
        }
        while k < raw.count {
            let c = raw[k]
            guard c == 0x5C, k + 1 < raw.count else {
                out.append(c)
                k += 1
                continue
            }
            let e = raw[k + 1]
            k += 2
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let u = hex(k) else {
                    out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                    continue
                }
                k += 4
                if (0xD800..<0xDC00).contains(u), k + 6 <= raw.count, raw[k] == 0x5C, raw[k + 1] == UInt8(ascii: "u"),
                    let lo = hex(k + 2), (0xDC00..<0xE000).contains(lo)
                {
                    k += 6
                    append(0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00))
                } else {
                    append(u)
                }
            default: out.append(e)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads a string value for `field`, failing if the next value is not a string.
    mutating func stringValue(_ field: String) throws(ChromeJSONError) -> StringRange {
        skipWhitespace()
        guard i < count else { throw endError(field) }
        guard base[i] == 0x22 else {
            throw .wrongType(field: field, offset: i, expected: "a string", found: typeName(at: i))
        }
        return try stringRange(field)
    }

    /// The JSON type of the value at `offset`, for error messages.
    func typeName(at offset: Int) -> String {
        guard offset < count else { return "the end of the data" }
        switch base[offset] {
        case 0x22: return "a string"
        case 0x7B: return "an object"
        case 0x5B: return "an array"
        case 0x74, 0x66: return "a boolean"
        case 0x6E: return "null"
        case 0x2D, 0x30...0x39: return "a number"
        default: return excerpt(at: offset)
        }
    }

    /// Skips one value of any type, checking that it is well-formed JSON, without building anything.
    mutating func skipValue(_ field: String) throws(ChromeJSONError) {
        // Open containers: a bit per level (1 = object) for the first 64 levels, an array beyond.
        var depth = 0
        var bits: UInt64 = 0
        var deep: [Bool] = []
        func isObject(_ level: Int) -> Bool { level < 64 ? (bits >> UInt64(level)) & 1 == 1 : deep[level - 64] }
        func push(_ object: Bool) {
            if depth < 64 {
                if object { bits |= 1 << UInt64(depth) } else { bits &= ~(1 << UInt64(depth)) }
            } else {
                if deep.count > depth - 64 { deep[depth - 64] = object } else { deep.append(object) }
            }
            depth += 1
        }
        while true {
            // A value.
            skipWhitespace()
            guard i < count else { throw endError(field) }
            switch base[i] {
            case 0x22:
                _ = try stringRange(field)
            case 0x7B:
                i += 1
                skipWhitespace()
                if i < count && base[i] == 0x7D {
                    i += 1
                } else {
                    push(true)
                    try memberKey(field)
                    continue
                }
            case 0x5B:
                i += 1
                skipWhitespace()
                if i < count && base[i] == 0x5D {
                    i += 1
                } else {
                    push(false)
                    continue
                }
            default:
                try skipScalar(field)
            }
            // After a value: the end, or the next member or element, or closing brackets.
            while true {
                if depth == 0 { return }
                skipWhitespace()
                guard i < count else { throw endError(field) }
                let c = base[i]
                let object = isObject(depth - 1)
                if c == 0x2C {
                    i += 1
                    if object { try memberKey(field) }
                    break
                }
                if (object && c == 0x7D) || (!object && c == 0x5D) {
                    i += 1
                    depth -= 1
                    continue
                }
                throw .invalidJSON(offset: i, field: field, expected: object ? "',' or '}'" : "',' or ']'", found: excerpt(at: i))
            }
        }
    }

    /// An object member's key and colon, inside a skipped value.
    private mutating func memberKey(_ field: String) throws(ChromeJSONError) {
        skipWhitespace()
        guard i < count else { throw endError(field) }
        guard base[i] == 0x22 else { throw .invalidJSON(offset: i, field: field, expected: "a key", found: excerpt(at: i)) }
        _ = try stringRange(field)
        skipWhitespace()
        guard i < count else { throw endError(field) }
        guard base[i] == 0x3A else { throw .invalidJSON(offset: i, field: field, expected: "':'", found: excerpt(at: i)) }
        i += 1
    }

    /// A number, `true`, `false` or `null`.
    private mutating func skipScalar(_ field: String) throws(ChromeJSONError) {
        let start = i
        while i < count {
            let c = base[i]
            if c == 0x2C || c == 0x7D || c == 0x5D || c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { break }
            i += 1
        }
        let word = UnsafeBufferPointer(start: base + start, count: i - start)
        guard !word.isEmpty,
            isJSONNumber(word) || word.elementsEqual("true".utf8) || word.elementsEqual("false".utf8)
                || word.elementsEqual("null".utf8)
        else {
            throw .invalidJSON(offset: start, field: field, expected: "a value", found: excerpt(at: start))
        }
    }

    /// Whether `w` is a JSON number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private func isJSONNumber(_ w: UnsafeBufferPointer<UInt8>) -> Bool {
        var k = 0
        func digits() -> Int {
            let s = k
            while k < w.count, w[k] &- 0x30 < 10 { k += 1 }
            return k - s
        }
        if k < w.count, w[k] == 0x2D { k += 1 }
        let intStart = k
        let n = digits()
        if n == 0 || (n > 1 && w[intStart] == 0x30) { return false }
        if k < w.count, w[k] == 0x2E {
            k += 1
            if digits() == 0 { return false }
        }
        if k < w.count, w[k] | 0x20 == 0x65 {
            k += 1
            if k < w.count, w[k] == 0x2B || w[k] == 0x2D { k += 1 }
            if digits() == 0 { return false }
        }
        return k == w.count
    }

    /// After a member or element: consumes `,` and returns true, or consumes `close` and returns false.
    @inline(__always) mutating func next(close: UInt8, _ field: String) throws(ChromeJSONError) -> Bool {
        skipWhitespace()
        guard i < count else { throw endError(field) }
        let c = base[i]
        i += 1
        if c == 0x2C { return true }
        if c == close { return false }
        i -= 1
        throw .invalidJSON(offset: i, field: field, expected: close == 0x7D ? "',' or '}'" : "',' or ']'", found: excerpt(at: i))
    }

    /// Reads an object key and its colon; returns the key's range and its first 8 bytes packed little-endian.
    @inline(__always) mutating func key(_ field: String) throws(ChromeJSONError) -> (StringRange, UInt64) {
        skipWhitespace()
        guard i < count else { throw endError(field) }
        guard base[i] == 0x22 else { throw .invalidJSON(offset: i, field: field, expected: "a key", found: excerpt(at: i)) }
        var r: StringRange
        var packed: UInt64 = 0
        if i + 9 <= count {
            // Keys of up to 7 bytes without escapes (nearly all): find the closing quote in one 8-byte load.
            let w = UnsafeRawPointer(base + i + 1).loadUnaligned(as: UInt64.self)
            let quote = zeroBytes(w ^ 0x2222_2222_2222_2222)
            let slash = zeroBytes(w ^ 0x5C5C_5C5C_5C5C_5C5C)
            if quote != 0 && (slash == 0 || slash.trailingZeroBitCount > quote.trailingZeroBitCount) {
                let n = quote.trailingZeroBitCount >> 3
                packed = n == 0 ? 0 : w & (UInt64.max >> (64 - 8 * UInt64(n)))
                r = StringRange(start: i + 1, end: i + 1 + n, hasEscapes: false)
                i += n + 2
            } else {
                r = try stringRange(field)
                if r.count <= 8 { for j in 0..<r.count { packed |= UInt64(base[r.start + j]) << (8 * UInt64(j)) } }
            }
        } else {
            r = try stringRange(field)
            if r.count <= 8 { for j in 0..<r.count { packed |= UInt64(base[r.start + j]) << (8 * UInt64(j)) } }
        }
        if i < count && base[i] == 0x3A {
            i += 1
            return (r, packed)
        }
        skipWhitespace()
        guard i < count else { throw endError(field) }
        guard base[i] == 0x3A else { throw .invalidJSON(offset: i, field: field, expected: "':'", found: excerpt(at: i)) }
        i += 1
        return (r, packed)
    }

    /// A number's text, for messages and slow paths.
    func text(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
    }

    /// Reads a number scaled by 1000 and rounded to an integer (microseconds → nanoseconds), exactly for up to
    /// three decimals. Nil if the value is not a number (nothing is consumed then).
    @inline(__always) mutating func scaledNumber(_ field: String) throws(ChromeJSONError) -> Int64? {
        skipWhitespace()
        guard i < count else { throw endError(field) }
        let start = i
        var negative = false
        if base[i] == 0x2D {
            negative = true
            i += 1
        }
        guard i < count, base[i] &- 0x30 < 10 else {
            i = start
            return nil
        }
        var magnitude: UInt64 = 0
        var overflow = false
        let digitsStart = i
        while i < count {
            let d = base[i] &- 0x30
            if d >= 10 { break }
            magnitude = magnitude &* 10 &+ UInt64(d)
            i += 1
        }
        // Up to 19 digits stay below 10^19 < 2^64.
        if i - digitsStart > 19 { overflow = true }
        var frac: UInt64 = 0
        var fracDigits = 0
        var roundUp = false
        if i < count && base[i] == 0x2E {
            i += 1
            let fracStart = i
            while i < count {
                let d = base[i] &- 0x30
                if d >= 10 { break }
                if fracDigits < 3 {
                    frac = frac * 10 + UInt64(d)
                    fracDigits += 1
                } else if fracDigits == 3 {
                    roundUp = d >= 5
                    fracDigits = 4
                }
                i += 1
            }
            if i == fracStart { throw .invalidJSON(offset: i, field: field, expected: "a digit", found: excerpt(at: i)) }
        }
        if i < count && (base[i] | 0x20) == 0x65 {
            // An exponent: rare in traces; read through Double.
            i += 1
            if i < count && (base[i] == 0x2B || base[i] == 0x2D) { i += 1 }
            while i < count && base[i] &- 0x30 < 10 { i += 1 }
            guard let d = Double(text(start, i)), (d * 1000).isFinite, abs(d * 1000) < 9.2e18 else {
                throw .invalidValue(field: field, offset: start, value: text(start, i), problem: "not a number in range")
            }
            return Int64((d * 1000).rounded())
        }
        while fracDigits < 3 {
            frac *= 10
            fracDigits += 1
        }
        let (m, o1) = magnitude.multipliedReportingOverflow(by: 1000)
        let (total, o2) = m.addingReportingOverflow(frac + (roundUp ? 1 : 0))
        if overflow || o1 || o2 || total > UInt64(Int64.max) + (negative ? 1 : 0) {
            throw .invalidValue(field: field, offset: start, value: text(start, i), problem: "out of range")
        }
        return negative ? Int64(truncatingIfNeeded: 0 &- total) : Int64(total)
    }

    /// Reads an integer (a JSON number without fraction). Nil if the value is not a number.
    @inline(__always) mutating func integer(_ field: String) throws(ChromeJSONError) -> Int64? {
        skipWhitespace()
        guard i < count else { throw endError(field) }
        let start = i
        var negative = false
        if base[i] == 0x2D {
            negative = true
            i += 1
        }
        guard i < count, base[i] &- 0x30 < 10 else {
            i = start
            return nil
        }
        var magnitude: UInt64 = 0
        var overflow = false
        while i < count {
            let d = base[i] &- 0x30
            if d >= 10 { break }
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(d))
            overflow = overflow || o1 || o2
            magnitude = a
            i += 1
        }
        if i < count && (base[i] == 0x2E || (base[i] | 0x20) == 0x65) {
            // A fraction or exponent: accept whole values written as such (1.0, 1e3).
            while i < count, base[i] == 0x2E || base[i] == 0x2B || base[i] == 0x2D || (base[i] | 0x20) == 0x65
                || base[i] &- 0x30 < 10
            {
                i += 1
            }
            guard let d = Double(text(start, i)), d == d.rounded(), abs(d) < 9.2e18 else {
                throw .invalidValue(field: field, offset: start, value: text(start, i), problem: "not a whole number in range")
            }
            return Int64(d)
        }
        if overflow || magnitude > UInt64(Int64.max) + (negative ? 1 : 0) {
            throw .invalidValue(field: field, offset: start, value: text(start, i), problem: "out of range")
        }
        return negative ? Int64(truncatingIfNeeded: 0 &- magnitude) : Int64(magnitude)
    }

    /// Reads any number as a Double. Nil if the value is not a number.
    mutating func double(_ field: String) throws(ChromeJSONError) -> Double? {
        skipWhitespace()
        guard i < count else { throw endError(field) }
        let start = i
        guard base[i] == 0x2D || base[i] &- 0x30 < 10 else { return nil }
        while i < count, base[i] == 0x2E || base[i] == 0x2B || base[i] == 0x2D || (base[i] | 0x20) == 0x65
            || base[i] &- 0x30 < 10
        {
            i += 1
        }
        guard let d = Double(text(start, i)) else {
            throw .invalidJSON(offset: start, field: field, expected: "a number", found: excerpt(at: start))
        }
        return d
    }

    /// Whether the bytes of `r` equal `literal`.
    @inline(__always) func equals(_ r: StringRange, _ literal: StaticString) -> Bool {
        guard r.count == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        for j in 0..<r.count where base[r.start + j] != p[j] { return false }
        return true
    }

    /// Whether the bytes of `r` start with `prefix`.
    @inline(__always) func hasPrefix(_ r: StringRange, _ prefix: StaticString) -> Bool {
        guard r.count >= prefix.utf8CodeUnitCount else { return false }
        let p = prefix.utf8Start
        for j in 0..<prefix.utf8CodeUnitCount where base[r.start + j] != p[j] { return false }
        return true
    }
}

/// A word with the high bit set in the lowest byte of `x` that is zero (higher bits may be spurious).
@inline(__always) func zeroBytes(_ x: UInt64) -> UInt64 {
    (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
}

/// `s` packed little-endian into a UInt64 (at most 8 bytes), to compare with ``JSONScanner/key(_:)``.
@inline(__always) func packedKey(_ s: StaticString) -> UInt64 {
    var v: UInt64 = 0
    let p = s.utf8Start
    for j in 0..<min(8, s.utf8CodeUnitCount) { v |= UInt64(p[j]) << (8 * UInt64(j)) }
    return v
}

extension String {
    func replacingNewlines() -> String {
        String(unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : Character($0) })
    }
}
