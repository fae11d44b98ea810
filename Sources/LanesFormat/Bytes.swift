// Reading little-endian integers, LEB128 varints and zigzag (LanesSupport's ByteWriter writes them): the
// primitives every section is made of.
import LanesSupport

/// Why a value could not be read; ``LanesDecoder`` turns it into ``LanesFormatError/malformedChunk(chunkOffset:offset:field:problem:)``.
package struct DecodeFailure: Error, Sendable {
    /// The field being read, e.g. `end` or `name`.
    package var field: String
    /// Byte position inside the chunk payload.
    package var position: Int
    package var problem: String

    package init(_ field: StaticString, at position: Int, _ problem: String) {
        self.field = field.description
        self.position = position
        self.problem = problem
    }
}

/// Reads encoded values from a byte buffer, never past its end.
package struct ByteCursor {
    package let bytes: UnsafeBufferPointer<UInt8>
    package var position: Int

    package init(_ bytes: UnsafeBufferPointer<UInt8>, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    package var remaining: Int { bytes.count - position }
    package var atEnd: Bool { position >= bytes.count }

    @inline(__always) package mutating func u8(_ field: StaticString) throws(DecodeFailure) -> UInt8 {
        guard position < bytes.count else { throw DecodeFailure(field, at: position, "the data ends before this field") }
        let b = bytes[position]
        position &+= 1
        return b
    }

    package mutating func u16(_ field: StaticString) throws(DecodeFailure) -> UInt16 {
        guard remaining >= 2 else { throw DecodeFailure(field, at: position, "the data ends before this field") }
        let v = UInt16(bytes[position]) | UInt16(bytes[position + 1]) << 8
        position += 2
        return v
    }

    package mutating func u32(_ field: StaticString) throws(DecodeFailure) -> UInt32 {
        guard remaining >= 4 else { throw DecodeFailure(field, at: position, "the data ends before this field") }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[position + i]) << UInt32(8 * i) }
        position += 4
        return v
    }

    package mutating func u64(_ field: StaticString) throws(DecodeFailure) -> UInt64 {
        guard remaining >= 8 else { throw DecodeFailure(field, at: position, "the data ends before this field") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[position + i]) << UInt64(8 * i) }
        position += 8
        return v
    }

    /// An unsigned LEB128 value of at most 64 bits (ten bytes).
    @inline(__always) package mutating func varint(_ field: StaticString) throws(DecodeFailure) -> UInt64 {
        if position < bytes.count {
            let b0 = bytes[position]
            if b0 < 0x80 {
                position &+= 1
                return UInt64(b0)
            }
            if position &+ 1 < bytes.count {
                let b1 = bytes[position &+ 1]
                if b1 < 0x80 {
                    position &+= 2
                    return UInt64(b0 & 0x7F) | UInt64(b1) << 7
                }
            }
        }
        return try varintSlow(field)
    }

    @inline(never) package mutating func varintSlow(_ field: StaticString) throws(DecodeFailure) -> UInt64 {
        let start = position
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else {
                throw DecodeFailure(field, at: start, "the data ends inside a variable-length number")
            }
            let b = bytes[position]
            position &+= 1
            if shift == 63, b > 1 {
                throw DecodeFailure(field, at: start, "a variable-length number exceeds 64 bits")
            }
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }

    @inline(__always) package mutating func signed(_ field: StaticString) throws(DecodeFailure) -> Int64 {
        unzigzag(try varint(field))
    }

    /// A varint that must fit `T` (a count, an index, a small integer field).
    @inline(__always) package mutating func varint<T: FixedWidthInteger>(
        _ field: StaticString, as: T.Type
    ) throws(DecodeFailure) -> T {
        let start = position
        let v = try varint(field)
        guard let t = T(exactly: v) else { throw DecodeFailure(field, at: start, "value \(v) is out of range for \(T.self)") }
        return t
    }

    /// A zigzag varint that must fit `T`.
    package mutating func signed<T: FixedWidthInteger & SignedInteger>(
        _ field: StaticString, as: T.Type
    ) throws(DecodeFailure) -> T {
        let start = position
        let v = try signed(field)
        guard let t = T(exactly: v) else { throw DecodeFailure(field, at: start, "value \(v) is out of range for \(T.self)") }
        return t
    }

    /// A count of records that each take at least `minimumSize` bytes: never more than the bytes left allow.
    package mutating func count(_ field: StaticString, minimumSize: Int = 1) throws(DecodeFailure) -> Int {
        let start = position
        let v = try varint(field)
        guard v <= UInt64(remaining / max(1, minimumSize)) else {
            throw DecodeFailure(field, at: start, "count \(v) is more than the \(remaining) bytes left can hold")
        }
        return Int(v)
    }

    /// `length` raw bytes, checked against what is left.
    package mutating func bytes(_ field: StaticString, count length: Int) throws(DecodeFailure) -> UnsafeBufferPointer<UInt8> {
        guard length >= 0, length <= remaining else {
            throw DecodeFailure(field, at: position, "length \(length) runs past the end (\(remaining) bytes left)")
        }
        let slice = UnsafeBufferPointer(rebasing: bytes[position..<(position + length)])
        position += length
        return slice
    }
}
