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
        rasterize(Capsule(a, b, width: width), color)
    }

    /// Fills a convex polygon (points in either winding order) with
    /// anti-aliased edges. Non-convex input is not supported: what gets
    /// filled is the intersection of the half-planes inside its edges.
    public mutating func fillConvexPolygon(_ points: [Point], _ color: Color) {
        guard color.a > 0, let polygon = ConvexPolygon(points) else { return }
        rasterize(polygon, color)
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
        guard color.a > 0, width > 0, width.isFinite, length > 0, length.isFinite else { return }
        let ux = dx / length, uy = dy / length
        let head = min(max(headLength, 0), length)
        let half = max(headWidth, width) / 2
        let base = Point(x: b.x - ux * head, y: b.y - uy * head)
        let triangle =
            head > 0
            ? ConvexPolygon([
                b,
                Point(x: base.x - uy * half, y: base.y + ux * half),
                Point(x: base.x + uy * half, y: base.y - ux * half),
            ]) : nil
        // The shaft ends half a pixel inside the head so no gap shows.
        let inset = min(0.5, head)
        let shaft =
            length - head > 0
            ? Capsule(a, Point(x: base.x + ux * inset, y: base.y + uy * inset), width: width) : nil
        switch (shaft, triangle) {
        case let (shaft?, triangle?): rasterize(ShapeUnion(first: shaft, second: triangle), color)
        case let (shaft?, nil): rasterize(shaft, color)
        case let (nil, triangle?): rasterize(triangle, color)
        case (nil, nil): break
        }
    }

    /// Blends `shape` in `color`, row by row, visiting only pixels near it.
    mutating func rasterize<Shape: CoverageShape>(_ shape: Shape, _ color: Color) {
        guard !clip.isEmpty, let rows = shape.rowRange else { return }
        let y0 = clampedInt(rows.lowerBound.rounded(.down), clip.y0, clip.y1)
        let y1 = clampedInt(rows.upperBound.rounded(.up), clip.y0, clip.y1)
        let box = clip, source = BlendSource(color), w = width
        withPixels { base in
            for y in y0..<max(y0, y1) {
                let yc = Double(y) + 0.5
                guard let span = shape.span(rowCentre: yc) else { continue }
                let x0 = clampedInt(span.lowerBound.rounded(.down), box.x0, box.x1)
                let x1 = clampedInt(span.upperBound.rounded(.up), box.x0, box.x1)
                let row = base + y * w
                for x in x0..<max(x0, x1) {
                    let alpha = source.alpha(coverage: shape.coverage(x: Double(x) + 0.5, y: yc))
                    if alpha > 0 { row[x] = source.blend(over: row[x], alpha: alpha) }
                }
            }
        }
    }
}
