import Foundation
import LanesCore
import Testing
import LanesFormat
import LanesSupport

@Suite struct DamageTests {
    /// The sample trace in chunks of three spans: header, four batches, end.
    func smallFile() throws -> [UInt8] { try LanesFile.encode(sampleTrace(), spansPerChunk: 3) }

    @Test func truncationAtEveryOffsetKeepsTheWholeChunksBeforeIt() throws {
        let bytes = try smallFile()
        let trace = sampleTrace()
        let chunks = chunkBounds(bytes)
        #expect(chunks.map(\.kind) == [0x48, 0x42, 0x42, 0x42, 0x42, 0x45])
        let headerEnd = chunks[0].end
        let batches = chunks.filter { $0.kind == Layout.Kind.batch }
        for cut in 0...bytes.count {
            let prefix = Array(bytes[..<cut])
            if cut < headerEnd {
                #expect(throws: LanesFormatError.truncatedHeader(offset: cut)) { try LanesFile.decode(prefix) }
                continue
            }
            let result = try LanesFile.decode(prefix)
            let whole = batches.filter { $0.end <= cut }
            #expect(result.chunks == whole.count, "cut at \(cut)")
            #expect(result.trace.spans == Array(trace.spans.prefix(3 * whole.count)), "cut at \(cut)")
            if cut == bytes.count {
                #expect(result.isComplete && result.warnings.isEmpty)
                #expect(result.trace == trace)
                continue
            }
            #expect(!result.isComplete)
            let lastEnd = whole.last?.end ?? headerEnd
            #expect(result.completeness == .endsAfterChunk(chunks: whole.count, offset: lastEnd), "cut at \(cut)")
            if cut == lastEnd {
                #expect(result.warnings == [.missingEnd(offset: cut, chunks: whole.count)], "cut at \(cut)")
            } else {
                #expect(
                    result.warnings == [.truncatedChunk(chunkOffset: lastEnd, partialBytes: cut - lastEnd, offset: cut, chunks: whole.count)],
                    "cut at \(cut)")
            }
        }
    }

    @Test func aFlippedByteInAChunkNamesThatChunk() throws {
        let bytes = try smallFile()
        for chunk in chunkBounds(bytes) {
            for position in [chunk.start, chunk.payloadStart, (chunk.payloadStart + chunk.end) / 2, chunk.end - 1] {
                var damaged = bytes
                damaged[position] ^= 0x10
                #expect(throws: LanesFormatError.self) { try LanesFile.decode(damaged) }
                do {
                    _ = try LanesFile.decode(damaged)
                } catch {
                    guard case .checksumMismatch(let offset, _, _) = error else {
                        Issue.record("byte \(position) of the chunk at \(chunk.start): \(error)")
                        continue
                    }
                    #expect(offset == chunk.start)
                    #expect(error.description.contains("chunk at byte \(chunk.start)"))
                }
            }
        }
    }

    @Test func aForeignFileIsNotALanesFile() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        #expect(throws: LanesFormatError.notALanesFile(found: Array(png.prefix(8)))) { try LanesFile.decode(png) }
        #expect(throws: LanesFormatError.notALanesFile(found: Array("{\"traceE".utf8))) { try LanesFile.decode(Array("{\"traceEvents\": []}".utf8)) }
        // Known to be foreign from the first byte, before the rest arrives.
        var decoder = LanesDecoder()
        decoder.feed([UInt8(ascii: "{")])
        #expect(throws: LanesFormatError.notALanesFile(found: [UInt8(ascii: "{")])) { try decoder.next() }
    }

    @Test func aNewerVersionIsItsOwnError() throws {
        var bytes = try smallFile()
        bytes[8] = 2
        #expect(throws: LanesFormatError.unsupportedVersion(2, supported: 1)) { try LanesFile.decode(bytes) }
        bytes[8] = 0
        bytes[9] = 1
        #expect(throws: LanesFormatError.unsupportedVersion(256, supported: 1)) { try LanesFile.decode(bytes) }
        #expect(LanesFormatError.unsupportedVersion(2, supported: 1).description.contains("version 2"))
    }

    @Test func emptyDataIsATruncatedHeader() {
        #expect(throws: LanesFormatError.truncatedHeader(offset: 0)) { try LanesFile.decode([UInt8]()) }
    }

    @Test func malformedPayloadNamesTheField() throws {
        // A batch whose span names string 200 of a table that has far fewer, with a valid checksum.
        var bytes = try smallFile()
        let batch = chunkBounds(bytes)[1]
        // Find the spans section and patch its first span's name index (after flags, slot, lane, thread, end, duration).
        var p = batch.payloadStart
        while bytes[p] != Layout.Section.spans {
            let length = (0..<4).reduce(0) { $0 | Int(bytes[p + 1 + $1]) << (8 * $1) }
            p += 5 + length
        }
        let sectionStart = p
        #expect(bytes[p + 5] == 3)  // three spans
        let flags = bytes[p + 6]
        #expect(flags & Layout.SpanFlag.name != 0 && flags & Layout.SpanFlag.more == 0)
        // flags, slot 0, lane 0, thread delta (varint), id delta (varint), end (varint), duration (varint), name
        var q = p + 7
        func skipVarint() { while bytes[q] & 0x80 != 0 { q += 1 }; q += 1 }
        skipVarint()  // slot
        skipVarint()  // lane
        skipVarint()  // thread
        if flags & Layout.SpanFlag.id != 0 { skipVarint() }
        skipVarint()  // end
        skipVarint()  // duration
        #expect(bytes[q] < 0x80)
        bytes[q] = 0x7F
        fixChecksums(&bytes)
        do {
            _ = try LanesFile.decode(bytes)
            Issue.record("decoded a span named by a string that does not exist")
        } catch {
            #expect(error == .malformedChunk(
                chunkOffset: batch.start, offset: q, field: "spans[0].name",
                problem: "string index 127, but the table has 13 strings"))
            _ = sectionStart
        }
    }

    /// `LANES_FUZZ_ROUNDS` (and `LANES_FUZZ_SEED`) run a longer fuzz by hand.
    @Test func mutatedFilesNeverCrash() throws {
        let environment = ProcessInfo.processInfo.environment
        let rounds = environment["LANES_FUZZ_ROUNDS"].flatMap(Int.init) ?? 4_000
        var rng = SeededRandom(seed: environment["LANES_FUZZ_SEED"].flatMap(UInt64.init) ?? 0xF022)
        let originals = [try smallFile(), try LanesFile.encode(rng.trace(maxSpans: 40), spansPerChunk: 10)]
        var outcomes = (results: 0, checksum: 0, malformed: 0, other: 0)
        for round in 0..<rounds {
            var bytes = originals[round % 2]
            for _ in 0..<rng.int(1...4) {
                switch rng.int(0...5) {
                case 0, 1:
                    let i = rng.int(0...(bytes.count - 1))
                    bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 2:
                    let i = rng.int(0...(bytes.count - 1))
                    bytes[i] ^= 1 << UInt8(rng.int(0...7))
                case 3:
                    bytes.insert(UInt8.random(in: 0...255, using: &rng), at: rng.int(0...bytes.count))
                case 4:
                    if bytes.count > 1 { bytes.remove(at: rng.int(0...(bytes.count - 1))) }
                default:
                    bytes = Array(bytes.prefix(rng.int(0...bytes.count)))
                }
                if bytes.isEmpty { bytes = [0] }
            }
            // Most mutants must get past the checksum to exercise the payload decoder.
            if round % 4 != 0 { fixChecksums(&bytes) }
            do {
                _ = try LanesFile.decode(bytes)
                outcomes.results += 1
            } catch {
                switch error {
                case .checksumMismatch: outcomes.checksum += 1
                case .malformedChunk: outcomes.malformed += 1
                default: outcomes.other += 1
                }
                #expect(!error.description.isEmpty)
            }
        }
        #expect(outcomes.malformed > 500, "\(outcomes)")
        #expect(outcomes.checksum > 100, "\(outcomes)")
    }

    @Test func randomBytesNeverCrash() {
        var rng = SeededRandom(seed: 0xDEAD)
        for round in 0..<2_000 {
            var bytes = (0..<rng.int(0...300)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if round % 2 == 0 { bytes = Layout.magic + [1, 0, 0, 0] + bytes }
            if round % 4 == 0 { fixChecksums(&bytes) }
            _ = try? LanesFile.decode(bytes)
        }
    }

    @Test func hugeDeclaredLengthsAreRejectedNotAllocated() throws {
        // A chunk that claims 4 GiB: an error before any such buffer exists.
        var bytes = try smallFile()
        let batch = chunkBounds(bytes)[1]
        for i in 1...4 { bytes[batch.start + i] = 0xFF }
        #expect(throws: LanesFormatError.malformedChunk(
            chunkOffset: batch.start, offset: batch.start + 1, field: "chunk length",
            problem: "4294967295 bytes, more than the limit of 1073741824")) { try LanesFile.decode(bytes) }
        // A span count far beyond the section's bytes.
        var w = ByteWriter()
        w.u8(Layout.Section.spans)
        w.u32(10)
        w.varint(UInt64.max >> 1)
        w.bytes += Array(repeating: 0, count: 10 - (w.count - 5))
        #expect(w.count == 15)
        var file = Layout.magic + [1, 0, 0, 0]
        file += chunk(kind: Layout.Kind.header, payload: [])
        let batchOffset = file.count
        file += chunk(kind: Layout.Kind.batch, payload: w.bytes)
        do {
            _ = try LanesFile.decode(file)
            Issue.record("accepted a count larger than the data")
        } catch {
            guard case .malformedChunk(let at, _, let field, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(at == batchOffset && field == "spans.count")
        }
    }

    @Test func unknownChunksAndSectionsAreSkippedWithAWarning() throws {
        var bytes = try smallFile()
        let chunks = chunkBounds(bytes)
        let endChunk = chunks.last!
        // A chunk of a future kind before the end chunk, and a batch holding a future section.
        var future = ByteWriter()
        future.u8(0x77)
        future.u32(3)
        future.bytes += [1, 2, 3]
        let extra = chunk(kind: 0x5A, payload: [9, 9]) + chunk(kind: Layout.Kind.batch, payload: future.bytes)
        bytes.insert(contentsOf: extra, at: endChunk.start)
        let result = try LanesFile.decode(bytes)
        #expect(result.trace == sampleTrace())
        #expect(result.warnings.contains(.unknownChunks(kind: 0x5A, count: 1, firstOffset: endChunk.start)))
        #expect(result.warnings.contains(.unknownSections(tag: 0x77, count: 1, firstChunkOffset: endChunk.start + 11)))
        // The end chunk counted four batches; five were read.
        #expect(result.warnings.contains(.totalsDiffer(expectedChunks: 4, chunks: 5, expectedSpans: 10, spans: 10)))
    }

    @Test func bytesAfterTheEndAreReported() throws {
        let bytes = try smallFile() + [1, 2, 3]
        let result = try LanesFile.decode(bytes)
        #expect(result.isComplete)
        #expect(result.warnings == [.trailingBytes(offset: bytes.count - 3, count: 3)])
    }

    @Test func oneByteAtATimeGivesTheSameResult() throws {
        var rng = SeededRandom(seed: 0x0B1)
        for cutShort in [false, true] {
            let full = try LanesFile.encode(rng.trace(maxSpans: 50), spansPerChunk: 8)
            let bytes = cutShort ? Array(full.dropLast(5)) : full
            let whole = try LanesFile.decode(bytes)
            var reader = LanesReader()
            for b in bytes { try reader.feed(CollectionOfOne(b)) }
            let drip = try reader.finish()
            #expect(drip.trace == whole.trace)
            #expect(drip.warnings == whole.warnings)
            #expect(drip.completeness == whole.completeness)
            #expect(drip.chunks == whole.chunks)
            // Slices of random sizes too.
            var decoder = LanesDecoder()
            var events = 0
            var i = 0
            while i < bytes.count {
                let n = min(bytes.count - i, rng.int(1...700))
                decoder.feed(bytes[i..<(i + n)])
                while try decoder.next() != nil { events += 1 }
                i += n
            }
            decoder.finish()
            while try decoder.next() != nil { events += 1 }
            #expect(events == whole.chunks + 1 + (cutShort ? 0 : 1))
            #expect(decoder.completeness == whole.completeness)
        }
    }

    @Test func errorsAreSticky() throws {
        var bytes = try smallFile()
        let batch = chunkBounds(bytes)[2]
        bytes[batch.end - 1] ^= 0xFF
        var decoder = LanesDecoder()
        decoder.feed(bytes)
        var batches = 0
        var thrown: [LanesFormatError] = []
        for _ in 0..<5 {
            do {
                if case .batch = try decoder.next() { batches += 1 }
            } catch {
                thrown.append(error)
            }
        }
        #expect(batches == 1)
        #expect(thrown.count >= 2 && Set(thrown).count == 1)
    }
}

/// A framed chunk with a correct checksum.
func chunk(kind: UInt8, payload: [UInt8]) -> [UInt8] {
    var w = ByteWriter()
    w.u8(kind)
    w.u32(UInt32(payload.count))
    w.u32(0)
    w.bytes += payload
    var crc = CRC32()
    crc.update(w.bytes[0..<5])
    crc.update(payload)
    w.patchU32(at: 5, crc.value)
    return w.bytes
}
