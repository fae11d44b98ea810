// Turns text files into one Swift source of string constants, so a target carries them in its binary
// with no resource bundle to find at run time. Run by the LanesEmbedPlugin build-tool plugin:
//
//     LanesEmbed OUTPUT.swift ENUM FILE...
//
// Each FILE becomes `static let <stem><EXT>` (page.js → pageJS) in `enum ENUM`, holding the file's exact
// text less one final newline (files end with a newline on disk; the constants do not). A file that is
// not UTF-8 or cannot be read stops the build with one line naming it.
#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

func fail(_ message: String) -> Never {
    let line = Array("LanesEmbed: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(1)
}

func readBytes(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { fail("cannot read \(path): \(String(cString: strerror(errno)))") }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&chunk, 1, chunk.count, f)
        bytes.append(contentsOf: chunk[0..<n])
        if n < chunk.count {
            if ferror(f) != 0 { fail("cannot read \(path): read error") }
            break
        }
    }
    return bytes
}

/// `page.js` → `pageJS`, `scenario-page.css` → `scenarioPageCSS`.
func identifier(_ path: String) -> String {
    let base = String(path.split(separator: "/").last ?? "")
    var parts = base.split(separator: ".")
    let ext = parts.count > 1 ? String(parts.removeLast()).uppercased() : ""
    var out = ""
    var upper = false
    for c in parts.joined(separator: "_") {
        if c.isLetter || c.isNumber {
            out.append(upper ? Character(c.uppercased()) : c)
            upper = false
        } else {
            upper = !out.isEmpty
        }
    }
    if out.isEmpty || out.first!.isNumber { out = "file" + out }
    return out + ext
}

/// The text as an ordinary Swift string literal: quotes, backslashes and control characters escaped,
/// everything else as it is.
func literal(_ text: String) -> String {
    var s = "\""
    for u in text.unicodeScalars {
        switch u {
        case "\\": s += "\\\\"
        case "\"": s += "\\\""
        case "\n": s += "\\n"
        case "\r": s += "\\r"
        case "\t": s += "\\t"
        case _ where u.value < 0x20 || u.value == 0x7F:
            s += "\\u{" + String(u.value, radix: 16) + "}"
        default: s.unicodeScalars.append(u)
        }
    }
    return s + "\""
}

let args = CommandLine.arguments
guard args.count >= 3 else { fail("usage: LanesEmbed OUTPUT.swift ENUM FILE...") }
let output = args[1]
let enumName = args[2]
var source = "// Generated at build time by LanesEmbed from the files named below; edit those, not this.\n"
source += "enum \(enumName) {\n"
var seen: Set<String> = []
for path in args.dropFirst(3).sorted() {
    var bytes = readBytes(path)
    guard let text = String(validating: bytes, as: UTF8.self) else { fail("\(path) is not UTF-8") }
    _ = text
    if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
    let name = identifier(path)
    guard seen.insert(name).inserted else { fail("two files give the constant \(name) (\(path))") }
    let base = path.split(separator: "/").suffix(2).joined(separator: "/")
    source += "    /// \(base), as text.\n"
    source += "    static let \(name) = \(literal(String(decoding: bytes, as: UTF8.self)))\n"
}
source += "}\n"

guard let out = fopen(output, "wb") else { fail("cannot write \(output): \(String(cString: strerror(errno)))") }
let utf8 = Array(source.utf8)
if fwrite(utf8, 1, utf8.count, out) != utf8.count || fclose(out) != 0 { fail("cannot write \(output)") }
