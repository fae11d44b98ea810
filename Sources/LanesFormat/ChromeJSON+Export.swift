import LanesCore

extension ChromeJSON {
    /// The Chrome Trace Event JSON of `trace`, in the object form, for Perfetto's UI and `chrome://tracing`.
    ///
    /// Thread and process lanes become threads whose slices nest (`X` events); a slice that would overlap
    /// another on its track without nesting goes out as an async slice instead, so no track mis-nests. Task lanes
    /// become async tracks (`b`/`e`). Waits are nested slices named `wait: <reason>`. The `lanes.*` args carry
    /// what the format has no field for, so that ``decode(_:)-(UnsafeRawBufferPointer)`` gives the trace back.
    public static func encode(_ trace: Trace) -> [UInt8] {
        var out = JSONWriter()
        ChromeExporter(trace: trace).write(to: &out) { _ in }
        return out.bytes
    }

    /// Writes the JSON of `trace` to `sink` in pieces of about `pieceSize` bytes.
    public static func write<Sink: LanesSink>(
        _ trace: Trace, to sink: inout Sink, pieceSize: Int = 1 << 20
    ) throws(LanesFormatError) {
        var out = JSONWriter()
        var failure: LanesFormatError?
        ChromeExporter(trace: trace).write(to: &out) { w in
            guard failure == nil, w.bytes.count >= pieceSize else { return }
            do throws(LanesFormatError) { try writeBytes(w.bytes, &sink) } catch { failure = error }
            w.bytes.removeAll(keepingCapacity: true)
        }
        if let failure { throw failure }
        try writeBytes(out.bytes, &sink)
        try sink.close()
    }
}

private func writeBytes<Sink: LanesSink>(_ bytes: [UInt8], _ sink: inout Sink) throws(LanesFormatError) {
    let result: Result<Void, LanesFormatError> = bytes.withUnsafeBytes { raw in
        do throws(LanesFormatError) {
            try sink.write(raw)
            return .success(())
        } catch { return .failure(error) }
    }
    try result.get()
}

/// Appends JSON text to a byte buffer.
struct JSONWriter {
    var bytes: [UInt8] = []

    @inline(__always) mutating func raw(_ s: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }

    mutating func string(_ s: String) {
        bytes.append(0x22)
        for c in s.utf8 {
            switch c {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                raw("\\u00")
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(hex[Int(c >> 4)])
                bytes.append(hex[Int(c & 15)])
            default: bytes.append(c)
            }
        }
        bytes.append(0x22)
    }

    mutating func unsigned(_ v: UInt64) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { d in
            repeat {
                d[n] = UInt8(x % 10) + 0x30
                x /= 10
                n += 1
            } while x > 0
            for k in stride(from: n - 1, through: 0, by: -1) { bytes.append(d[k]) }
        }
    }

    mutating func integer(_ v: Int64) {
        if v < 0 { bytes.append(0x2D) }
        unsigned(v.magnitude)
    }

    /// Nanoseconds as microseconds with up to three decimals, exactly.
    mutating func micros(_ ns: Int64) {
        if ns < 0 { bytes.append(0x2D) }
        let m = ns.magnitude
        unsigned(m / 1000)
        let f = m % 1000
        if f != 0 {
            bytes.append(0x2E)
            bytes.append(UInt8(f / 100) + 0x30)
            bytes.append(UInt8(f / 10 % 10) + 0x30)
            bytes.append(UInt8(f % 10) + 0x30)
        }
    }

    /// `"key":"value"` with a leading comma.
    mutating func member(_ key: StaticString, _ value: String) {
        raw(",\"")
        raw(key)
        raw("\":")
        string(value)
    }
}

/// Where each lane's events go: its pid and the tid (or async id) used for it in the file.
private struct ExportLane {
    var tid: Int64
    var asyncID: UInt64
}

private struct ExportSlice {
    var start: Int64
    var end: Int64
    var span: Int
    /// The index of the wait within the span, or -1 for the span itself.
    var wait: Int
}

private struct ChromeExporter {
    let trace: Trace

    func write(to out: inout JSONWriter, flush: (inout JSONWriter) -> Void) {
        out.raw("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"lanes.format\":\"1\"")
        let m = trace.metadata
        switch m.clock {
        case .monotonic: out.member("lanes.clock", "CLOCK_MONOTONIC")
        case .imported(let name): out.member("lanes.clock", name)
        }
        out.member("lanes.command", m.command.joined(separator: "\u{1F}"))
        out.member("lanes.host", m.host)
        out.member("lanes.cores", String(m.cores))
        out.member("lanes.timeSource", m.timeSource)
        if let s = m.scenario { out.member("lanes.scenario", s) }
        if let s = m.model { out.member("lanes.model", s) }
        out.member("lanes.droppedEvents", String(m.droppedEvents))
        if let s = m.startedAt { out.member("lanes.startedAt", String(s)) }
        for a in m.extra {
            out.raw(",")
            out.string("lanes.extra." + a.key)
            out.raw(":")
            out.string(a.value)
        }
        out.raw("},\n\"traceEvents\":[\n")
        var first = true
        func open(_ out: inout JSONWriter) {
            if !first { out.raw(",\n") }
            first = false
        }

        for p in trace.processes {
            open(&out)
            out.raw("{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":")
            out.integer(p.pid)
            out.raw(",\"tid\":0,\"args\":{\"name\":")
            out.string(p.name)
            if let exit = p.exit {
                switch exit {
                case .exited(let v): out.member("lanes.exit", "exited \(v)")
                case .signaled(let v): out.member("lanes.exit", "signaled \(v)")
                }
            }
            if !p.note.isEmpty { out.member("lanes.note", p.note) }
            out.raw("}}")
        }

        // Tids: a thread's own tid when it is small and free in its process, else the next free small number.
        var where_: [ExportLane] = []
        var used: Set<ThreadSlot> = []
        var nextTid: Int64 = 1
        for lane in trace.lanes where lane.kind != .task {
            if let t = lane.threadID, lane.kind == .thread, t > 0, t <= Int64(Int32.max) { used.insert(ThreadSlot(pid: lane.pid, tid: t)) }
        }
        var claimed: Set<ThreadSlot> = []
        for (index, lane) in trace.lanes.enumerated() {
            var tid: Int64 = 0
            if lane.kind != .task {
                if let t = lane.threadID, lane.kind == .thread, t > 0, t <= Int64(Int32.max),
                    claimed.insert(ThreadSlot(pid: lane.pid, tid: t)).inserted
                {
                    tid = t
                } else {
                    while used.contains(ThreadSlot(pid: lane.pid, tid: nextTid)) || claimed.contains(ThreadSlot(pid: lane.pid, tid: nextTid)) {
                        nextTid += 1
                    }
                    tid = nextTid
                    claimed.insert(ThreadSlot(pid: lane.pid, tid: nextTid))
                }
                open(&out)
                out.raw("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":")
                out.integer(lane.pid)
                out.raw(",\"tid\":")
                out.integer(tid)
                out.raw(",\"args\":{\"name\":")
                out.string(lane.name)
                out.member("lanes.lane", "\(index):\(lane.id.rawValue)")
                out.member("lanes.kind", lane.kind.description)
                out.member("lanes.tid", lane.threadID.map { String($0) } ?? "none")
                out.raw("}}")
                if lane.sortIndex != 0 {
                    open(&out)
                    out.raw("{\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":")
                    out.integer(lane.pid)
                    out.raw(",\"tid\":")
                    out.integer(tid)
                    out.raw(",\"args\":{\"sort_index\":")
                    out.integer(Int64(lane.sortIndex))
                    out.raw("}}")
                }
            }
            where_.append(ExportLane(tid: tid, asyncID: UInt64(index) + 1))
        }
        var laneIndex: [LaneID: Int] = [:]
        for (k, lane) in trace.lanes.enumerated() where laneIndex[lane.id] == nil { laneIndex[lane.id] = k }

        // Slices per lane: spans and their waits, in nesting order.
        var perLane: [[ExportSlice]] = Array(repeating: [], count: trace.lanes.count)
        var orphanSpans: [Int] = []
        for (k, span) in trace.spans.enumerated() {
            guard let l = laneIndex[span.lane] else {
                orphanSpans.append(k)
                continue
            }
            perLane[l].append(ExportSlice(start: span.start, end: span.end, span: k, wait: -1))
            for (w, wait) in span.waits.enumerated() {
                perLane[l].append(ExportSlice(start: wait.start, end: wait.end, span: k, wait: w))
            }
        }
        var overflowID: UInt64 = UInt64(trace.lanes.count) + 1
        for (l, slices) in perLane.enumerated() {
            let lane = trace.lanes[l]
            let place = where_[l]
            let sorted = slices.sortedStably { a, b in
                if a.start != b.start { return a.start < b.start }
                if a.end != b.end { return a.end > b.end }
                return a.wait < b.wait
            }
            // Nesting check: a slice that starts inside another but ends after it cannot share the track.
            var stack: [ExportSlice] = []
            var nested: [ExportSlice] = []
            var overflow: [ExportSlice] = []
            for sl in sorted {
                while let top = stack.last, top.end <= sl.start, !(top.end == sl.start && top.start == sl.start) { stack.removeLast() }
                if let top = stack.last, sl.end > top.end || sl.end < sl.start {
                    overflow.append(sl)
                    continue
                }
                // A slice that ends before it starts, or whose duration does not fit in 64 bits, cannot be an X event.
                if sl.end < sl.start || sl.end.subtractingReportingOverflow(sl.start).overflow {
                    overflow.append(sl)
                    continue
                }
                stack.append(sl)
                nested.append(sl)
            }
            if lane.kind == .task {
                // Nested async slices on the task's track: b at each start, e at each end, innermost first.
                var open: [ExportSlice] = []
                for sl in nested {
                    while let top = open.last, top.end <= sl.start, !(top.end == sl.start && top.start == sl.start) {
                        asyncEvent(&out, &first, "e", top, lane: lane, id: place.asyncID, cat: "task", onThread: nil)
                        open.removeLast()
                    }
                    asyncEvent(&out, &first, "b", sl, lane: lane, id: place.asyncID, cat: "task", onThread: nil)
                    open.append(sl)
                    flush(&out)
                }
                while let top = open.popLast() {
                    asyncEvent(&out, &first, "e", top, lane: lane, id: place.asyncID, cat: "task", onThread: nil)
                }
            } else {
                for sl in nested {
                    open(&out)
                    slice(&out, sl, lane: lane, tid: place.tid)
                    flush(&out)
                }
            }
            for sl in overflow {
                asyncEvent(&out, &first, "b", sl, lane: lane, id: overflowID, cat: "lanes.overlap", onThread: lane.kind == .task ? nil : place.tid)
                asyncEvent(&out, &first, "e", sl, lane: lane, id: overflowID, cat: "lanes.overlap", onThread: lane.kind == .task ? nil : place.tid)
                overflowID += 1
            }
        }

        for mark in trace.marks {
            open(&out)
            if let l = mark.lane.flatMap({ laneIndex[$0] }) {
                let lane = trace.lanes[l]
                if lane.kind == .task {
                    out.raw("{\"ph\":\"n\",\"cat\":\"task\",\"id\":")
                    out.unsigned(where_[l].asyncID)
                    out.raw(",\"tid\":0")
                } else {
                    out.raw("{\"ph\":\"i\",\"s\":\"t\",\"tid\":")
                    out.integer(where_[l].tid)
                }
                out.raw(",\"pid\":")
                out.integer(lane.pid)
            } else {
                out.raw("{\"ph\":\"i\",\"s\":\"g\",\"pid\":")
                out.integer(trace.processes.first?.pid ?? 0)
                out.raw(",\"tid\":0")
            }
            out.raw(",\"name\":")
            out.string(mark.name)
            out.raw(",\"ts\":")
            out.micros(mark.time)
            out.raw(",\"args\":{")
            attributes(&out, mark.attributes, leadingComma: false)
            out.raw("}}")
        }

        for c in trace.counters {
            open(&out)
            out.raw("{\"ph\":\"C\",\"name\":")
            out.string(c.name)
            if let l = c.lane.flatMap({ laneIndex[$0] }), trace.lanes[l].kind != .task {
                out.raw(",\"pid\":")
                out.integer(trace.lanes[l].pid)
                out.raw(",\"tid\":")
                out.integer(where_[l].tid)
            } else {
                out.raw(",\"pid\":")
                out.integer(trace.processes.first?.pid ?? 0)
            }
            out.raw(",\"ts\":")
            out.micros(c.time)
            out.raw(",\"args\":{\"value\":")
            if c.value.isFinite {
                out.bytes.append(contentsOf: Array("\(c.value)".utf8))
            } else {
                out.string("\(c.value)")
            }
            out.raw("}}")
        }

        var spanIndex: [SpanID: Int] = [:]
        if !trace.flows.isEmpty {
            for (k, s) in trace.spans.enumerated() where spanIndex[s.id] == nil { spanIndex[s.id] = k }
        }
        for (n, f) in trace.flows.enumerated() {
            guard let a = spanIndex[f.from], let b = spanIndex[f.to] else { continue }
            for (ph, k, time) in [("s", a, f.fromTime), ("f", b, f.toTime)] {
                let span = trace.spans[k]
                let l = laneIndex[span.lane]
                let pid = l.map { trace.lanes[$0].pid } ?? 0
                let tid = l.map { trace.lanes[$0].kind == .task ? span.threadID : where_[$0].tid } ?? span.threadID
                open(&out)
                out.raw(ph == "s" ? "{\"ph\":\"s\"" : "{\"ph\":\"f\",\"bp\":\"e\"")
                out.raw(",\"cat\":\"flow\",\"id\":")
                out.unsigned(UInt64(n) + 1)
                out.raw(",\"name\":")
                out.string(f.name)
                out.raw(",\"pid\":")
                out.integer(pid)
                out.raw(",\"tid\":")
                out.integer(tid)
                out.raw(",\"ts\":")
                out.micros(time)
                out.raw(",\"args\":{\"lanes.flow\":\"")
                out.unsigned(f.id)
                out.raw("\",\"lanes.from\":\"")
                out.unsigned(f.from.rawValue)
                out.raw("\",\"lanes.to\":\"")
                out.unsigned(f.to.rawValue)
                out.raw("\"}}")
            }
        }
        out.raw("\n]}\n")
        _ = orphanSpans
    }

    /// The `X` event of a span or wait on a thread track.
    func slice(_ out: inout JSONWriter, _ sl: ExportSlice, lane: Lane, tid: Int64) {
        let span = trace.spans[sl.span]
        out.raw("{\"ph\":\"X\",\"pid\":")
        out.integer(lane.pid)
        out.raw(",\"tid\":")
        out.integer(tid)
        out.raw(",\"ts\":")
        out.micros(sl.start)
        out.raw(",\"dur\":")
        out.micros(sl.end &- sl.start)
        if sl.wait < 0, let cpu = span.cpuTime, cpu >= 0 {
            out.raw(",\"tdur\":")
            out.micros(cpu)
        }
        sliceBody(&out, sl, tidOnTrack: tid)
        out.raw("}")
    }

    /// Name, category and args of a span or wait.
    func sliceBody(_ out: inout JSONWriter, _ sl: ExportSlice, tidOnTrack: Int64?, category: Bool = true) {
        let span = trace.spans[sl.span]
        if sl.wait >= 0 {
            let wait = span.waits[sl.wait]
            out.raw(category ? ",\"cat\":\"wait\",\"name\":" : ",\"name\":")
            out.string("wait: \(wait.reason)" + (wait.object.map { " (\($0))" } ?? ""))
            out.raw(",\"args\":{\"lanes.wait\":")
            out.string(wait.reason.description)
            out.raw(",\"lanes.span\":\"")
            out.unsigned(span.id.rawValue)
            out.raw("\"")
            if let o = wait.object { out.member("lanes.object", o) }
            out.raw("}")
            return
        }
        out.raw(category ? ",\"cat\":\"span\",\"name\":" : ",\"name\":")
        out.string(span.name)
        out.raw(",\"args\":{\"lanes.span\":\"")
        out.unsigned(span.id.rawValue)
        out.raw("\"")
        if let p = span.parent {
            out.raw(",\"lanes.parent\":\"")
            out.unsigned(p.rawValue)
            out.raw("\"")
        }
        if tidOnTrack != span.threadID { out.member("lanes.tid", String(span.threadID)) }
        if let cpu = span.cpuTime, cpu < 0 { out.member("lanes.cpu", String(cpu)) }
        attributes(&out, span.attributes, leadingComma: true)
        out.raw("}")
    }

    func attributes(_ out: inout JSONWriter, _ attributes: [Attribute], leadingComma: Bool) {
        for (k, a) in attributes.enumerated() {
            if leadingComma || k > 0 { out.raw(",") }
            // Keys that the importer would read as its own are escaped with a prefix.
            out.string(a.key.hasPrefix("lanes.") || a.key == "name" || a.key == "sort_index" ? "lanes.attr." + a.key : a.key)
            out.raw(":")
            out.string(a.value)
        }
    }

    /// A `b` or `e` event: a slice on an async track (a task lane, or an overlapping slice of a thread lane).
    func asyncEvent(
        _ out: inout JSONWriter, _ first: inout Bool, _ ph: StaticString, _ sl: ExportSlice, lane: Lane, id: UInt64,
        cat: StaticString, onThread: Int64?
    ) {
        if !first { out.raw(",\n") }
        first = false
        let span = trace.spans[sl.span]
        out.raw("{\"ph\":\"")
        out.raw(ph)
        out.raw("\",\"cat\":\"")
        out.raw(cat)
        out.raw("\",\"id\":")
        out.unsigned(id)
        out.raw(",\"pid\":")
        out.integer(lane.pid)
        out.raw(",\"tid\":")
        out.integer(onThread ?? span.threadID)
        out.raw(",\"ts\":")
        let isBegin = ph.utf8Start[0] == UInt8(ascii: "b")
        // A slice that ends before it starts (a damaged trace) closes where it opens; `lanes.end` keeps its end.
        out.micros(isBegin ? sl.start : max(sl.start, sl.end))
        if isBegin {
            if sl.wait < 0, let cpu = span.cpuTime, cpu >= 0 {
                out.raw(",\"tdur\":")
                out.micros(cpu)
            }
            // The body names the slice; the lane's identity rides along for the importer.
            var body = JSONWriter()
            sliceBody(&body, sl, tidOnTrack: onThread ?? span.threadID, category: false)
            body.bytes.removeLast(1)  // the closing brace of args
            out.bytes.append(contentsOf: body.bytes)
            if let t = onThread {
                out.member("lanes.onThread", String(t))
                if sl.end < sl.start { out.member("lanes.end", String(sl.end)) }
            } else {
                out.member("lanes.laneName", lane.name)
                out.member("lanes.task", lane.taskID.map { String($0) } ?? "none")
                if let p = lane.parentTaskID { out.member("lanes.parentTask", String(p)) }
                if sl.end < sl.start { out.member("lanes.end", String(sl.end)) }
            }
            if let index = trace.lanes.firstIndex(where: { $0.id == lane.id }) {
                out.member("lanes.lane", "\(index):\(lane.id.rawValue)")
            }
            out.raw("}")
        } else {
            out.raw(",\"name\":")
            out.string(sl.wait >= 0 ? "wait: \(span.waits[sl.wait].reason)" + (span.waits[sl.wait].object.map { " (\($0))" } ?? "") : span.name)
        }
        out.raw("}")
    }
}

private struct ThreadSlot: Hashable {
    var pid: Int64
    var tid: Int64
}

extension Array {
    /// The elements sorted by `less`, equal elements keeping their order.
    func sortedStably(_ less: (Element, Element) -> Bool) -> [Element] {
        indices.sorted { a, b in
            if less(self[a], self[b]) { return true }
            if less(self[b], self[a]) { return false }
            return a < b
        }.map { self[$0] }
    }
}
