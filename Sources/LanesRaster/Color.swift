/// An 8-bit RGBA colour with straight (not premultiplied) alpha.
public struct Color: Hashable, Sendable, CustomStringConvertible {
    /// Red, 0...255.
    public var r: UInt8
    /// Green, 0...255.
    public var g: UInt8
    /// Blue, 0...255.
    public var b: UInt8
    /// Opacity, 0 (transparent) ... 255 (opaque).
    public var a: UInt8

    /// A colour from its components; `a` defaults to opaque.
    public init(r: UInt8, g: UInt8, b: UInt8, a: UInt8 = 255) {
        self.r = r
        self.g = g
        self.b = b
        self.a = a
    }

    /// A colour from a hex string: `#RGB`, `#RGBA`, `#RRGGBB` or `#RRGGBBAA`
    /// (the `#` is optional). Returns nil for anything else.
    public init?(hex: String) {
        var digits = Substring(hex)
        if digits.first == "#" { digits = digits.dropFirst() }
        var values: [UInt8] = []
        for ch in digits.utf8 {
            switch ch {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(ch - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): values.append(ch - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): values.append(ch - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }
        switch values.count {
        case 3, 4:
            let c = values.map { $0 * 17 }
            self.init(r: c[0], g: c[1], b: c[2], a: c.count == 4 ? c[3] : 255)
        case 6, 8:
            let c = stride(from: 0, to: values.count, by: 2).map { values[$0] << 4 | values[$0 + 1] }
            self.init(r: c[0], g: c[1], b: c[2], a: c.count == 4 ? c[3] : 255)
        default:
            return nil
        }
    }

    /// A colour from a packed `0xRRGGBB` value, with an optional alpha.
    public init(rgb: UInt32, a: UInt8 = 255) {
        self.init(
            r: UInt8(truncatingIfNeeded: rgb >> 16), g: UInt8(truncatingIfNeeded: rgb >> 8),
            b: UInt8(truncatingIfNeeded: rgb), a: a)
    }

    /// The same colour with another opacity.
    public func withAlpha(_ alpha: UInt8) -> Color {
        Color(r: r, g: g, b: b, a: alpha)
    }

    /// `#RRGGBBAA`.
    public var description: String {
        let hexDigits = Array("0123456789abcdef")
        var s = "#"
        for v in [r, g, b, a] {
            s.append(hexDigits[Int(v >> 4)])
            s.append(hexDigits[Int(v & 15)])
        }
        return s
    }

    /// Opaque white.
    public static let white = Color(r: 255, g: 255, b: 255)
    /// Opaque black.
    public static let black = Color(r: 0, g: 0, b: 0)
    /// Fully transparent black.
    public static let clear = Color(r: 0, g: 0, b: 0, a: 0)
}
