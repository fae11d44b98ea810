import LanesFormat
import Testing

/// The carry-less multiplication path of `CRC32` (`lanes_crc32_fold`) gives the bit-by-bit CRC-32 for every length
/// and alignment, and in pieces as whole.
struct CRC32FoldTests {
    /// The CRC-32 one bit at a time: the definition, with no table and no folding.
    private func reference(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }

    @Test func foldingAgreesWithTheDefinition() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in Array(0...300) + [1023, 1024, 1025, 4096, 4999] {
            for start in [0, 1, 3, 8, 15] where start + length <= data.count {
                let slice = data[start..<(start + length)]
                #expect(CRC32.checksum(slice) == reference(slice), "length \(length) at \(start)")
            }
        }
        // In two pieces, the first of which the fold leaves a tail of.
        var c = CRC32()
        c.update(data[0..<1000])
        c.update(data[1000...])
        #expect(c.value == reference(data[...]))
    }
}
