import LanesCore

extension ChromeJSON {
    /// Imports Chrome Trace Event JSON held in memory: the object form (`{"traceEvents": [...]}`) or the bare
    /// array form, whose closing `]` may be missing. One pass over the bytes builds the trace directly.
    ///
    /// `pythonSource` gives the text of a Python file a VizTracer or py-spy trace names (see
    /// ``readPythonSource(_:)``), so that a blocking call the trace cannot show (a C function VizTracer was told to
    /// ignore, any C function under py-spy) can be read from the line that made it.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, pythonSource: (@Sendable (String) -> String?)? = nil
    ) throws(ChromeJSONError) -> ChromeJSONReadResult {
        var importer = ChromeImporter(bytes)
        importer.pythonSource = pythonSource
        try importer.run()
        return importer.finish()
    }

    /// Imports Chrome Trace Event JSON held in memory (see ``decode(_:)-(UnsafeRawBufferPointer)``).
    public static func decode(
        _ bytes: [UInt8], pythonSource: (@Sendable (String) -> String?)? = nil
    ) throws(ChromeJSONError) -> ChromeJSONReadResult {
        let result: Result<ChromeJSONReadResult, ChromeJSONError> = bytes.withUnsafeBytes { raw in
            do throws(ChromeJSONError) { return .success(try decode(raw, pythonSource: pythonSource)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Imports Chrome Trace Event JSON from a string (for tests and small inputs).
    public static func decode(_ text: String) throws(ChromeJSONError) -> ChromeJSONReadResult {
        try decode(Array(text.utf8))
    }
}

/// Packed object keys (first 8 bytes, little-endian) that the importer recognises.
enum ChromeKey {
    static let ph: UInt64 = 0x6870
    static let name: UInt64 = 0x656d616e
    static let cat: UInt64 = 0x746163
    static let ts: UInt64 = 0x7374
    static let dur: UInt64 = 0x727564
    static let pid: UInt64 = 0x646970
    static let tid: UInt64 = 0x646974
    static let id: UInt64 = 0x6469
    static let id2: UInt64 = 0x326469
    static let args: UInt64 = 0x73677261
    static let s: UInt64 = 0x73
    static let bp: UInt64 = 0x7062
    static let tdur: UInt64 = 0x72756474
    static let metadata: UInt64 = 0x617461646174656d
}

/// The fields of one event that the importer uses; strings stay byte ranges until needed.
struct RawEvent {
    var offset = 0
    var ph: UInt8 = 0
    var phRange: JSONScanner.StringRange?
    var name: JSONScanner.StringRange?
    var cat: JSONScanner.StringRange?
    var ts: Int64?
    var dur: Int64?
    var durOffset = 0
    var tdur: Int64?
    var pid: Int64 = 0
    var tid: Int64 = 0
    var hasTid = false
    var id: UInt64?
    var args: Range<Int>?
    var scope: UInt8 = 0
    var bindEnclosing = false
}

/// What `args` say beyond plain attributes: the keys that Lanes' own export writes (see CHROME_JSON.md).
struct ArgsInfo {
    var attributes: [Attribute] = []
    var span: UInt64?
    var parent: UInt64?
    var wait: WaitReason?
    var object: String?
    var threadID: Int64?
    var laneName: String?
    var task: UInt64?
    var parentTask: UInt64?
    var kind: Lane.Kind?
    var from: UInt64?
    var to: UInt64?
    var name: String?
    var sortIndex: Int64?
    var exit: Process.Exit?
    var note: String?
    var onThread: Int64?
    var end: Int64?
    var cpu: Int64?
    var flow: UInt64?
    /// `lanes.lane`: the lane's index and id in the exported trace.
    var laneOrder: (index: Int, id: UInt32)?
    var noTask = false
    var noThreadID = false
}

struct ThreadKey: Hashable {
    var pid: Int64
    var tid: Int64
}

struct AsyncKey: Hashable {
    var pid: Int64
    var id: UInt64
    var cat: String
}

/// A `B`/`E` or `b`/`e`/`n` event kept until its thread's or task's events can be matched in time order.
struct PendingEvent {
    var ts: Int64
    var seq: Int
    var ph: UInt8
    var name: String
    var tid: Int64
    var args: Range<Int>?
    var offset: Int
    var tdur: Int64?
}

struct PendingFlow {
    var id: UInt64
    var cat: String
    var ph: UInt8
    var ts: Int64
    var thread: ThreadKey
    var bindEnclosing: Bool
    var offset: Int
    var name: String
    var info: ArgsInfo
}

struct Tally {
    var count = 0
    var first = 0
    mutating func add(_ offset: Int) {
        if count == 0 { first = offset }
        count += 1
    }
}

/// Tallies by key, keys in the order first seen.
struct Tallies {
    var table: [String: Tally] = [:]
    var order: [String] = []
    mutating func add(_ key: String, _ offset: Int) {
        if table[key] == nil { order.append(key) }
        table[key, default: Tally()].add(offset)
    }
}

/// Interns names: one `String` per distinct byte sequence, found by a cheap hash of the bytes.
struct NameTable {
    private var slots: [Int32] = Array(repeating: -1, count: 1024)
    private var entries: [(hash: UInt64, start: Int, count: Int, string: String)] = []

    @inline(__always) mutating func intern(_ s: JSONScanner, _ r: JSONScanner.StringRange) -> String {
        if r.hasEscapes { return s.string(r) }
        let p = s.base + r.start
        let n = r.count
        var h = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        if n >= 8 {
            h ^= UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
            h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
            h ^= UnsafeRawPointer(p + n - 8).loadUnaligned(as: UInt64.self)
        } else {
            for j in 0..<n { h ^= UInt64(p[j]) << (8 * UInt64(j)) }
        }
        h = (h ^ (h >> 31)) &* 0x94D0_49BB_1331_11EB
        h ^= h >> 29
        var slot = Int(truncatingIfNeeded: h) & (slots.count - 1)
        while true {
            let e = slots[slot]
            if e < 0 { break }
            let entry = entries[Int(e)]
            if entry.hash == h && entry.count == n && same(s.base + entry.start, p, n) { return entry.string }
            slot = (slot + 1) & (slots.count - 1)
        }
        let string = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
        // Interning is for the names that repeat; a file of unique names is not held twice.
        if entries.count < 1 << 16 {
            slots[slot] = Int32(entries.count)
            entries.append((h, r.start, n, string))
            if entries.count * 2 > slots.count { grow() }
        }
        return string
    }

    private func same(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
        var j = 0
        while j + 8 <= n {
            if UnsafeRawPointer(a + j).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + j).loadUnaligned(as: UInt64.self) {
                return false
            }
            j += 8
        }
        while j < n {
            if a[j] != b[j] { return false }
            j += 1
        }
        return true
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        for (k, e) in entries.enumerated() {
            var slot = Int(truncatingIfNeeded: e.hash) & (slots.count - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = Int32(k)
        }
    }
}

/// One import: the scanner, the model under construction, and what is pending until the end.
struct ChromeImporter {
    var s: JSONScanner
    var names = NameTable()

    var spans: [Span] = []
    /// Per span, whether its id and parent came from the file (Lanes' own export); empty while none did.
    var explicit: [Bool] = []
    var lanes: [Lane] = []
    var threadLanes: [ThreadKey: UInt32] = [:]
    var lastThread = ThreadKey(pid: .min, tid: .min)
    var lastLane: UInt32 = 0
    var threadCache = [(key: ThreadKey, lane: UInt32)?](repeating: nil, count: 256)
    var taskLanes: [AsyncKey: UInt32] = [:]
    var processOrder: [Int64] = []
    var processSeen: Set<Int64> = []
    var processInfo: [Int64: ArgsInfo] = [:]
    var processSort: [Int64: Int64] = [:]
    var threadInfo: [ThreadKey: ArgsInfo] = [:]
    var threadSort: [ThreadKey: Int64] = [:]
    var stringIDs: [String: Int64] = [:]
    var stringIDNames: [Int64: String] = [:]

    var beginEnds: [ThreadKey: [PendingEvent]] = [:]
    var asyncEvents: [AsyncKey: [PendingEvent]] = [:]
    var asyncOrder: [AsyncKey] = []
    var flows: [PendingFlow] = []
    var marks: [Mark] = []
    var counters: [CounterSample] = []
    var waits: [(span: UInt64, wait: Wait, offset: Int)] = []
    var metadata = Metadata(clock: .imported(ChromeJSON.defaultClockName))
    var sawLanesExport = false
    var sawPySpy = false
    /// VizTracer's `file_info` (the traced sources), read only if a frame needs its source.
    var fileInfo: Range<Int>?
    var pythonSource: (@Sendable (String) -> String?)?
    /// Per lane, its index and id in the trace that Lanes exported (from `lanes.lane`).
    var laneOrder: [UInt32: (index: Int, id: UInt32)] = [:]
    var laneByExportIndex: [Int: UInt32] = [:]

    var seq = 0
    var events = 0
    var unknownPhases = Tallies()
    var missing = Tallies()
    /// Events skipped for a bad value, by reason.
    var skipped = Tallies()
    var warnings: [ChromeJSONWarning] = []
    var nonNumericCounters = Tally()
    var negativeCPUTimes = Tally()

    init(_ bytes: UnsafeRawBufferPointer) {
        s = JSONScanner(bytes)
        // A typical event takes 60 to 200 bytes; reserve for the spans the file may hold.
        spans.reserveCapacity(min(bytes.count / 90, 1 << 26))
    }

    // MARK: Top level

    mutating func run() throws(ChromeJSONError) {
        // A UTF-8 byte-order mark is allowed.
        if s.count >= 3, s.base[0] == 0xEF, s.base[1] == 0xBB, s.base[2] == 0xBF { s.i = 3 }
        guard let c = s.peek() else { throw ChromeJSONError.notATrace(offset: s.i, found: "empty") }
        if c == 0x5B {
            try eventArray(lenientEnd: true)
        } else if c == 0x7B {
            try topObject()
        } else {
            throw ChromeJSONError.notATrace(offset: s.i, found: s.typeName(at: s.i))
        }
    }

    mutating func topObject() throws(ChromeJSONError) {
        s.i += 1
        var sawEvents = false
        if s.peek() == 0x7D {
            s.i += 1
            throw ChromeJSONError.notATrace(offset: 0, found: "an empty object")
        }
        repeat {
            let (k, _) = try s.key("a top-level key")
            if s.equals(k, "traceEvents") {
                guard s.peek() == 0x5B else {
                    throw ChromeJSONError.wrongType(field: "traceEvents", offset: s.i, expected: "an array", found: s.typeName(at: s.i))
                }
                try eventArray(lenientEnd: false)
                sawEvents = true
            } else if s.equals(k, "otherData") || s.equals(k, "metadata") {
                try otherData(prefix: "")
            } else if s.equals(k, "file_info") {
                s.skipWhitespace()
                let start = s.i
                try s.skipValue("file_info")
                fileInfo = start..<s.i
            } else if s.equals(k, "viztracer_metadata") {
                metadata.clock = .imported("viztracer")
                try otherData(prefix: "viztracer.")
            } else {
                // Everything else (VizTracer's file_info with the traced sources, stack frames, ...) is skipped.
                try s.skipValue(s.string(k))
            }
        } while try s.next(close: 0x7D, "the top-level object")
        if !sawEvents { throw ChromeJSONError.notATrace(offset: 0, found: "an object without \"traceEvents\"") }
    }

    /// Reads the event array whose `[` is at `s.i`. With `lenientEnd`, the data may stop after any whole event.
    mutating func eventArray(lenientEnd: Bool) throws(ChromeJSONError) {
        s.i += 1
        if s.peek() == 0x5D {
            s.i += 1
            return
        }
        while true {
            guard let c = s.peek() else {
                if lenientEnd {
                    warnings.append(.missingClosingBracket(offset: s.count))
                    return
                }
                throw s.endError("traceEvents")
            }
            if c == 0x5D && lenientEnd {
                // A trailing comma before the bracket.
                s.i += 1
                return
            }
            let start = s.i
            let before = events
            do throws(ChromeJSONError) {
                try event()
            } catch {
                if lenientEnd, case .unexpectedEnd = error {
                    warnings.append(.truncatedEvent(eventOffset: start, offset: s.count))
                    return
                }
                // A well-formed event with a bad value is skipped, as Chrome and Perfetto do; bad JSON is an error.
                guard let reason = Self.skipReason(error) else { throw error }
                s.i = start
                let original = error
                do throws(ChromeJSONError) { try s.skipValue("traceEvents") } catch { throw original }
                events = before + 1
                skipped.add(reason, start)
            }
            s.skipWhitespace()
            if s.atEnd {
                if lenientEnd {
                    warnings.append(.missingClosingBracket(offset: s.count))
                    return
                }
                throw s.endError("traceEvents")
            }
            if !(try s.next(close: 0x5D, "traceEvents")) { return }
        }
    }

    /// Why an event that failed to import can be skipped (a wrong type or a value out of range in well-formed
    /// JSON), or nil when the error is the file's, not the event's.
    static func skipReason(_ error: ChromeJSONError) -> String? {
        switch error {
        case .wrongType(let field, _, let expected, _):
            let name = field.hasPrefix("traceEvents[") ? "the event" : field
            return "\(name) is not \(expected)"
        case .invalidValue(let field, _, _, let problem): return "\(field): \(problem)"
        default: return nil
        }
    }

    mutating func otherData(prefix: String) throws(ChromeJSONError) {
        guard s.peek() == 0x7B else {
            try s.skipValue("otherData")
            return
        }
        s.i += 1
        if s.peek() == 0x7D {
            s.i += 1
            return
        }
        repeat {
            let (k, _) = try s.key("otherData")
            let key = s.string(k)
            guard let c = s.peek() else { throw s.endError("otherData") }
            let value: String
            if c == 0x22 {
                value = s.string(try s.stringRange("otherData.\(key)"))
            } else {
                let start = s.i
                try s.skipValue("otherData.\(key)")
                value = s.text(start, s.i)
            }
            if prefix.isEmpty { applyOther(key, value) } else { metadata.extra.append(Attribute(prefix + key, value)) }
        } while try s.next(close: 0x7D, "otherData")
    }

    mutating func applyOther(_ key: String, _ value: String) {
        switch key {
        case "lanes.format": sawLanesExport = true
        case "lanes.clock": metadata.clock = value == "CLOCK_MONOTONIC" ? .monotonic : .imported(value)
        case "lanes.command":
            metadata.command = value.isEmpty ? [] : value.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        case "lanes.host": metadata.host = value
        case "lanes.cores": metadata.cores = Int(value) ?? 0
        case "lanes.timeSource": metadata.timeSource = value
        case "lanes.scenario": metadata.scenario = value
        case "lanes.model": metadata.model = value
        case "lanes.droppedEvents": metadata.droppedEvents = UInt64(value) ?? 0
        case "lanes.startedAt": metadata.startedAt = Int64(value)
        default:
            if key.hasPrefix("lanes.extra.") {
                metadata.extra.append(Attribute(String(key.dropFirst("lanes.extra.".count)), value))
            } else {
                metadata.extra.append(Attribute(key, value))
                if !sawLanesExport, key.lowercased().contains("viztracer") { metadata.clock = .imported("viztracer") }
            }
        }
    }

    // MARK: Events

    mutating func event() throws(ChromeJSONError) {
        let offset = s.i
        guard s.base[s.i] == 0x7B else {
            throw ChromeJSONError.wrongType(field: "traceEvents[\(events)]", offset: s.i, expected: "an object", found: s.typeName(at: s.i))
        }
        s.i += 1
        events += 1
        var e = RawEvent()
        e.offset = offset
        if s.peek() == 0x7D {
            s.i += 1
            missing.add("?\u{0}ph", offset)
            return
        }
        repeat {
            let (k, packed) = try s.key("an event")
            switch packed {
            case ChromeKey.ph:
                let r = try s.stringValue("ph")
                e.ph = r.count == 1 ? s.base[r.start] : 0
                e.phRange = r
            case ChromeKey.name: e.name = try optionalString("name")
            case ChromeKey.cat: e.cat = try optionalString("cat")
            case ChromeKey.ts:
                guard let v = try s.scaledNumber("ts") else {
                    throw ChromeJSONError.wrongType(field: "ts", offset: s.i, expected: "a number (µs)", found: s.typeName(at: s.i))
                }
                e.ts = v
            case ChromeKey.dur:
                // The value's first byte, past any blank after the colon (Python's json.dump writes `"dur": 5`).
                s.skipWhitespace()
                e.durOffset = s.i
                guard let v = try s.scaledNumber("dur") else {
                    throw ChromeJSONError.wrongType(field: "dur", offset: s.i, expected: "a number (µs)", found: s.typeName(at: s.i))
                }
                e.dur = v
            case ChromeKey.tdur:
                guard let c = s.peek() else { throw s.endError("tdur") }
                let at = s.i
                if let v = try s.scaledNumber("tdur") {
                    // A negative CPU time means nothing; the slice is still good, so only the tdur is dropped.
                    if v < 0 { negativeCPUTimes.add(at) } else { e.tdur = v }
                } else if c == 0x6E {
                    try s.skipValue("tdur")
                } else {
                    throw ChromeJSONError.wrongType(
                        field: "tdur", offset: at, expected: "a number (µs)", found: s.typeName(at: at))
                }
            case ChromeKey.pid:
                // Numbers inline; strings and null take the slow path.
                if let v = try s.integer("pid") { e.pid = v } else { e.pid = try processOrThreadID("pid") }
            case ChromeKey.tid:
                if let v = try s.integer("tid") { e.tid = v } else { e.tid = try processOrThreadID("tid") }
                e.hasTid = true
            case ChromeKey.id: e.id = try eventID("id")
            case ChromeKey.id2:
                // {"local": id} or {"global": id}.
                guard s.peek() == 0x7B else {
                    throw ChromeJSONError.wrongType(field: "id2", offset: s.i, expected: "an object", found: s.typeName(at: s.i))
                }
                s.i += 1
                if s.peek() == 0x7D { s.i += 1 } else {
                    repeat {
                        _ = try s.key("id2")
                        e.id = try eventID("id2")
                    } while try s.next(close: 0x7D, "id2")
                }
            case ChromeKey.args:
                s.skipWhitespace()
                let valueStart = s.i
                try s.skipValue("args")
                e.args = s.base[valueStart] == 0x7B ? valueStart..<s.i : nil
            case ChromeKey.s:
                guard let c = s.peek() else { throw s.endError("s") }
                if c == 0x22 {
                    let r = try s.stringRange("s")
                    e.scope = r.count == 1 ? s.base[r.start] : 0
                } else {
                    try s.skipValue("s")
                }
            case ChromeKey.bp:
                guard let c = s.peek() else { throw s.endError("bp") }
                if c == 0x22 {
                    let r = try s.stringRange("bp")
                    e.bindEnclosing = r.count == 1 && s.base[r.start] == UInt8(ascii: "e")
                } else {
                    try s.skipValue("bp")
                }
            default:
                try s.skipValue(k.count <= 64 ? s.string(k) : "an event's field")
            }
        } while try s.next(close: 0x7D, "an event")
        try handle(&e)
    }

    /// A string field that may be absent: a string, or `null` (as if absent); any other type is an error.
    mutating func optionalString(_ field: String) throws(ChromeJSONError) -> JSONScanner.StringRange? {
        guard let c = s.peek() else { throw s.endError(field) }
        if c == 0x22 { return try s.stringRange(field) }
        if c == 0x6E {
            try s.skipValue(field)
            return nil
        }
        throw ChromeJSONError.wrongType(field: field, offset: s.i, expected: "a string", found: s.typeName(at: s.i))
    }

    /// A pid or tid: a number, or a string (a numeric string is its number; any other string gets an id of its own
    /// and becomes the default name of the process or thread).
    mutating func processOrThreadID(_ field: String) throws(ChromeJSONError) -> Int64 {
        guard let c = s.peek() else { throw s.endError(field) }
        if c == 0x22 {
            let r = try s.stringRange(field)
            let text = s.string(r)
            if let v = Int64(text) { return v }
            if let v = stringIDs[text] { return v }
            let v = Int64(1) << 40 + Int64(stringIDs.count)
            stringIDs[text] = v
            stringIDNames[v] = text
            return v
        }
        guard let v = try s.integer(field) else {
            if c == 0x6E {
                try s.skipValue(field)
                return 0
            }
            throw ChromeJSONError.wrongType(field: field, offset: s.i, expected: "a number or a string", found: s.typeName(at: s.i))
        }
        return v
    }

    /// An async or flow id: a number, or a string (hex `0x…`, decimal, or any text, which gets an id of its own).
    mutating func eventID(_ field: String) throws(ChromeJSONError) -> UInt64 {
        guard let c = s.peek() else { throw s.endError(field) }
        if c == 0x22 {
            let r = try s.stringRange(field)
            let text = s.string(r)
            if text.hasPrefix("0x") || text.hasPrefix("0X"), let v = UInt64(text.dropFirst(2), radix: 16) { return v }
            if let v = UInt64(text) { return v }
            if let v = Int64(text) { return UInt64(bitPattern: v) }
            if let v = stringIDs[text] { return UInt64(bitPattern: v) }
            let v = Int64(1) << 40 + Int64(stringIDs.count)
            stringIDs[text] = v
            return UInt64(bitPattern: v)
        }
        guard let v = try s.integer(field) else {
            throw ChromeJSONError.wrongType(field: field, offset: s.i, expected: "a number or a string", found: s.typeName(at: s.i))
        }
        return UInt64(bitPattern: v)
    }

    mutating func requireTS(_ e: RawEvent, _ phase: String) -> Int64? {
        if let ts = e.ts { return ts }
        missing.add(phase + "\u{0}ts", e.offset)
        return nil
    }

    mutating func handle(_ e: inout RawEvent) throws(ChromeJSONError) {
        switch e.ph {
        case UInt8(ascii: "X"):
            guard let ts = requireTS(e, "X") else { return }
            guard let dur = e.dur else {
                missing.add("X\u{0}dur", e.offset)
                return
            }
            if dur < 0 {
                throw ChromeJSONError.invalidValue(field: "dur", offset: e.durOffset, value: s.text(e.durOffset, scanNumberEnd(e.durOffset)), problem: "a duration cannot be negative")
            }
            let (end, o) = ts.addingReportingOverflow(dur)
            if o {
                throw ChromeJSONError.invalidValue(field: "dur", offset: e.durOffset, value: s.text(e.durOffset, scanNumberEnd(e.durOffset)), problem: "ts + dur is out of range")
            }
            let name = e.name.map { names.intern(s, $0) } ?? ""
            if let args = e.args {
                let info = try parseArgs(args)
                if let reason = info.wait, let span = info.span {
                    waits.append((span, Wait(reason: reason, start: ts, end: end, object: info.object), e.offset))
                    return
                }
                let lane = info.kind == .task ? taskLaneForThreadEvent(e, info) : threadLane(e.pid, e.tid)
                addSpan(name: name, lane: lane, tid: info.threadID ?? e.tid, start: ts, end: end, tdur: e.tdur, info: info)
            } else {
                let lane = threadLane(e.pid, e.tid)
                spans.append(Span(id: SpanID(0), name: name, lane: LaneID(lane), threadID: e.tid, start: ts, end: end, cpuTime: e.tdur))
                if !explicit.isEmpty { explicit.append(false) }
            }
        case UInt8(ascii: "B"), UInt8(ascii: "E"):
            if !sawPySpy, let c = e.cat, s.equals(c, "py-spy") {
                sawPySpy = true
                if !sawLanesExport, metadata.clock == .imported(ChromeJSON.defaultClockName) { metadata.clock = .imported("py-spy") }
            }
            guard let ts = requireTS(e, e.ph == UInt8(ascii: "B") ? "B" : "E") else { return }
            let key = ThreadKey(pid: e.pid, tid: e.tid)
            _ = threadLane(e.pid, e.tid)
            seq += 1
            beginEnds[key, default: []].append(PendingEvent(
                ts: ts, seq: seq, ph: e.ph, name: e.name.map { names.intern(s, $0) } ?? "", tid: e.tid, args: e.args,
                offset: e.offset, tdur: e.tdur))
        case UInt8(ascii: "i"), UInt8(ascii: "I"), UInt8(ascii: "R"):
            guard let ts = requireTS(e, "i") else { return }
            let info = try e.args.map { r throws(ChromeJSONError) in try parseArgs(r) } ?? ArgsInfo()
            let global = e.scope == UInt8(ascii: "g") || e.scope == UInt8(ascii: "p")
            let lane: LaneID? = global ? nil : LaneID(threadLane(e.pid, e.tid))
            marks.append(Mark(name: e.name.map { s.string($0) } ?? "", lane: lane, time: ts, attributes: info.attributes))
        case UInt8(ascii: "C"):
            guard let ts = requireTS(e, "C") else { return }
            let name = e.name.map { s.string($0) } ?? ""
            let lane: LaneID? = e.hasTid ? LaneID(threadLane(e.pid, e.tid)) : nil
            if let r = e.args { try counterArgs(r, name: name, lane: lane, time: ts, offset: e.offset) }
        case UInt8(ascii: "M"):
            try metadataEvent(e)
        case UInt8(ascii: "b"), UInt8(ascii: "e"), UInt8(ascii: "n"):
            let phase = String(UnicodeScalar(e.ph))
            guard let ts = requireTS(e, phase) else { return }
            guard let id = e.id else {
                missing.add(phase + "\u{0}id", e.offset)
                return
            }
            let key = AsyncKey(pid: e.pid, id: id, cat: e.cat.map { names.intern(s, $0) } ?? "")
            notePid(e.pid)
            seq += 1
            if asyncEvents[key] == nil { asyncOrder.append(key) }
            asyncEvents[key, default: []].append(PendingEvent(
                ts: ts, seq: seq, ph: e.ph, name: e.name.map { names.intern(s, $0) } ?? "", tid: e.tid, args: e.args,
                offset: e.offset, tdur: e.tdur))
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "f"):
            let phase = String(UnicodeScalar(e.ph))
            guard let ts = requireTS(e, phase) else { return }
            guard let id = e.id else {
                missing.add(phase + "\u{0}id", e.offset)
                return
            }
            let info = try e.args.map { r throws(ChromeJSONError) in try parseArgs(r) } ?? ArgsInfo()
            flows.append(PendingFlow(
                id: id, cat: e.cat.map { s.string($0) } ?? "", ph: e.ph, ts: ts, thread: ThreadKey(pid: e.pid, tid: e.tid),
                bindEnclosing: e.bindEnclosing || e.ph == UInt8(ascii: "s") || e.ph == UInt8(ascii: "t"), offset: e.offset,
                name: e.name.map { s.string($0) } ?? "", info: info))
        default:
            guard let r = e.phRange else {
                missing.add("?\u{0}ph", e.offset)
                return
            }
            let phase = s.string(r)
            unknownPhases.add(phase, e.offset)
        }
    }

    func scanNumberEnd(_ from: Int) -> Int {
        var j = from
        while j < s.count, s.base[j] == 0x2D || s.base[j] == 0x2E || s.base[j] == 0x2B || (s.base[j] | 0x20) == 0x65
            || s.base[j] &- 0x30 < 10
        {
            j += 1
        }
        return j
    }

    mutating func addSpan(name: String, lane: UInt32, tid: Int64, start: Int64, end: Int64, tdur: Int64?, info: ArgsInfo) {
        var span = Span(
            id: SpanID(0), name: name, lane: LaneID(lane), threadID: tid, start: start, end: info.end ?? end,
            cpuTime: info.cpu ?? tdur, attributes: info.attributes)
        if let id = info.span {
            if explicit.isEmpty && !spans.isEmpty { explicit = Array(repeating: false, count: spans.count) }
            span.id = SpanID(id)
            span.parent = info.parent.map { SpanID($0) }
            spans.append(span)
            explicit.append(true)
        } else {
            spans.append(span)
            if !explicit.isEmpty { explicit.append(false) }
        }
    }

    mutating func notePid(_ pid: Int64) {
        if processSeen.insert(pid).inserted { processOrder.append(pid) }
    }

    @inline(__always) mutating func threadLane(_ pid: Int64, _ tid: Int64) -> UInt32 {
        let key = ThreadKey(pid: pid, tid: tid)
        if key == lastThread { return lastLane }
        // A direct-mapped cache in front of the dictionary: traces interleave a few dozen threads.
        let h = UInt64(bitPattern: pid &* 0x9E37_79B9 ^ tid) &* 0x9E37_79B9_7F4A_7C15
        let slot = Int(truncatingIfNeeded: h >> 56)
        if let hit = threadCache[slot], hit.key == key {
            lastThread = key
            lastLane = hit.lane
            return hit.lane
        }
        let lane: UInt32
        if let l = threadLanes[key] {
            lane = l
        } else {
            lane = UInt32(lanes.count)
            lanes.append(Lane(id: LaneID(lane), kind: .thread, pid: pid, threadID: tid))
            threadLanes[key] = lane
            notePid(pid)
        }
        lastThread = key
        lastLane = lane
        threadCache[slot] = (key, lane)
        return lane
    }

    /// A span of a task lane that Lanes exported as an `X` slice (it did not nest on the task's async track).
    mutating func taskLaneForThreadEvent(_ e: RawEvent, _ info: ArgsInfo) -> UInt32 {
        taskLane(AsyncKey(pid: e.pid, id: info.task ?? 0, cat: "task"), info: info, firstName: "")
    }

    mutating func taskLane(_ key: AsyncKey, info: ArgsInfo, firstName: String) -> UInt32 {
        if let l = taskLanes[key] {
            if let n = info.laneName { lanes[Int(l)].name = n }
            if let order = info.laneOrder, laneOrder[l] == nil, laneByExportIndex[order.index] == nil {
                laneOrder[l] = order
                laneByExportIndex[order.index] = l
            }
            return l
        }
        // A slice that Lanes wrote on an async track of its own (it did not nest) goes back to its lane.
        if let order = info.laneOrder, let l = laneByExportIndex[order.index] { return l }
        let lane = UInt32(lanes.count)
        lanes.append(Lane(
            id: LaneID(lane), kind: .task, pid: key.pid, taskID: info.noTask ? nil : (info.task ?? key.id),
            parentTaskID: info.parentTask, name: info.laneName ?? firstName))
        taskLanes[key] = lane
        if let order = info.laneOrder {
            laneOrder[lane] = order
            laneByExportIndex[order.index] = lane
        }
        notePid(key.pid)
        return lane
    }

    mutating func metadataEvent(_ e: RawEvent) throws(ChromeJSONError) {
        guard let n = e.name else { return }
        let info = try e.args.map { r throws(ChromeJSONError) in try parseArgs(r) } ?? ArgsInfo()
        if s.equals(n, "process_name") {
            notePid(e.pid)
            var merged = processInfo[e.pid] ?? ArgsInfo()
            if let name = info.name { merged.name = name }
            if let x = info.exit { merged.exit = x }
            if let note = info.note { merged.note = note }
            processInfo[e.pid] = merged
        } else if s.equals(n, "process_sort_index") {
            notePid(e.pid)
            if let v = info.sortIndex { processSort[e.pid] = v }
        } else if s.equals(n, "thread_name") {
            let key = ThreadKey(pid: e.pid, tid: e.tid)
            var merged = threadInfo[key] ?? ArgsInfo()
            if let name = info.name { merged.name = name }
            if let k = info.kind { merged.kind = k }
            if let t = info.threadID { merged.threadID = t }
            if info.noThreadID { merged.noThreadID = true }
            if let order = info.laneOrder { merged.laneOrder = order }
            threadInfo[key] = merged
            if info.kind != .task { _ = threadLane(e.pid, e.tid) } else { notePid(e.pid) }
        } else if s.equals(n, "thread_sort_index") {
            if let v = info.sortIndex { threadSort[ThreadKey(pid: e.pid, tid: e.tid)] = v }
        }
        // Other metadata events (process_labels, process_uptime_seconds, ...) carry nothing the model holds.
    }

    // MARK: Args

    /// Reads an `args` object: plain keys become attributes (strings as they are, other values as JSON text);
    /// the keys Lanes' export writes (`lanes.*`), and `name` / `sort_index` of metadata events, are recognised.
    mutating func parseArgs(_ range: Range<Int>) throws(ChromeJSONError) -> ArgsInfo {
        var info = ArgsInfo()
        let saved = s.i
        defer { s.i = saved }
        s.i = range.lowerBound + 1
        if s.peek() == 0x7D { return info }
        repeat {
            let (k, _) = try s.key("args")
            guard let c = s.peek() else { throw s.endError("args") }
            let valueStart = s.i
            let text: String
            if c == 0x22 {
                text = s.string(try s.stringRange("args"))
            } else {
                try s.skipValue("args")
                text = s.text(valueStart, s.i)
            }
            if s.hasPrefix(k, "lanes.") {
                let key = s.string(k)
                switch key {
                case "lanes.span": info.span = UInt64(text)
                case "lanes.parent": info.parent = UInt64(text)
                case "lanes.wait": info.wait = WaitReason(name: text) ?? .other
                case "lanes.object": info.object = text
                case "lanes.tid":
                    info.threadID = Int64(text)
                    info.noThreadID = text == "none"
                case "lanes.lane":
                    let parts = text.split(separator: ":")
                    if parts.count == 2, let index = Int(parts[0]), let id = UInt32(parts[1]) { info.laneOrder = (index, id) }
                case "lanes.onThread": info.onThread = Int64(text)
                case "lanes.end": info.end = Int64(text)
                case "lanes.cpu": info.cpu = Int64(text)
                case "lanes.flow": info.flow = UInt64(text)
                case "lanes.laneName": info.laneName = text
                case "lanes.task":
                    info.task = UInt64(text)
                    info.noTask = text == "none"
                case "lanes.parentTask": info.parentTask = UInt64(text)
                case "lanes.kind":
                    info.kind = Lane.Kind.allCases.first { $0.description == text }
                case "lanes.from": info.from = UInt64(text)
                case "lanes.to": info.to = UInt64(text)
                case "lanes.exit":
                    let parts = text.split(separator: " ")
                    if parts.count == 2, let v = Int32(parts[1]) {
                        info.exit = parts[0] == "signaled" ? .signaled(v) : .exited(v)
                    }
                case "lanes.note": info.note = text
                default:
                    let plain = key.hasPrefix("lanes.attr.") ? String(key.dropFirst("lanes.attr.".count)) : key
                    info.attributes.append(Attribute(plain, text))
                }
            } else if s.equals(k, "name") {
                info.name = text
                info.attributes.append(Attribute("name", text))
            } else if s.equals(k, "sort_index") {
                info.sortIndex = Int64(text) ?? Double(text).map { Int64($0) }
                info.attributes.append(Attribute("sort_index", text))
            } else {
                info.attributes.append(Attribute(s.string(k), text))
            }
        } while try s.next(close: 0x7D, "args")
        return info
    }

    mutating func counterArgs(_ range: Range<Int>, name: String, lane: LaneID?, time: Int64, offset: Int) throws(ChromeJSONError) {
        let saved = s.i
        defer { s.i = saved }
        s.i = range.lowerBound + 1
        if s.peek() == 0x7D { return }
        repeat {
            let (k, _) = try s.key("args")
            let key = s.string(k)
            guard let c = s.peek() else { throw s.endError("args.\(key)") }
            // Warnings point at the value's first byte.
            let valueStart = s.i
            if c == 0x22 {
                // Lanes writes infinities and NaN as strings ("inf", "nan"), which JSON numbers cannot hold.
                if let v = Double(s.string(try s.stringRange("args.\(key)"))) {
                    counters.append(
                        CounterSample(name: key == "value" ? name : "\(name) \(key)", lane: lane, time: time, value: v))
                } else {
                    nonNumericCounters.add(valueStart)
                }
            } else if let v = try s.double("args.\(key)") {
                counters.append(CounterSample(name: key == "value" ? name : "\(name) \(key)", lane: lane, time: time, value: v))
            } else {
                // Objects, arrays, booleans, null: not a counter value.
                nonNumericCounters.add(valueStart)
                try s.skipValue("args.\(key)")
            }
        } while try s.next(close: 0x7D, "args")
    }
}
