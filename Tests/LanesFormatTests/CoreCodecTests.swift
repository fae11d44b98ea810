import Testing
import LanesFormat
import LanesSupport

@Suite struct CoreCodecTests {
    @Test func crc32MatchesZlib() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func crc32IsTheSameInAnyPieces() {
        var rng = SeededRandom(seed: 1)
        let bytes = (0..<1_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = CRC32.checksum(bytes)
        // Bit-at-a-time reference.
        var ref: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            ref ^= UInt32(b)
            for _ in 0..<8 { ref = ref & 1 != 0 ? (ref >> 1) ^ 0xEDB8_8320 : ref >> 1 }
        }
        #expect(whole == ~ref)
        for cut in [0, 1, 7, 8, 9, 333, 999, 1_000] {
            var c = CRC32()
            c.update(bytes[..<cut])
            c.update(bytes[cut...])
            #expect(c.value == whole)
        }
    }

    @Test func varintsAndZigzagRoundTrip() throws {
        let values: [Int64] = [0, 1, -1, 63, -64, 64, 127, 128, 8_191, -8_192, 1 << 40, .min, .max]
        var w = ByteWriter()
        for v in values {
            w.signed(v)
            w.varint(UInt64(bitPattern: v))
        }
        #expect(zigzag(-1) == 1 && zigzag(1) == 2 && zigzag(.min) == .max)
        try w.bytes.withUnsafeBufferPointer { (buf) throws in
            var c = ByteCursor(buf)
            for v in values {
                #expect(try c.signed("v") == v)
                #expect(try c.varint("v") == UInt64(bitPattern: v))
            }
            #expect(c.atEnd)
        }
    }

    @Test func overlongVarintIsAnErrorNotATrap() {
        let bytes: [UInt8] = Array(repeating: 0xFF, count: 11) + [0x01]
        bytes.withUnsafeBufferPointer { buf in
            var c = ByteCursor(buf)
            #expect(throws: DecodeFailure.self) { try c.varint("v") }
            var d = ByteCursor(UnsafeBufferPointer(rebasing: buf[0..<3]))
            #expect(throws: DecodeFailure.self) { try d.varint("v") }
        }
    }
}
