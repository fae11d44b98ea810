import LanesCore
import LanesSupport

/// What the page's script must agree on with the Swift that writes the page's data, written into every
/// page as `<script type="application/json" id="lanes-contract">` so the script reads it instead of
/// holding a copy: the wait reasons indexed by raw value, and the bits of a span's flags byte.
enum PageContract {
    /// The bits of a span's flags byte in the run data (``HTMLRunData``).
    enum SpanFlag {
        /// The line of its row the span is drawn on, 0…15 (its nesting depth, capped at the depth limit).
        static let depthMask: UInt8 = 15
        /// A CPU time follows in the extra stream.
        static let cpuTime: UInt8 = 16
        /// Waits follow in the extra stream.
        static let waits: UInt8 = 32
        /// Attributes follow in the extra stream.
        static let attributes: UInt8 = 64
    }

    /// Every wait reason's name at the index of its raw value (`null` for a raw value with no reason).
    static let waitNames: [String?] = {
        let top = Int(WaitReason.allCases.map(\.rawValue).max() ?? 0)
        return (0...top).map { WaitReason(rawValue: UInt8($0))?.description }
    }()

    /// The contract as the page embeds it.
    static let json: String = {
        var j = JSONWriter()
        j.open()
        j.key("waits")
        j.array(waitNames) { j, name in j.stringOrNull(name) }
        j.key("flags")
        j.open()
        for (key, bit) in [
            ("depth", SpanFlag.depthMask), ("cpuTime", SpanFlag.cpuTime), ("waits", SpanFlag.waits),
            ("attributes", SpanFlag.attributes),
        ] {
            j.key(key)
            j.number(Int(bit))
        }
        j.close()
        j.close()
        return j.text
    }()

    /// The element that carries ``json``.
    static let element = "<script type=\"application/json\" id=\"lanes-contract\">\(json)</script>\n"
}
