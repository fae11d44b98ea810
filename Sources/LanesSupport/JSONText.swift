/// `text` as a JSON string literal, quotes included. Besides what JSON requires, `<`, `>`, `&`,
/// U+2028 and U+2029 are written as `\u` escapes, so the literal is also safe inside an HTML
/// `<script>` element and in JavaScript source.
package func jsonQuoted(_ text: String) -> String {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(text.utf8.count + 2)
    bytes.appendJSONQuoted(text, scriptSafe: true)
    return String(decoding: bytes, as: UTF8.self)
}

extension Array where Element == UInt8 {
    /// Appends `text` as a JSON string literal, quotes included: `"` and `\` escaped, control characters as
    /// `\n`, `\r`, `\t` or `\u00XX`. With `scriptSafe`, also `<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes
    /// (see ``jsonQuoted(_:)``). The one JSON string writer of every Lanes output.
    package mutating func appendJSONQuoted(_ text: String, scriptSafe: Bool = false) {
        let utf8 = text.utf8
        append(0x22)
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let c = utf8[i]
            utf8.formIndex(after: &i)
            switch c {
            case 0x22: append(contentsOf: [0x5C, 0x22])
            case 0x5C: append(contentsOf: [0x5C, 0x5C])
            case 0x0A: append(contentsOf: [0x5C, 0x6E])
            case 0x0D: append(contentsOf: [0x5C, 0x72])
            case 0x09: append(contentsOf: [0x5C, 0x74])
            case 0..<0x20: appendUnicodeEscape(UInt32(c))
            case 0x3C where scriptSafe, 0x3E where scriptSafe, 0x26 where scriptSafe: appendUnicodeEscape(UInt32(c))
            case 0xE2 where scriptSafe:
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                var j = i
                if j != utf8.endIndex, utf8[j] == 0x80 {
                    utf8.formIndex(after: &j)
                    if j != utf8.endIndex, utf8[j] == 0xA8 || utf8[j] == 0xA9 {
                        appendUnicodeEscape(utf8[j] == 0xA8 ? 0x2028 : 0x2029)
                        i = utf8.index(after: j)
                        continue
                    }
                }
                append(c)
            default: append(c)
            }
        }
        append(0x22)
    }

    private mutating func appendUnicodeEscape(_ v: UInt32) {
        let hex: StaticString = "0123456789abcdef"
        append(contentsOf: [0x5C, 0x75])
        for shift in [12, 8, 4, 0] as [UInt32] { append(hex.utf8Start[Int(v >> shift & 15)]) }
    }
}
