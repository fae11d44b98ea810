// Little-endian integers, LEB128 varints and zigzag: the one writer of binary encodings that the
// .lanes format, the Perfetto export and the HTML page's span stream share.

/// Maps signed to unsigned so that small magnitudes of either sign stay small: 0, -1, 1, -2 → 0, 1, 2, 3.
@inlinable @inline(__always) package func zigzag(_ v: Int64) -> UInt64 {
    UInt64(bitPattern: (v << 1) ^ (v >> 63))
}

/// The inverse of ``zigzag(_:)``.
@inlinable @inline(__always) package func unzigzag(_ u: UInt64) -> Int64 {
    Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
}

extension Array where Element == UInt8 {
    /// Appends `v` as unsigned LEB128: seven bits a byte, low bits first, high bit set on all but the last byte.
    @inlinable @inline(__always) package mutating func appendVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(truncatingIfNeeded: v))
    }
}

/// Appends encoded values to a byte array.
package struct ByteWriter: Sendable {
    package var bytes: [UInt8]

    package init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    package var count: Int { bytes.count }

    @inlinable @inline(__always) package mutating func u8(_ v: UInt8) { bytes.append(v) }

    package mutating func u16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
    }

    package mutating func u32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt32(shift))) }
    }

    package mutating func u64(_ v: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    /// Unsigned LEB128 (see `Array.appendVarint`).
    @inlinable @inline(__always) package mutating func varint(_ v: UInt64) { bytes.appendVarint(v) }

    @inlinable @inline(__always) package mutating func varint(_ v: Int) { varint(UInt64(v)) }

    /// A signed value as the varint of its ``zigzag(_:)``.
    @inlinable @inline(__always) package mutating func signed(_ v: Int64) { varint(zigzag(v)) }

    package mutating func raw(_ other: [UInt8]) { bytes.append(contentsOf: other) }

    /// Overwrites four bytes at `index` with `v`, little-endian.
    package mutating func patchU32(at index: Int, _ v: UInt32) {
        for i in 0..<4 { bytes[index + i] = UInt8(truncatingIfNeeded: v >> UInt32(8 * i)) }
    }
}
