import LanesCore
import LanesRaster

/// The font a chart is drawn with: DejaVu Sans from the system, or the built-in bitmap font.
public struct ChartFont: Sendable {
    let renderer: any TextRenderer
    /// What could not be used, one line each (report once); empty when all went well.
    public let problems: [String]
    /// A font file path or the built-in font's name.
    public var name: String { renderer.name }

    /// DejaVu Sans (or `path`, or `LANES_FONT`), else the built-in bitmap font.
    public static func resolve(path: String? = nil) -> ChartFont {
        let r = TextRenderers.resolve(fontPath: path)
        return ChartFont(renderer: r.renderer, problems: r.problems)
    }

    /// The built-in bitmap font, the same on every machine.
    public static let builtIn = ChartFont(renderer: BitmapTextRenderer(), problems: [])

    /// Measures text for ``Layout`` builders.
    public func measure(_ text: String, _ size: Double) -> Double { renderer.measure(text, size: size) }
}

/// Paints a ``Layout`` on a canvas and encodes it as PNG.
public enum PNGChart {
    /// The layout and PNG of one trace.
    public static func render(_ trace: Trace, options: ChartOptions = ChartOptions(), font: ChartFont) throws(PNGError) -> [UInt8] {
        try encode(Layout.chart(of: trace, options: options, measure: font.measure), font: font)
    }

    /// The most pixels a chart may have (400 MB of RGBA canvas); a larger one is refused with
    /// ``pixelCapError(width:height:)`` rather than allocated.
    public static let maxPixels = 100_000_000

    /// The error for a chart of `width` × `height` device pixels above ``maxPixels``, else nil.
    public static func pixelCapError(width: Int, height: Int) -> PNGError? {
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard overflow || pixels > maxPixels else { return nil }
        return PNGError(
            kind: .encode,
            message: "the chart would be \(width)×\(height) pixels, more than the \(maxPixels / 1_000_000) million "
                + "a chart may have; lower --width, --height, --scale or --max-lanes")
    }

    /// Encodes the painted layout (zlib level 1, the UP filter: fast, and small for charts).
    /// - Throws: ``PNGError`` when the chart has more than ``maxPixels`` pixels (nothing is allocated).
    public static func encode(_ layout: Layout, font: ChartFont) throws(PNGError) -> [UInt8] {
        if let error = pixelCapError(width: layout.width, height: layout.height) { throw error }
        return try PNG.encode(paint(layout, font: font), options: PNG.Options(compressionLevel: 1, filter: .up, alpha: .automatic))
    }

    /// Writes the painted layout to `path` atomically: a failed write leaves no file.
    public static func write(_ layout: Layout, to path: String, font: ChartFont) throws(PNGError) {
        if let error = pixelCapError(width: layout.width, height: layout.height) { throw error }
        try PNG.write(paint(layout, font: font), to: path, options: PNG.Options(compressionLevel: 1, filter: .up))
    }

    /// The layout painted on a canvas.
    public static func paint(_ layout: Layout, font: ChartFont) -> Canvas {
        var painter = Painter(layout: layout, font: font.renderer)
        painter.paint()
        return painter.canvas
    }
}

extension RGB {
    var color: Color { Color(r: r, g: g, b: b) }
}

struct Painter {
    let layout: Layout
    let font: any TextRenderer
    var canvas: Canvas
    let c: Palette.ThemeColors
    let s: Double

    init(layout: Layout, font: any TextRenderer) {
        self.layout = layout
        self.font = font
        self.c = layout.colors
        self.s = layout.scale
        self.canvas = Canvas(width: layout.width, height: layout.height, background: layout.colors.background.color)
    }

    mutating func text(_ t: TextItem) {
        let color: RGB = t.color ?? (t.role == .secondary ? c.secondaryText : c.text)
        let alignment: TextAlignment = t.anchor == .left ? .left : t.anchor == .center ? .center : .right
        canvas.drawText(t.text, at: Point(x: t.x, y: t.y), font: font, size: t.size, color: color.color,
                        alignment: alignment, maxWidth: t.maxWidth)
    }

    func rect(_ b: Box) -> Rect { Rect(x: b.x, y: b.y, width: b.width, height: b.height) }

    mutating func paint() {
        text(layout.title)
        if let sub = layout.subtitle { text(sub) }
        for p in layout.panels { paint(p) }
        for item in layout.legend { paint(item) }
        for n in layout.notes { text(n) }
        if let st = layout.statistics {
            canvas.fill(rect(st.box), c.rowStripe.color)
            canvas.strokeRect(rect(st.box), c.grid.color, thickness: Int(s))
            for t in st.lines { text(t) }
        }
    }

    mutating func paint(_ p: Panel) {
        for t in p.header { text(t) }
        // Row stripes and group bands first, then the grid over them.
        for (i, row) in p.rows.enumerated() where i % 2 == 1 {
            canvas.fill(rect(row.box), c.rowStripe.color)
        }
        for g in p.groups {
            canvas.fill(rect(g.box), c.groupBackground.color)
        }
        let top = Int(p.axisY), bottom = Int(p.plot.maxY.rounded()) - 1
        for t in p.ticks {
            canvas.drawVerticalLine(x: Int(t.x.rounded(.down)), y0: top, y1: bottom, c.grid.color)
        }
        canvas.drawHorizontalLine(y: top, x0: Int(p.plot.x), x1: Int(p.plot.maxX) - 1, c.secondaryText.color)
        for t in p.tickLabels { text(t) }
        for g in p.groups { text(g.label) }
        for row in p.rows { paint(row) }
        for chart in p.counters { paint(chart) }
        for f in p.flows {
            canvas.drawArrow(
                from: Point(x: f.fromX, y: f.fromY), to: Point(x: f.toX, y: f.toY), width: 1.2 * s, headLength: 6 * s,
                headWidth: 5 * s, c.flow.color.withAlpha(200))
        }
    }

    mutating func paint(_ row: Row) {
        text(row.label)
        let plotClip = Rect(x: layout.panels.first.map { $0.plot.x } ?? 0, y: row.box.y, width: Double(canvas.width), height: row.box.height)
        canvas.pushClip(plotClip)
        defer { canvas.popClip() }
        for bar in row.bars {
            let r = Rect(x: bar.x0, y: bar.y, width: bar.x1 - bar.x0, height: bar.height)
            canvas.fill(r, bar.color.color)
            if bar.x1 - bar.x0 >= 6 * s {
                // A darker edge so neighbouring spans of one name stay apart.
                let edge = bar.color.mixed(with: RGB(0x000000), 0.35).color
                canvas.drawVerticalLine(x: Int(bar.x0.rounded()), y0: Int(bar.y), y1: Int(bar.y + bar.height) - 1, edge)
            }
        }
        for w in row.waits { paintWait(w.reason, Rect(x: w.x0, y: w.y, width: w.x1 - w.x0, height: w.height)) }
        for bar in row.bars {
            guard let label = bar.label else { continue }
            canvas.pushClip(Rect(x: bar.x0, y: bar.y, width: bar.x1 - bar.x0, height: bar.height))
            text(label)
            canvas.popClip()
        }
        for col in row.columns {
            // From the band's bottom: the busy share in the commonest name's colour, the waiting part
            // of it in the commonest wait reason's colour on top. At least one pixel, so no work vanishes.
            let h = max(1, (col.busy * col.height).rounded())
            let waitH = col.waiting > 0 ? max(1, (col.waiting * col.height).rounded()) : 0
            let bottom = col.y + col.height
            canvas.fill(x: col.x, y: Int(bottom - h), width: 1, height: Int(h - min(waitH, h - 1)), col.color.color)
            if waitH > 0, let reason = col.dominantWait {
                canvas.fill(x: col.x, y: Int(bottom - h), width: 1, height: Int(min(waitH, h - 1)),
                            Palette.wait(reason).color.color)
            }
        }
        if let strip = row.cpuStrip {
            for cell in row.cpuCells {
                let w = cell.x1 - cell.x0
                var y = strip.maxY
                for (share, color) in [(cell.running, Palette.cpuRunning), (cell.runQueue, Palette.cpuRunQueue),
                                       (cell.blocked, Palette.cpuBlocked)] where share > 0 {
                    let h = share * strip.height
                    canvas.fill(Rect(x: cell.x0, y: y - h, width: w, height: h), color.color)
                    y -= h
                }
            }
        }
    }

    mutating func paintWait(_ reason: WaitReason, _ r: Rect) {
        let (color, hatch) = Palette.wait(reason)
        canvas.fill(r, Palette.waitBackground(reason).color)
        let spacing = Int(5 * s), thickness = max(1, Int(1.5 * s))
        switch hatch {
        case .rising: canvas.hatch(r, color.color, spacing: spacing, thickness: thickness, direction: .rising)
        case .falling: canvas.hatch(r, color.color, spacing: spacing, thickness: thickness, direction: .falling)
        case .cross:
            canvas.hatch(r, color.color, spacing: spacing + Int(s), thickness: max(1, Int(s)), direction: .rising)
            canvas.hatch(r, color.color, spacing: spacing + Int(s), thickness: max(1, Int(s)), direction: .falling)
        }
    }

    mutating func paint(_ chart: CounterChart) {
        text(chart.label)
        let x0 = Int(chart.box.x), bottom = chart.box.maxY
        canvas.drawHorizontalLine(y: Int(bottom), x0: x0, x1: Int(chart.box.maxX) - 1, c.grid.color)
        let area = Palette.counter.mixed(with: c.background, 0.45).color
        for (i, h) in chart.heights.enumerated() where h > 0 {
            let px = max(1, (h * chart.box.height).rounded())
            canvas.fill(x: x0 + i, y: Int(bottom - px), width: 1, height: Int(px), area)
            canvas.setPixel(x: x0 + i, y: Int(bottom - px), Palette.counter.color)
        }
        text(chart.maxLabel)
    }

    mutating func paint(_ item: LegendItem) {
        let r = rect(item.swatchBox)
        switch item.swatch {
        case .span(let color), .cpu(let color):
            canvas.fill(r, color.color)
        case .wait(let reason):
            paintWait(reason, r)
            canvas.strokeRect(r, Palette.wait(reason).color.color)
        case .dense(let color):
            canvas.strokeRect(r, c.grid.color)
            let h = (r.height * 0.5).rounded()
            for k in stride(from: 0, to: Int(r.width), by: 2) {
                let hh = k % 4 == 0 ? h : (r.height * 0.25).rounded()
                canvas.fill(Rect(x: r.minX + Double(k), y: r.maxY - hh, width: 1, height: hh), color.color)
            }
        case .counter:
            canvas.fill(Rect(x: r.minX, y: r.minY + r.height / 2, width: r.width, height: r.height / 2),
                        Palette.counter.mixed(with: c.background, 0.45).color)
            canvas.drawHorizontalLine(y: Int(r.minY + r.height / 2), x0: Int(r.minX), x1: Int(r.maxX) - 1, Palette.counter.color)
        case .flow:
            canvas.drawArrow(from: Point(x: r.minX, y: r.maxY - 1), to: Point(x: r.maxX, y: r.minY + 1), width: 1.2 * s,
                             headLength: 5 * s, headWidth: 4 * s, c.flow.color)
        }
        text(item.label)
    }
}
