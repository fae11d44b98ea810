/// Text from a trace made safe to print on a terminal: nothing in it is a control that a terminal acts on.
package enum TerminalSafe {
    /// Whether a terminal acts on `scalar` instead of showing it: C0 controls (ESC, NUL, CR, BEL…), DEL, C1
    /// controls (U+0080–U+009F, among them the one-byte CSI), and the bidirectional controls that reorder what is
    /// shown (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069).
    @inline(__always)
    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0..<0x20, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `text` with every unsafe scalar replaced by `replacement` (dropped when nil). With `keepingLines`,
    /// newlines and tabs are kept (for whole reports; a name or a cell keeps nothing).
    package static func clean(_ text: String, keepingLines: Bool = false, replacement: Unicode.Scalar? = nil) -> String
    {
        func unsafe(_ s: Unicode.Scalar) -> Bool { isUnsafe(s) && !(keepingLines && (s == "\n" || s == "\t")) }
        guard text.unicodeScalars.contains(where: unsafe) else { return text }
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if !unsafe(s) {
                out.append(s)
            } else if let replacement {
                out.append(replacement)
            }
        }
        return String(out)
    }
}
