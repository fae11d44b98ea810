import LanesRaster
import Testing

@Suite struct TextTests {
    func freeType() throws -> FreeTypeTextRenderer {
        let path = try #require(systemFontPath(), "DejaVu Sans is not installed (fonts-dejavu-core)")
        return try FreeTypeTextRenderer(path: path)
    }

    @Test func freeTypeDrawsHelloWithinItsMeasuredBounds() throws {
        let font = try freeType()
        var canvas = Canvas(width: 200, height: 60, background: .white)
        let size = 20.0, origin = Point(x: 20, y: 40)
        let width = canvas.drawText("Hello", at: origin, font: font, size: size, color: .black)
        #expect(width == font.measure("Hello", size: size))
        #expect(width > 30 && width < 80)
        let metrics = font.metrics(size: size)
        let ink = canvas.inkedPixels(background: .white)
        let dark = ink.filter { canvas.pixel(x: $0.x, y: $0.y).r < 100 }
        #expect(dark.count > 50)
        for p in ink {
            #expect(Double(p.x) >= origin.x - 2 && Double(p.x) <= origin.x + width + 2, "ink at \(p)")
            #expect(
                Double(p.y) >= origin.y - metrics.ascent - 1 && Double(p.y) <= origin.y + metrics.descent + 1,
                "ink at \(p)")
        }
        // "H" has a tall left stem just right of the origin.
        #expect(dark.contains { $0.x < 26 && $0.y < 30 })
    }

    @Test func measuredWidthGrowsWithTheString() throws {
        let renderers: [any TextRenderer] = [try freeType(), BitmapTextRenderer()]
        for font in renderers {
            let widths = ["H", "He", "Hello", "Hello, world"].map { font.measure($0, size: 14) }
            #expect(widths == widths.sorted() && Set(widths).count == widths.count, "\(font.name): \(widths)")
            #expect(font.measure("", size: 14) == 0)
            #expect(font.measure("Hello", size: 28) > font.measure("Hello", size: 14))
        }
    }

    @Test func ellipsisTruncationFitsAndEndsWithEllipsis() throws {
        let renderers: [any TextRenderer] = [try freeType(), BitmapTextRenderer()]
        let text = "worker-process 12 handling request batch 7"
        for font in renderers {
            for maxWidth in [40.0, 75.5, 120.0] {
                let shown = font.truncated(text, size: 12, maxWidth: maxWidth)
                #expect(shown.hasSuffix("…"), "\(font.name) \(maxWidth): \(shown)")
                #expect(font.measure(shown, size: 12) <= maxWidth)
                #expect(shown.count < text.count)
                #expect(text.hasPrefix(String(shown.dropLast())))
                // The longest that fits: one more character would not.
                let longer = String(text.prefix(shown.count)) + "…"
                #expect(font.measure(longer, size: 12) > maxWidth || longer.dropLast().last == " ")
            }
            #expect(font.truncated("ok", size: 12, maxWidth: 100) == "ok")
            #expect(font.truncated(text, size: 12, maxWidth: 1) == "")

            var canvas = Canvas(width: 200, height: 30, background: .white)
            let drawn = canvas.drawText(
                text, at: Point(x: 10, y: 20), font: font, size: 12, color: .black,
                maxWidth: 60)
            #expect(drawn <= 60)
            #expect(canvas.inkedPixels(background: .white).allSatisfy { $0.x < 72 })
        }
    }

    @Test func alignmentPlacesTextAroundX() throws {
        let font = try freeType()
        for (alignment, check) in [
            (TextAlignment.right, { (lo: Int, hi: Int) in hi <= 101 && hi >= 95 }),
            (.center, { (lo: Int, hi: Int) in abs((lo + hi) / 2 - 100) <= 3 }),
        ] {
            var canvas = Canvas(width: 200, height: 30, background: .white)
            canvas.drawText(
                "Right", at: Point(x: 100, y: 20), font: font, size: 14, color: .black,
                alignment: alignment)
            let xs = canvas.inkedPixels(background: .white).map(\.x)
            #expect(check(xs.min()!, xs.max()!), "\(alignment): \(xs.min()!)...\(xs.max()!)")
        }
    }

    @Test func textIsDeterministic() throws {
        let renderers: [any TextRenderer] = [try freeType(), try freeType(), BitmapTextRenderer()]
        var images: [[UInt8]] = []
        for font in renderers {
            var canvas = Canvas(width: 120, height: 24, background: .white)
            canvas.drawText("Déjà vu 123 µs", at: Point(x: 3.4, y: 17.6), font: font, size: 13, color: .black)
            images.append(canvas.rgbaBytes)
        }
        #expect(images[0] == images[1])
        #expect(images[0] != images[2])
    }

    @Test func missingFontFallsBackToTheBitmapFont() {
        let resolution = TextRenderers.resolve(fontPath: "/nonexistent/fonts/Missing.ttf", environment: [:])
        #expect(resolution.source == .builtIn)
        #expect(resolution.renderer is BitmapTextRenderer)
        #expect(resolution.problems.count == 1)
        #expect(resolution.problems.first?.contains("/nonexistent/fonts/Missing.ttf") == true)

        var canvas = Canvas(width: 80, height: 20, background: .white)
        canvas.drawText("Hi!", at: Point(x: 2, y: 12), font: resolution.renderer, size: 12, color: .black)
        let ink = canvas.inkedPixels(background: .white)
        #expect(ink.count > 15)
        #expect(ink.allSatisfy { $0.y >= 5 && $0.y < 12 && $0.x >= 2 && $0.x < 20 })

        // A file that is not a font is refused the same way.
        let notAFont = TextRenderers.resolve(fontPath: "/etc/passwd", environment: [:])
        #expect(notAFont.source == .builtIn)
    }

    @Test func environmentAndSystemFontsAreFound() throws {
        let path = try #require(systemFontPath())
        #expect(TextRenderers.resolve(environment: [:]).source == .system(path))
        #expect(TextRenderers.resolve(environment: ["LANES_FONT": path]).source == .environment(path))
        let bad = TextRenderers.resolve(environment: ["LANES_FONT": "/nope.ttf"])
        #expect(bad.source == .system(path))
        #expect(bad.problems.count == 1 && bad.problems[0].contains("LANES_FONT"))
        #expect(TextRenderers.resolve(fontPath: path).source == .explicitPath(path))
    }

    @Test func bitmapFontTableIsWellFormed() {
        #expect(BitmapTextRenderer.glyphTableProblems().isEmpty)
        // Every printable ASCII character has its own glyph.
        for code in 0x20...0x7E {
            #expect(BitmapTextRenderer.hasGlyph(Unicode.Scalar(UInt8(code))), "missing \(code)")
        }
        #expect(BitmapTextRenderer.hasGlyph("…") && BitmapTextRenderer.hasGlyph("µ"))
        // Unknown characters still draw something (a box).
        var canvas = Canvas(width: 20, height: 20, background: .white)
        canvas.drawText("漢", at: Point(x: 2, y: 12), font: BitmapTextRenderer(), size: 12, color: .black)
        #expect(canvas.inkedPixels(background: .white).count == 20)
        #expect(BitmapTextRenderer.scale(size: 12) == 1 && BitmapTextRenderer.scale(size: 24) == 2)
    }
}
