import LanesRaster
import Testing

@Suite struct ColorTests {
    @Test func parsesHexForms() {
        #expect(Color(hex: "#ff8000") == Color(r: 255, g: 128, b: 0))
        #expect(Color(hex: "FF800080") == Color(r: 255, g: 128, b: 0, a: 128))
        #expect(Color(hex: "#f80") == Color(r: 255, g: 136, b: 0))
        #expect(Color(hex: "#f808") == Color(r: 255, g: 136, b: 0, a: 136))
        #expect(Color(hex: "#12345") == nil)
        #expect(Color(hex: "#gg0000") == nil)
        #expect(Color(rgb: 0x336699) == Color(r: 0x33, g: 0x66, b: 0x99))
        #expect(Color(r: 1, g: 2, b: 255, a: 16).description == "#0102ff10")
    }
}

@Suite struct FillTests {
    let red = Color(r: 255, g: 0, b: 0)

    @Test func integerRectFillsExactlyItsPixels() {
        var canvas = Canvas(width: 12, height: 8, background: .white)
        canvas.fill(Rect(x: 2, y: 3, width: 4, height: 2), red)
        for y in 0..<8 {
            for x in 0..<12 {
                let inside = (2..<6).contains(x) && (3..<5).contains(y)
                #expect(canvas.pixel(x: x, y: y) == (inside ? red : .white), "pixel \(x),\(y)")
            }
        }
        var integer = Canvas(width: 12, height: 8, background: .white)
        integer.fill(x: 2, y: 3, width: 4, height: 2, red)
        #expect(integer.rgbaBytes == canvas.rgbaBytes)
    }

    @Test func fractionalEdgesGetPartialCoverage() {
        var canvas = Canvas(width: 30, height: 3, background: .white)
        canvas.fill(Rect(left: 10.3, top: 1, right: 20.7, bottom: 2), .black)
        // Black at coverage c over white leaves 255 * (1 - c).
        #expect(canvas.pixel(x: 9, y: 1) == .white)
        #expect(abs(Int(canvas.pixel(x: 10, y: 1).r) - 77) <= 1)  // 70 % covered
        for x in 11...19 { #expect(canvas.pixel(x: x, y: 1) == .black) }
        #expect(abs(Int(canvas.pixel(x: 20, y: 1).r) - 77) <= 1)
        #expect(canvas.pixel(x: 21, y: 1) == .white)
        #expect(canvas.pixel(x: 15, y: 0) == .white)
        #expect(canvas.pixel(x: 15, y: 2) == .white)

        // A bar thinner than a pixel, inside one pixel, at half coverage both ways.
        var tiny = Canvas(width: 4, height: 4, background: .white)
        tiny.fill(Rect(x: 1.25, y: 2.0, width: 0.5, height: 0.5), .black)
        #expect(abs(Int(tiny.pixel(x: 1, y: 2).r) - 191) <= 1)  // 25 % covered
        #expect(tiny.pixel(x: 2, y: 2) == .white)
    }

    @Test func coverageSumsToArea() {
        var canvas = Canvas(width: 20, height: 20, background: .white)
        let rect = Rect(x: 3.2, y: 4.6, width: 9.35, height: 7.1)
        canvas.fill(rect, .black)
        var covered = 0.0
        for y in 0..<20 { for x in 0..<20 { covered += Double(255 - Int(canvas.pixel(x: x, y: y).r)) / 255 } }
        #expect(abs(covered - rect.width * rect.height) < 0.5)
    }

    @Test func translucentFillBlends() {
        var canvas = Canvas(width: 2, height: 1, background: .white)
        canvas.fill(Rect(x: 0, y: 0, width: 1, height: 1), Color(r: 0, g: 0, b: 0, a: 128))
        #expect(canvas.pixel(x: 0, y: 0) == Color(r: 127, g: 127, b: 127))
        #expect(canvas.pixel(x: 1, y: 0) == .white)

        var clear = Canvas(width: 1, height: 1)
        clear.fill(Rect(x: 0, y: 0, width: 1, height: 1), Color(r: 10, g: 20, b: 30, a: 100))
        #expect(clear.pixel(x: 0, y: 0) == Color(r: 10, g: 20, b: 30, a: 100))
        clear.fill(Rect(x: 0, y: 0, width: 1, height: 1), Color(r: 10, g: 20, b: 30, a: 100))
        #expect(clear.pixel(x: 0, y: 0).a == 161)  // 100 + 100 * 155 / 255
    }

    @Test func clippingIsRespected() {
        var canvas = Canvas(width: 20, height: 20, background: .white)
        canvas.pushClip(Rect(x: 5, y: 6, width: 8, height: 4))
        canvas.fill(Rect(x: 0, y: 0, width: 20, height: 20), red)
        canvas.drawLine(from: Point(x: 0, y: 0), to: Point(x: 20, y: 20), .black)
        canvas.hatch(Rect(x: 0, y: 0, width: 20, height: 20), .black)
        canvas.drawText("Hello", at: Point(x: 0, y: 12), font: BitmapTextRenderer(), size: 12, color: .black)
        for p in canvas.inkedPixels(background: .white) {
            #expect((5..<13).contains(p.x) && (6..<10).contains(p.y), "ink outside the clip at \(p)")
        }
        #expect(canvas.pixel(x: 5, y: 6) != .white)
        canvas.popClip()
        canvas.fill(Rect(x: 0, y: 0, width: 1, height: 1), red)
        #expect(canvas.pixel(x: 0, y: 0) == red)
    }

    @Test func nestedClipsIntersectAndRestore() {
        var canvas = Canvas(width: 10, height: 10, background: .white)
        canvas.withClip(Rect(x: 0, y: 0, width: 6, height: 10)) { c in
            c.withClip(Rect(x: 4, y: 0, width: 6, height: 10)) { c in
                #expect(c.clipRect == Rect(x: 4, y: 0, width: 2, height: 10))
                c.fill(Rect(x: 0, y: 0, width: 10, height: 1), .black)
            }
            #expect(c.clipRect == Rect(x: 0, y: 0, width: 6, height: 10))
        }
        #expect(canvas.clipRect == Rect(x: 0, y: 0, width: 10, height: 10))
        let inked = canvas.inkedPixels(background: .white).map(\.x)
        #expect(inked == [4, 5])
    }

    @Test func hatchingAlternatesOnTheCanvasGrid() {
        var canvas = Canvas(width: 24, height: 12, background: .white)
        canvas.hatch(Rect(x: 0, y: 0, width: 24, height: 12), .black, spacing: 4, thickness: 2)
        for y in 0..<12 {
            for x in 0..<24 {
                let stripe = (x + y) % 4 < 2
                #expect(canvas.pixel(x: x, y: y) == (stripe ? .black : .white), "pixel \(x),\(y)")
            }
        }
        // Two halves hatched separately match one hatch of the whole.
        var halves = Canvas(width: 24, height: 12, background: .white)
        halves.hatch(Rect(x: 0, y: 0, width: 10, height: 12), .black, spacing: 4, thickness: 2)
        halves.hatch(Rect(x: 10, y: 0, width: 14, height: 12), .black, spacing: 4, thickness: 2)
        #expect(halves.rgbaBytes == canvas.rgbaBytes)

        var falling = Canvas(width: 8, height: 8, background: .white)
        falling.hatch(Rect(x: 0, y: 0, width: 8, height: 8), .black, spacing: 4, thickness: 1, direction: .falling)
        #expect(falling.pixel(x: 0, y: 0) == .black && falling.pixel(x: 1, y: 1) == .black)
        #expect(falling.pixel(x: 1, y: 0) == .white)
    }

    @Test func crispLinesAreOnePixelAtFullColour() {
        var canvas = Canvas(width: 20, height: 20, background: .white)
        canvas.drawHorizontalLine(y: 5, x0: 12, x1: 2, red)
        canvas.drawVerticalLine(x: 15, y0: 8, y1: 18, .black)
        let inked = canvas.inkedPixels(background: .white)
        #expect(inked.count == 11 + 11)
        for x in 2...12 { #expect(canvas.pixel(x: x, y: 5) == red) }
        for y in 8...18 { #expect(canvas.pixel(x: 15, y: y) == .black) }
        #expect(canvas.pixel(x: 7, y: 4) == .white && canvas.pixel(x: 7, y: 6) == .white)
        #expect(canvas.pixel(x: 14, y: 10) == .white && canvas.pixel(x: 16, y: 10) == .white)

        // An anti-aliased line along pixel centres is just as crisp.
        var aa = Canvas(width: 20, height: 20, background: .white)
        aa.drawLine(from: Point(x: 2.5, y: 5.5), to: Point(x: 12.5, y: 5.5), .black)
        for x in 2...12 { #expect(aa.pixel(x: x, y: 5) == .black) }
        #expect(aa.pixel(x: 7, y: 4) == .white && aa.pixel(x: 7, y: 6) == .white)
    }

    @Test func strokeRectOutlinesInside() {
        var canvas = Canvas(width: 10, height: 10, background: .white)
        canvas.strokeRect(Rect(x: 2, y: 2, width: 5, height: 4), .black)
        #expect(canvas.inkedPixels(background: .white).count == 2 * 5 + 2 * 2)
        #expect(canvas.pixel(x: 2, y: 2) == .black && canvas.pixel(x: 6, y: 5) == .black)
        #expect(canvas.pixel(x: 3, y: 3) == .white && canvas.pixel(x: 7, y: 2) == .white)
    }

    @Test func outOfRangeAndOddInputsAreHarmless() {
        var canvas = Canvas(width: 10, height: 10, background: .white)
        let before = canvas.rgbaBytes
        canvas.fill(Rect(x: .nan, y: 0, width: 5, height: 5), .black)
        canvas.fill(Rect(x: 0, y: 0, width: -5, height: 5), .black)
        canvas.fill(Rect(x: 100, y: 100, width: 5, height: 5), .black)
        canvas.fill(x: Int.max - 1, y: 0, width: 5, height: 5, .black)
        canvas.drawLine(from: Point(x: .infinity, y: 0), to: Point(x: 3, y: 3), .black)
        canvas.drawArrow(from: Point(x: 3, y: 3), to: Point(x: 3, y: 3), .black)
        canvas.fillConvexPolygon([Point(x: 0, y: 0), Point(x: 5, y: 5), Point(x: 10, y: 10)], .black)
        #expect(canvas.rgbaBytes == before)
        canvas.fill(Rect(x: -1e12, y: -1e12, width: 2e12, height: 2e12), .black)
        #expect(canvas.inkedPixels(background: .black).isEmpty)

        var empty = Canvas(width: 0, height: 0)
        empty.fill(Rect(x: 0, y: 0, width: 5, height: 5), .black)
        empty.drawLine(from: Point(x: 0, y: 0), to: Point(x: 5, y: 5), .black)
        #expect(empty.rgbaBytes.isEmpty)
    }
}

@Suite struct BlendTests {
    /// `x / 255` rounded to nearest (x / 255 is never exactly half-way).
    func div255(_ x: Int) -> Int { Int((Double(x) / 255).rounded()) }

    @Test func blendingMatchesTheExactFormula() {
        var rng = SplitMix64(seed: 3)
        for _ in 0..<3000 {
            let dst = Color(
                r: .random(in: 0...255, using: &rng), g: .random(in: 0...255, using: &rng),
                b: .random(in: 0...255, using: &rng),
                a: [0, 255, .random(in: 1...254, using: &rng)]
                    .randomElement(using: &rng)!)
            let src = Color(
                r: .random(in: 0...255, using: &rng), g: .random(in: 0...255, using: &rng),
                b: .random(in: 0...255, using: &rng), a: .random(in: 1...255, using: &rng))
            var canvas = Canvas(width: 1, height: 1, background: dst)
            canvas.fill(Rect(x: 0, y: 0, width: 1, height: 1), src)
            let out = canvas.pixel(x: 0, y: 0)
            let a = Int(src.a), da = Int(dst.a)
            let dw = div255(da * (255 - a)), oa = a + dw
            #expect(Int(out.a) == oa)
            for (o, s, d) in [(out.r, src.r, dst.r), (out.g, src.g, dst.g), (out.b, src.b, dst.b)] {
                let exact = Double(Int(s) * a + Int(d) * dw) / Double(oa)
                #expect(abs(Double(o) - exact) <= 0.5 + 1e-9, "\(src) over \(dst) gave \(out)")
                if da == 255 { #expect(Int(o) == div255(Int(s) * a + Int(d) * (255 - a))) }
            }
        }
    }
}
