import LanesCore
import LanesFormat

/// SplitMix64: a small seeded generator, so every run of the tests sees the same "random" inputs.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }
    mutating func int(_ r: ClosedRange<Int>) -> Int { Int.random(in: r, using: &self) }
    mutating func pick<T>(_ xs: [T]) -> T { xs[Int.random(in: 0..<xs.count, using: &self)] }

    /// Small, large, negative and extreme values alike.
    mutating func int64() -> Int64 {
        switch int(0...6) {
        case 0: return pick([0, 1, -1, .min, .max, .min + 1, .max - 1])
        case 1: return Int64.random(in: -1_000...1_000, using: &self)
        case 2: return Int64.random(in: 0...10_000_000_000_000, using: &self)
        case 3: return Int64.random(in: -10_000_000_000_000...0, using: &self)
        default: return Int64(bitPattern: next())
        }
    }

    mutating func uint64() -> UInt64 {
        switch int(0...3) {
        case 0: return pick([0, 1, .max, 1 << 32, 1 << 63])
        case 1: return UInt64.random(in: 0...1_000, using: &self)
        default: return next()
        }
    }

    mutating func int32() -> Int32 { int(0...1) == 0 ? pick([0, 1, -1, .min, .max]) : Int32(truncatingIfNeeded: next()) }

    mutating func string() -> String {
        switch int(0...5) {
        case 0: return ""
        case 1: return pick(["main", "worker", "lock", "naïve café", "日本語のスパン", "🧵🔒 thread", "a\u{0}b", "tab\tnew\nline"])
        case 2:
            let n = int(16...80)
            return String((0..<n).map { _ in Character(Unicode.Scalar(UInt8(int(32...126)))) })
        default:
            let n = int(1...12)
            let scalars = (0..<n).compactMap { _ in
                Unicode.Scalar(UInt32(pick([int(0x20...0x7E), int(0xA0...0x2FF), int(0x4E00...0x4FFF), int(0x1F300...0x1F64F)])))
            }
            return String(String.UnicodeScalarView(scalars))
        }
    }

    mutating func optional<T>(_ make: (inout SeededRandom) -> T) -> T? { chance(0.5) ? make(&self) : nil }

    mutating func attributes(max: Int = 3) -> [Attribute] {
        (0..<int(0...max)).map { _ in Attribute(string(), string()) }
    }

    mutating func double() -> Double {
        switch int(0...5) {
        case 0: return pick([0, -0.0, 1, -1, .infinity, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude])
        case 1: return Double(Int64.random(in: -1_000_000...1_000_000, using: &self))
        case 2: return Double(int64())
        default:
            let d = Double(bitPattern: next())
            return d.isNaN ? 0.5 : d
        }
    }

    mutating func wait() -> Wait {
        Wait(reason: pick(WaitReason.allCases), start: int64(), end: int64(), object: optional { $0.string() })
    }

    mutating func metadata() -> Metadata {
        Metadata(
            command: (0..<int(0...4)).map { _ in string() }, host: string(), cores: Int(int32()),
            clock: chance(0.5) ? .monotonic : .imported(string()), timeSource: string(),
            scenario: optional { $0.string() }, model: optional { $0.string() }, droppedEvents: uint64(),
            startedAt: optional { $0.int64() }, extra: attributes())
    }

    /// A trace with every field exercised; processes have distinct pids and lanes distinct ids.
    mutating func trace(maxSpans: Int = 120) -> Trace {
        var pids = Set<Int64>()
        let processes: [Process] = (0..<int(0...3)).compactMap { _ in
            let pid = int64()
            guard pids.insert(pid).inserted else { return nil }
            let exit: Process.Exit? = pick([nil, .exited(int32()), .signaled(int32())])
            return Process(pid: pid, name: string(), exit: exit, note: string())
        }
        var laneIDs = Set<UInt32>()
        let lanes: [Lane] = (0..<int(0...5)).compactMap { _ in
            let id = chance(0.5) ? UInt32(int(0...20)) : UInt32(truncatingIfNeeded: next())
            guard laneIDs.insert(id).inserted else { return nil }
            return Lane(
                id: LaneID(id), kind: pick(Lane.Kind.allCases), pid: processes.isEmpty ? int64() : pick(processes).pid,
                threadID: optional { $0.int64() }, taskID: optional { $0.uint64() },
                parentTaskID: optional { $0.uint64() }, name: string(), sortIndex: int32())
        }
        let laneChoices = lanes.map(\.id) + [LaneID(UInt32(int(0...3)))]
        var id = uint64()
        let spans: [Span] = (0..<int(0...maxSpans)).map { _ in
            id = chance(0.7) ? id &+ 1 : uint64()
            let start = chance(0.5) ? int64() : Int64.random(in: 0...1_000_000, using: &self)
            let end = chance(0.8) ? start &+ Int64.random(in: 0...100_000, using: &self) : int64()
            return Span(
                id: SpanID(id), name: chance(0.6) ? pick(["a", "b", "work"]) : string(), lane: pick(laneChoices),
                threadID: chance(0.7) ? 1234 : int64(), start: start, end: end, cpuTime: optional { $0.int64() },
                parent: optional { SpanID($0.chance(0.5) ? id &- UInt64($0.int(1...5)) : $0.uint64()) },
                attributes: chance(0.2) ? attributes() : [], waits: chance(0.3) ? (0..<int(1...4)).map { _ in wait() } : [])
        }
        let marks = (0..<int(0...10)).map { _ in
            Mark(name: string(), lane: chance(0.5) ? pick(laneChoices) : nil, time: int64(), attributes: attributes(max: 2))
        }
        let counters = (0..<int(0...10)).map { _ in
            CounterSample(name: string(), lane: chance(0.5) ? pick(laneChoices) : nil, time: int64(), value: double())
        }
        let flows = (0..<int(0...6)).map { _ in
            Flow(id: uint64(), from: SpanID(uint64()), to: SpanID(uint64()), fromTime: int64(), toTime: int64(), name: string())
        }
        return Trace(
            metadata: metadata(), processes: processes, lanes: lanes, spans: spans, marks: marks, counters: counters,
            flows: flows)
    }
}

/// A small, fixed trace with every kind of record.
func sampleTrace() -> Trace {
    let lanes = [
        Lane(id: LaneID(0), kind: .thread, pid: 42, threadID: 4200, name: "main"),
        Lane(id: LaneID(1), kind: .thread, pid: 42, threadID: 4201, name: "worker 1", sortIndex: 1),
    ]
    var spans: [Span] = []
    for i in 0..<10 {
        let lane = lanes[i % 2]
        spans.append(Span(
            id: SpanID(UInt64(lane.id.rawValue) << 32 | UInt64(i)), name: i % 3 == 0 ? "parse" : "compute", lane: lane.id,
            threadID: lane.threadID ?? 0, start: 1_000 + Int64(i) * 500, end: 1_400 + Int64(i) * 500,
            cpuTime: i % 4 == 0 ? 300 : nil,
            waits: i == 3 ? [Wait(reason: .lock, start: 2_600, end: 2_650, object: "queue lock")] : []))
    }
    return Trace(
        metadata: Metadata(command: ["lanes", "run", "demo"], host: "testhost", cores: 8, timeSource: "clock_gettime"),
        processes: [Process(pid: 42, name: "demo", exit: .exited(0))], lanes: lanes, spans: spans,
        marks: [Mark(name: "start", lane: nil, time: 1_000)],
        counters: [CounterSample(name: "queue.depth", lane: LaneID(0), time: 1_200, value: 3)],
        flows: [Flow(id: 1, from: spans[0].id, to: spans[1].id, fromTime: 1_400, toTime: 1_500, name: "hand-off")])
}

/// Where each chunk of a valid `.lanes` file starts and ends, and its kind.
struct ChunkBounds: Equatable {
    var kind: UInt8
    var start: Int
    var payloadStart: Int
    var end: Int
}

func chunkBounds(_ bytes: [UInt8]) -> [ChunkBounds] {
    var out: [ChunkBounds] = []
    var p = Layout.preambleSize
    while p + Layout.chunkHeaderSize <= bytes.count {
        let length = (0..<4).reduce(0) { $0 | Int(bytes[p + 1 + $1]) << (8 * $1) }
        let end = p + Layout.chunkHeaderSize + length
        guard end <= bytes.count else { break }
        out.append(ChunkBounds(kind: bytes[p], start: p, payloadStart: p + Layout.chunkHeaderSize, end: end))
        p = end
    }
    return out
}

/// Recomputes the CRC of every chunk whose length fits, so that damage reaches the payload decoder.
func fixChecksums(_ bytes: inout [UInt8]) {
    for c in chunkBounds(bytes) {
        var crc = CRC32()
        crc.update(bytes[c.start..<(c.start + 5)])
        crc.update(bytes[c.payloadStart..<c.end])
        for i in 0..<4 { bytes[c.start + 5 + i] = UInt8(truncatingIfNeeded: crc.value >> UInt32(8 * i)) }
    }
}

/// Spans as a recorder writes them: `threads` threads, each in end order (children before parents), ids
/// `(lane << 32) | sequence` numbered at begin, parents on the same thread, durations of ~100 ns to 10 µs,
/// a handful of names, no attributes, an occasional wait. Returns one batch per flushed thread buffer.
func recorderLikeBatches(spans total: Int, threads: Int, bufferSpans: Int = 4096, seed: UInt64 = 7) -> [LanesBatch] {
    var rng = SeededRandom(seed: seed)
    let names = ["request", "parse", "compute", "io", "lock", "alloc"]
    var perThread: [[Span]] = []
    let perThreadCount = total / threads
    for t in 0..<threads {
        let lane = LaneID(UInt32(t))
        let tid = Int64(100_000 + t)
        var spans: [Span] = []
        spans.reserveCapacity(perThreadCount)
        var sequence: UInt64 = 0
        var now: Int64 = 5_000_000_000_000 + Int64(t) * 1_000
        func nextID() -> SpanID {
            defer { sequence += 1 }
            return SpanID(UInt64(t) << 32 | sequence)
        }
        while spans.count < perThreadCount {
            // A request with 1 to 4 children, some with a child of their own.
            let rootID = nextID()
            let rootStart = now
            now += Int64(rng.int(50...300))
            for _ in 0..<rng.int(1...4) where spans.count < perThreadCount - 1 {
                let childID = nextID()
                let childStart = now
                now += Int64(rng.int(30...200))
                if rng.chance(0.4), spans.count < perThreadCount - 2 {
                    let leafStart = now
                    now += Int64(rng.int(100...3_000))
                    spans.append(Span(
                        id: nextID(), name: rng.pick(["lock", "alloc"]), lane: lane, threadID: tid, start: leafStart,
                        end: now, parent: childID))
                    now += Int64(rng.int(20...200))
                }
                now += Int64(rng.int(100...5_000))
                spans.append(Span(
                    id: childID, name: rng.pick(["parse", "compute", "io"]), lane: lane, threadID: tid, start: childStart,
                    end: now, parent: rootID))
            }
            now += Int64(rng.int(20...300))
            spans.append(Span(id: rootID, name: names[0], lane: lane, threadID: tid, start: rootStart, end: now))
            now += Int64(rng.int(50...2_000))
        }
        perThread.append(spans)
    }
    // Threads flush their buffers in turn, as a collector receives them.
    var batches: [LanesBatch] = []
    var offset = 0
    while offset < perThreadCount {
        for t in 0..<threads {
            let piece = Array(perThread[t][offset..<min(perThreadCount, offset + bufferSpans)])
            var batch = LanesBatch(spans: piece)
            if offset == 0 {
                batch.lanes = [Lane(id: LaneID(UInt32(t)), kind: .thread, pid: 4242, threadID: Int64(100_000 + t), name: "worker \(t)")]
                if t == 0 { batch.processes = [Process(pid: 4242, name: "bench")] }
            }
            // An occasional wait, detached as the recorder sends them.
            if let s = piece.first(where: { $0.duration > 2_000 }) {
                batch.waits = [DetachedWait(span: s.id, wait: Wait(reason: .lock, start: s.start + 10, end: s.start + 500))]
            }
            batches.append(batch)
        }
        offset += bufferSpans
    }
    return batches
}
