import CLanesSupport

/// CRC-32 as zlib, PNG and Ethernet compute it (IEEE 802.3, reflected polynomial `0xEDB88320`,
/// initial value and final XOR `0xFFFFFFFF`): by carry-less multiplication where the CPU has it
/// (`lanes_crc32_fold`), else eight bytes per step ("slice-by-8").
///
/// `CRC32.checksum("123456789".utf8)` is `0xCBF43926`.
package struct CRC32: Sendable {
    /// The running state (inverted); ``value`` is the checksum of everything seen so far.
    private var state: UInt32 = 0xFFFF_FFFF

    package init() {}

    /// The CRC-32 of all bytes passed to ``update(_:)`` so far.
    package var value: UInt32 { ~state }

    /// Adds `bytes` to the checksum.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        state = CRC32.tables.withUnsafeBufferPointer { tables in
            // Indices below are masked to 0...255 plus a multiple of 256 below 2048: always in bounds.
            let t = tables.baseAddress.unsafelyUnwrapped
            var crc = state
            var p = base
            var n = bytes.count
            // Where the CPU multiplies carry-less, most of the bytes at about ten times the table's speed.
            let folded = lanes_crc32_fold(&crc, p, n)
            p += folded
            n -= folded
            while n >= 8 {
                let lo = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ crc
                let hi = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                crc =
                    t[0x700 | Int(lo & 0xFF)] ^ t[0x600 | Int((lo >> 8) & 0xFF)]
                    ^ t[0x500 | Int((lo >> 16) & 0xFF)] ^ t[0x400 | Int(lo >> 24)]
                    ^ t[0x300 | Int(hi & 0xFF)] ^ t[0x200 | Int((hi >> 8) & 0xFF)]
                    ^ t[0x100 | Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
                n -= 8
            }
            while n > 0 {
                crc = t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
                p += 1
                n -= 1
            }
            return crc
        }
    }

    /// Adds `bytes` to the checksum.
    package mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// The CRC-32 of `bytes`.
    package static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }

    /// The CRC-32 of `bytes`.
    package static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }

    /// Eight tables of 256 entries: `tables[k * 256 + b]` is the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (prev >> 8) ^ t[Int(prev & 0xFF)]
            }
        }
        return t
    }()
}
