import LanesCore

/// An opaque colour in a layout. Layouts carry no raster types, so HTML and Mermaid can use them too.
public struct RGB: Hashable, Sendable, CustomStringConvertible {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    public init(_ hex: UInt32) {
        r = UInt8(truncatingIfNeeded: hex >> 16)
        g = UInt8(truncatingIfNeeded: hex >> 8)
        b = UInt8(truncatingIfNeeded: hex)
    }

    public init(r: UInt8, g: UInt8, b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// `#rrggbb`, for CSS and SVG.
    public var description: String {
        let digits = Array("0123456789abcdef")
        var s = "#"
        for v in [r, g, b] {
            s.append(digits[Int(v >> 4)])
            s.append(digits[Int(v & 15)])
        }
        return s
    }

    /// The colour mixed with `other`: `amount` 0 gives self, 1 gives `other`.
    public func mixed(with other: RGB, _ amount: Double) -> RGB {
        func m(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Double(a) * (1 - amount) + Double(b) * amount).rounded()) }
        return RGB(r: m(r, other.r), g: m(g, other.g), b: m(b, other.b))
    }

    /// Relative luminance, 0 (black) ... 1 (white), sRGB weights without linearising.
    public var luminance: Double { (0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)) / 255 }
}

/// How a wait's area is striped, so reasons differ by more than colour.
public enum HatchPattern: Hashable, Sendable {
    /// Stripes rising to the right, like `/`.
    case rising
    /// Stripes falling to the right, like `\`.
    case falling
    /// Both.
    case cross
}

/// The colours every chart uses: spans by name, waits by reason, CPU states, and the theme's neutrals.
public enum Palette {
    /// Colour-blind-safe colours for span names: Okabe–Ito (without black) then Paul Tol's muted set.
    public static let spanColors: [RGB] = [
        RGB(0x0072B2), RGB(0xE69F00), RGB(0x009E73), RGB(0xCC79A7), RGB(0x56B4E9), RGB(0xD55E00),
        RGB(0xF0E442), RGB(0x332288), RGB(0x44AA99), RGB(0x999933), RGB(0x882255), RGB(0x88CCEE),
        RGB(0x117733), RGB(0xDDCC77), RGB(0xCC6677), RGB(0xAA4499),
    ]

    /// The colour for spans called `name`: FNV-1a of its UTF-8 bytes into ``spanColors``, so the same
    /// name has the same colour in every chart, on every machine.
    public static func color(forSpanName name: String) -> RGB {
        spanColors[Int(stableHash(name) % UInt64(spanColors.count))]
    }

    /// FNV-1a, 64 bits: stable across processes, unlike `Hasher`.
    public static func stableHash(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// The stripe colour and pattern of each wait reason, drawn over a pale tint of the same colour. Two
    /// reasons whose colours are closer than ``minimumDistance`` (CIEDE2000) have different patterns.
    public static func wait(_ reason: WaitReason) -> (color: RGB, hatch: HatchPattern) {
        switch reason {
        case .lock: (RGB(0xC0392B), .cross)
        case .condition: (RGB(0x8E44AD), .rising)
        case .semaphore: (RGB(0x6C3483), .falling)
        case .sleep: (RGB(0x707070), .rising)
        case .ioRead: (RGB(0x1F618D), .cross)
        case .ioWrite: (RGB(0x2E86C1), .rising)
        case .queueGet: (RGB(0x1E8449), .falling)
        case .queuePut: (RGB(0x239B56), .rising)
        case .join: (RGB(0x935116), .falling)
        case .childProcess: (RGB(0x7E5109), .rising)
        case .ipc: (RGB(0x117A65), .cross)
        case .runQueue: (RGB(0xB9770E), .cross)
        case .suspended: (RGB(0x566573), .falling)
        case .gil: (RGB(0xA93226), .rising)
        case .other: (RGB(0x444444), .cross)
        case .poll: (RGB(0x5D8AA8), .cross)
        }
    }

    /// The pale tint under a wait's stripes.
    public static func waitBackground(_ reason: WaitReason) -> RGB {
        wait(reason).color.mixed(with: RGB(0xFFFFFF), 0.78)
    }

    /// CPU state strip colours: running, runnable but waiting for a CPU, blocked.
    public static let cpuRunning = RGB(0x009E73)
    public static let cpuRunQueue = RGB(0xE69F00)
    public static let cpuBlocked = RGB(0xBBBBBB)

    /// Counter area charts.
    public static let counter = RGB(0x4477AA)
    /// Flow arrows.
    public static let flow = RGB(0x444444)

    /// Neutrals of a theme.
    public struct ThemeColors: Hashable, Sendable {
        public var background: RGB
        public var text: RGB
        public var secondaryText: RGB
        public var grid: RGB
        public var rowStripe: RGB
        public var groupBackground: RGB
        public var flow: RGB
    }

    public static func colors(for theme: ChartOptions.Theme) -> ThemeColors {
        switch theme {
        case .light:
            ThemeColors(
                background: RGB(0xFFFFFF), text: RGB(0x1A1A1A), secondaryText: RGB(0x5A5A5A), grid: RGB(0xDDDDDD),
                rowStripe: RGB(0xF5F6F8), groupBackground: RGB(0xE9ECF1), flow: RGB(0x333333))
        case .dark:
            ThemeColors(
                background: RGB(0x16181D), text: RGB(0xECECEC), secondaryText: RGB(0xA8A8A8), grid: RGB(0x3A3D44),
                rowStripe: RGB(0x1E2127), groupBackground: RGB(0x2A2E36), flow: RGB(0xDDDDDD))
        }
    }
}
