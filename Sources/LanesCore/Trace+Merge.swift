extension Trace {
    /// One trace made of several recorded on the same clock (a parent and its worker processes):
    /// the first trace's metadata, every process, lane, span and event of each. Lane ids are
    /// renumbered; span ids of the i-th trace (i ≥ 1) get `i` in bits 48–55, so they stay unique
    /// as long as each trace's own ids leave those bits clear (the recorder's do for fewer than
    /// 65,536 threads). Processes that appear in several traces keep the last word about them.
    public static func merging(_ traces: [Trace]) -> Trace {
        guard var out = traces.first else { return Trace() }
        out.processes = []
        out.lanes = []
        out.spans = []
        out.marks = []
        out.counters = []
        out.flows = []
        var processIndex: [Int64: Int] = [:]
        var dropped: UInt64 = 0
        for (i, t) in traces.enumerated() {
            dropped += t.metadata.droppedEvents
            let tag = UInt64(i) << 48
            func span(_ id: SpanID) -> SpanID { SpanID(id.rawValue | tag) }
            var laneMap: [LaneID: LaneID] = [:]
            for p in t.processes {
                if let k = processIndex[p.pid] {
                    out.processes[k] = p
                } else {
                    processIndex[p.pid] = out.processes.count
                    out.processes.append(p)
                }
            }
            for var lane in t.lanes {
                let id = LaneID(UInt32(out.lanes.count))
                laneMap[lane.id] = id
                lane.id = id
                out.lanes.append(lane)
            }
            func lane(_ id: LaneID) -> LaneID { laneMap[id] ?? id }
            out.spans.reserveCapacity(out.spans.count + t.spans.count)
            for var s in t.spans {
                s.id = span(s.id)
                s.parent = s.parent.map(span)
                s.lane = lane(s.lane)
                out.spans.append(s)
            }
            for var m in t.marks {
                m.lane = m.lane.map(lane)
                out.marks.append(m)
            }
            for var c in t.counters {
                c.lane = c.lane.map(lane)
                out.counters.append(c)
            }
            for var f in t.flows {
                f.from = span(f.from)
                f.to = span(f.to)
                out.flows.append(f)
            }
        }
        out.metadata.droppedEvents = dropped
        return out
    }
}
