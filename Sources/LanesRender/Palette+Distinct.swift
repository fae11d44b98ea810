#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

extension Palette {
    /// Colours for the span names of one chart, each pair at least ``minimumDistance`` apart in CIEDE2000.
    ///
    /// Okabe–Ito and Paul Tol's colours (less the four that sat within ΔE₀₀ 12 of another), then eight
    /// added by farthest-point search over sRGB, ordered so every prefix is as spread out as the order
    /// allows: a chart of few names gets far more than the minimum (2 names: ΔE₀₀ 61, 5: 36, 10: 16).
    public static let distinctColors: [RGB] = [
        RGB(0x0072B2), RGB(0xDDCC77), RGB(0x882255), RGB(0x117733), RGB(0xD55E00), RGB(0x332288),
        RGB(0xCC6677), RGB(0x56B4E9), RGB(0xE69F00), RGB(0x009E73), RGB(0x999933), RGB(0xAA4499),
        RGB(0xDDBBFF), RGB(0x554433), RGB(0x00EE22), RGB(0xEEBBAA), RGB(0x888899), RGB(0x005555),
        RGB(0xAADDCC), RGB(0x990000),
    ]

    /// The smallest CIEDE2000 difference between any two of ``distinctColors``.
    public static let minimumDistance = 15.0

    /// The colour of each span name a chart shows: the distinct names in byte order take
    /// ``distinctColors`` in turn, so the same names get the same colours in the PNG and the HTML of a
    /// chart whatever order they come in. Up to `distinctColors.count` names every two differ by at least
    /// ``minimumDistance``; beyond that the extra names share a colour chosen by their name's hash (the
    /// legend and the hover still name them).
    public static func assign<Names: Sequence<String>>(names: Names) -> [String: RGB] {
        let sorted = Set(names).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var out: [String: RGB] = [:]
        out.reserveCapacity(sorted.count)
        for (i, name) in sorted.enumerated() {
            out[name] =
                i < distinctColors.count
                ? distinctColors[i] : distinctColors[Int(stableHash(name) % UInt64(distinctColors.count))]
        }
        return out
    }

    /// The colour of each span name of a chart that shows `shown` first and may show `others` too (a page
    /// opened on a window of its trace): the shown names take ``distinctColors`` in byte order as
    /// ``assign(names:)`` gives them, then the other names the colours left in byte order, then colours by
    /// their name's hash. With every name shown it is ``assign(names:)``.
    public static func assign<Shown: Sequence<String>, Others: Sequence<String>>(
        shown: Shown, others: Others
    ) -> [String: RGB] {
        let first = Set(shown).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let firstSet = Set(first)
        let rest = Set(others).subtracting(firstSet).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var out: [String: RGB] = [:]
        out.reserveCapacity(first.count + rest.count)
        for (i, name) in (first + rest).enumerated() {
            out[name] =
                i < distinctColors.count
                ? distinctColors[i] : distinctColors[Int(stableHash(name) % UInt64(distinctColors.count))]
        }
        return out
    }

    /// CIELAB (D65) of an sRGB colour.
    public static func lab(_ c: RGB) -> (l: Double, a: Double, b: Double) {
        func linear(_ v: UInt8) -> Double {
            let x = Double(v) / 255
            return x <= 0.04045 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4)
        }
        let r = linear(c.r), g = linear(c.g), b = linear(c.b)
        let x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
        let y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
        let z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    /// The CIEDE2000 colour difference of two sRGB colours.
    public static func deltaE2000(_ a: RGB, _ b: RGB) -> Double { deltaE2000(lab(a), lab(b)) }

    /// The CIEDE2000 colour difference of two CIELAB colours (Sharma, Wu and Dalal 2005).
    public static func deltaE2000(
        _ p: (l: Double, a: Double, b: Double), _ q: (l: Double, a: Double, b: Double)
    ) -> Double {
        let rad = Double.pi / 180
        let c1 = (p.a * p.a + p.b * p.b).squareRoot(), c2 = (q.a * q.a + q.b * q.b).squareRoot()
        let cb7 = pow((c1 + c2) / 2, 7)
        let g = 0.5 * (1 - (cb7 / (cb7 + pow(25, 7))).squareRoot())
        let a1 = (1 + g) * p.a, a2 = (1 + g) * q.a
        let c1p = (a1 * a1 + p.b * p.b).squareRoot(), c2p = (a2 * a2 + q.b * q.b).squareRoot()
        func hue(_ b: Double, _ a: Double) -> Double {
            if a == 0 && b == 0 { return 0 }
            let h = atan2(b, a) / rad
            return h < 0 ? h + 360 : h
        }
        let h1 = hue(p.b, a1), h2 = hue(q.b, a2)
        let dL = q.l - p.l, dC = c2p - c1p
        var dh = 0.0
        if c1p * c2p != 0 {
            dh = h2 - h1
            if dh > 180 { dh -= 360 } else if dh < -180 { dh += 360 }
        }
        let dH = 2 * (c1p * c2p).squareRoot() * sin(dh / 2 * rad)
        let lb = (p.l + q.l) / 2, cbp = (c1p + c2p) / 2
        var hb = h1 + h2
        if c1p * c2p != 0 {
            hb = abs(h1 - h2) <= 180 ? (h1 + h2) / 2 : (h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2)
        }
        let t =
            1 - 0.17 * cos((hb - 30) * rad) + 0.24 * cos(2 * hb * rad) + 0.32 * cos((3 * hb + 6) * rad)
            - 0.20 * cos((4 * hb - 63) * rad)
        let dTheta = 30 * exp(-pow((hb - 275) / 25, 2))
        let cbp7 = pow(cbp, 7)
        let rc = 2 * (cbp7 / (cbp7 + pow(25, 7))).squareRoot()
        let sl = 1 + 0.015 * pow(lb - 50, 2) / (20 + pow(lb - 50, 2)).squareRoot()
        let sc = 1 + 0.045 * cbp, sh = 1 + 0.015 * cbp * t
        let rt = -sin(2 * dTheta * rad) * rc
        let l = dL / sl, c = dC / sc, h = dH / sh
        return (l * l + c * c + h * h + rt * c * h).squareRoot()
    }
}
