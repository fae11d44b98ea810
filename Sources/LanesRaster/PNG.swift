import CLanesPNG
import CLibPNG

/// PNG encoding and decoding of canvases through libpng. Encoding is
/// deterministic: the same canvas and options give the same bytes (no
/// timestamps or other varying chunks are written). libpng failures become
/// ``PNGError``s; they never abort the process.
public enum PNG {
    /// How to encode.
    public struct Options: Hashable, Sendable {
        /// zlib level, 0 (store) ... 9 (smallest). Level 1 is several times
        /// faster than the default 6 and barely larger for charts.
        public var compressionLevel: Int
        /// The row filter.
        public var filter: Filter
        /// Whether to write an alpha channel.
        public var alpha: AlphaMode

        /// Options; the defaults favour speed (level 1, the Up filter, RGB
        /// when every pixel is opaque).
        public init(compressionLevel: Int = 1, filter: Filter = .up, alpha: AlphaMode = .automatic) {
            self.compressionLevel = compressionLevel
            self.filter = filter
            self.alpha = alpha
        }
    }

    /// PNG row filters.
    public enum Filter: Hashable, Sendable {
        /// No filtering.
        case none
        /// Difference from the pixel to the left.
        case sub
        /// Difference from the pixel above: fast and good for charts.
        case up
        /// Difference from the mean of left and above.
        case average
        /// The Paeth predictor.
        case paeth
        /// libpng picks a filter per row: smaller files, 3–4× slower.
        case adaptive
    }

    /// Whether the file carries an alpha channel.
    public enum AlphaMode: Hashable, Sendable {
        /// RGBA when any pixel is not opaque, RGB otherwise.
        case automatic
        /// Always RGBA.
        case keep
    }

    /// The image as PNG bytes.
    /// - Throws: ``PNGError`` of kind ``PNGError/Kind/encode`` when libpng
    ///   fails, for example for a canvas with no pixels.
    public static func encode(_ canvas: Canvas, options: Options = Options()) throws(PNGError) -> [UInt8] {
        guard canvas.width > 0, canvas.height > 0 else {
            throw PNGError(kind: .encode, message: "cannot encode an empty \(canvas.width)×\(canvas.height) canvas")
        }
        guard canvas.width <= Int(Int32.max), canvas.height <= Int(Int32.max) else {
            throw PNGError(kind: .encode, message: "canvas too large for PNG")
        }
        let dropAlpha = options.alpha == .automatic && canvas.isOpaque
        var buffer = lanes_png_buffer()
        var message = [CChar](repeating: 0, count: 256)
        let status = canvas.withUnsafeBytes { pixels in
            lanes_png_encode(
                pixels.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(canvas.width), UInt32(canvas.height),
                canvas.width * 4, dropAlpha ? 1 : 0, Int32(clamping: options.compressionLevel),
                options.filter.code, &buffer, &message, message.count)
        }
        defer { lanes_png_buffer_free(&buffer) }
        guard status == 0, let data = buffer.data else {
            throw PNGError(kind: .encode, message: "libpng: " + cString(message))
        }
        return Array(UnsafeBufferPointer(start: data, count: buffer.size))
    }

    /// Decodes PNG bytes of any colour type and bit depth into a canvas
    /// (8-bit RGBA, straight alpha).
    /// - Throws: ``PNGError`` of kind ``PNGError/Kind/decode`` for bytes that
    ///   are not a readable PNG or an image over 2^28 pixels.
    public static func decode(_ bytes: [UInt8]) throws(PNGError) -> Canvas {
        guard !bytes.isEmpty else { throw PNGError(kind: .decode, message: "no data") }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = bytes.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard begun != 0 else {
            let text = imageMessage(image)
            png_image_free(&image)
            throw PNGError(kind: .decode, message: "libpng: " + text)
        }
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height <= 1 << 28 else {
            png_image_free(&image)
            throw PNGError(kind: .decode, message: "image of \(width)×\(height) pixels is too large")
        }
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        var canvas = Canvas(width: width, height: height)
        let finished = canvas.storage.withUnsafeMutableBytes { raw in
            png_image_finish_read(&image, nil, raw.baseAddress, Int32(width * 4), nil)
        }
        guard finished != 0 else {
            let text = imageMessage(image)
            png_image_free(&image)
            throw PNGError(kind: .decode, message: "libpng: " + text)
        }
        png_image_free(&image)
        return canvas
    }

    private static func imageMessage(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { raw in
            let text = String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            return text.isEmpty ? "unknown error" : text
        }
    }

    private static func cString(_ chars: [CChar]) -> String {
        let bytes = chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }
        return bytes.isEmpty ? "unknown error" : String(decoding: bytes, as: UTF8.self)
    }
}

extension PNG.Filter {
    var code: Int32 {
        switch self {
        case .none: Int32(LANES_PNG_FILTER_NONE)
        case .sub: Int32(LANES_PNG_FILTER_SUB)
        case .up: Int32(LANES_PNG_FILTER_UP)
        case .average: Int32(LANES_PNG_FILTER_AVERAGE)
        case .paeth: Int32(LANES_PNG_FILTER_PAETH)
        case .adaptive: Int32(LANES_PNG_FILTER_ADAPTIVE)
        }
    }
}

extension Canvas {
    /// True when every pixel is fully opaque.
    public var isOpaque: Bool {
        let opaque = UInt32(0xFF00_0000).littleEndian
        return storage.withUnsafeBufferPointer { words in
            var all = UInt32.max
            for w in words { all &= w }
            return all & opaque == opaque
        }
    }
}
