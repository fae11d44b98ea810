import LanesCore

/// Perfetto's native trace format: a protobuf `Trace` of `TracePacket`s with track descriptors and track
/// events (see `PERFETTO.md` for the fields used). Perfetto's UI and trace processor read it without the
/// guesses its legacy JSON importer makes.
public enum PerfettoTrace {
    /// The protobuf `Trace` of `trace`.
    ///
    /// Processes, threads and task lanes become tracks (a task track's parent is its process), spans and waits
    /// nested slices (`span` and `wait` categories, a wait named `wait: <reason>` with its reason and object as
    /// debug annotations), attributes debug annotations, flows `flow_ids`, counters counter tracks, marks
    /// instants. A slice that would overlap another on its lane without nesting goes on a track of its own
    /// under the lane's.
    public static func encode(_ trace: Trace) -> [UInt8] {
        var out = ProtobufWriter()
        PerfettoExporter(trace: trace).write(to: &out) { _ in }
        return out.bytes
    }

    /// Writes the protobuf of `trace` to `sink` in pieces of about `pieceSize` bytes.
    public static func write<Sink: LanesSink>(
        _ trace: Trace, to sink: inout Sink, pieceSize: Int = 1 << 20
    ) throws(LanesFormatError) {
        try writeInPieces(to: &sink, pieceSize: pieceSize) { flush in
            var out = ProtobufWriter()
            PerfettoExporter(trace: trace).write(to: &out) { w in flush(&w.bytes) }
            return out.bytes
        }
    }

    /// Writes the protobuf of `trace` to a new file at `path` (created or truncated).
    public static func write(_ trace: Trace, to path: String, inputs: [String] = []) throws(LanesFormatError) {
        try LanesFileSink.writing(to: path, inputs: inputs) { (sink) throws(LanesFormatError) in try write(trace, to: &sink) }
    }
}

/// Field numbers of Perfetto's protos (perfetto/trace/*.proto), as far as this exporter uses them.
enum PerfettoField {
    // Trace
    static let packet: UInt32 = 1
    // TracePacket
    static let timestamp: UInt32 = 8
    static let trustedPacketSequenceID: UInt32 = 10
    static let trackEvent: UInt32 = 11
    static let sequenceFlags: UInt32 = 13
    static let trackDescriptor: UInt32 = 60
    // TrackDescriptor
    static let uuid: UInt32 = 1
    static let trackName: UInt32 = 2
    static let process: UInt32 = 3
    static let thread: UInt32 = 4
    static let parentUUID: UInt32 = 5
    static let counter: UInt32 = 8
    static let siblingMergeBehavior: UInt32 = 15
    // ProcessDescriptor
    static let processPid: UInt32 = 1
    static let processName: UInt32 = 6
    // ThreadDescriptor
    static let threadPid: UInt32 = 1
    static let threadTid: UInt32 = 2
    static let threadName: UInt32 = 5
    // TrackEvent
    static let debugAnnotations: UInt32 = 4
    static let eventType: UInt32 = 9
    static let trackUUID: UInt32 = 11
    static let categories: UInt32 = 22
    static let eventName: UInt32 = 23
    static let doubleCounterValue: UInt32 = 44
    static let flowIDs: UInt32 = 47
    static let terminatingFlowIDs: UInt32 = 48
    // DebugAnnotation
    static let annotationInt: UInt32 = 4
    static let annotationString: UInt32 = 6
    static let annotationName: UInt32 = 10
    // TrackEvent.Type
    static let sliceBegin: UInt64 = 1
    static let sliceEnd: UInt64 = 2
    static let instant: UInt64 = 3
    static let counterEvent: UInt64 = 4
    // TrackDescriptor.SiblingMergeBehavior
    static let siblingMergeNone: UInt64 = 2
    // TracePacket.SequenceFlags
    static let incrementalStateCleared: UInt64 = 1
}

/// Track uuids: a kind in the top byte, an index below.
private enum TrackUUID {
    static func process(_ k: Int) -> UInt64 { 1 << 56 | UInt64(k) }
    static func lane(_ k: Int) -> UInt64 { 2 << 56 | UInt64(k) }
    static func overflow(_ k: Int) -> UInt64 { 3 << 56 | UInt64(k) }
    static func counter(_ k: Int) -> UInt64 { 4 << 56 | UInt64(k) }
    static let marks: UInt64 = 5 << 56
}

private struct PerfettoExporter {
    let trace: Trace
    let sequence: UInt64 = 1

    func write(to out: inout ProtobufWriter, flush: (inout ProtobufWriter) -> Void) {
        let layout = ExportLayout(trace)
        // The first packet clears the sequence's incremental state: without it the reader skips the sequence.
        out.message(PerfettoField.packet) { p in
            p.uint(PerfettoField.trustedPacketSequenceID, sequence)
            p.uint(PerfettoField.sequenceFlags, PerfettoField.incrementalStateCleared)
        }

        // Processes: every pid named by a process or a lane.
        var processIndex: [Int64: Int] = [:]
        var pids: [Int64] = []
        for pid in trace.processes.map(\.pid) + trace.lanes.map(\.pid) where processIndex[pid] == nil {
            processIndex[pid] = pids.count
            pids.append(pid)
        }
        for (k, pid) in pids.enumerated() {
            let process = trace.processes.first { $0.pid == pid }
            descriptor(&out, uuid: TrackUUID.process(k)) { d in
                d.message(PerfettoField.process) { p in
                    p.int(PerfettoField.processPid, pid)
                    if let name = process?.name, !name.isEmpty { p.string(PerfettoField.processName, name) }
                }
            }
        }

        // Lanes: threads and process lanes as thread tracks, task lanes as tracks under their process.
        for (l, lane) in trace.lanes.enumerated() {
            descriptor(&out, uuid: TrackUUID.lane(l)) { d in
                if lane.kind == .task {
                    d.uint(PerfettoField.parentUUID, TrackUUID.process(processIndex[lane.pid] ?? 0))
                    d.string(PerfettoField.trackName, lane.displayName)
                    // Each task its own track, even when tasks share a name.
                    d.uint(PerfettoField.siblingMergeBehavior, PerfettoField.siblingMergeNone)
                } else {
                    d.message(PerfettoField.thread) { t in
                        t.int(PerfettoField.threadPid, lane.pid)
                        t.int(PerfettoField.threadTid, layout.threadIDs[l])
                        t.string(PerfettoField.threadName, lane.displayName)
                    }
                }
            }
        }

        let flows = FlowEnds(trace)
        var overflowTracks = 0
        for (l, lane) in trace.lanes.enumerated() {
            let track = TrackUUID.lane(l)
            ExportLayout.beginsAndEnds(layout.nested[l]) { sl, begin in
                slice(&out, sl, begin: begin, track: track, flows: flows)
            }
            flush(&out)
            for group in layout.overflowGroups[l] {
                let uuid = TrackUUID.overflow(overflowTracks)
                overflowTracks += 1
                descriptor(&out, uuid: uuid) { d in
                    d.uint(PerfettoField.parentUUID, track)
                    d.string(PerfettoField.trackName, lane.displayName + " (overlapping)")
                }
                // A slice that ends before it starts (a damaged trace) closes where it opens.
                let closed = group.map { sl in
                    var c = sl
                    c.end = max(sl.start, sl.end)
                    return c
                }
                ExportLayout.beginsAndEnds(closed) { sl, begin in
                    slice(&out, sl, begin: begin, track: uuid, flows: flows)
                }
            }
            flush(&out)
        }

        // Marks: instants on their lane's track, or on a track of their own when trace-wide.
        if trace.marks.contains(where: { $0.lane.flatMap { layout.laneIndex[$0] } == nil }) {
            descriptor(&out, uuid: TrackUUID.marks) { d in d.string(PerfettoField.trackName, "marks") }
        }
        for mark in trace.marks {
            let track = mark.lane.flatMap { layout.laneIndex[$0] }.map(TrackUUID.lane) ?? TrackUUID.marks
            event(&out, time: mark.time) { e in
                e.uint(PerfettoField.eventType, PerfettoField.instant)
                e.uint(PerfettoField.trackUUID, track)
                e.string(PerfettoField.eventName, mark.name)
                for a in mark.attributes { annotation(&e, a.key, a.value) }
            }
        }
        flush(&out)

        // Counters: one counter track per name and lane (or process), under the lane's or process's track.
        var counterTracks: [CounterKey: UInt64] = [:]
        for c in trace.counters {
            let l = c.lane.flatMap { layout.laneIndex[$0] }
            let key = CounterKey(name: c.name, lane: l ?? -1)
            let uuid: UInt64
            if let known = counterTracks[key] {
                uuid = known
            } else {
                uuid = TrackUUID.counter(counterTracks.count)
                counterTracks[key] = uuid
                descriptor(&out, uuid: uuid) { d in
                    if let parent = l.map(TrackUUID.lane) ?? (pids.isEmpty ? nil : TrackUUID.process(0)) {
                        d.uint(PerfettoField.parentUUID, parent)
                    }
                    d.string(PerfettoField.trackName, c.name)
                    d.message(PerfettoField.counter) { _ in }
                }
            }
            event(&out, time: c.time) { e in
                e.uint(PerfettoField.eventType, PerfettoField.counterEvent)
                e.uint(PerfettoField.trackUUID, uuid)
                e.double(PerfettoField.doubleCounterValue, c.value)
            }
        }
        flush(&out)
    }

    func descriptor(_ out: inout ProtobufWriter, uuid: UInt64, _ body: (inout ProtobufWriter) -> Void) {
        out.message(PerfettoField.packet) { p in
            p.uint(PerfettoField.trustedPacketSequenceID, sequence)
            p.message(PerfettoField.trackDescriptor) { d in
                d.uint(PerfettoField.uuid, uuid)
                body(&d)
            }
        }
    }

    func event(_ out: inout ProtobufWriter, time: Int64, _ body: (inout ProtobufWriter) -> Void) {
        out.message(PerfettoField.packet) { p in
            p.uint(PerfettoField.timestamp, UInt64(bitPattern: time))
            p.uint(PerfettoField.trustedPacketSequenceID, sequence)
            p.message(PerfettoField.trackEvent, body)
        }
    }

    /// The begin or end event of a span or wait.
    func slice(_ out: inout ProtobufWriter, _ sl: ExportSlice, begin: Bool, track: UInt64, flows: FlowEnds) {
        let span = trace.spans[sl.span]
        event(&out, time: begin ? sl.start : sl.end) { e in
            e.uint(PerfettoField.eventType, begin ? PerfettoField.sliceBegin : PerfettoField.sliceEnd)
            e.uint(PerfettoField.trackUUID, track)
            guard begin else { return }
            if sl.wait >= 0 {
                let wait = span.waits[sl.wait]
                e.string(PerfettoField.categories, "wait")
                e.string(PerfettoField.eventName, trace.exportName(of: wait))
                annotation(&e, "lanes.wait", wait.reason.description)
                annotation(&e, "lanes.span", String(span.id.rawValue))
                if let o = wait.object { annotation(&e, "lanes.object", o) }
                return
            }
            e.string(PerfettoField.categories, "span")
            e.string(PerfettoField.eventName, span.name)
            annotation(&e, "lanes.span", String(span.id.rawValue))
            if let p = span.parent { annotation(&e, "lanes.parent", String(p.rawValue)) }
            annotation(&e, "lanes.tid", span.threadID)
            if let cpu = span.cpuTime { annotation(&e, "lanes.cpu_ns", cpu) }
            for a in span.attributes { annotation(&e, a.key, a.value) }
            for id in flows.outgoing[sl.span] ?? [] { e.fixed64(PerfettoField.flowIDs, id) }
            for id in flows.incoming[sl.span] ?? [] { e.fixed64(PerfettoField.terminatingFlowIDs, id) }
        }
    }

    func annotation(_ e: inout ProtobufWriter, _ name: String, _ value: String) {
        e.message(PerfettoField.debugAnnotations) { a in
            a.string(PerfettoField.annotationName, name)
            a.string(PerfettoField.annotationString, value)
        }
    }

    func annotation(_ e: inout ProtobufWriter, _ name: String, _ value: Int64) {
        e.message(PerfettoField.debugAnnotations) { a in
            a.string(PerfettoField.annotationName, name)
            a.int(PerfettoField.annotationInt, value)
        }
    }
}

private struct CounterKey: Hashable {
    var name: String
    var lane: Int
}

/// The flows of a trace by span index: each flow's id (its index + 1) leaves its source span's begin event and
/// ends at its target span's.
struct FlowEnds {
    var outgoing: [Int: [UInt64]] = [:]
    var incoming: [Int: [UInt64]] = [:]

    init(_ trace: Trace) {
        guard !trace.flows.isEmpty else { return }
        var spanIndex: [SpanID: Int] = [:]
        for (k, s) in trace.spans.enumerated() where spanIndex[s.id] == nil { spanIndex[s.id] = k }
        for (n, f) in trace.flows.enumerated() {
            guard let a = spanIndex[f.from], let b = spanIndex[f.to], a != b else { continue }
            outgoing[a, default: []].append(UInt64(n) + 1)
            incoming[b, default: []].append(UInt64(n) + 1)
        }
    }
}
