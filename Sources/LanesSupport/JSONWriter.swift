/// The one JSON writer of every Lanes output (the Chrome Trace export, the HTML page's data, `advise --json`):
/// UTF-8 bytes appended to a buffer, strings quoted by ``Swift/Array/appendJSONQuoted(_:scriptSafe:)``.
///
/// Two layers share the buffer. The raw layer (``raw(_:)-(StaticString)``, ``quoted(_:)``, ``unsigned(_:)``,
/// ``integer(_:)``, ``micros(_:)``, ``member(_:_:)``) writes exactly what it is given, for hot paths that write
/// their own punctuation. The value layer (``open()``, ``key(_:)``, ``string(_:)``, ``number(_:)-(Int64)``,
/// ``array(_:_:)``, …) places commas itself: a comma goes before a value or key unless the text so far is
/// empty or ends in `[`, `{`, `:` or `,`.
package struct JSONWriter: Sendable {
    /// The text written so far, UTF-8.
    package var bytes: [UInt8]
    /// Whether strings also escape `<`, `>`, `&`, U+2028 and U+2029, so the text can sit inside an HTML
    /// `<script>` element (see ``jsonQuoted(_:)``).
    package let scriptSafe: Bool

    /// An empty writer; `scriptSafe` as for the HTML page (the default) or plain JSON quoting.
    package init(scriptSafe: Bool = true, capacity: Int = 0) {
        self.scriptSafe = scriptSafe
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// The text written so far.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Raw layer: exactly the text given.

    @inlinable @inline(__always) package mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    /// `s` as is: JSON text the caller wrote (a nested document, digits). Disfavoured, so that a literal
    /// goes to the `StaticString` overload.
    @_disfavoredOverload package mutating func raw(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// `s` as a string literal, quotes included.
    @inlinable @inline(__always) package mutating func quoted(_ s: String) {
        bytes.appendJSONQuoted(s, scriptSafe: scriptSafe)
    }

    /// The decimal digits of `v`.
    @inlinable package mutating func unsigned(_ v: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: room for the 20 digits of UInt64.max
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(truncatingIfNeeded: x % 10) &+ 0x30
                x /= 10
                n += 1
            } while x > 0
            for k in stride(from: n - 1, through: 0, by: -1) { bytes.append(d[k]) }
        }
    }

    /// `v` in decimal, with a minus sign when negative.
    @inlinable package mutating func integer(_ v: Int64) {
        if v < 0 { bytes.append(0x2D) }
        unsigned(v.magnitude)
    }

    /// Nanoseconds as microseconds with up to three decimals, exactly.
    @inlinable package mutating func micros(_ ns: Int64) {
        if ns < 0 { bytes.append(0x2D) }
        let m = ns.magnitude
        unsigned(m / 1000)
        let f = m % 1000
        if f != 0 {
            bytes.append(0x2E)
            bytes.append(UInt8(truncatingIfNeeded: f / 100) &+ 0x30)
            bytes.append(UInt8(truncatingIfNeeded: f / 10 % 10) &+ 0x30)
            bytes.append(UInt8(truncatingIfNeeded: f % 10) &+ 0x30)
        }
    }

    /// `,"key":"value"`: a member after the first.
    @inlinable package mutating func member(_ key: StaticString, _ value: String) {
        raw(",\"")
        raw(key)
        raw("\":")
        quoted(value)
    }

    // MARK: Value layer: commas placed between values.

    @inline(__always) private mutating func comma() {
        guard let last = bytes.last else { return }
        switch last {
        case 0x5B, 0x7B, 0x3A, 0x2C: return  // [ { : ,
        default: bytes.append(0x2C)
        }
    }

    /// Opens an object.
    package mutating func open() {
        comma()
        bytes.append(0x7B)
    }

    /// Closes the object open last.
    package mutating func close() { bytes.append(0x7D) }

    /// An object's key, with its colon.
    package mutating func key(_ k: String) {
        comma()
        quoted(k)
        bytes.append(0x3A)
    }

    /// A string value.
    package mutating func string(_ s: String) {
        comma()
        quoted(s)
    }

    /// A string value, or `null` for nil.
    package mutating func stringOrNull(_ s: String?) {
        if let s { string(s) } else { null() }
    }

    /// `null`.
    package mutating func null() {
        comma()
        raw("null")
    }

    /// An integer value.
    package mutating func number(_ v: Int64) {
        comma()
        integer(v)
    }

    /// An integer value.
    package mutating func number(_ v: Int) { number(Int64(v)) }

    /// A number: integral values below 9e15 as integers, others as Swift prints them, non-finite ones as 0
    /// (JSON has no NaN; write ``null()`` instead where 0 would mislead).
    package mutating func number(_ v: Double) {
        comma()
        raw(Self.format(v))
    }

    /// A value the caller wrote as JSON text (a number in its own format, a nested document).
    package mutating func value(_ json: String) {
        comma()
        raw(json)
    }

    /// An array of strings.
    package mutating func strings(_ values: [String]) { array(values) { $0.string($1) } }

    /// An array of numbers (see ``number(_:)-(Double)``).
    package mutating func numbers(_ values: [Double]) { array(values) { $0.number($1) } }

    /// An array with `item` writing each of `values` through the value layer.
    package mutating func array<T>(_ values: [T], _ item: (inout JSONWriter, T) -> Void) {
        comma()
        bytes.append(0x5B)
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(0x2C) }
            item(&self, v)
        }
        bytes.append(0x5D)
    }

    /// The text of ``number(_:)-(Double)``.
    package static func format(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        if v == v.rounded(), abs(v) < 9e15 { return String(Int64(v)) }
        return String(v)
    }
}
