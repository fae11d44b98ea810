/// How one axis of a rectangle with fractional edges covers pixel columns
/// (or rows), already clipped: a partial pixel before the run of fully
/// covered ones, the run itself, and a partial pixel after it.
struct AxisCoverage {
    /// A partial leading pixel and its coverage (0...1), if any.
    var lead: (index: Int, coverage: Double)?
    /// Fully covered pixels.
    var full: Range<Int>
    /// A partial trailing pixel and its coverage, if any.
    var trail: (index: Int, coverage: Double)?

    /// The coverage of the span `lo..<hi` over pixels, restricted to `c0..<c1`.
    @inline(__always)
    init(lo: Double, hi: Double, clip c0: Int, _ c1: Int) {
        lead = nil
        trail = nil
        full = 0..<0
        guard hi > lo, hi > Double(c0), lo < Double(c1) else { return }
        let flo = lo.rounded(.down), fhi = hi.rounded(.down)
        if flo == fhi {
            // Both edges inside one pixel.
            let i = clampedInt(flo, c0 - 1, c1)
            if i >= c0 && i < c1 { lead = (i, hi - lo) }
            return
        }
        let first = clampedInt(lo.rounded(.up), c0, c1)
        let end = clampedInt(fhi, c0, c1)
        full = first..<max(first, end)
        if flo != lo {
            let i = clampedInt(flo, c0 - 1, c1)
            if i >= c0 && i < c1 { lead = (i, flo + 1 - lo) }
        }
        if fhi != hi {
            let i = clampedInt(fhi, c0 - 1, c1)
            if i >= c0 && i < c1 { trail = (i, hi - fhi) }
        }
    }

    /// Calls `body` for each covered pixel with its coverage, in order.
    @inline(__always)
    func forEach(_ body: (Int, Double) -> Void) {
        if let lead { body(lead.index, lead.coverage) }
        for i in full { body(i, 1) }
        if let trail { body(trail.index, trail.coverage) }
    }
}

extension Canvas {
    /// Fills `rect` with `color`, blending source-over. Edges may be
    /// fractional: a pixel the rectangle covers partly gets the colour at
    /// that fraction of its opacity, so a bar from x = 10.3 to 20.7 covers
    /// column 10 at 70 %, columns 11...19 fully and column 20 at 70 %.
    /// Opaque fills of whole pixels are plain stores.
    public mutating func fill(_ rect: Rect, _ color: Color) {
        guard color.a > 0, !clip.isEmpty else { return }
        let l = rect.minX, t = rect.minY, r = rect.maxX, b = rect.maxY
        if l.rounded(.down) == l, t.rounded(.down) == t, r.rounded(.down) == r, b.rounded(.down) == b,
            abs(l) < 1e9, abs(t) < 1e9, abs(r) < 1e9, abs(b) < 1e9
        {
            // Whole pixels: no coverage to compute.
            fill(x: Int(l), y: Int(t), width: Int(r) - Int(l), height: Int(b) - Int(t), color)
            return
        }
        let cols = AxisCoverage(lo: rect.minX, hi: rect.maxX, clip: clip.x0, clip.x1)
        let rows = AxisCoverage(lo: rect.minY, hi: rect.maxY, clip: clip.y0, clip.y1)
        let source = BlendSource(color), w = width
        withPixels { base in
            if let lead = rows.lead {
                Self.fillRow(base + lead.index * w, cols, source, coverage: lead.coverage)
            }
            if !rows.full.isEmpty {
                // Whole rows: edge alphas computed once, the middle stored.
                let leadX = cols.lead?.index ?? -1, trailX = cols.trail?.index ?? -1
                let leadAlpha = source.alpha(coverage: cols.lead?.coverage ?? 0)
                let trailAlpha = source.alpha(coverage: cols.trail?.coverage ?? 0)
                let x0 = cols.full.lowerBound, count = cols.full.count
                // Edge pixels down a column usually share one colour, so the
                // last blend is remembered rather than recomputed.
                var leadFrom = ~(base + rows.full.lowerBound * w + max(leadX, 0)).pointee, leadTo: UInt32 = 0
                var trailFrom = ~(base + rows.full.lowerBound * w + max(trailX, 0)).pointee, trailTo: UInt32 = 0
                for y in rows.full {
                    let row = base + y * w
                    if leadX >= 0 {
                        let d = row[leadX]
                        if d != leadFrom {
                            leadFrom = d
                            leadTo = source.blend(over: d, alpha: leadAlpha)
                        }
                        row[leadX] = leadTo
                    }
                    source.blendRun(row + x0, count: count, alpha: source.a)
                    if trailX >= 0 {
                        let d = row[trailX]
                        if d != trailFrom {
                            trailFrom = d
                            trailTo = source.blend(over: d, alpha: trailAlpha)
                        }
                        row[trailX] = trailTo
                    }
                }
            }
            if let trail = rows.trail {
                Self.fillRow(base + trail.index * w, cols, source, coverage: trail.coverage)
            }
        }
    }

    /// Fills one row of a rectangle that covers the row by `coverage`.
    @inline(__always)
    private static func fillRow(
        _ row: UnsafeMutablePointer<UInt32>, _ cols: AxisCoverage, _ source: BlendSource, coverage: Double
    ) {
        if let lead = cols.lead {
            row[lead.index] = source.blend(
                over: row[lead.index], alpha: source.alpha(coverage: coverage * lead.coverage))
        }
        source.blendRun(row + cols.full.lowerBound, count: cols.full.count, alpha: source.alpha(coverage: coverage))
        if let trail = cols.trail {
            row[trail.index] = source.blend(
                over: row[trail.index], alpha: source.alpha(coverage: coverage * trail.coverage))
        }
    }

    /// Fills the pixels `x..<x + width`, `y..<y + height` with `color`
    /// (the integer form of ``fill(_:_:)``).
    public mutating func fill(x: Int, y: Int, width: Int, height: Int, _ color: Color) {
        guard color.a > 0, width > 0, height > 0 else { return }
        let box = clip.intersection(PixelBox(x0: x, y0: y, x1: x &+ width, y1: y &+ height))
        guard !box.isEmpty else { return }
        let source = BlendSource(color), w = self.width
        withPixels { base in
            for py in box.y0..<box.y1 {
                source.blendRun(base + py * w + box.x0, count: box.x1 - box.x0, alpha: source.a)
            }
        }
    }

    /// The direction of hatching stripes.
    public enum HatchDirection: Sendable {
        /// Stripes rising to the right, like `/`.
        case rising
        /// Stripes falling to the right, like `\`.
        case falling
    }

    /// Draws diagonal stripes in `color` over `rect` (the background is left
    /// as it is; fill it first). Stripes are `thickness` pixels wide
    /// (measured along a row) and repeat every `spacing` pixels; they are
    /// aligned to the canvas, not to the rectangle, so neighbouring hatched
    /// rectangles continue each other's stripes. Stripe pixels are crisp;
    /// fractional rectangle edges give partial coverage as in ``fill(_:_:)``.
    public mutating func hatch(
        _ rect: Rect, _ color: Color, spacing: Int = 6, thickness: Int = 2, direction: HatchDirection = .rising
    ) {
        guard color.a > 0, spacing > 0, thickness > 0, !clip.isEmpty else { return }
        if thickness >= spacing {
            fill(rect, color)
            return
        }
        let cols = AxisCoverage(lo: rect.minX, hi: rect.maxX, clip: clip.x0, clip.x1)
        let rows = AxisCoverage(lo: rect.minY, hi: rect.maxY, clip: clip.y0, clip.y1)
        let source = BlendSource(color), w = width
        let rising = direction == .rising
        withPixels { base in
            rows.forEach { y, rowCoverage in
                let row = base + y * w
                cols.forEach { x, colCoverage in
                    var phase = (rising ? x + y : x - y) % spacing
                    if phase < 0 { phase += spacing }
                    guard phase < thickness else { return }
                    row[x] = source.blend(over: row[x], alpha: source.alpha(coverage: rowCoverage * colCoverage))
                }
            }
        }
    }
}
