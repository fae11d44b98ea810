// Shapes for anti-aliased drawing: each knows which pixels it may touch and
// how much of a pixel it covers, estimated from the signed distance of the
// pixel centre to its outline (one pixel of soft edge).

/// A shape ``Canvas`` can rasterize with coverage.
protocol CoverageShape {
    /// The vertical extent of pixels the shape may touch (nil when none).
    var rowRange: ClosedRange<Double>? { get }
    /// The horizontal extent the shape may touch on the pixel row centred at `yc`.
    func span(rowCentre yc: Double) -> ClosedRange<Double>?
    /// Coverage (0...1) of the pixel centred at (x, y).
    func coverage(x: Double, y: Double) -> Double
}

/// `lo...hi`, or nil when `lo > hi` or either is NaN.
@inline(__always)
func orderedRange(_ lo: Double, _ hi: Double) -> ClosedRange<Double>? {
    lo <= hi ? lo...hi : nil
}

/// Two shapes drawn as one: coverage is the larger of the two, so the
/// overlap is not blended twice.
struct ShapeUnion<First: CoverageShape, Second: CoverageShape>: CoverageShape {
    let first: First
    let second: Second

    var rowRange: ClosedRange<Double>? {
        union(first.rowRange, second.rowRange)
    }

    func span(rowCentre yc: Double) -> ClosedRange<Double>? {
        union(first.span(rowCentre: yc), second.span(rowCentre: yc))
    }

    @inline(__always)
    func coverage(x: Double, y: Double) -> Double {
        let a = first.coverage(x: x, y: y)
        return a >= 1 ? a : max(a, second.coverage(x: x, y: y))
    }

    private func union(_ a: ClosedRange<Double>?, _ b: ClosedRange<Double>?) -> ClosedRange<Double>? {
        guard let a else { return b }
        guard let b else { return a }
        return min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound)
    }
}

/// A segment stroked with round caps.
struct Capsule: CoverageShape {
    let ax: Double, ay: Double, bx: Double, by: Double
    /// Half the stroke width, at least half a pixel.
    let halfWidth: Double
    /// Opacity scale for strokes thinner than a pixel.
    let scale: Double
    /// How far from the segment a pixel centre can still get coverage.
    let reach: Double
    let dx: Double, dy: Double, lengthSquared: Double

    init(_ a: Point, _ b: Point, width: Double) {
        ax = a.x
        ay = a.y
        bx = b.x
        by = b.y
        halfWidth = max(width / 2, 0.5)
        scale = min(width, 1)
        reach = halfWidth + 0.5
        dx = bx - ax
        dy = by - ay
        lengthSquared = dx * dx + dy * dy
    }

    var rowRange: ClosedRange<Double>? {
        orderedRange(min(ay, by) - reach, max(ay, by) + reach)
    }

    func span(rowCentre yc: Double) -> ClosedRange<Double>? {
        if dy == 0 {
            guard abs(ay - yc) <= reach else { return nil }
            return orderedRange(min(ax, bx) - reach, max(ax, bx) + reach)
        }
        let t0 = (yc - reach - ay) / dy, t1 = (yc + reach - ay) / dy
        let lo = max(0, min(t0, t1)), hi = min(1, max(t0, t1))
        guard lo <= hi else { return nil }
        let xa = ax + dx * lo, xb = ax + dx * hi
        return orderedRange(min(xa, xb) - reach, max(xa, xb) + reach)
    }

    @inline(__always)
    func coverage(x: Double, y: Double) -> Double {
        var t = 0.0
        if lengthSquared > 0 {
            t = ((x - ax) * dx + (y - ay) * dy) / lengthSquared
            t = min(1, max(0, t))
        }
        let px = ax + dx * t - x, py = ay + dy * t - y
        let distanceSquared = px * px + py * py
        if distanceSquared >= reach * reach { return 0 }
        return min(1, max(0, reach - distanceSquared.squareRoot())) * scale
    }
}

/// A convex polygon with edges as inward unit normals.
struct ConvexPolygon: CoverageShape {
    let points: [Point]
    /// For each edge: inward normal (nx, ny) and offset c, so that
    /// `nx * x + ny * y + c` is the signed distance inside the edge.
    let edges: [(nx: Double, ny: Double, c: Double)]
    /// Bounds grown by the one-pixel soft edge.
    let minX: Double, maxX: Double, minY: Double, maxY: Double

    /// Nil for fewer than three points, non-finite points or no area.
    init?(_ points: [Point]) {
        guard points.count >= 3, points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        var area = 0.0
        for i in points.indices {
            let p = points[i], q = points[(i + 1) % points.count]
            area += p.x * q.y - q.x * p.y
        }
        guard area.isFinite, abs(area) > 1e-12 else { return nil }
        // Positive `area` (shoelace, y down) means the points run clockwise
        // on screen, and (-ey, ex) of each edge points inside.
        let sign: Double = area > 0 ? 1 : -1
        var edges: [(nx: Double, ny: Double, c: Double)] = []
        for i in points.indices {
            let p = points[i], q = points[(i + 1) % points.count]
            let ex = q.x - p.x, ey = q.y - p.y
            let length = (ex * ex + ey * ey).squareRoot()
            guard length > 0 else { continue }
            let nx = -ey / length * sign, ny = ex / length * sign
            edges.append((nx, ny, -(nx * p.x + ny * p.y)))
        }
        self.points = points
        self.edges = edges
        let xs = points.map(\.x), ys = points.map(\.y)
        minX = xs.min()! - 1
        maxX = xs.max()! + 1
        minY = ys.min()! - 1
        maxY = ys.max()! + 1
    }

    var rowRange: ClosedRange<Double>? {
        orderedRange(minY, maxY)
    }

    func span(rowCentre yc: Double) -> ClosedRange<Double>? {
        let lo = yc - 1, hi = yc + 1
        guard hi >= minY, lo <= maxY else { return nil }
        var left = Double.infinity, right = -Double.infinity
        for i in points.indices {
            let p = points[i], q = points[(i + 1) % points.count]
            if (p.y < lo && q.y < lo) || (p.y > hi && q.y > hi) { continue }
            let ey = q.y - p.y
            if ey == 0 {
                left = min(left, p.x, q.x)
                right = max(right, p.x, q.x)
                continue
            }
            let t0 = (lo - p.y) / ey, t1 = (hi - p.y) / ey
            let ta = max(0, min(t0, t1)), tb = min(1, max(t0, t1))
            guard ta <= tb else { continue }
            let xa = p.x + (q.x - p.x) * ta, xb = p.x + (q.x - p.x) * tb
            left = min(left, xa, xb)
            right = max(right, xa, xb)
        }
        return orderedRange(left - 1, right + 1)
    }

    @inline(__always)
    func coverage(x: Double, y: Double) -> Double {
        if x < minX || x > maxX || y < minY || y > maxY { return 0 }
        var inside = Double.infinity
        for e in edges {
            inside = min(inside, e.nx * x + e.ny * y + e.c)
        }
        return min(1, max(0, inside + 0.5))
    }
}
