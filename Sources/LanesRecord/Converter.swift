import CLanesSupport
import LanesCore
import LanesFormat

/// What the converter knows of a thread.
struct ThreadMeta {
    var tid: Int64
    var name: String
}

/// Turns raw records into trace batches. Keeps what spans several batches: lane ids, names,
/// half-seen flows, CPU times and async-span details that arrived before their span.
struct Converter {
    let pid: Int64
    let processName: String
    let startTicks: UInt64

    private var laneOfSlot: [UInt32: LaneID] = [:]
    private var laneOfTask: [UInt64: LaneID] = [:]
    private var lanes: [Lane] = []
    private var emittedNames: [LaneID: String] = [:]
    private var processEmitted = false
    private var names: [UInt64: String] = [:]
    private var interned: [String] = []
    private var cpuPending: [UInt64: Int64] = [:]
    private var asyncPending: [UInt64: (task: UInt64, parent: UInt64, tid: Int64)] = [:]
    private var explicitPending: [UInt64: (task: UInt64, parent: UInt64, tid: Int64, slot: UInt32)] = [:]
    private var attributesPending: [UInt64: [Attribute]] = [:]
    private var flowOuts: [UInt64: (span: SpanID, time: Int64, name: String)] = [:]
    private var flowIns: [UInt64: (span: SpanID, time: Int64)] = [:]
    private var nextSynthetic: UInt64 = 1
    private var threads: [UInt32: ThreadMeta] = [:]

    init(pid: Int64, processName: String, startTicks: UInt64) {
        self.pid = pid
        self.processName = processName
        self.startTicks = startTicks
    }

    private var lastName: (word: UInt64, name: String) = (0, "")

    private mutating func name(_ word: UInt64) -> String {
        let w = word & nameMask
        if w == lastName.word { return lastName.name }
        if let s = names[w] {
            lastName = (w, s)
            return s
        }
        let s: String
        if w & internedNameBit != 0 {
            let id = Int(w & 0xFFFF_FFFF)
            if id >= interned.count { interned = NameTable.shared.snapshot() }
            s = id < interned.count ? interned[id] : ""
        } else {
            // The address of a string literal: NUL-terminated UTF-8 in the binary, alive for ever.
            let p = UnsafePointer<CChar>(bitPattern: UInt(w))!
            s = String(cString: p)
        }
        names[w] = s
        lastName = (w, s)
        return s
    }

    /// The lanes made so far, and the process (for records added at the end: the task recorder's).
    var madeLanes: [Lane] { lanes }
    var process: Process { Process(pid: pid, name: processName) }

    private mutating func threadLane(_ slot: UInt32, batch: inout LanesBatch) -> LaneID {
        if let id = laneOfSlot[slot] { return id }
        let meta = threads[slot] ?? ThreadMeta(tid: 0, name: "")
        let id = LaneID(UInt32(lanes.count))
        let lane = Lane(id: id, kind: .thread, pid: pid, threadID: meta.tid, name: meta.name, sortIndex: Int32(lanes.count))
        lanes.append(lane)
        laneOfSlot[slot] = id
        emittedNames[id] = meta.name
        batch.lanes.append(lane)
        return id
    }

    private mutating func taskLane(_ task: UInt64, batch: inout LanesBatch) -> LaneID {
        if let id = laneOfTask[task] { return id }
        let id = LaneID(UInt32(lanes.count))
        let lane = Lane(id: id, kind: .task, pid: pid, taskID: task, name: "", sortIndex: Int32(lanes.count))
        lanes.append(lane)
        laneOfTask[task] = id
        batch.lanes.append(lane)
        return id
    }

    mutating func convert(_ segments: [Segment], clock: TickConverter) -> LanesBatch {
        var batch = LanesBatch()
        convert(segments, clock: clock, into: &batch)
        return batch
    }

    /// Converts into `batch`, whose arrays should be empty; their capacity is reused.
    mutating func convert(_ segments: [Segment], clock: TickConverter, into batch: inout LanesBatch) {
        batch.spans.reserveCapacity(segments.reduce(0) { $0 + $1.count })
        if !processEmitted {
            batch.processes.append(Process(pid: pid, name: processName))
            processEmitted = true
        }
        for seg in segments {
            threads[seg.slot] = ThreadMeta(tid: seg.tid, name: seg.threadName)
            // A lane made before its thread's records arrived (a counter about it), or a thread
            // renamed since: say it again, right.
            if let lane = laneOfSlot[seg.slot],
                emittedNames[lane] != seg.threadName || lanes[Int(lane.rawValue)].threadID != seg.tid
            {
                lanes[Int(lane.rawValue)].name = seg.threadName
                lanes[Int(lane.rawValue)].threadID = seg.tid
                emittedNames[lane] = seg.threadName
                batch.lanes.append(lanes[Int(lane.rawValue)])
            }
        }
        for seg in segments {
            let slotBits = UInt64(seg.slot) << 32
            // The thread's lane is made when one of its records needs it: a thread that only
            // samples others (the CPU sampler) gets none.
            var segmentLane: LaneID?
            for i in 0..<seg.count {
                let r = seg.records[i]
                guard let kind = RecordKind(rawValue: UInt8(truncatingIfNeeded: r.w2 >> kindShift)) else { continue }
                switch kind {
                case .span:
                    if r.w0 < startTicks { continue }
                    let seq = r.w3 >> 32
                    let parent = r.w3 & 0xFFFF_FFFF
                    let id = slotBits | seq
                    let lane = segmentLane ?? threadLane(seg.slot, batch: &batch)
                    segmentLane = lane
                    batch.spans.append(
                        Span(
                            id: SpanID(id), name: name(r.w2), lane: lane, threadID: seg.tid,
                            start: clock.ns(r.w0), end: clock.ns(r.w1), cpuTime: cpuPending.isEmpty ? nil : cpuPending.removeValue(forKey: id),
                            parent: parent == 0 ? nil : SpanID(slotBits | parent)))
                case .wait, .asyncWait:
                    if r.w0 < startTicks { continue }
                    let reason = WaitReason(rawValue: UInt8(truncatingIfNeeded: r.w2 >> reasonShift)) ?? .other
                    let object = r.w2 & nameMask == 0 ? nil : name(r.w2)
                    let wait = Wait(reason: reason, start: clock.ns(r.w0), end: clock.ns(r.w1), object: object)
                    if kind == .asyncWait {
                        batch.waits.append(DetachedWait(span: SpanID(r.w3), wait: wait))
                    } else if r.w3 != 0 {
                        batch.waits.append(DetachedWait(span: SpanID(slotBits | r.w3), wait: wait))
                    } else {
                        // A wait outside any span gets a span of its own, named for its reason (so
                        // charts have a handful of such names, not one per lock or thread).
                        let lane = segmentLane ?? threadLane(seg.slot, batch: &batch)
                        segmentLane = lane
                        batch.spans.append(
                            Span(
                                id: SpanID(1 << 62 | nextSynthetic), name: reason.description, lane: lane,
                                threadID: seg.tid, start: wait.start, end: wait.end,
                                attributes: object.map { [Attribute("object", $0)] } ?? [], waits: [wait]))
                        nextSynthetic += 1
                    }
                case .mark:
                    if r.w0 < startTicks { continue }
                    let lane = segmentLane ?? threadLane(seg.slot, batch: &batch)
                    segmentLane = lane
                    batch.marks.append(Mark(name: name(r.w2), lane: lane, time: clock.ns(r.w0)))
                case .counter:
                    if r.w0 < startTicks { continue }
                    let target: LaneID? = r.w3 == 0 ? nil : threadLane(UInt32(truncatingIfNeeded: r.w3), batch: &batch)
                    batch.counters.append(
                        CounterSample(name: name(r.w2), lane: target, time: clock.ns(r.w0), value: Double(bitPattern: r.w1)))
                case .flowOut, .flowIn:
                    if r.w0 < startTicks || r.w3 == 0 { continue }
                    let span = SpanID(r.w3 & asyncSpanBit != 0 ? r.w3 : slotBits | r.w3)
                    let time = clock.ns(r.w0)
                    if kind == .flowOut {
                        if let end = flowIns.removeValue(forKey: r.w1) {
                            batch.flows.append(Flow(id: r.w1, from: span, to: end.span, fromTime: time, toTime: end.time, name: name(r.w2)))
                        } else {
                            flowOuts[r.w1] = (span, time, name(r.w2))
                        }
                    } else if let start = flowOuts.removeValue(forKey: r.w1) {
                        batch.flows.append(
                            Flow(id: r.w1, from: start.span, to: span, fromTime: start.time, toTime: time, name: start.name))
                    } else {
                        flowIns[r.w1] = (span, time)
                    }
                case .cpu:
                    cpuPending[slotBits | r.w3] = Int64(bitPattern: r.w1 &- r.w0)
                case .asyncInfo:
                    // w2 carries the record kind in its top byte; the tid is below it.
                    asyncPending[r.w3] = (r.w0, r.w1, Int64(bitPattern: r.w2 & nameMask))
                case .taskSlice:
                    if r.w0 < startTicks { continue }
                    let taskLane = taskLane(r.w3, batch: &batch)
                    batch.spans.append(
                        Span(
                            id: SpanID(1 << 62 | nextSynthetic), name: taskSliceName, lane: taskLane, threadID: seg.tid,
                            start: clock.ns(r.w0), end: clock.ns(r.w1)))
                    nextSynthetic += 1
                case .attribute:
                    let value: String
                    switch (r.w2 >> reasonShift) & 0xFF {
                    case 0: value = name(r.w1)
                    case 1: value = String(Int64(bitPattern: r.w1))
                    case 2: value = String(Double(bitPattern: r.w1))
                    default: value = r.w1 != 0 ? "true" : "false"
                    }
                    attributesPending[r.w3, default: []].append(Attribute(name(r.w0), value))
                case .explicitInfo:
                    explicitPending[r.w3] = (
                        r.w0, r.w1, Int64(UInt32(truncatingIfNeeded: r.w2)), UInt32(truncatingIfNeeded: (r.w2 >> 32) & 0xFFFF)
                    )
                case .explicitSpan:
                    let attributes = attributesPending.removeValue(forKey: r.w3) ?? []
                    let info = explicitPending.removeValue(forKey: r.w3) ?? (0, 0, seg.tid, seg.slot)
                    if r.w0 < startTicks { continue }
                    let lane =
                        info.task != 0
                        ? taskLane(info.task, batch: &batch) : threadLane(info.slot != 0 ? info.slot : seg.slot, batch: &batch)
                    batch.spans.append(
                        Span(
                            id: SpanID(r.w3), name: name(r.w2), lane: lane, threadID: info.tid,
                            start: clock.ns(r.w0), end: clock.ns(r.w1), parent: info.parent == 0 ? nil : SpanID(info.parent),
                            attributes: attributes))
                case .asyncSpan:
                    if r.w0 < startTicks { continue }
                    let info = asyncPending.removeValue(forKey: r.w3) ?? (0, 0, seg.tid)
                    let taskLane = taskLane(info.task, batch: &batch)
                    batch.spans.append(
                        Span(
                            id: SpanID(r.w3), name: name(r.w2), lane: taskLane, threadID: info.tid,
                            start: clock.ns(r.w0), end: clock.ns(r.w1), parent: info.parent == 0 ? nil : SpanID(info.parent)))
                }
            }
        }
    }
}
