// Source-over blending on straight-alpha pixel words. Internal: every public
// drawing call ends here.

/// `x / 255` rounded to nearest, exact for `x` in `0...255 * 255`.
@inline(__always)
func div255(_ x: UInt32) -> UInt32 {
    let t = x &+ 128
    return (t &+ (t >> 8)) >> 8
}

/// A source colour prepared for blending: components as 32-bit values.
struct BlendSource {
    let r: UInt32, g: UInt32, b: UInt32, a: UInt32
    /// The opaque pixel word, used when the effective alpha is 255.
    let opaqueWord: UInt32
    /// Red and blue in the low bytes of two 16-bit lanes, for SWAR blending.
    let redBlue: UInt32
    /// Green and 255 (opaque alpha) in two 16-bit lanes.
    let greenAlpha: UInt32

    @inline(__always)
    init(_ color: Color) {
        r = UInt32(color.r)
        g = UInt32(color.g)
        b = UInt32(color.b)
        a = UInt32(color.a)
        opaqueWord = color.withAlpha(255).packed
        redBlue = r | b << 16
        greenAlpha = g | 255 << 16
    }

    /// The colour's alpha scaled by `coverage` (0...1), rounded.
    @inline(__always)
    func alpha(coverage: Double) -> UInt32 {
        if coverage >= 1 { return a }
        if !(coverage > 0) { return 0 }
        return UInt32(Double(a) * coverage + 0.5)
    }

    /// The colour's alpha scaled by an 8-bit coverage.
    @inline(__always)
    func alpha(coverage8: UInt32) -> UInt32 {
        div255(a &* coverage8)
    }

    /// `dst` with this colour blended over it at opacity `alpha` (0...255).
    @inline(__always)
    func blend(over dst: UInt32, alpha: UInt32) -> UInt32 {
        if alpha >= 255 { return opaqueWord }
        if alpha == 0 { return dst }
        let d = UInt32(littleEndian: dst)
        let da = d >> 24
        let dr = d & 0xFF, dg = (d >> 8) & 0xFF, db = (d >> 16) & 0xFF
        if da == 255 {
            // Opaque destination: two channels per multiply (R with B, G
            // with A) in 16-bit lanes; the same rounding as `div255`.
            let ia = 255 - alpha
            var rb = (d & 0x00FF_00FF) &* ia &+ redBlue &* alpha &+ 0x0080_0080
            rb = ((rb &+ ((rb >> 8) & 0x00FF_00FF)) >> 8) & 0x00FF_00FF
            var ga = ((d >> 8) & 0x00FF_00FF) &* ia &+ greenAlpha &* alpha &+ 0x0080_0080
            ga = (ga &+ ((ga >> 8) & 0x00FF_00FF)) & 0xFF00_FF00
            return (rb | ga).littleEndian
        }
        if da == 0 {
            return (r | g << 8 | b << 16 | alpha << 24).littleEndian
        }
        // General straight-alpha source-over.
        let dw = div255(da &* (255 - alpha))
        let oa = alpha &+ dw
        let half = oa >> 1
        let or = (r &* alpha &+ dr &* dw &+ half) / oa
        let og = (g &* alpha &+ dg &* dw &+ half) / oa
        let ob = (b &* alpha &+ db &* dw &+ half) / oa
        return (or | og << 8 | ob << 16 | oa << 24).littleEndian
    }

    /// Blends this colour at `alpha` over `count` pixels starting at `p`;
    /// a plain store when the result is opaque.
    @inline(__always)
    func blendRun(_ p: UnsafeMutablePointer<UInt32>, count: Int, alpha: UInt32) {
        guard count > 0, alpha > 0 else { return }
        if alpha >= 255 {
            p.update(repeating: opaqueWord, count: count)
            return
        }
        for i in 0..<count {
            p[i] = blend(over: p[i], alpha: alpha)
        }
    }
}

extension Canvas {
    /// Blends an 8-bit coverage mask (`maskWidth` × `maskHeight`, row-major,
    /// `maskStride` bytes per row) in `color` with its top-left pixel at
    /// (x, y), honouring the clip.
    mutating func blendMask(
        _ mask: UnsafeBufferPointer<UInt8>, maskWidth: Int, maskHeight: Int, maskStride: Int,
        x: Int, y: Int, color: Color
    ) {
        let box = clip.intersection(PixelBox(x0: x, y0: y, x1: x + maskWidth, y1: y + maskHeight))
        guard !box.isEmpty, color.a > 0, let maskBase = mask.baseAddress else { return }
        let source = BlendSource(color), w = width
        withPixels { base in
            for py in box.y0..<box.y1 {
                let row = base + py * w
                let maskRow = maskBase + (py - y) * maskStride - x
                for px in box.x0..<box.x1 {
                    let coverage = UInt32(maskRow[px])
                    if coverage == 0 { continue }
                    let alpha = coverage == 255 ? source.a : source.alpha(coverage8: coverage)
                    row[px] = source.blend(over: row[px], alpha: alpha)
                }
            }
        }
    }
}
