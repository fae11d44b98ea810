import LanesRaster
import Testing

/// Draws everything the module can draw on one image. Set
/// `LANES_RASTER_SAMPLE=/path/to/sample.png` to keep it for a look.
@Suite struct SampleTests {
    static func render(font: any TextRenderer) -> Canvas {
        var c = Canvas(width: 720, height: 420, background: .white)
        let ink = Color(hex: "#222222")!, grid = Color(hex: "#e3e3e3")!, axis = Color(hex: "#888888")!
        let blue = Color(hex: "#4e79a7")!, orange = Color(hex: "#f28e2b")!, red = Color(hex: "#e15759")!
        let green = Color(hex: "#59a14f")!

        c.drawText(
            "Lanes raster sample — bars, waits, flows", at: Point(x: 16, y: 26), font: font, size: 16,
            color: ink)
        c.drawText(font.name, at: Point(x: 704, y: 26), font: font, size: 10, color: axis, alignment: .right)

        // Time axis with crisp ticks and centred labels.
        let left = 130.0, right = 700.0, top = 50.0
        for i in 0...10 {
            let x = Int(left + (right - left) * Double(i) / 10)
            c.drawVerticalLine(x: x, y0: Int(top), y1: 330, grid)
            c.drawVerticalLine(x: x, y0: 330, y1: 335, axis)
            c.drawText(
                "\(i * 10) ms", at: Point(x: Double(x) + 0.5, y: 350), font: font, size: 11, color: ink,
                alignment: .center)
        }
        c.drawHorizontalLine(y: 330, x0: Int(left), x1: Int(right), axis)

        // Lanes: labels truncated to the gutter, bars with fractional edges, hatched waits.
        let lanes = ["main thread", "worker-1 (dispatch queue com.example.io)", "worker-2", "task 17 → 23"]
        for (i, name) in lanes.enumerated() {
            let y = top + 10 + Double(i) * 66
            c.drawText(name, at: Point(x: 12, y: y + 24), font: font, size: 12, color: ink, maxWidth: 110)
            c.fill(
                Rect(x: left + 12.3 + Double(i) * 40, y: y + 8, width: 180.4, height: 28),
                [blue, orange, green, red][i])
            let wait = Rect(x: left + 200.7 + Double(i) * 40, y: y + 8, width: 120, height: 28)
            c.fill(wait, Color(hex: "#f4f4f4")!)
            c.hatch(wait, [blue, orange, green, red][i], spacing: 6, thickness: 2)
            c.strokeRect(wait, [blue, orange, green, red][i])
            c.drawText(
                "lock", at: Point(x: wait.minX + 60, y: y + 27), font: font, size: 11, color: ink,
                alignment: .center)
            c.fill(
                Rect(x: left + 330.5 + Double(i) * 40, y: y + 8, width: 90, height: 28),
                [blue, orange, green, red][i].withAlpha(150))
            for k in 0..<40 {  // many thin spans, each under a pixel wide
                c.fill(Rect(x: right - 100 + Double(k) * 2.37, y: y + 40, width: 0.6, height: 14), ink)
            }
        }

        // Flows: anti-aliased arrows between lanes, and a thick line.
        c.drawArrow(from: Point(x: 330, y: 90), to: Point(x: 400, y: 150), width: 1.5, ink)
        c.drawArrow(from: Point(x: 520, y: 160), to: Point(x: 470, y: 280), width: 1.2, red)
        c.drawArrow(from: Point(x: 200, y: 290), to: Point(x: 620, y: 220), width: 2, Color(r: 0, g: 0, b: 0, a: 110))
        c.drawLine(from: Point(x: 140, y: 400), to: Point(x: 700, y: 372), width: 3, green)

        // A clipped region: text and stripes cut at the clip edges.
        c.withClip(Rect(x: 16, y: 365, width: 110, height: 40)) { c in
            c.fill(Rect(x: 0, y: 0, width: 720, height: 420), Color(hex: "#fff3d6")!)
            c.hatch(
                Rect(x: 0, y: 0, width: 720, height: 420), orange.withAlpha(90), spacing: 8, thickness: 3,
                direction: .falling)
            c.drawText("clipped text runs off", at: Point(x: 20, y: 390), font: font, size: 14, color: ink)
        }
        // The fallback font, for comparison.
        c.drawText(
            "Bitmap fallback: 0123456789 µs … ok?", at: Point(x: 140, y: 410), font: BitmapTextRenderer(),
            size: 12, color: ink)
        return c
    }

    @Test func sampleRendersAndRoundTrips() throws {
        let font = TextRenderers.resolve().renderer
        let canvas = Self.render(font: font)
        let bytes = try PNG.encode(canvas)
        #expect(try PNG.decode(bytes).rgbaBytes == canvas.rgbaBytes)
        #expect(Self.render(font: font).rgbaBytes == canvas.rgbaBytes)
        if let path = ProcessEnvironment.value("LANES_RASTER_SAMPLE") {
            try PNG.write(canvas, to: path)
            try PNG.write(
                Self.render(font: BitmapTextRenderer()), to: path.replacingSuffix(".png", with: "-bitmap.png"))
        }
    }
}
