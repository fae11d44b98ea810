import LanesCore

extension DecodeFailure {
    /// The same failure with `path` (e.g. `spans[12]`) put before the field name.
    func within(_ path: String) -> DecodeFailure {
        var f = self
        f.field = path + (field.hasPrefix("[") ? "" : ".") + field
        return f
    }
}

extension Array {
    /// Makes room for `n` more elements, growing geometrically (a plain `reserveCapacity(count + n)` per
    /// chunk would reallocate at every chunk).
    @inline(__always) mutating func reserve(more n: Int) {
        let needed = count + n
        if needed > capacity { reserveCapacity(Swift.max(needed, capacity * 2)) }
    }
}

/// Decodes header and batch payloads, keeping the file-wide string table. The inverse of ``ChunkEncoder``.
package struct ChunkDecoder: Sendable {
    /// The string table: every string the chunks read so far have added.
    package private(set) var strings: [String] = []
    /// Unknown section tags seen: how many, and the chunk of the first.
    package private(set) var unknownSections: [UInt8: (count: Int, firstChunkOffset: Int)] = [:]

    package init() {}

    /// Decodes the header chunk's payload: its strings and the metadata.
    package mutating func header(
        _ payload: UnsafeBufferPointer<UInt8>, chunkOffset: Int, payloadOffset: Int
    ) throws(LanesFormatError) -> Metadata {
        var batch = LanesBatch()
        try decode(payload, into: &batch, chunkOffset: chunkOffset, payloadOffset: payloadOffset, allowed: [
            Layout.Section.strings, Layout.Section.metadata,
        ])
        return batch.metadata ?? Metadata()
    }

    /// Decodes a batch chunk's payload; its spans are appended to `spans`, the rest returned.
    ///
    /// Waits whose span is in the same chunk are attached to it here, while those spans are in the cache;
    /// the others stay in the returned batch's `waits` for ``TraceBuilder`` to place.
    package mutating func batch(
        _ payload: UnsafeBufferPointer<UInt8>, chunkOffset: Int, payloadOffset: Int, spans: inout [Span]
    ) throws(LanesFormatError) -> LanesBatch {
        var batch = LanesBatch()
        swap(&batch.spans, &spans)
        let first = batch.spans.count
        do {
            try decode(payload, into: &batch, chunkOffset: chunkOffset, payloadOffset: payloadOffset, allowed: nil)
        } catch {
            swap(&batch.spans, &spans)
            throw error
        }
        if !batch.waits.isEmpty, batch.spans.count > first {
            batch.waits = attach(batch.waits, to: &batch.spans, in: first..<batch.spans.count)
        }
        swap(&batch.spans, &spans)  // the returned batch's spans are empty: no second reference to the array
        return batch
    }

    /// Decodes the end chunk's payload: the writer's chunk and span totals.
    package static func end(
        _ payload: UnsafeBufferPointer<UInt8>, chunkOffset: Int, payloadOffset: Int
    ) throws(LanesFormatError) -> (chunks: UInt64, spans: UInt64) {
        var c = ByteCursor(payload)
        do throws(DecodeFailure) {
            // Fixed size, so that a reader can find the totals at the very end of a finished file.
            return (try c.u64("chunks"), try c.u64("spans"))
        } catch {
            throw .malformedChunk(
                chunkOffset: chunkOffset, offset: payloadOffset + error.position, field: "end." + error.field,
                problem: error.problem)
        }
    }

    /// The totals of the end chunk that `bytes` end with, if they end with a sound one (a finished file).
    package static func endTotals(atEndOf bytes: UnsafeBufferPointer<UInt8>) -> (chunks: UInt64, spans: UInt64)? {
        let n = Layout.chunkHeaderSize + Layout.endPayloadSize
        guard bytes.count >= n else { return nil }
        let tail = UnsafeBufferPointer(rebasing: bytes[(bytes.count - n)...])
        var c = ByteCursor(tail)
        guard let kind = try? c.u8("kind"), kind == Layout.Kind.end, let length = try? c.u32("length"),
            length == UInt32(Layout.endPayloadSize), let stored = try? c.u32("crc"),
            let chunks = try? c.u64("chunks"), let spans = try? c.u64("spans")
        else { return nil }
        var crc = CRC32()
        crc.update(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: tail[0..<5])))
        crc.update(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: tail[Layout.chunkHeaderSize...])))
        return crc.value == stored ? (chunks, spans) : nil
    }

    private static func sectionName(_ tag: UInt8) -> String {
        switch tag {
        case Layout.Section.strings: "strings"
        case Layout.Section.metadata: "metadata"
        case Layout.Section.processes: "processes"
        case Layout.Section.lanes: "lanes"
        case Layout.Section.spans: "spans"
        case Layout.Section.waits: "waits"
        case Layout.Section.marks: "marks"
        case Layout.Section.counters: "counters"
        case Layout.Section.flows: "flows"
        default: "section \(tag)"
        }
    }

    private mutating func decode(
        _ payload: UnsafeBufferPointer<UInt8>, into batch: inout LanesBatch, chunkOffset: Int, payloadOffset: Int,
        allowed: Set<UInt8>?
    ) throws(LanesFormatError) {
        var c = ByteCursor(payload)
        var tag: UInt8 = 0
        var sectionStart = 0
        do throws(DecodeFailure) {
            while !c.atEnd {
                sectionStart = c.position
                tag = 0
                let t = try c.u8("section tag")
                let length = Int(try c.u32("section length"))
                let body = try c.bytes("section length", count: length)
                tag = t
                let bodyStart = c.position - length
                if let allowed, !allowed.contains(t), t <= Layout.Section.flows {
                    throw DecodeFailure("tag", at: sectionStart, "a \(ChunkDecoder.sectionName(t)) section in the header")
                }
                var s = ByteCursor(body)
                do throws(DecodeFailure) {
                    switch t {
                    case Layout.Section.strings: try readStrings(&s)
                    case Layout.Section.metadata: batch.metadata = try metadata(&s)
                    case Layout.Section.processes: try processes(&s, into: &batch.processes)
                    case Layout.Section.lanes: try lanes(&s, into: &batch.lanes)
                    case Layout.Section.spans: try spans(&s, into: &batch.spans)
                    case Layout.Section.waits: try detachedWaits(&s, into: &batch.waits)
                    case Layout.Section.marks: try marks(&s, into: &batch.marks)
                    case Layout.Section.counters: try counters(&s, into: &batch.counters)
                    case Layout.Section.flows: try flows(&s, into: &batch.flows)
                    default:
                        // A section from a newer writer: skipped, reported once.
                        var entry = unknownSections[t] ?? (0, chunkOffset)
                        entry.count += 1
                        unknownSections[t] = entry
                        s.position = length
                    }
                    if !s.atEnd {
                        throw DecodeFailure("end", at: s.position, "\(s.remaining) bytes are left over after the last record")
                    }
                } catch {
                    var e = error
                    e.position += bodyStart
                    throw e
                }
            }
        } catch {
            let name = tag == 0 ? "section" : ChunkDecoder.sectionName(tag)
            throw .malformedChunk(
                chunkOffset: chunkOffset, offset: payloadOffset + error.position, field: name + (error.field.hasPrefix("[") ? "" : ".") + error.field,
                problem: error.problem)
        }
    }

    // MARK: Strings

    private mutating func readStrings(_ c: inout ByteCursor) throws(DecodeFailure) {
        let n = try c.count("count")
        strings.reserve(more: n)
        var i = 0
        do throws(DecodeFailure) {
            while i < n {
                let length = try c.count("length")
                let at = c.position
                let bytes = try c.bytes("bytes", count: length)
                guard let s = String(validating: bytes, as: UTF8.self) else {
                    throw DecodeFailure("bytes", at: at, "\(length) bytes that are not valid UTF-8")
                }
                strings.append(s)
                i += 1
            }
        } catch { throw error.within("[\(i)]") }
    }

    @inline(__always) private func string(_ c: inout ByteCursor, _ field: StaticString) throws(DecodeFailure) -> String {
        let at = c.position
        let i = try c.varint(field)
        guard i < UInt64(strings.count) else {
            throw DecodeFailure(field, at: at, "string index \(i), but the table has \(strings.count) strings")
        }
        return strings[Int(i)]
    }

    private func optionalString(_ c: inout ByteCursor, _ field: StaticString) throws(DecodeFailure) -> String? {
        let at = c.position
        let i = try c.varint(field)
        if i == 0 { return nil }
        guard i - 1 < UInt64(strings.count) else {
            throw DecodeFailure(field, at: at, "string index \(i - 1), but the table has \(strings.count) strings")
        }
        return strings[Int(i - 1)]
    }

    private func attributes(_ c: inout ByteCursor) throws(DecodeFailure) -> [Attribute] {
        let n = try c.count("attributes", minimumSize: 2)
        var out: [Attribute] = []
        out.reserveCapacity(n)
        for _ in 0..<n {
            let key = try string(&c, "attribute key")
            out.append(Attribute(key, try string(&c, "attribute value")))
        }
        return out
    }

    private func flagByte(_ c: inout ByteCursor, _ field: StaticString, known: UInt8) throws(DecodeFailure) -> UInt8 {
        let at = c.position
        let f = try c.u8(field)
        guard f & ~known == 0 else { throw DecodeFailure(field, at: at, "unknown flag bits in \(f)") }
        return f
    }

    // MARK: Metadata, processes, lanes

    private func metadata(_ c: inout ByteCursor) throws(DecodeFailure) -> Metadata {
        var m = Metadata()
        let n = try c.count("command")
        m.command.reserveCapacity(n)
        for _ in 0..<n { m.command.append(try string(&c, "command")) }
        m.host = try string(&c, "host")
        m.cores = try c.signed("cores", as: Int.self)
        let at = c.position
        switch try c.u8("clock") {
        case 0: m.clock = .monotonic
        case 1: m.clock = .imported(try string(&c, "clock name"))
        case let k: throw DecodeFailure("clock", at: at, "unknown clock kind \(k)")
        }
        m.timeSource = try string(&c, "timeSource")
        m.scenario = try optionalString(&c, "scenario")
        m.model = try optionalString(&c, "model")
        m.droppedEvents = try c.varint("droppedEvents")
        if try flagByte(&c, "startedAt", known: 1) != 0 { m.startedAt = try c.signed("startedAt") }
        m.extra = try attributes(&c)
        return m
    }

    private func processes(_ c: inout ByteCursor, into out: inout [Process]) throws(DecodeFailure) {
        let n = try c.count("count", minimumSize: 4)
        out.reserve(more: n)
        var i = 0
        do throws(DecodeFailure) {
            while i < n {
                var p = Process(pid: try c.signed("pid"))
                p.name = try string(&c, "name")
                let at = c.position
                switch try c.u8("exit") {
                case 0: break
                case 1: p.exit = .exited(try c.signed("exit status", as: Int32.self))
                case 2: p.exit = .signaled(try c.signed("exit signal", as: Int32.self))
                case let k: throw DecodeFailure("exit", at: at, "unknown exit kind \(k)")
                }
                p.note = try string(&c, "note")
                out.append(p)
                i += 1
            }
        } catch { throw error.within("[\(i)]") }
    }

    private func lanes(_ c: inout ByteCursor, into out: inout [Lane]) throws(DecodeFailure) {
        let n = try c.count("count", minimumSize: 6)
        out.reserve(more: n)
        var i = 0
        do throws(DecodeFailure) {
            while i < n {
                let id = LaneID(try c.varint("id", as: UInt32.self))
                let at = c.position
                let k = try c.u8("kind")
                guard let kind = Lane.Kind(rawValue: k) else { throw DecodeFailure("kind", at: at, "unknown lane kind \(k)") }
                let flags = try flagByte(&c, "flags", known: 7)
                var lane = Lane(id: id, kind: kind, pid: try c.signed("pid"))
                if flags & 1 != 0 { lane.threadID = try c.signed("threadID") }
                if flags & 2 != 0 { lane.taskID = try c.varint("taskID") }
                if flags & 4 != 0 { lane.parentTaskID = try c.varint("parentTaskID") }
                lane.name = try string(&c, "name")
                lane.sortIndex = try c.signed("sortIndex", as: Int32.self)
                out.append(lane)
                i += 1
            }
        } catch { throw error.within("[\(i)]") }
    }

    // MARK: Spans and waits

    /// What spans on one lane of a section are decoded against (see ``ChunkEncoder``).
    private struct Slot {
        var lane: LaneID
        var thread: Int64
        var previousID: UInt64
        var previousEnd: Int64
        /// Index into the string table; -1 before the first name.
        var previousName: Int

        static let initial = Slot(lane: LaneID(0), thread: 0, previousID: 0, previousEnd: 0, previousName: -1)
    }

    private func spans(_ c: inout ByteCursor, into out: inout [Span]) throws(DecodeFailure) {
        typealias F = Layout.SpanFlag
        typealias F2 = Layout.SpanFlag2
        // Flags, end and duration: at least three bytes a span.
        let n = try c.count("count", minimumSize: 3)
        let capacity = out.capacity
        out.reserve(more: n)
        if out.capacity != capacity { out.adviseHugePages() }
        let strings = self.strings
        let stringCount = UInt64(strings.count)
        var slots: [Slot] = []
        var current = -1
        var ctx = Slot.initial
        var i = 0
        do throws(DecodeFailure) {
            while i < n {
                let flags = try c.u8("flags")
                let flags2 = flags & F.more != 0 ? try flagByte(&c, "flags2", known: F2.known) : 0
                if flags & F.lane != 0 {
                    let at = c.position
                    let slot = try c.varint("lane slot")
                    if current >= 0 { slots[current] = ctx }
                    if slot == UInt64(slots.count) {
                        let lane = try c.varint("lane", as: UInt32.self)
                        let threadDelta = try c.signed("thread")
                        ctx.lane = LaneID(lane)
                        ctx.thread = ctx.thread &+ threadDelta
                        slots.append(ctx)
                        current = slots.count - 1
                    } else if slot < UInt64(slots.count) {
                        current = Int(slot)
                        ctx = slots[current]
                    } else {
                        throw DecodeFailure("lane slot", at: at, "slot \(slot), but only \(slots.count) are declared")
                    }
                } else if current < 0 {
                    throw DecodeFailure("flags", at: c.position - 1, "the first span does not name its lane")
                }
                let id = flags & F.id != 0 ? ctx.previousID &+ UInt64(bitPattern: try c.signed("id")) : ctx.previousID &+ 1
                let endDelta = Int64(bitPattern: try c.varint("end"))
                let end = flags & F.endBack != 0 ? ctx.previousEnd &- endDelta : ctx.previousEnd &+ endDelta
                let durationMagnitude = Int64(bitPattern: try c.varint("duration"))
                let start = flags2 & F2.negativeDuration != 0 ? end &+ durationMagnitude : end &- durationMagnitude
                if flags & F.name != 0 {
                    let at = c.position
                    let index = try c.varint("name")
                    guard index < stringCount else {
                        throw DecodeFailure("name", at: at, "string index \(index), but the table has \(stringCount) strings")
                    }
                    ctx.previousName = Int(index)
                } else if ctx.previousName < 0 {
                    throw DecodeFailure("flags", at: c.position, "the first span on a lane does not name itself")
                }
                let parent = flags & F.parent != 0 ? SpanID(id &- UInt64(bitPattern: try c.signed("parent"))) : nil
                let cpuTime = flags & F.cpuTime != 0 ? (end &- start) &- (try c.signed("cpuTime")) : nil
                let thread = flags & F.thread != 0 ? ctx.thread &+ (try c.signed("threadID")) : ctx.thread
                if flags2 & (F2.attributes | F2.waits) == 0 {
                    out.append(Span(
                        id: SpanID(id), name: strings[ctx.previousName], lane: ctx.lane, threadID: thread, start: start,
                        end: end, cpuTime: cpuTime, parent: parent))
                } else {
                    let attributes = flags2 & F2.attributes != 0 ? try self.attributes(&c) : []
                    let waits = flags2 & F2.waits != 0 ? try self.waits(&c, spanStart: start) : []
                    out.append(Span(
                        id: SpanID(id), name: strings[ctx.previousName], lane: ctx.lane, threadID: thread, start: start,
                        end: end, cpuTime: cpuTime, parent: parent, attributes: attributes, waits: waits))
                }
                ctx.previousID = id
                ctx.previousEnd = end
                i += 1
            }
        } catch { throw error.within("[\(i)]") }
    }

    /// A span's own waits, each start relative to the one before (the first to the span's start).
    private func waits(_ c: inout ByteCursor, spanStart: Int64) throws(DecodeFailure) -> [Wait] {
        let count = try c.count("waits", minimumSize: 3)
        var waits: [Wait] = []
        waits.reserveCapacity(count)
        var previousStart = spanStart
        for _ in 0..<count {
            let w = try wait(&c, previousStart: previousStart)
            waits.append(w)
            previousStart = w.start
        }
        return waits
    }

    private func wait(_ c: inout ByteCursor, previousStart: Int64) throws(DecodeFailure) -> Wait {
        let at = c.position
        let head = try c.u8("wait reason")
        guard head & ~(Layout.waitReasonMask | Layout.waitHasObject) == 0,
            let reason = WaitReason(rawValue: head & Layout.waitReasonMask)
        else { throw DecodeFailure("wait reason", at: at, "unknown wait reason byte \(head)") }
        let start = previousStart &+ (try c.signed("wait start"))
        let end = start &+ (try c.signed("wait duration"))
        let object = head & Layout.waitHasObject != 0 ? try string(&c, "wait object") : nil
        return Wait(reason: reason, start: start, end: end, object: object)
    }

    private func detachedWaits(_ c: inout ByteCursor, into out: inout [DetachedWait]) throws(DecodeFailure) {
        let n = try c.count("count", minimumSize: 4)
        out.reserve(more: n)
        var previousSpan: UInt64 = 0
        var previousStart: Int64 = 0
        var i = 0
        do throws(DecodeFailure) {
            while i < n {
                let span = previousSpan &+ UInt64(bitPattern: try c.signed("span"))
                let w = try wait(&c, previousStart: previousStart)
                out.append(DetachedWait(span: SpanID(span), wait: w))
                previousSpan = span
                previousStart = w.start
                i += 1
            }
        } catch { throw error.within("[\(i)]") }
    }

    // MARK: Marks, counters, flows

    private func marks(_ c: inout ByteCursor, into out: inout [Mark]) throws(DecodeFailure) {
        let n = try c.count("count", minimumSize: 3)
        out.reserve(more: n)
        var previousTime: Int64 = 0
        var i = 0
        do throws(DecodeFailure) {
            while i < n {
                let flags = try flagByte(&c, "flags", known: 3)
                let name = try string(&c, "name")
                let lane = flags & 1 != 0 ? LaneID(try c.varint("lane", as: UInt32.self)) : nil
                let time = previousTime &+ (try c.signed("time"))
                let attrs = flags & 2 != 0 ? try attributes(&c) : []
                out.append(Mark(name: name, lane: lane, time: time, attributes: attrs))
                previousTime = time
                i += 1
            }
        } catch { throw error.within("[\(i)]") }
    }

    private func counters(_ c: inout ByteCursor, into out: inout [CounterSample]) throws(DecodeFailure) {
        let n = try c.count("count", minimumSize: 4)
        out.reserve(more: n)
        var previousTime: Int64 = 0
        var i = 0
        do throws(DecodeFailure) {
            while i < n {
                let flags = try flagByte(&c, "flags", known: 3)
                let name = try string(&c, "name")
                let lane = flags & 1 != 0 ? LaneID(try c.varint("lane", as: UInt32.self)) : nil
                let time = previousTime &+ (try c.signed("time"))
                let value = flags & 2 != 0 ? Double(try c.signed("value")) : Double(bitPattern: try c.u64("value"))
                out.append(CounterSample(name: name, lane: lane, time: time, value: value))
                previousTime = time
                i += 1
            }
        } catch { throw error.within("[\(i)]") }
    }

    private func flows(_ c: inout ByteCursor, into out: inout [Flow]) throws(DecodeFailure) {
        let n = try c.count("count", minimumSize: 6)
        out.reserve(more: n)
        var previousID: UInt64 = 0
        var previousFrom: UInt64 = 0
        var previousTime: Int64 = 0
        var i = 0
        do throws(DecodeFailure) {
            while i < n {
                let id = previousID &+ UInt64(bitPattern: try c.signed("id"))
                let from = previousFrom &+ UInt64(bitPattern: try c.signed("from"))
                let to = from &+ UInt64(bitPattern: try c.signed("to"))
                let fromTime = previousTime &+ (try c.signed("fromTime"))
                let toTime = fromTime &+ (try c.signed("toTime"))
                let name = try string(&c, "name")
                out.append(Flow(id: id, from: SpanID(from), to: SpanID(to), fromTime: fromTime, toTime: toTime, name: name))
                previousID = id
                previousFrom = from
                previousTime = fromTime
                i += 1
            }
        } catch { throw error.within("[\(i)]") }
    }
}
