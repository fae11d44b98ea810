import LanesSupport
import LanesCore

/// Encodes the payloads of header and batch chunks, keeping the file-wide string table.
///
/// Each chunk is encoded in two parts: the sections (into `body`), which intern their strings as they go,
/// then the strings section with the strings this chunk added, which is placed first in the payload.
package struct ChunkEncoder: Sendable {
    /// Every string written so far and its index in the file's table.
    private var table: [String: UInt32] = [:]
    private var tableCount: UInt32 = 0
    /// Strings added by the chunk being encoded.
    private var added: [String] = []
    private var body = ByteWriter(capacity: 1 << 16)

    package init() {}

    /// The index of `s` in the string table, adding it if new.
    @inline(__always) private mutating func intern(_ s: String) -> UInt32 {
        if let i = table[s] { return i }
        let i = tableCount
        table[s] = i
        tableCount += 1
        added.append(s)
        return i
    }

    private mutating func string(_ s: String) { body.varint(UInt64(intern(s))) }

    /// 0 for nil, index + 1 otherwise.
    private mutating func optionalString(_ s: String?) {
        if let s { body.varint(UInt64(intern(s)) + 1) } else { body.u8(0) }
    }

    private mutating func attributes(_ attrs: [Attribute]) {
        body.varint(attrs.count)
        for a in attrs {
            string(a.key)
            string(a.value)
        }
    }

    private mutating func section(_ tag: UInt8, _ encode: (inout ChunkEncoder) -> Void) {
        body.u8(tag)
        let lengthAt = body.count
        body.u32(0)
        encode(&self)
        body.patchU32(at: lengthAt, UInt32(truncatingIfNeeded: body.count - lengthAt - 4))
    }

    // MARK: Chunks

    /// The whole header chunk (not the preamble) for `metadata`.
    package mutating func headerChunk(_ metadata: Metadata) -> [UInt8] {
        section(Layout.Section.metadata) { $0.metadata(metadata) }
        return finishChunk(kind: Layout.Kind.header)
    }

    /// The whole batch chunk for `batch`.
    package mutating func batchChunk(_ batch: LanesBatch) -> [UInt8] {
        if let m = batch.metadata { section(Layout.Section.metadata) { $0.metadata(m) } }
        if !batch.processes.isEmpty { section(Layout.Section.processes) { $0.processes(batch.processes) } }
        if !batch.lanes.isEmpty { section(Layout.Section.lanes) { $0.lanes(batch.lanes) } }
        if !batch.spans.isEmpty { section(Layout.Section.spans) { $0.spans(batch.spans) } }
        if !batch.waits.isEmpty { section(Layout.Section.waits) { $0.detachedWaits(batch.waits) } }
        if !batch.marks.isEmpty { section(Layout.Section.marks) { $0.marks(batch.marks) } }
        if !batch.counters.isEmpty { section(Layout.Section.counters) { $0.counters(batch.counters) } }
        if !batch.flows.isEmpty { section(Layout.Section.flows) { $0.flows(batch.flows) } }
        return finishChunk(kind: Layout.Kind.batch)
    }

    /// The end chunk with the writer's totals.
    package static func endChunk(chunks: Int, spans: Int) -> [UInt8] {
        var payload = ByteWriter(capacity: Layout.endPayloadSize)
        payload.u64(UInt64(chunks))
        payload.u64(UInt64(spans))
        return frame(kind: Layout.Kind.end, prefix: [], payload: payload.bytes)
    }

    /// Frames the strings section and `body` as one chunk of `kind`, and resets both for the next chunk.
    private mutating func finishChunk(kind: UInt8) -> [UInt8] {
        var strings = ByteWriter()
        if !added.isEmpty {
            var list = ByteWriter(capacity: 16 * added.count)
            list.varint(added.count)
            for s in added {
                list.varint(s.utf8.count)
                list.bytes.append(contentsOf: s.utf8)
            }
            strings.u8(Layout.Section.strings)
            strings.u32(UInt32(truncatingIfNeeded: list.count))
            strings.raw(list.bytes)
            added.removeAll(keepingCapacity: true)
        }
        let chunk = ChunkEncoder.frame(kind: kind, prefix: strings.bytes, payload: body.bytes)
        body.bytes.removeAll(keepingCapacity: true)
        return chunk
    }

    /// Kind, length, CRC-32 of kind + length + payload, then the payload (`prefix` followed by `payload`).
    private static func frame(kind: UInt8, prefix: [UInt8], payload: [UInt8]) -> [UInt8] {
        let length = prefix.count + payload.count
        var out = ByteWriter(capacity: Layout.chunkHeaderSize + length)
        out.u8(kind)
        out.u32(UInt32(truncatingIfNeeded: length))
        out.u32(0)
        out.raw(prefix)
        out.raw(payload)
        var crc = CRC32()
        out.bytes.withUnsafeBytes { all in
            crc.update(UnsafeRawBufferPointer(rebasing: all[0..<5]))
            crc.update(UnsafeRawBufferPointer(rebasing: all[Layout.chunkHeaderSize...]))
        }
        out.patchU32(at: 5, crc.value)
        return out.bytes
    }

    /// The payload size of a framed chunk.
    package static func payloadSize(ofChunk chunk: [UInt8]) -> Int { chunk.count - Layout.chunkHeaderSize }

    // MARK: Sections

    private mutating func metadata(_ m: Metadata) {
        body.varint(m.command.count)
        for c in m.command { string(c) }
        string(m.host)
        body.signed(Int64(m.cores))
        switch m.clock {
        case .monotonic: body.u8(0)
        case .imported(let name):
            body.u8(1)
            string(name)
        }
        string(m.timeSource)
        optionalString(m.scenario)
        optionalString(m.model)
        body.varint(m.droppedEvents)
        if let s = m.startedAt {
            body.u8(1)
            body.signed(s)
        } else {
            body.u8(0)
        }
        attributes(m.extra)
    }

    private mutating func processes(_ list: [Process]) {
        body.varint(list.count)
        for p in list {
            body.signed(p.pid)
            string(p.name)
            switch p.exit {
            case nil: body.u8(0)
            case .exited(let s):
                body.u8(1)
                body.signed(Int64(s))
            case .signaled(let s):
                body.u8(2)
                body.signed(Int64(s))
            }
            string(p.note)
        }
    }

    private mutating func lanes(_ list: [Lane]) {
        body.varint(list.count)
        for l in list {
            body.varint(UInt64(l.id.rawValue))
            body.u8(l.kind.rawValue)
            var flags: UInt8 = 0
            if l.threadID != nil { flags |= 1 }
            if l.taskID != nil { flags |= 2 }
            if l.parentTaskID != nil { flags |= 4 }
            body.u8(flags)
            body.signed(l.pid)
            if let t = l.threadID { body.signed(t) }
            if let t = l.taskID { body.varint(t) }
            if let t = l.parentTaskID { body.varint(t) }
            string(l.name)
            body.signed(Int64(l.sortIndex))
        }
    }

    /// What spans on one lane of a chunk are encoded against.
    private struct SlotContext {
        var lane: LaneID
        var thread: Int64
        var previousID: UInt64
        var previousEnd: Int64
        var previousName: UInt32
        var previousNameString: String?

        /// Before the first span of a chunk; no name index equals `previousName`, so the first span names itself.
        static let initial = SlotContext(
            lane: LaneID(0), thread: 0, previousID: 0, previousEnd: 0, previousName: UInt32.max, previousNameString: nil)
    }

    private mutating func spans(_ list: [Span]) {
        typealias F = Layout.SpanFlag
        typealias F2 = Layout.SpanFlag2
        body.varint(list.count)
        var slots: [SlotContext] = []
        var slotOf: [LaneID: Int] = [:]
        var current = -1
        for s in list {
            var flags: UInt8 = 0
            var flags2: UInt8 = 0
            // A new slot is declared by its index (= the slot count), its lane and its thread relative to
            // the slot before; it starts from that slot's previous id, end and name.
            var declared: (lane: UInt32, threadDelta: Int64)? = nil
            if current < 0 || slots[current].lane != s.lane {
                flags |= F.lane
                if let i = slotOf[s.lane] {
                    current = i
                } else {
                    let base = current >= 0 ? slots[current] : SlotContext.initial
                    declared = (s.lane.rawValue, s.threadID &- base.thread)
                    var fresh = base
                    fresh.lane = s.lane
                    fresh.thread = s.threadID
                    slots.append(fresh)
                    current = slots.count - 1
                    slotOf[s.lane] = current
                }
            }
            var ctx = slots[current]

            let id = s.id.rawValue
            if id != ctx.previousID &+ 1 { flags |= F.id }
            let endDelta = s.end &- ctx.previousEnd
            if endDelta < 0 { flags |= F.endBack }
            let duration = s.end &- s.start
            if duration < 0 { flags2 |= F2.negativeDuration }
            let nameIndex: UInt32
            if let prev = ctx.previousNameString, prev == s.name {
                nameIndex = ctx.previousName
            } else {
                nameIndex = intern(s.name)
            }
            if nameIndex != ctx.previousName { flags |= F.name }
            if s.parent != nil { flags |= F.parent }
            if s.cpuTime != nil { flags |= F.cpuTime }
            if s.threadID != ctx.thread { flags |= F.thread }
            if !s.attributes.isEmpty { flags2 |= F2.attributes }
            if !s.waits.isEmpty { flags2 |= F2.waits }
            if flags2 != 0 { flags |= F.more }

            body.u8(flags)
            if flags2 != 0 { body.u8(flags2) }
            if flags & F.lane != 0 {
                body.varint(current)
                if let declared {
                    body.varint(UInt64(declared.lane))
                    body.signed(declared.threadDelta)
                }
            }
            if flags & F.id != 0 { body.signed(Int64(bitPattern: id &- ctx.previousID)) }
            body.varint(endDelta.magnitude)
            body.varint(duration.magnitude)
            if flags & F.name != 0 { body.varint(UInt64(nameIndex)) }
            if let p = s.parent { body.signed(Int64(bitPattern: id &- p.rawValue)) }
            if let c = s.cpuTime { body.signed(duration &- c) }
            if flags & F.thread != 0 { body.signed(s.threadID &- ctx.thread) }
            if flags2 & F2.attributes != 0 { attributes(s.attributes) }
            if flags2 & F2.waits != 0 {
                body.varint(s.waits.count)
                var previousStart = s.start
                for w in s.waits {
                    wait(w, previousStart: previousStart)
                    previousStart = w.start
                }
            }

            ctx.previousID = id
            ctx.previousEnd = s.end
            ctx.previousName = nameIndex
            ctx.previousNameString = s.name
            slots[current] = ctx
        }
    }

    /// Reason and object flag, start relative to `previousStart`, signed duration, object.
    private mutating func wait(_ w: Wait, previousStart: Int64) {
        body.u8(w.reason.rawValue | (w.object != nil ? Layout.waitHasObject : 0))
        body.signed(w.start &- previousStart)
        body.signed(w.end &- w.start)
        if let o = w.object { string(o) }
    }

    private mutating func detachedWaits(_ list: [DetachedWait]) {
        body.varint(list.count)
        var previousSpan: UInt64 = 0
        var previousStart: Int64 = 0
        for d in list {
            body.signed(Int64(bitPattern: d.span.rawValue &- previousSpan))
            wait(d.wait, previousStart: previousStart)
            previousSpan = d.span.rawValue
            previousStart = d.wait.start
        }
    }

    private mutating func marks(_ list: [Mark]) {
        body.varint(list.count)
        var previousTime: Int64 = 0
        for m in list {
            var flags: UInt8 = 0
            if m.lane != nil { flags |= 1 }
            if !m.attributes.isEmpty { flags |= 2 }
            body.u8(flags)
            string(m.name)
            if let l = m.lane { body.varint(UInt64(l.rawValue)) }
            body.signed(m.time &- previousTime)
            if !m.attributes.isEmpty { attributes(m.attributes) }
            previousTime = m.time
        }
    }

    private mutating func counters(_ list: [CounterSample]) {
        body.varint(list.count)
        var previousTime: Int64 = 0
        for c in list {
            var flags: UInt8 = 0
            if c.lane != nil { flags |= 1 }
            // Whole numbers (the usual case: depths, counts, nanoseconds) as varints; -0.0 keeps its 8 bytes.
            let whole = Int64(exactly: c.value).flatMap { Double($0).bitPattern == c.value.bitPattern ? $0 : nil }
            if whole != nil { flags |= 2 }
            body.u8(flags)
            string(c.name)
            if let l = c.lane { body.varint(UInt64(l.rawValue)) }
            body.signed(c.time &- previousTime)
            if let whole { body.signed(whole) } else { body.u64(c.value.bitPattern) }
            previousTime = c.time
        }
    }

    private mutating func flows(_ list: [Flow]) {
        body.varint(list.count)
        var previousID: UInt64 = 0
        var previousFrom: UInt64 = 0
        var previousTime: Int64 = 0
        for f in list {
            body.signed(Int64(bitPattern: f.id &- previousID))
            body.signed(Int64(bitPattern: f.from.rawValue &- previousFrom))
            body.signed(Int64(bitPattern: f.to.rawValue &- f.from.rawValue))
            body.signed(f.fromTime &- previousTime)
            body.signed(f.toTime &- f.fromTime)
            string(f.name)
            previousID = f.id
            previousFrom = f.from.rawValue
            previousTime = f.fromTime
        }
    }
}
