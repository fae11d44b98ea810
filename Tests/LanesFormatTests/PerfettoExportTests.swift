import LanesCore
@testable import LanesFormat
import Testing

/// A protobuf field as the wire holds it: a varint, eight fixed bytes, or length-delimited bytes.
private enum WireValue {
    case varint(UInt64)
    case fixed64(UInt64)
    case bytes([UInt8])

    var uint: UInt64? {
        if case .varint(let v) = self { return v }
        return nil
    }
    var fixed: UInt64? {
        if case .fixed64(let v) = self { return v }
        return nil
    }
    var data: [UInt8]? {
        if case .bytes(let v) = self { return v }
        return nil
    }
    var text: String? { data.map { String(decoding: $0, as: UTF8.self) } }
    var message: WireMessage? { data.flatMap { try? WireMessage(decoding: $0) } }
}

/// A tiny protobuf decoder, written apart from the encoder, for reading the bytes back.
private struct WireMessage {
    var fields: [(number: UInt32, value: WireValue)] = []

    struct Malformed: Error {}

    init(decoding bytes: [UInt8]) throws {
        var i = 0
        func varint() throws -> UInt64 {
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw Malformed() }
                let b = bytes[i]
                i += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return v }
                shift += 7
            }
        }
        while i < bytes.count {
            let key = try varint()
            let number = UInt32(key >> 3)
            switch key & 7 {
            case 0: fields.append((number, .varint(try varint())))
            case 1:
                guard i + 8 <= bytes.count else { throw Malformed() }
                var v: UInt64 = 0
                for k in 0..<8 { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
                i += 8
                fields.append((number, .fixed64(v)))
            case 2:
                let n = Int(try varint())
                guard n >= 0, i + n <= bytes.count else { throw Malformed() }
                fields.append((number, .bytes(Array(bytes[i..<i + n]))))
                i += n
            default: throw Malformed()
            }
        }
    }

    func all(_ n: UInt32) -> [WireValue] { fields.filter { $0.number == n }.map(\.value) }
    func first(_ n: UInt32) -> WireValue? { fields.first { $0.number == n }?.value }
}

/// A decoded track event, with what the tests look at.
private struct Event {
    var time: Int64
    var type: UInt64
    var track: UInt64
    var name: String?
    var categories: [String]
    var annotations: [String: String]
    var flowIDs: [UInt64]
    var terminatingFlowIDs: [UInt64]
    var counter: Double?
}

private struct Decoded {
    var packets: [WireMessage] = []
    var descriptors: [WireMessage] = []
    var events: [Event] = []

    init(_ bytes: [UInt8]) throws {
        let trace = try WireMessage(decoding: bytes)
        #expect(trace.fields.allSatisfy { $0.number == 1 }, "a Trace holds only packets")
        for p in trace.all(1) {
            let packet = try #require(p.message)
            packets.append(packet)
            if let d = packet.first(60)?.message { descriptors.append(d) }
            if let e = packet.first(11)?.message {
                var annotations: [String: String] = [:]
                for a in e.all(4).compactMap(\.message) {
                    let key = a.first(10)?.text ?? "?"
                    annotations[key] = a.first(6)?.text ?? a.first(4)?.uint.map { String(Int64(bitPattern: $0)) }
                }
                events.append(Event(
                    time: Int64(bitPattern: try #require(packet.first(8)?.uint)), type: e.first(9)?.uint ?? 0,
                    track: e.first(11)?.uint ?? 0, name: e.first(23)?.text, categories: e.all(22).compactMap(\.text),
                    annotations: annotations, flowIDs: e.all(47).compactMap(\.fixed), terminatingFlowIDs: e.all(48).compactMap(\.fixed),
                    counter: e.first(44)?.fixed.map { Double(bitPattern: $0) }))
            }
        }
    }

    func descriptor(_ uuid: UInt64) -> WireMessage? { descriptors.first { $0.first(1)?.uint == uuid } }
}

@Suite struct ProtobufWriterTests {
    @Test func varintsFixedAndStringsDecodeBack() throws {
        var w = ProtobufWriter()
        let values: [UInt64] = [0, 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64.max]
        for (k, v) in values.enumerated() { w.uint(UInt32(k + 1), v) }
        w.int(20, -1)
        w.fixed64(21, 0x0102_0304_0506_0708)
        w.double(22, -2.5)
        w.string(23, "wait: lock (ü)")
        w.string(1000, "")
        let m = try WireMessage(decoding: w.bytes)
        for (k, v) in values.enumerated() { #expect(m.first(UInt32(k + 1))?.uint == v) }
        #expect(m.first(20)?.uint == UInt64.max, "a negative int64 is its two's complement in ten bytes")
        #expect(m.first(21)?.fixed == 0x0102_0304_0506_0708)
        #expect(m.first(22)?.fixed.map { Double(bitPattern: $0) } == -2.5)
        #expect(m.first(23)?.text == "wait: lock (ü)")
        #expect(m.first(1000)?.text == "")
        // Known encodings: 300 is AC 02; fixed64 is little-endian.
        var small = ProtobufWriter()
        small.uint(1, 300)
        small.fixed64(2, 1)
        #expect(small.bytes == [0x08, 0xAC, 0x02, 0x11, 1, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func nestedMessagesOfEveryLengthDecodeBack() throws {
        for length in [0, 1, 126, 127, 128, 129, 16_383, 16_384, 70_000] {
            var w = ProtobufWriter()
            w.uint(1, 7)
            w.message(2) { inner in
                inner.string(3, String(repeating: "x", count: max(0, length - 2 - (length > 129 ? (length > 16_384 ? 2 : 1) : 0) - 1)))
                inner.message(4) { $0.uint(5, 9) }
            }
            w.uint(6, 8)
            let m = try WireMessage(decoding: w.bytes)
            #expect(m.first(1)?.uint == 7 && m.first(6)?.uint == 8, "length \(length)")
            let inner = try #require(m.first(2)?.message)
            #expect(inner.first(4)?.message?.first(5)?.uint == 9, "length \(length)")
        }
    }
}

@Suite struct PerfettoExportTests {
    @Test func tracksSlicesFlowsAndCountersDecodeBack() throws {
        let trace = awkwardTrace()
        let d = try Decoded(PerfettoTrace.encode(trace))

        // The first packet clears the sequence's incremental state; every packet is on one trusted sequence.
        #expect(d.packets.first?.first(13)?.uint == 1)
        #expect(d.packets.allSatisfy { $0.first(10)?.uint == 1 })

        // Processes by pid, threads with pid, tid and name; tasks as tracks whose parent is their process.
        let processes = Dictionary(uniqueKeysWithValues: d.descriptors.compactMap { desc -> (Int64, UInt64)? in
            guard let p = desc.first(3)?.message, let pid = p.first(1)?.uint, let uuid = desc.first(1)?.uint else { return nil }
            return (Int64(bitPattern: pid), uuid)
        })
        #expect(Set(processes.keys) == [10, 20])
        let threads = d.descriptors.compactMap { $0.first(4)?.message }
        #expect(Set(threads.compactMap { $0.first(5)?.text }) == ["main", "worker \"1\"", "pool worker"])
        #expect(threads.contains { $0.first(2)?.uint == 11 && $0.first(1)?.uint == 10 })
        let tasks = d.descriptors.filter { $0.first(2)?.text == "fetch" || $0.first(2)?.text == "anonymous task" }
        #expect(tasks.count == 2)
        #expect(tasks.allSatisfy { $0.first(5)?.uint == processes[10] })
        #expect(d.descriptors.allSatisfy { $0.first(5).map { p in d.descriptor(p.uint!) != nil } ?? true }, "every parent exists")

        // A begin and an end per span and wait; waits in the wait category with their reason and object.
        let begins = d.events.filter { $0.type == 1 }
        #expect(begins.count == trace.spans.count + trace.waitCount)
        #expect(d.events.filter { $0.type == 2 }.count == begins.count)
        let lock = try #require(begins.first { $0.name == "wait: lock (big lock)" })
        #expect(lock.categories == ["wait"])
        #expect(lock.annotations["lanes.wait"] == "lock" && lock.annotations["lanes.object"] == "big lock")
        #expect(lock.annotations["lanes.span"] == "2")
        let request = try #require(begins.first { $0.name == "request" })
        #expect(request.categories == ["span"])
        #expect(request.annotations["k"] == "v\nw" && request.annotations["lanes.cpu_ns"] == "5000")

        // Every track's begins and ends nest, and each end closes the slice open on its track.
        var open: [UInt64: [Int64]] = [:]
        for e in d.events where e.type == 1 || e.type == 2 {
            if e.type == 1 {
                if let top = open[e.track]?.last { #expect(e.time >= top) }
                open[e.track, default: []].append(e.time)
            } else {
                let start = open[e.track]?.popLast()
                #expect(start != nil, "an end with nothing open on track \(e.track)")
                #expect(e.time >= (start ?? .max))
            }
        }
        let allClosed = open.values.allSatisfy { $0.isEmpty }
        #expect(allClosed)
        // The span that overlaps its neighbour is on a track of its own.
        let overlaps = try #require(begins.first { $0.name == "overlaps" })
        let parse = try #require(begins.first { $0.name == "parse" })
        #expect(overlaps.track != parse.track)

        // Flows: a fixed64 id leaves the source's begin and ends at the target's.
        let handOff = begins.first { $0.name == "parse" }?.flowIDs ?? []
        #expect(handOff.count == 1)
        #expect(begins.first { $0.name == "work" }?.terminatingFlowIDs == handOff)
        #expect(Set(begins.flatMap(\.flowIDs)).count == trace.flows.count)

        // Counters on counter tracks, infinities as they are; marks as instants.
        let counters = d.events.filter { $0.type == 4 }
        #expect(counters.count == trace.counters.count)
        #expect(counters.contains { $0.counter == .infinity } && counters.contains { $0.counter == 1.5e9 })
        #expect(counters.allSatisfy { d.descriptor($0.track)?.first(8) != nil })
        #expect(Set(d.events.filter { $0.type == 3 }.compactMap(\.name)) == ["go", "here", "task mark"])
    }

    @Test func writesInPiecesTheSameBytes() throws {
        let trace = awkwardTrace()
        var sink = LanesMemorySink()
        try PerfettoTrace.write(trace, to: &sink, pieceSize: 64)
        #expect(sink.bytes == PerfettoTrace.encode(trace))
    }

    @Test func randomTracesEncodeToWellFormedNestedTracks() throws {
        var rng = SeededRandom(seed: 17)
        for round in 0..<200 {
            let trace = rng.trace(maxSpans: 40)
            let d = try Decoded(PerfettoTrace.encode(trace))
            let laneIDs = Set(trace.lanes.map(\.id))
            let kept = trace.spans.filter { laneIDs.contains($0.lane) }
            let begins = d.events.filter { $0.type == 1 }
            #expect(begins.count == kept.count + kept.reduce(0) { $0 + $1.waits.count }, "round \(round)")
            var open: [UInt64: [Int64]] = [:]
            for e in d.events where e.type == 1 || e.type == 2 {
                if e.type == 1 {
                    open[e.track, default: []].append(e.time)
                } else if let start = open[e.track]?.popLast() {
                    #expect(e.time >= start, "round \(round)")
                } else {
                    Issue.record("round \(round): an end with nothing open")
                }
            }
            let allClosed = open.values.allSatisfy { $0.isEmpty }
            #expect(allClosed, "round \(round)")
        }
    }
}
