#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import LanesRaster
import Testing

/// Prints how long typical chart work takes; asserts nothing about time.
/// Meaningful in release: `swift test -c release --filter LanesRasterTests.SpeedTests`;
/// debug builds run a tenth of the work once, to keep the suite quick.
@Suite struct SpeedTests {
    #if DEBUG
        static let scale = 10, repetitions = 1, build = "debug build, 1/10 of the work"
    #else
        static let scale = 1, repetitions = 3, build = "release build, best of 3"
    #endif

    static let palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7"]
        .compactMap { Color(hex: $0) }

    /// `count` bars on 50 lanes of a 2000×1200 chart, with fractional
    /// edges: widths uniform in 0.2...40 px in random order (the worst case
    /// for caches), or log-uniform in 0.2...40 px (median 2.8) sorted by
    /// lane and time, the order a renderer draws them in.
    static func bars(count: Int, realistic: Bool) -> [(Rect, Color)] {
        var rng = SplitMix64(seed: 42)
        let bars = (0..<count).map { _ in
            let lane = Int.random(in: 0..<50, using: &rng)
            let x = Double.random(in: 0..<1990, using: &rng)
            let width =
                realistic
                ? 0.2 * pow(200, .random(in: 0...1, using: &rng))
                : Double.random(in: 0.2...40, using: &rng)
            return (
                Rect(x: x, y: Double(lane * 24 + 3), width: width, height: 18),
                palette[Int.random(in: 0..<palette.count, using: &rng)]
            )
        }
        return realistic ? bars.sorted { ($0.0.y, $0.0.x) < ($1.0.y, $1.0.x) } : bars
    }

    static func milliseconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        for _ in 0..<repetitions {
            let start = clock.now
            try body()
            let d = clock.now - start
            best = min(best, Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15)
        }
        return best
    }

    @Test func fillAndEncodeAChart() throws {
        var lines: [String] = ["LanesRaster speed, 2000×1200, \(100 / Self.scale)k bars (\(Self.build)):"]
        var canvas = Canvas(width: 2000, height: 1200, background: .white)
        for realistic in [false, true] {
            let bars = Self.bars(count: 100_000 / Self.scale, realistic: realistic)
            let area = bars.reduce(0.0) { $0 + $1.0.width * $1.0.height }
            let fill = Self.milliseconds {
                canvas = Canvas(width: 2000, height: 1200, background: .white)
                for (rect, color) in bars { canvas.fill(rect, color) }
            }
            var whole = canvas
            let fillWhole = Self.milliseconds {
                for (rect, color) in bars {
                    whole.fill(x: Int(rect.x), y: Int(rect.y), width: Int(rect.width.rounded(.up)), height: 18, color)
                }
            }
            lines.append(
                """
                  \(realistic ? "lane order, log-uniform widths" : "random order, uniform widths ") \
                (\(Int(area / 1e6)) Mpx covered): fill \(format(fill)) ms, whole-pixel fill \(format(fillWhole)) ms
                """)
        }
        var size = 0, rgbaSize = 0, adaptiveSize = 0
        let encode = try Self.milliseconds { size = try PNG.encode(canvas).count }
        let encodeRGBA = try Self.milliseconds {
            rgbaSize = try PNG.encode(canvas, options: PNG.Options(alpha: .keep)).count
        }
        let adaptive = try Self.milliseconds {
            adaptiveSize = try PNG.encode(canvas, options: PNG.Options(compressionLevel: 6, filter: .adaptive)).count
        }
        let bytes = try PNG.encode(canvas)
        let decode = try Self.milliseconds { _ = try PNG.decode(bytes) }
        let dir = TemporaryDirectory()
        let write = try Self.milliseconds { try PNG.write(canvas, to: dir.file("chart.png")) }
        lines.append(
            """
              PNG of the lane-order chart: level 1 Up as RGB \(format(encode)) ms (\(size / 1024) KB), \
            as RGBA \(format(encodeRGBA)) ms (\(rgbaSize / 1024) KB), level 6 adaptive \(format(adaptive)) ms \
            (\(adaptiveSize / 1024) KB); write to file \(format(write)) ms; decode \(format(decode)) ms
            """)
        print(lines.joined(separator: "\n"))
        #expect(size > 0)
    }

    @Test func textAndLines() throws {
        let resolution = TextRenderers.resolve()
        var canvas = Canvas(width: 2000, height: 1200, background: .white)
        let labels = (0..<1000 / Self.scale).map { "worker-\($0 % 37) span \($0)" }
        let text = Self.milliseconds {
            for (i, label) in labels.enumerated() {
                canvas.drawText(
                    label, at: Point(x: Double(i % 10 * 200 + 4), y: Double(i / 10 * 12 + 11)),
                    font: resolution.renderer, size: 11, color: .black, maxWidth: 190)
            }
        }
        var rng = SplitMix64(seed: 9)
        let points = (0..<2000 / Self.scale).map { _ in
            Point(x: .random(in: 0..<2000, using: &rng), y: .random(in: 0..<1200, using: &rng))
        }
        let arrows = Self.milliseconds {
            for i in stride(from: 0, to: points.count, by: 2) {
                canvas.drawArrow(from: points[i], to: points[i + 1], Color(r: 40, g: 40, b: 40, a: 200))
            }
        }
        print(
            """
            LanesRaster speed, 2000×1200 (\(resolution.renderer.name), \(Self.build)):
              \(labels.count) labels truncated to 190 px \(format(text)) ms; \
            \(points.count / 2) random arrows \(format(arrows)) ms
            """)
    }
}

func format(_ ms: Double) -> String {
    let tenths = Int((ms * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}
