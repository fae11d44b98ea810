import LanesCore
import LanesSupport

extension ChromeJSON {
    /// The Chrome Trace Event JSON of `trace`, in the object form, for Perfetto's UI and `chrome://tracing`.
    ///
    /// Every lane becomes a thread of its process whose slices nest (`X` events): a task lane gets a tid of its
    /// own (named for the task, `lanes.kind: task`), so that Perfetto shows it under its process and its waits
    /// nest in its spans with their category (Perfetto keys async slices by category and id, so a `wait` could
    /// not nest in a `task` slice). A slice that would overlap another on its track without nesting goes out as
    /// an async slice with a process-scoped id (`id2.local`), keeping its category. Waits are slices in the
    /// `wait` category named `wait: <reason>`. The `lanes.*` args carry what the format has no field for, so
    /// that ``decode(_:)-(UnsafeRawBufferPointer)`` gives the trace back.
    public static func encode(_ trace: Trace) -> [UInt8] {
        var out = JSONWriter(scriptSafe: false)
        ChromeExporter(trace: trace).write(to: &out) { _ in }
        return out.bytes
    }

    /// Writes the JSON of `trace` to `sink` in pieces of about `pieceSize` bytes.
    public static func write<Sink: LanesSink>(
        _ trace: Trace, to sink: inout Sink, pieceSize: Int = 1 << 20
    ) throws(LanesFormatError) {
        try writeInPieces(to: &sink, pieceSize: pieceSize) { flush in
            var out = JSONWriter(scriptSafe: false)
            ChromeExporter(trace: trace).write(to: &out) { w in flush(&w.bytes) }
            return out.bytes
        }
    }
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
            out.quoted("lanes.extra." + a.key)
            out.raw(":")
            out.quoted(a.value)
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
            out.quoted(p.name)
            if let exit = p.exit {
                switch exit {
                case .exited(let v): out.member("lanes.exit", "exited \(v)")
                case .signaled(let v): out.member("lanes.exit", "signaled \(v)")
                }
            }
            if !p.note.isEmpty { out.member("lanes.note", p.note) }
            out.raw("}}")
        }

        let layout = ExportLayout(trace)
        let asyncTasks = asyncTaskIDs()
        for (index, lane) in trace.lanes.enumerated() {
            let tid = layout.threadIDs[index]
            if asyncTasks[index] == nil {
                open(&out)
                out.raw("{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":")
                out.integer(lane.pid)
                out.raw(",\"tid\":")
                out.integer(tid)
                out.raw(",\"args\":{\"name\":")
                // A task lane's name is only shown (the importer takes it from the spans); Perfetto refuses an empty one.
                out.quoted(lane.kind == .task ? lane.displayName : lane.name)
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
        }
        let laneIndex = layout.laneIndex

        var overflowID: UInt64 = UInt64(trace.lanes.count) + 1
        for (l, lane) in trace.lanes.enumerated() {
            let nested = layout.nested[l]
            let overflow = layout.overflow[l]
            let tid = layout.threadIDs[l]
            if let id = asyncTasks[l] {
                // A task lane the importer could not tell from another by its task id: nested b/e slices on a
                // process-scoped async track of its own.
                ExportLayout.beginsAndEnds(nested) { sl, begin in
                    asyncEvent(&out, &first, begin ? "b" : "e", sl, lane: lane, id: id, cat: "task", onThread: nil, tid: tid)
                    if begin { flush(&out) }
                }
            } else {
                // Every other lane, a task's too, is a track of its process on which spans and waits nest as X
                // slices with their categories.
                for sl in nested {
                    open(&out)
                    slice(&out, sl, lane: lane, index: l, tid: tid)
                    flush(&out)
                }
            }
            for sl in overflow {
                let cat: StaticString = sl.wait >= 0 ? "wait" : "span"
                asyncEvent(&out, &first, "b", sl, lane: lane, id: overflowID, cat: cat, onThread: lane.kind == .task ? nil : tid, tid: tid)
                asyncEvent(&out, &first, "e", sl, lane: lane, id: overflowID, cat: cat, onThread: lane.kind == .task ? nil : tid, tid: tid)
                overflowID += 1
            }
        }

        for mark in trace.marks {
            open(&out)
            if let l = mark.lane.flatMap({ laneIndex[$0] }) {
                let lane = trace.lanes[l]
                if lane.kind == .task {
                    // On the async track that the importer keys by the lane's task (the spans' `lanes.task`).
                    out.raw("{\"ph\":\"n\",\"cat\":\"task\",\"id2\":{\"local\":\"0x")
                    out.bytes.append(contentsOf: String(asyncTasks[l] ?? lane.taskID ?? 0, radix: 16).utf8)
                    out.raw("\"},\"tid\":")
                    out.integer(layout.threadIDs[l])
                } else {
                    out.raw("{\"ph\":\"i\",\"s\":\"t\",\"tid\":")
                    out.integer(layout.threadIDs[l])
                }
                out.raw(",\"pid\":")
                out.integer(lane.pid)
            } else {
                out.raw("{\"ph\":\"i\",\"s\":\"g\",\"pid\":")
                out.integer(trace.processes.first?.pid ?? 0)
                out.raw(",\"tid\":0")
            }
            out.raw(",\"name\":")
            out.quoted(mark.name)
            out.raw(",\"ts\":")
            out.micros(mark.time)
            out.raw(",\"args\":{")
            attributes(&out, mark.attributes, leadingComma: false)
            out.raw("}}")
        }

        for c in trace.counters {
            open(&out)
            out.raw("{\"ph\":\"C\",\"name\":")
            out.quoted(c.name)
            if let l = c.lane.flatMap({ laneIndex[$0] }), trace.lanes[l].kind != .task {
                out.raw(",\"pid\":")
                out.integer(trace.lanes[l].pid)
                out.raw(",\"tid\":")
                out.integer(layout.threadIDs[l])
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
                out.quoted("\(c.value)")
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
                let tid = l.map { layout.threadIDs[$0] } ?? span.threadID
                open(&out)
                out.raw(ph == "s" ? "{\"ph\":\"s\"" : "{\"ph\":\"f\",\"bp\":\"e\"")
                out.raw(",\"cat\":\"flow\",\"id\":")
                out.unsigned(UInt64(n) + 1)
                out.raw(",\"name\":")
                out.quoted(f.name)
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
    }

    /// Task lanes that go out as async tracks, with their ids: those whose task id (or its absence) another task
    /// lane of the same process shares, since the importer finds a task lane written as a track of X slices by
    /// its process and task id. The ids avoid every task id of the trace.
    func asyncTaskIDs() -> [Int: UInt64] {
        var seen: [TaskKey: Int] = [:]
        var taken: Set<UInt64> = []
        for lane in trace.lanes where lane.kind == .task {
            seen[TaskKey(pid: lane.pid, task: lane.taskID ?? 0), default: 0] += 1
            taken.insert(lane.taskID ?? 0)
        }
        var ids: [Int: UInt64] = [:]
        var next: UInt64 = 1
        for (k, lane) in trace.lanes.enumerated() where lane.kind == .task {
            guard seen[TaskKey(pid: lane.pid, task: lane.taskID ?? 0)]! > 1 else { continue }
            while taken.contains(next) { next += 1 }
            ids[k] = next
            next += 1
        }
        return ids
    }

    /// The `X` event of a span or wait on a thread track.
    func slice(_ out: inout JSONWriter, _ sl: ExportSlice, lane: Lane, index: Int, tid: Int64) {
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
        if sl.wait < 0, lane.kind == .task {
            // The track is a task's: the importer gives the span back to a task lane.
            out.bytes.removeLast(1)  // the closing brace of args
            taskMembers(&out, lane: lane, index: index)
            out.raw("}")
        }
        out.raw("}")
    }

    /// The args that name a span's task lane: kind, task, parent task, lane name and order.
    func taskMembers(_ out: inout JSONWriter, lane: Lane, index: Int) {
        out.member("lanes.kind", "task")
        out.member("lanes.laneName", lane.name)
        out.member("lanes.task", lane.taskID.map { String($0) } ?? "none")
        if let p = lane.parentTaskID { out.member("lanes.parentTask", String(p)) }
        out.member("lanes.lane", "\(index):\(lane.id.rawValue)")
    }

    /// Name, category and args of a span or wait.
    func sliceBody(_ out: inout JSONWriter, _ sl: ExportSlice, tidOnTrack: Int64?, category: Bool = true) {
        let span = trace.spans[sl.span]
        if sl.wait >= 0 {
            let wait = span.waits[sl.wait]
            out.raw(category ? ",\"cat\":\"wait\",\"name\":" : ",\"name\":")
            out.quoted("wait: \(wait.reason)" + (wait.object.map { " (\($0))" } ?? ""))
            out.raw(",\"args\":{\"lanes.wait\":")
            out.quoted(wait.reason.description)
            out.raw(",\"lanes.span\":\"")
            out.unsigned(span.id.rawValue)
            out.raw("\"")
            if let o = wait.object { out.member("lanes.object", o) }
            out.raw("}")
            return
        }
        out.raw(category ? ",\"cat\":\"span\",\"name\":" : ",\"name\":")
        out.quoted(span.name)
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
            out.quoted(a.key.hasPrefix("lanes.") || a.key == "name" || a.key == "sort_index" ? "lanes.attr." + a.key : a.key)
            out.raw(":")
            out.quoted(a.value)
        }
    }

    /// A `b` or `e` event: a slice on an async track (a task lane, or an overlapping slice of a thread lane).
    func asyncEvent(
        _ out: inout JSONWriter, _ first: inout Bool, _ ph: StaticString, _ sl: ExportSlice, lane: Lane, id: UInt64,
        cat: StaticString, onThread: Int64?, tid: Int64
    ) {
        if !first { out.raw(",\n") }
        first = false
        let span = trace.spans[sl.span]
        out.raw("{\"ph\":\"")
        out.raw(ph)
        out.raw("\",\"cat\":\"")
        out.raw(cat)
        out.raw("\",\"id2\":{\"local\":")
        out.unsigned(id)
        out.raw("}")
        out.raw(",\"pid\":")
        out.integer(lane.pid)
        out.raw(",\"tid\":")
        out.integer(tid)
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
            var body = JSONWriter(scriptSafe: false)
            sliceBody(&body, sl, tidOnTrack: tid, category: false)
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
            out.quoted(sl.wait >= 0 ? "wait: \(span.waits[sl.wait].reason)" + (span.waits[sl.wait].object.map { " (\($0))" } ?? "") : span.name)
        }
        out.raw("}")
    }
}

private struct TaskKey: Hashable {
    var pid: Int64
    var task: UInt64
}
