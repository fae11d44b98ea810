extension Canvas {
    // MARK: Crisp lines

    /// Draws a crisp horizontal line covering pixel rows `y..<y + thickness`
    /// and columns `x0...x1` (inclusive, in either order), at full colour.
    /// A 1-px line lies on the pixel centres at y + 0.5.
    public mutating func drawHorizontalLine(y: Int, x0: Int, x1: Int, _ color: Color, thickness: Int = 1) {
        let lo = min(x0, x1), hi = max(x0, x1)
        fill(x: lo, y: y, width: hi - lo + 1, height: thickness, color)
    }

    /// Draws a crisp vertical line covering pixel columns `x..<x + thickness`
    /// and rows `y0...y1` (inclusive, in either order), at full colour.
    public mutating func drawVerticalLine(x: Int, y0: Int, y1: Int, _ color: Color, thickness: Int = 1) {
        let lo = min(y0, y1), hi = max(y0, y1)
        fill(x: x, y: lo, width: thickness, height: hi - lo + 1, color)
    }

    /// Draws a crisp outline just inside `rect`, whose edges are first
    /// rounded to the nearest pixel boundary.
    public mutating func strokeRect(_ rect: Rect, _ color: Color, thickness: Int = 1) {
        guard thickness > 0, !rect.isEmpty else { return }
        let big = Double(Int32.max)
        let x0 = Int(max(-big, min(big, rect.minX.rounded()))), x1 = Int(max(-big, min(big, rect.maxX.rounded())))
        let y0 = Int(max(-big, min(big, rect.minY.rounded()))), y1 = Int(max(-big, min(big, rect.maxY.rounded())))
        guard x1 > x0, y1 > y0 else { return }
        let t = min(thickness, (x1 - x0 + 1) / 2, (y1 - y0 + 1) / 2)
        fill(x: x0, y: y0, width: x1 - x0, height: t, color)
        fill(x: x0, y: y1 - t, width: x1 - x0, height: t, color)
        fill(x: x0, y: y0 + t, width: t, height: y1 - y0 - 2 * t, color)
        fill(x: x1 - t, y: y0 + t, width: t, height: y1 - y0 - 2 * t, color)
    }

    // MARK: Anti-aliased shapes

    /// Draws an anti-aliased line of any angle with round caps. Each pixel
    /// gets the colour at the fraction of it the stroke covers (estimated
    /// from the distance of the pixel centre to the segment), so a 1-px line
    /// through (x + 0.5, y + 0.5) centres is solid there. Lines thinner than
    /// one pixel are drawn one pixel wide and proportionally fainter.
    public mutating func drawLine(from a: Point, to b: Point, width: Double = 1, _ color: Color) {
        guard width > 0, width.isFinite, color.a > 0, a.x.isFinite, a.y.isFinite, b.x.isFinite, b.y.isFinite
        else { return }
        rasterize([.capsule(Capsule(a, b, width: width))], color)
    }

    /// Fills a convex polygon (points in either winding order) with
    /// anti-aliased edges. Non-convex input is not supported: what gets
    /// filled is the intersection of the half-planes inside its edges.
    public mutating func fillConvexPolygon(_ points: [Point], _ color: Color) {
        guard color.a > 0, let polygon = ConvexPolygon(points) else { return }
        rasterize([.convex(polygon)], color)
    }

    /// Draws an anti-aliased arrow from `a` to `b`: a shaft of `width` and a
    /// filled triangular head `headLength` long and `headWidth` wide whose
    /// tip is at `b`. Shaft and head are blended once as one shape, so
    /// translucent arrows have no darker seam.
    public mutating func drawArrow(
        from a: Point, to b: Point, width: Double = 1.5, headLength: Double = 8, headWidth: Double = 7,
        _ color: Color
    ) {
        let dx = b.x - a.x, dy = b.y - a.y
        let length = (dx * dx + dy * dy).squareRoot()
        guard color.a > 0, width > 0, length > 0, length.isFinite else { return }
        let ux = dx / length, uy = dy / length
        let head = min(max(headLength, 0), length)
        let half = max(headWidth, width) / 2
        let base = Point(x: b.x - ux * head, y: b.y - uy * head)
        var shapes: [CoverageShape] = []
        if head > 0, let triangle = ConvexPolygon([
            b,
            Point(x: base.x - uy * half, y: base.y + ux * half),
            Point(x: base.x + uy * half, y: base.y - ux * half),
        ]) {
            shapes.append(.convex(triangle))
        }
        if length - head > 0 {
            // The shaft ends half a pixel inside the head so no gap shows.
            let inset = min(0.5, head)
            let end = Point(x: base.x + ux * inset, y: base.y + uy * inset)
            shapes.append(.capsule(Capsule(a, end, width: width)))
        }
        rasterize(shapes, color)
    }

    /// Blends the union of `shapes` (coverage is the maximum over shapes)
    /// in `color`, row by row, visiting only pixels near the shapes.
    mutating func rasterize(_ shapes: [CoverageShape], _ color: Color) {
        guard !shapes.isEmpty, !clip.isEmpty else { return }
        var top = Double.infinity, bottom = -Double.infinity
        for shape in shapes {
            guard let r = shape.rowRange else { continue }
            top = min(top, r.lowerBound)
            bottom = max(bottom, r.upperBound)
        }
        guard top.isFinite, bottom.isFinite else { return }
        let y0 = clampedInt(top.rounded(.down), clip.y0, clip.y1)
        let y1 = clampedInt(bottom.rounded(.up), clip.y0, clip.y1)
        let box = clip, source = BlendSource(color), w = width
        withPixels { base in
            for y in y0..<max(y0, y1) {
                let yc = Double(y) + 0.5
                var left = Double.infinity, right = -Double.infinity
                for shape in shapes {
                    if let span = shape.span(rowCentre: yc) {
                        left = min(left, span.lowerBound)
                        right = max(right, span.upperBound)
                    }
                }
                guard left <= right else { continue }
                let x0 = clampedInt(left.rounded(.down), box.x0, box.x1)
                let x1 = clampedInt(right.rounded(.up), box.x0, box.x1)
                let row = base + y * w
                for x in x0..<max(x0, x1) {
                    let xc = Double(x) + 0.5
                    var coverage = 0.0
                    for shape in shapes {
                        coverage = max(coverage, shape.coverage(x: xc, y: yc))
                    }
                    let alpha = source.alpha(coverage: coverage)
                    if alpha > 0 { row[x] = source.blend(over: row[x], alpha: alpha) }
                }
            }
        }
    }
}

/// `lo...hi`, or nil when `lo > hi` or either is NaN.
@inline(__always)
func orderedRange(_ lo: Double, _ hi: Double) -> ClosedRange<Double>? {
    lo <= hi ? lo...hi : nil
}

/// A shape that knows how much of a pixel it covers.
enum CoverageShape {
    case capsule(Capsule)
    case convex(ConvexPolygon)

    /// The vertical extent of pixels the shape may touch.
    var rowRange: ClosedRange<Double>? {
        switch self {
        case .capsule(let c): c.rowRange
        case .convex(let p): p.rowRange
        }
    }

    /// The horizontal extent the shape may touch on the pixel row centred at `yc`.
    @inline(__always)
    func span(rowCentre yc: Double) -> ClosedRange<Double>? {
        switch self {
        case .capsule(let c): c.span(rowCentre: yc)
        case .convex(let p): p.span(rowCentre: yc)
        }
    }

    /// Coverage (0...1) of the pixel centred at (x, y).
    @inline(__always)
    func coverage(x: Double, y: Double) -> Double {
        switch self {
        case .capsule(let c): c.coverage(x: x, y: y)
        case .convex(let p): p.coverage(x: x, y: y)
        }
    }
}

/// A segment stroked with round caps.
struct Capsule {
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
        let distance = (px * px + py * py).squareRoot()
        return min(1, max(0, halfWidth + 0.5 - distance)) * scale
    }
}

/// A convex polygon with edges as inward unit normals.
struct ConvexPolygon {
    let points: [Point]
    /// For each edge: inward normal (nx, ny) and offset c, so that
    /// `nx * x + ny * y + c` is the signed distance inside the edge.
    let edges: [(nx: Double, ny: Double, c: Double)]

    /// Nil for fewer than three points or no area.
    init?(_ points: [Point]) {
        guard points.count >= 3, points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        var area = 0.0
        for i in points.indices {
            let p = points[i], q = points[(i + 1) % points.count]
            area += p.x * q.y - q.x * p.y
        }
        guard area.isFinite, abs(area) > 1e-12 else { return nil }
        // With y down, positive `area` means clockwise on screen; the inward
        // normal of edge p→q is then (-(q.y - p.y), q.x - p.x) rotated accordingly.
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
    }

    var rowRange: ClosedRange<Double>? {
        let ys = points.map(\.y)
        return orderedRange(ys.min()! - 1, ys.max()! + 1)
    }

    func span(rowCentre yc: Double) -> ClosedRange<Double>? {
        let lo = yc - 1, hi = yc + 1
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
        var inside = Double.infinity
        for e in edges {
            inside = min(inside, e.nx * x + e.ny * y + e.c)
        }
        return min(1, max(0, inside + 0.5))
    }
}
