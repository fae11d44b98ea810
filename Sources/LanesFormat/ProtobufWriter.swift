import LanesSupport

/// Appends Protocol Buffers wire format to a byte buffer: the few field kinds Perfetto's trace needs
/// (varint, 64-bit, length-delimited), written by hand so that no code generator is needed.
///
/// A nested message is written into the same buffer behind a length placeholder that is filled in when the
/// message ends, so nesting costs no copies of the inner bytes beyond one move when the length needs more than
/// one byte.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    /// Wire types (the low three bits of a field's key).
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    @inline(__always) mutating func varint(_ value: UInt64) { bytes.appendVarint(value) }

    @inline(__always) mutating func key(_ field: UInt32, _ type: WireType) {
        varint(UInt64(field) << 3 | type.rawValue)
    }

    /// An unsigned varint field (`uint32`, `uint64`, `bool`, enums).
    mutating func uint(_ field: UInt32, _ value: UInt64) {
        key(field, .varint)
        varint(value)
    }

    /// A signed varint field (`int32`, `int64`): two's complement, so a negative value takes ten bytes.
    mutating func int(_ field: UInt32, _ value: Int64) {
        key(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    /// A `fixed64` field (little-endian, eight bytes).
    mutating func fixed64(_ field: UInt32, _ value: UInt64) {
        key(field, .fixed64)
        for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(k)))) }
    }

    /// A `double` field.
    mutating func double(_ field: UInt32, _ value: Double) {
        fixed64(field, value.bitPattern)
    }

    /// A `string` field (UTF-8).
    mutating func string(_ field: UInt32, _ value: String) {
        key(field, .lengthDelimited)
        var s = value
        s.withUTF8 { utf8 in
            varint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A nested message field: `body` writes the message's fields.
    mutating func message(_ field: UInt32, _ body: (inout ProtobufWriter) -> Void) {
        key(field, .lengthDelimited)
        // One placeholder byte for the length; most messages are shorter than 128 bytes.
        let lengthAt = bytes.count
        bytes.append(0)
        let start = bytes.count
        body(&self)
        let length = bytes.count - start
        if length < 0x80 {
            bytes[lengthAt] = UInt8(length)
            return
        }
        var prefix: [UInt8] = []
        var v = UInt64(length)
        while v >= 0x80 {
            prefix.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        prefix.append(UInt8(v))
        bytes.replaceSubrange(lengthAt..<start, with: prefix)
    }
}
