/// Something wrong with a trace, found by ``Trace/validate()``.
public enum TraceProblem: Hashable, Sendable, CustomStringConvertible {
    /// A span ends before it starts.
    case spanEndsBeforeStart(SpanID, name: String, start: Nanoseconds, end: Nanoseconds)
    /// A span names a lane the trace does not have.
    case unknownLane(SpanID, LaneID)
    /// Two spans share an id.
    case duplicateSpanID(SpanID)
    /// Two lanes share an id.
    case duplicateLaneID(LaneID)
    /// A lane belongs to a process the trace does not list.
    case unknownProcess(LaneID, pid: Int64)
    /// A span's parent is not in the trace.
    case unknownParent(SpanID, parent: SpanID)
    /// A span is its own ancestor.
    case parentCycle(SpanID)
    /// A wait ends before it starts.
    case waitEndsBeforeStart(SpanID, index: Int)
    /// A wait lies (partly) outside its span.
    case waitOutsideSpan(SpanID, index: Int, reason: WaitReason)
    /// Two waits of one span overlap.
    case overlappingWaits(SpanID, index: Int)
    /// A flow starts or ends at a span the trace does not have.
    case flowUnknownSpan(flow: UInt64, SpanID)
    /// A mark or counter names a lane the trace does not have.
    case eventUnknownLane(what: String, LaneID)

    public var description: String {
        switch self {
        case .spanEndsBeforeStart(let id, let name, let s, let e):
            "\(id) '\(name)' ends before it starts (start \(s), end \(e))"
        case .unknownLane(let id, let lane): "\(id) is on \(lane), which the trace does not have"
        case .duplicateSpanID(let id): "\(id) appears more than once"
        case .duplicateLaneID(let id): "\(id) appears more than once"
        case .unknownProcess(let lane, let pid): "\(lane) belongs to process \(pid), which the trace does not list"
        case .unknownParent(let id, let p): "\(id) has parent \(p), which the trace does not have"
        case .parentCycle(let id): "\(id) is its own ancestor"
        case .waitEndsBeforeStart(let id, let i): "wait \(i) of \(id) ends before it starts"
        case .waitOutsideSpan(let id, let i, let r): "\(r) wait \(i) of \(id) lies outside its span"
        case .overlappingWaits(let id, let i): "wait \(i) of \(id) overlaps the wait before it"
        case .flowUnknownSpan(let f, let s): "flow \(f) refers to \(s), which the trace does not have"
        case .eventUnknownLane(let what, let lane): "a \(what) is on \(lane), which the trace does not have"
        }
    }
}

extension Trace {
    /// Everything that is inconsistent in the trace, in a stable order; empty when it is sound.
    ///
    /// Validation reports and never traps, so a damaged or hand-made trace can be inspected.
    public func validate() -> [TraceProblem] {
        var problems: [TraceProblem] = []
        var laneIDs = Set<LaneID>()
        let pids = Set(processes.map(\.pid))
        for lane in lanes {
            if !laneIDs.insert(lane.id).inserted { problems.append(.duplicateLaneID(lane.id)) }
            if !pids.contains(lane.pid) { problems.append(.unknownProcess(lane.id, pid: lane.pid)) }
        }
        var parentOf: [SpanID: SpanID] = [:]
        parentOf.reserveCapacity(spans.count)
        var seen = Set<SpanID>()
        seen.reserveCapacity(spans.count)
        for s in spans {
            if !seen.insert(s.id).inserted { problems.append(.duplicateSpanID(s.id)) }
            if s.end < s.start {
                problems.append(.spanEndsBeforeStart(s.id, name: s.name, start: s.start, end: s.end))
            }
            if !laneIDs.contains(s.lane) { problems.append(.unknownLane(s.id, s.lane)) }
            if let p = s.parent { parentOf[s.id] = p }
            for (i, w) in s.waits.enumerated() {
                if w.end < w.start {
                    problems.append(.waitEndsBeforeStart(s.id, index: i))
                } else if w.start < s.start || w.end > s.end {
                    problems.append(.waitOutsideSpan(s.id, index: i, reason: w.reason))
                }
                if i > 0, w.start < s.waits[i - 1].end { problems.append(.overlappingWaits(s.id, index: i)) }
            }
        }
        // Parents: each must exist, and no chain of parents may loop. States: 1 on the
        // current walk, 2 known to reach a root.
        var state: [SpanID: UInt8] = [:]
        for s in spans {
            if let p = s.parent, !seen.contains(p) { problems.append(.unknownParent(s.id, parent: p)) }
            var walk: [SpanID] = []
            var cur: SpanID? = s.id
            var cycle = false
            while let c = cur, state[c] != 2 {
                if state[c] == 1 {
                    cycle = true
                    break
                }
                state[c] = 1
                walk.append(c)
                cur = parentOf[c]
            }
            for c in walk { state[c] = 2 }
            if cycle { problems.append(.parentCycle(s.id)) }
        }
        for f in flows {
            if !seen.contains(f.from) { problems.append(.flowUnknownSpan(flow: f.id, f.from)) }
            if !seen.contains(f.to) { problems.append(.flowUnknownSpan(flow: f.id, f.to)) }
        }
        for m in marks {
            if let l = m.lane, !laneIDs.contains(l) { problems.append(.eventUnknownLane(what: "mark", l)) }
        }
        for c in counters {
            if let l = c.lane, !laneIDs.contains(l) { problems.append(.eventUnknownLane(what: "counter", l)) }
        }
        return problems
    }
}
