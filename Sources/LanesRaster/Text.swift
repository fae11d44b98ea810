/// Vertical metrics of a font at one size, in pixels.
public struct FontMetrics: Hashable, Sendable {
    /// Distance from the baseline up to the top of tall glyphs.
    public var ascent: Double
    /// Distance from the baseline down to the bottom of descenders (positive).
    public var descent: Double
    /// Recommended distance between baselines.
    public var lineHeight: Double

    /// Metrics from their values.
    public init(ascent: Double, descent: Double, lineHeight: Double) {
        self.ascent = ascent
        self.descent = descent
        self.lineHeight = lineHeight
    }
}

/// Where a run of text sits relative to the x it is drawn at.
public enum TextAlignment: Sendable {
    /// The text starts at x.
    case left
    /// The text is centred on x.
    case center
    /// The text ends at x.
    case right
}

/// Measures and draws single lines of text. Sizes are in pixels (the em
/// size); positions are baseline points. Implementations are deterministic:
/// the same text, size and position give the same pixels, and the width
/// drawn equals the width measured.
public protocol TextRenderer: Sendable {
    /// What is drawing: a font file path or the built-in bitmap font.
    var name: String { get }

    /// Ascent, descent and line height at `size`.
    func metrics(size: Double) -> FontMetrics

    /// The advance width of `text` at `size`, in pixels.
    func measure(_ text: String, size: Double) -> Double

    /// Draws `text` left-aligned with its baseline starting at `origin`
    /// (rounded to whole pixels), blended in `color` within the clip.
    func render(_ text: String, at origin: Point, size: Double, color: Color, on canvas: inout Canvas)
}

extension TextRenderer {
    /// `text`, or its longest prefix followed by "…" whose width is at most
    /// `maxWidth`. Trailing spaces before the ellipsis are dropped. Returns
    /// the empty string when not even "…" fits.
    public func truncated(_ text: String, size: Double, maxWidth: Double) -> String {
        if measure(text, size: size) <= maxWidth { return text }
        let ellipsis = "…"
        guard measure(ellipsis, size: size) <= maxWidth else { return "" }
        let characters = Array(text)
        // Largest k such that prefix(k) + "…" fits; widths grow with k.
        var lo = 0, hi = characters.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if measure(String(characters[..<mid]) + ellipsis, size: size) <= maxWidth {
                lo = mid
            } else {
                hi = mid - 1
            }
        }
        var prefix = String(characters[..<lo])
        while let last = prefix.last, last.isWhitespace { prefix.removeLast() }
        return prefix + ellipsis
    }

    /// Draws `text` on its baseline at `origin`, aligned to `origin.x`,
    /// truncated with "…" to `maxWidth` when given. Returns the width drawn.
    @discardableResult
    public func draw(
        _ text: String, at origin: Point, size: Double, color: Color, alignment: TextAlignment = .left,
        maxWidth: Double? = nil, on canvas: inout Canvas
    ) -> Double {
        let shown = maxWidth.map { truncated(text, size: size, maxWidth: $0) } ?? text
        guard !shown.isEmpty else { return 0 }
        let width = measure(shown, size: size)
        var x = origin.x
        switch alignment {
        case .left: break
        case .center: x -= width / 2
        case .right: x -= width
        }
        render(shown, at: Point(x: x, y: origin.y), size: size, color: color, on: &canvas)
        return width
    }
}

extension Canvas {
    /// Draws `text` with `font` on its baseline at `origin`; see
    /// ``TextRenderer/draw(_:at:size:color:alignment:maxWidth:on:)``.
    /// Returns the width drawn.
    @discardableResult
    public mutating func drawText(
        _ text: String, at origin: Point, font: any TextRenderer, size: Double, color: Color,
        alignment: TextAlignment = .left, maxWidth: Double? = nil
    ) -> Double {
        font.draw(text, at: origin, size: size, color: color, alignment: alignment, maxWidth: maxWidth, on: &self)
    }
}
