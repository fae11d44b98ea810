/// A small built-in font: 5×7 pixel glyphs in a 6-pixel cell for printable
/// ASCII and a few symbols (µ, ×, ·, –, —, −, …, →), scaled by whole pixels; other
/// characters are drawn as a box. Needs no files and no libraries, so text
/// can always be drawn. The scale is `max(1, round(size / 12))`: at size 12
/// a glyph is 7 pixels tall and every character advances 6 pixels.
public struct BitmapTextRenderer: TextRenderer {
    /// Describes the font.
    public var name: String { "built-in 5×7 bitmap font" }

    /// The built-in font.
    public init() {}

    /// A glyph: rows of 5 bits (bit 4 is the leftmost column), 7 rows from
    /// the cap line down to the baseline and up to 2 below it.
    struct Glyph: Sendable {
        var rows: [UInt8]
    }

    /// Glyphs by Unicode scalar value.
    static let glyphs: [UInt32: Glyph] = {
        var table: [UInt32: Glyph] = [:]
        for (scalar, art) in art {
            table[scalar.value] = parse(art)
        }
        return table
    }()

    static let missing = parse(missingArt)

    /// Parses glyph art; malformed art (checked by tests) gives no ink.
    static func parse(_ art: String) -> Glyph {
        let rows = art.split(separator: " ")
        guard rows.count == 7 || rows.count == 9, rows.allSatisfy({ $0.utf8.count == 5 }) else {
            return Glyph(rows: [])
        }
        return Glyph(
            rows: rows.map { row in
                row.utf8.reduce(UInt8(0)) { bits, ch in bits << 1 | (ch == UInt8(ascii: "#") ? 1 : 0) }
            })
    }

    /// The integer scale used at `size`.
    public static func scale(size: Double) -> Int {
        clampedInt((size / 12).rounded(), 1, 64)
    }

    public func metrics(size: Double) -> FontMetrics {
        let s = Double(Self.scale(size: size))
        return FontMetrics(ascent: 8 * s, descent: 2 * s, lineHeight: 11 * s)
    }

    public func measure(_ text: String, size: Double) -> Double {
        Double(text.unicodeScalars.count * 6 * Self.scale(size: size))
    }

    public func render(_ text: String, at origin: Point, size: Double, color: Color, on canvas: inout Canvas) {
        guard color.a > 0 else { return }
        let s = Self.scale(size: size)
        var x = clampedInt(origin.x.rounded(), -(1 << 30), 1 << 30)
        let top = clampedInt(origin.y.rounded(), -(1 << 30), 1 << 30) - 7 * s
        for scalar in text.unicodeScalars {
            let glyph = Self.glyphs[scalar.value] ?? Self.missing
            for (r, bits) in glyph.rows.enumerated() where bits != 0 {
                for c in 0..<5 where bits & (0x10 >> UInt8(c)) != 0 {
                    canvas.fill(x: x + c * s, y: top + r * s, width: s, height: s, color)
                }
            }
            x += 6 * s
        }
    }
}
