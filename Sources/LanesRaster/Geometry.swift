/// A point in canvas coordinates: x grows right, y grows down, and pixel
/// (i, j) covers the square from (i, j) to (i + 1, j + 1), so its centre is
/// at (i + 0.5, j + 0.5).
public struct Point: Hashable, Sendable {
    /// Horizontal coordinate in pixels.
    public var x: Double
    /// Vertical coordinate in pixels (down is positive).
    public var y: Double

    /// A point from its coordinates.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}

/// An axis-aligned rectangle in canvas coordinates (see ``Point``). Edges may
/// be fractional; a negative width or height is treated as empty.
public struct Rect: Hashable, Sendable {
    /// Left edge.
    public var x: Double
    /// Top edge.
    public var y: Double
    /// Width in pixels.
    public var width: Double
    /// Height in pixels.
    public var height: Double

    /// A rectangle from its origin and size.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// A rectangle from integer pixel bounds.
    public init(x: Int, y: Int, width: Int, height: Int) {
        self.init(x: Double(x), y: Double(y), width: Double(width), height: Double(height))
    }

    /// A rectangle spanning two edges on each axis, in any order.
    public init(left: Double, top: Double, right: Double, bottom: Double) {
        self.init(x: min(left, right), y: min(top, bottom), width: abs(right - left), height: abs(bottom - top))
    }

    /// Left edge (`x`).
    public var minX: Double { x }
    /// Top edge (`y`).
    public var minY: Double { y }
    /// Right edge (`x + width`).
    public var maxX: Double { x + width }
    /// Bottom edge (`y + height`).
    public var maxY: Double { y + height }
    /// True when the rectangle covers no area (or is not a number).
    public var isEmpty: Bool { !(width > 0 && height > 0) }

    /// The overlap of two rectangles; empty (zero size) when they do not meet.
    public func intersection(_ other: Rect) -> Rect {
        let l = max(minX, other.minX), t = max(minY, other.minY)
        let r = min(maxX, other.maxX), b = min(maxY, other.maxY)
        return r > l && b > t ? Rect(x: l, y: t, width: r - l, height: b - t) : Rect(x: l, y: t, width: 0, height: 0)
    }

    /// The rectangle grown by `dx` on the left and right and `dy` on the top
    /// and bottom (negative values shrink it).
    public func insetBy(dx: Double, dy: Double) -> Rect {
        Rect(x: x + dx, y: y + dy, width: width - 2 * dx, height: height - 2 * dy)
    }
}

/// Integer pixel bounds, half-open: columns `x0..<x1`, rows `y0..<y1`.
struct PixelBox: Equatable, Sendable {
    var x0: Int, y0: Int, x1: Int, y1: Int

    var isEmpty: Bool { x1 <= x0 || y1 <= y0 }

    func intersection(_ o: PixelBox) -> PixelBox {
        PixelBox(x0: max(x0, o.x0), y0: max(y0, o.y0), x1: min(x1, o.x1), y1: min(y1, o.y1))
    }
}
