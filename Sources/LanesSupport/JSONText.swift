/// `text` as a JSON string literal, quotes included. Besides what JSON requires, `<`, `>`, `&`,
/// U+2028 and U+2029 are written as `\u` escapes, so the literal is also safe inside an HTML
/// `<script>` element and in JavaScript source.
package func jsonQuoted(_ text: String) -> String {
    var out = "\""
    out.unicodeScalars.reserveCapacity(text.utf8.count + 2)
    for u in text.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "<", ">", "&", "\u{2028}", "\u{2029}": out += unicodeEscape(u.value)
        default:
            if u.value < 0x20 { out += unicodeEscape(u.value) } else { out.unicodeScalars.append(u) }
        }
    }
    return out + "\""
}

private func unicodeEscape(_ v: UInt32) -> String {
    let digits = Array("0123456789abcdef".unicodeScalars)
    var out = "\\u"
    for shift in [12, 8, 4, 0] { out.unicodeScalars.append(digits[Int(v >> UInt32(shift) & 15)]) }
    return out
}
