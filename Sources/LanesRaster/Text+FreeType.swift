import CFreeType
import Synchronization

/// Why a font could not be opened.
public struct FontError: Error, CustomStringConvertible, Sendable {
    /// The font file.
    public var path: String
    /// The FreeType error code (0 when not from FreeType).
    public var code: Int32
    /// What went wrong.
    public var message: String

    /// A description naming the path.
    public var description: String {
        "cannot use font '\(path)': \(message)" + (code != 0 ? " (FreeType error \(code))" : "")
    }
}

/// Draws text with FreeType from a font file (DejaVu Sans unless told
/// otherwise; see ``TextRenderers``). Glyphs are hinted, rendered as 8-bit
/// coverage, and cached by (glyph, size); kerning is applied when the font
/// has a `kern` table. Glyphs sit on whole pixels and advance by whole
/// (hinted) pixels, so output is deterministic for a given FreeType and font
/// file, and widths are best compared at whole-pixel sizes. The cache keeps
/// every glyph drawn at every size; it is small for chart labels. Safe to share between threads: calls
/// into FreeType are serialised by a lock.
public final class FreeTypeTextRenderer: TextRenderer {
    /// The font file.
    public let path: String
    /// The font file path.
    public var name: String { path }

    private let state: Mutex<FreeTypeState>

    /// Opens the font at `path`.
    /// - Throws: ``FontError`` when FreeType cannot start or the file is
    ///   missing or not a font FreeType reads.
    public init(path: String) throws(FontError) {
        self.path = path
        var library: FT_Library?
        var error = FT_Init_FreeType(&library)
        guard error == 0, let library else {
            throw FontError(path: path, code: error, message: "FreeType failed to initialise")
        }
        var face: FT_Face?
        error = FT_New_Face(library, path, 0, &face)
        guard error == 0, let face else {
            FT_Done_FreeType(library)
            let message = error == 1 ? "no such file or unreadable" : "not a font FreeType can read"
            throw FontError(path: path, code: error, message: message)
        }
        guard face.pointee.face_flags & FT_Long(FT_FACE_FLAG_SCALABLE) != 0 else {
            FT_Done_Face(face)
            FT_Done_FreeType(library)
            throw FontError(path: path, code: 0, message: "not a scalable font")
        }
        let hasKerning = face.pointee.face_flags & FT_Long(FT_FACE_FLAG_KERNING) != 0
        state = Mutex(FreeTypeState(library: library, face: face, hasKerning: hasKerning))
    }

    deinit {
        state.withLock { state in
            FT_Done_Face(state.face)
            FT_Done_FreeType(state.library)
        }
    }

    public func metrics(size: Double) -> FontMetrics {
        state.withLock { state in
            state.select(size: size)
            let m = state.face.pointee.size.pointee.metrics
            return FontMetrics(
                ascent: Double(m.ascender) / 64, descent: Double(-m.descender) / 64,
                lineHeight: Double(m.height) / 64)
        }
    }

    public func measure(_ text: String, size: Double) -> Double {
        state.withLock { state in
            var pen = 0
            state.layout(text, size: size) { _, _, advance in pen = advance }
            return Double(pen) / 64
        }
    }

    public func render(_ text: String, at origin: Point, size: Double, color: Color, on canvas: inout Canvas) {
        guard color.a > 0, !text.isEmpty else { return }
        // Lay out under the lock, draw outside it.
        let placed: [(x: Int, glyph: FreeTypeGlyph)] = state.withLock { state in
            var placed: [(x: Int, glyph: FreeTypeGlyph)] = []
            state.layout(text, size: size) { pen, glyph, _ in
                if !glyph.coverage.isEmpty { placed.append(((pen + 32) >> 6, glyph)) }
            }
            return placed
        }
        let ox = clampedInt(origin.x.rounded(), -(1 << 30), 1 << 30)
        let oy = clampedInt(origin.y.rounded(), -(1 << 30), 1 << 30)
        for (x, glyph) in placed {
            glyph.coverage.withUnsafeBufferPointer { mask in
                canvas.blendMask(
                    mask, maskWidth: glyph.width, maskHeight: glyph.rows, maskStride: glyph.width,
                    x: ox + x + glyph.left, y: oy - glyph.top, color: color)
            }
        }
    }
}

/// A rendered glyph: 8-bit coverage, its offset from the pen and its advance.
struct FreeTypeGlyph: Sendable {
    var width: Int
    var rows: Int
    /// From the pen to the bitmap's left edge.
    var left: Int
    /// From the baseline up to the bitmap's top edge.
    var top: Int
    /// Advance in 26.6 fixed point.
    var advance: Int
    var coverage: [UInt8]
}

/// FreeType handles and caches; only touched under the renderer's lock.
struct FreeTypeState {
    struct GlyphKey: Hashable {
        var glyph: UInt32
        var size64: Int
    }

    struct PairKey: Hashable {
        var left: UInt32, right: UInt32
        var size64: Int
    }

    let library: FT_Library
    let face: FT_Face
    let hasKerning: Bool
    var size64 = -1
    var glyphs: [GlyphKey: FreeTypeGlyph] = [:]
    var indices: [UInt32: UInt32] = [:]
    var kerning: [PairKey: Int] = [:]

    init(library: FT_Library, face: FT_Face, hasKerning: Bool) {
        self.library = library
        self.face = face
        self.hasKerning = hasKerning
    }

    /// Makes `size` (pixels per em) the face's current size.
    mutating func select(size: Double) {
        let wanted = clampedInt((size * 64).rounded(), 64, 64 * 2048)
        guard wanted != size64 else { return }
        if FT_Set_Char_Size(face, 0, FT_F26Dot6(wanted), 72, 72) == 0 {
            size64 = wanted
        }
    }

    /// Walks `text`, calling `body` with each glyph's pen position (26.6,
    /// kerning applied) and the pen position after it.
    mutating func layout(_ text: String, size: Double, _ body: (Int, FreeTypeGlyph, Int) -> Void) {
        select(size: size)
        var pen = 0
        var previous: UInt32 = 0
        for scalar in text.unicodeScalars {
            let index = glyphIndex(scalar.value)
            if hasKerning, previous != 0, index != 0 {
                pen += kern(previous, index)
            }
            let glyph = self.glyph(index)
            let start = pen
            pen += glyph.advance
            body(start, glyph, pen)
            previous = index
        }
    }

    mutating func glyphIndex(_ scalar: UInt32) -> UInt32 {
        if let index = indices[scalar] { return index }
        let index = UInt32(FT_Get_Char_Index(face, FT_ULong(scalar)))
        indices[scalar] = index
        return index
    }

    mutating func kern(_ left: UInt32, _ right: UInt32) -> Int {
        let key = PairKey(left: left, right: right, size64: size64)
        if let value = kerning[key] { return value }
        var delta = FT_Vector()
        let value =
            FT_Get_Kerning(face, left, right, FT_UInt(FT_KERNING_DEFAULT.rawValue), &delta) == 0
            ? Int(delta.x) : 0
        kerning[key] = value
        return value
    }

    mutating func glyph(_ index: UInt32) -> FreeTypeGlyph {
        let key = GlyphKey(glyph: index, size64: size64)
        if let glyph = glyphs[key] { return glyph }
        let glyph = load(index)
        glyphs[key] = glyph
        return glyph
    }

    private func load(_ index: UInt32) -> FreeTypeGlyph {
        var glyph = FreeTypeGlyph(width: 0, rows: 0, left: 0, top: 0, advance: 0, coverage: [])
        guard FT_Load_Glyph(face, index, FT_Int32(FT_LOAD_RENDER)) == 0, let slot = face.pointee.glyph else {
            return glyph
        }
        glyph.advance = Int(slot.pointee.advance.x)
        let bitmap = slot.pointee.bitmap
        let width = Int(bitmap.width), rows = Int(bitmap.rows), pitch = Int(bitmap.pitch)
        guard width > 0, rows > 0, let buffer = bitmap.buffer else { return glyph }
        let mode = bitmap.pixel_mode
        guard mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue) || mode == UInt8(FT_PIXEL_MODE_MONO.rawValue) else {
            return glyph
        }
        var coverage = [UInt8](repeating: 0, count: width * rows)
        // A negative pitch means rows are stored bottom-up from `buffer`.
        let first = pitch >= 0 ? buffer : buffer + (-pitch) * (rows - 1)
        for y in 0..<rows {
            let row = first + y * pitch
            for x in 0..<width {
                if mode == UInt8(FT_PIXEL_MODE_GRAY.rawValue) {
                    coverage[y * width + x] = row[x]
                } else {
                    coverage[y * width + x] = (row[x >> 3] >> (7 - UInt8(x & 7))) & 1 == 1 ? 255 : 0
                }
            }
        }
        glyph.width = width
        glyph.rows = rows
        glyph.left = Int(slot.pointee.bitmap_left)
        glyph.top = Int(slot.pointee.bitmap_top)
        glyph.coverage = coverage
        return glyph
    }
}
