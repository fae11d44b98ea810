/// An RGBA8 raster with straight (not premultiplied) alpha, rows top to
/// bottom, four bytes per pixel in the order R, G, B, A (the layout PNG uses).
///
/// Coordinates follow ``Point``: pixel (i, j) covers the unit square whose
/// top-left corner is (i, j). Drawing blends source-over and honours the
/// current clip (see ``pushClip(_:)``). The canvas is a value type; copies
/// share storage until one of them is drawn on. Drawing is deterministic:
/// the same calls on the same canvas give the same bytes.
public struct Canvas: Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// One word per pixel, row-major; in memory each word is the bytes R, G,
    /// B, A (see ``Color/packed``).
    var storage: [UInt32]

    /// Saved clips; the top of the stack is restored by ``popClip()``.
    var clipStack: [PixelBox] = []
    /// The current clip in pixels; always inside the canvas.
    var clip: PixelBox

    /// A canvas filled with `background` (transparent unless given).
    /// Negative sizes are treated as zero; a zero-sized canvas ignores drawing.
    public init(width: Int, height: Int, background: Color = .clear) {
        let w = max(0, width), h = max(0, height)
        self.width = w
        self.height = h
        self.clip = PixelBox(x0: 0, y0: 0, x1: w, y1: h)
        self.storage = [UInt32](repeating: background.packed, count: w * h)
    }

    /// A canvas over existing RGBA bytes (straight alpha, row-major).
    /// Returns nil when `pixels.count` is not `width * height * 4`.
    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width >= 0, height >= 0, pixels.count == width * height * 4 else { return nil }
        self.width = width
        self.height = height
        self.storage = [UInt32](repeating: 0, count: width * height)
        self.clip = PixelBox(x0: 0, y0: 0, x1: width, y1: height)
        storage.withUnsafeMutableBytes { words in
            pixels.withUnsafeBytes { bytes in words.copyMemory(from: bytes) }
        }
    }

    /// A copy of the pixels as `width * height * 4` bytes, row-major, RGBA
    /// with straight alpha.
    public var rgbaBytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Calls `body` with the pixels as `width * height * 4` bytes, row-major,
    /// RGBA with straight alpha, without copying.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes(body)
    }

    /// The colour of pixel (x, y); transparent black outside the canvas.
    public func pixel(x: Int, y: Int) -> Color {
        guard x >= 0, y >= 0, x < width, y < height else { return .clear }
        return Color(packed: storage[y * width + x])
    }

    /// Replaces pixel (x, y) with `color`, without blending; ignored outside
    /// the clip.
    public mutating func setPixel(x: Int, y: Int, _ color: Color) {
        guard x >= clip.x0, y >= clip.y0, x < clip.x1, y < clip.y1 else { return }
        storage[y * width + x] = color.packed
    }

    /// Replaces every pixel inside the clip with `color`, without blending.
    public mutating func clear(_ color: Color) {
        let box = clip, w = width, pattern = color.packed
        guard !box.isEmpty else { return }
        withPixels { base in
            for y in box.y0..<box.y1 {
                (base + (y * w + box.x0)).update(repeating: pattern, count: box.x1 - box.x0)
            }
        }
    }

    // MARK: Clipping

    /// The current clip rectangle (the whole canvas unless narrowed).
    public var clipRect: Rect {
        Rect(x: clip.x0, y: clip.y0, width: clip.x1 - clip.x0, height: clip.y1 - clip.y0)
    }

    /// Narrows the clip to its intersection with `rect`, whose edges are
    /// rounded to the nearest pixel boundary. Undo with ``popClip()``.
    public mutating func pushClip(_ rect: Rect) {
        clipStack.append(clip)
        let box = PixelBox(
            x0: clampedInt(rect.minX.rounded(), 0, width), y0: clampedInt(rect.minY.rounded(), 0, height),
            x1: clampedInt(rect.maxX.rounded(), 0, width), y1: clampedInt(rect.maxY.rounded(), 0, height))
        clip = clip.intersection(box)
        if clip.isEmpty { clip = PixelBox(x0: 0, y0: 0, x1: 0, y1: 0) }
    }

    /// Restores the clip saved by the matching ``pushClip(_:)``; does nothing
    /// when no clip was pushed.
    public mutating func popClip() {
        if let saved = clipStack.popLast() { clip = saved }
    }

    /// Runs `body` with the clip narrowed to `rect`, then restores it.
    public mutating func withClip<R>(_ rect: Rect, _ body: (inout Canvas) throws -> R) rethrows -> R {
        pushClip(rect)
        defer { popClip() }
        return try body(&self)
    }

    // MARK: Storage access

    /// Calls `body` with a pointer to the first pixel word. Only call when
    /// the canvas is not empty.
    @inline(__always)
    mutating func withPixels<R>(_ body: (UnsafeMutablePointer<UInt32>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

/// `v` truncated to an Int and clamped to `lo...hi`; NaN gives `lo`.
@inline(__always)
func clampedInt(_ v: Double, _ lo: Int, _ hi: Int) -> Int {
    if !(v > Double(lo)) { return lo }
    if !(v < Double(hi)) { return hi }
    return Int(v)
}

extension Color {
    /// The colour as one pixel word in canvas storage: in memory its bytes
    /// are R, G, B, A on any byte order.
    @inline(__always)
    var packed: UInt32 {
        (UInt32(r) | UInt32(g) << 8 | UInt32(b) << 16 | UInt32(a) << 24).littleEndian
    }

    /// The colour stored in a pixel word (the inverse of ``packed``).
    @inline(__always)
    init(packed word: UInt32) {
        let v = UInt32(littleEndian: word)
        self.init(
            r: UInt8(truncatingIfNeeded: v), g: UInt8(truncatingIfNeeded: v >> 8),
            b: UInt8(truncatingIfNeeded: v >> 16), a: UInt8(truncatingIfNeeded: v >> 24))
    }
}
