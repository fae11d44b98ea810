extension BitmapTextRenderer {
    /// Glyph art entries that are malformed or duplicated (empty when the
    /// table is sound). For tests.
    package static func glyphTableProblems() -> [String] {
        var problems: [String] = []
        var seen: Set<UInt32> = []
        for (scalar, art) in art + [("\u{FFFD}", missingArt)] {
            if parse(art).rows.isEmpty { problems.append("malformed art for U+\(String(scalar.value, radix: 16))") }
            if !seen.insert(scalar.value).inserted {
                problems.append("duplicate art for U+\(String(scalar.value, radix: 16))")
            }
        }
        return problems
    }

    /// Whether the font has its own glyph (not the box) for `scalar`. For tests.
    package static func hasGlyph(_ scalar: Unicode.Scalar) -> Bool {
        glyphs[scalar.value] != nil
    }
}
