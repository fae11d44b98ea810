import LanesCore

// The second half of an import: once every event is read, match what waited for its partner, restore what
// Lanes' own export encoded, and assemble the trace.
extension ChromeImporter {
    mutating func finish() -> ChromeJSONReadResult {
        matchBeginEnds()
        matchAsync()
        applyNames()
        orderSpansAndAssignIDs()
        pySpyThreadNames()
        applyPythonMeaning()
        buildPythonTasks()
        notePySpySampling()
        attachWaits()
        let resolvedFlows = resolveFlows()

        var processes: [Process] = []
        for pid in processOrder {
            let info = processInfo[pid]
            processes.append(Process(
                pid: pid, name: info?.name ?? stringIDNames[pid] ?? "", exit: info?.exit, note: info?.note ?? ""))
        }
        if !processSort.isEmpty {
            let rank = Dictionary(uniqueKeysWithValues: processes.enumerated().map { ($1.pid, $0) })
            processes = processes.sorted { a, b in
                let (x, y) = (processSort[a.pid] ?? 0, processSort[b.pid] ?? 0)
                return x != y ? x < y : rank[a.pid]! < rank[b.pid]!
            }
        }
        for phase in unknownPhases.order {
            let t = unknownPhases.table[phase]!
            warnings.append(.unknownPhase(phase: phase, count: t.count, firstOffset: t.first))
        }
        for key in missing.order {
            let t = missing.table[key]!
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            warnings.append(.missingField(phase: String(parts[0]), field: String(parts[1]), count: t.count, firstOffset: t.first))
        }
        for reason in skipped.order {
            let t = skipped.table[reason]!
            warnings.append(.skippedEvents(reason: reason, count: t.count, firstOffset: t.first))
        }
        if nonNumericCounters.count > 0 {
            warnings.append(.nonNumericCounters(count: nonNumericCounters.count, firstOffset: nonNumericCounters.first))
        }
        if negativeCPUTimes.count > 0 {
            warnings.append(.negativeCPUTimes(count: negativeCPUTimes.count, firstOffset: negativeCPUTimes.first))
        }
        restoreLaneOrder()
        // The span array was sized from the file; give back what a file of mostly other data left unused.
        if spans.capacity > spans.count + spans.count / 2 + 4096 { spans = Array(spans[...]) }
        let trace = Trace(
            metadata: metadata, processes: processes, lanes: lanes, spans: spans, marks: marks.sortedStably(by: \.time),
            counters: counters.sortedStably(by: \.time), flows: resolvedFlows)
        return ChromeJSONReadResult(trace: trace, warnings: warnings, events: events)
    }

    /// For a file Lanes wrote: gives lanes back their ids and order (lanes that do not say come after, with
    /// ids that no other lane has).
    mutating func restoreLaneOrder() {
        guard !laneOrder.isEmpty else { return }
        var indexes = Set<Int>()
        var ids = Set<UInt32>()
        for (_, order) in laneOrder {
            guard indexes.insert(order.index).inserted, ids.insert(order.id).inserted else { return }
        }
        let said = lanes.indices.filter { laneOrder[UInt32($0)] != nil }
            .sorted { laneOrder[UInt32($0)]!.index < laneOrder[UInt32($1)]!.index }
        let unsaid = lanes.indices.filter { laneOrder[UInt32($0)] == nil }
        var newID = [LaneID](repeating: LaneID(0), count: lanes.count)
        var reordered: [Lane] = []
        reordered.reserveCapacity(lanes.count)
        var next: UInt32 = 0
        for old in said + unsaid {
            var lane = lanes[old]
            if let order = laneOrder[UInt32(old)] {
                lane.id = LaneID(order.id)
            } else {
                while ids.contains(next) { next += 1 }
                lane.id = LaneID(next)
                ids.insert(next)
            }
            newID[old] = lane.id
            reordered.append(lane)
        }
        lanes = reordered
        for k in spans.indices { spans[k].lane = newID[Int(spans[k].lane.rawValue)] }
        for k in marks.indices { marks[k].lane = marks[k].lane.map { newID[Int($0.rawValue)] } }
        for k in counters.indices { counters[k].lane = counters[k].lane.map { newID[Int($0.rawValue)] } }
    }

    mutating func matchBeginEnds() {
        var unmatched = Tally()
        var unclosed = Tally()
        // Threads in the order their lanes were made, so the result does not depend on hashing.
        let keys = beginEnds.keys.sorted { threadLanes[$0]! < threadLanes[$1]! }
        let shared = pySpySharedThreadIDs()
        for tid in shared.sorted() { matchPySpySharedThread(tid, unmatched: &unmatched, unclosed: &unclosed) }
        for key in keys where !shared.contains(key.tid) {
            let list = beginEnds[key]!.sortedStably(by: \.ts)
            let lane = threadLanes[key]!
            var stack: [PendingEvent] = []
            // Matched pairs in the order of their B, so that slices with equal times nest as they opened.
            var matched: [(begin: PendingEvent, end: Int64)] = []
            for ev in list {
                if ev.ph == UInt8(ascii: "B") {
                    stack.append(ev)
                } else if let b = stack.popLast() {
                    matched.append((b, ev.ts))
                } else {
                    unmatched.add(ev.offset)
                }
            }
            matched.sort { $0.begin.seq < $1.begin.seq }
            for (b, end) in matched {
                let info = (b.args.flatMap { try? parseArgs($0) }) ?? ArgsInfo()
                addSpan(name: b.name, lane: lane, tid: key.tid, start: b.ts, end: end, tdur: b.tdur, info: info)
            }
            for b in stack { unclosed.add(b.offset) }
        }
        if unmatched.count > 0 { warnings.append(.unmatchedEnds(count: unmatched.count, firstOffset: unmatched.first)) }
        if unclosed.count > 0 { warnings.append(.unclosedBegins(count: unclosed.count, firstOffset: unclosed.first)) }
    }

    mutating func matchAsync() {
        var unmatched = Tally()
        var unclosed = Tally()
        for key in asyncOrder {
            let list = asyncEvents[key]!.sortedStably(by: \.ts)
            var stack: [(PendingEvent, ArgsInfo)] = []
            var matched: [(PendingEvent, ArgsInfo, Int64)] = []
            // The track takes its name and task from its first slice, even if an instant comes earlier.
            var first: (PendingEvent, ArgsInfo)?
            for ev in list where ev.ph == UInt8(ascii: "b") {
                let info = (ev.args.flatMap { try? parseArgs($0) }) ?? ArgsInfo()
                if info.onThread != nil { continue }
                if first == nil || (first!.1.wait != nil && info.wait == nil) { first = (ev, info) }
                if info.wait == nil { break }
            }
            if let (b, info) = first { _ = taskLane(key, info: info, firstName: info.wait == nil ? b.name : "") }
            for ev in list {
                let info = (ev.args.flatMap { try? parseArgs($0) }) ?? ArgsInfo()
                switch ev.ph {
                case UInt8(ascii: "b"):
                    // The track is named by its first slice.
                    if info.onThread == nil && info.wait == nil { _ = taskLane(key, info: info, firstName: ev.name) }
                    stack.append((ev, info))
                case UInt8(ascii: "e"):
                    // The innermost open slice with the same name, else the innermost.
                    let k = stack.lastIndex { $0.0.name == ev.name } ?? (stack.isEmpty ? nil : stack.count - 1)
                    guard let k else {
                        unmatched.add(ev.offset)
                        continue
                    }
                    let (b, binfo) = stack.remove(at: k)
                    matched.append((b, binfo, max(b.ts, ev.ts)))
                default:
                    let lane = taskLane(key, info: info, firstName: ev.name)
                    marks.append(Mark(name: ev.name, lane: LaneID(lane), time: ev.ts, attributes: info.attributes))
                }
            }
            // In the order of their b, so that slices with equal times nest as they opened.
            matched.sort { $0.0.seq < $1.0.seq }
            for (b, binfo, end) in matched {
                if let reason = binfo.wait, let span = binfo.span {
                    waits.append((span, Wait(reason: reason, start: b.ts, end: binfo.end ?? end, object: binfo.object), b.offset))
                    continue
                }
                let lane = binfo.onThread.map { threadLane(key.pid, $0) } ?? taskLane(key, info: binfo, firstName: b.name)
                addSpan(name: b.name, lane: lane, tid: binfo.threadID ?? b.tid, start: b.ts, end: end, tdur: b.tdur, info: binfo)
            }
            for (b, _) in stack { unclosed.add(b.offset) }
        }
        if unmatched.count > 0 { warnings.append(.unmatchedAsyncEnds(count: unmatched.count, firstOffset: unmatched.first)) }
        if unclosed.count > 0 { warnings.append(.unclosedAsyncBegins(count: unclosed.count, firstOffset: unclosed.first)) }
    }

    mutating func applyNames() {
        for (key, info) in threadInfo {
            guard let l = threadLanes[key] else { continue }
            if let name = info.name { lanes[Int(l)].name = name }
            if let k = info.kind { lanes[Int(l)].kind = k }
            if let t = info.threadID { lanes[Int(l)].threadID = t }
            if info.noThreadID { lanes[Int(l)].threadID = nil }
            if let order = info.laneOrder { laneOrder[l] = order }
        }
        for (key, v) in threadSort {
            guard let l = threadLanes[key] else { continue }
            lanes[Int(l)].sortIndex = Int32(clamping: v)
        }
        for (k, lane) in lanes.enumerated() where lane.kind == .thread && lane.name.isEmpty {
            if let t = lane.threadID, let n = stringIDNames[t] { lanes[k].name = n }
        }
        if metadata.clock == .imported("viztracer") { viztracerTaskLanes() }
    }

    /// VizTracer's `--log_async` draws each asyncio task as a thread whose tid is derived from the task's id and
    /// whose name is the task's. Such lanes become task lanes: those named like asyncio's default task names
    /// (`Task-N`), and those whose tid no Linux thread can have (above 2^22, the kernel's `PID_MAX_LIMIT`).
    mutating func viztracerTaskLanes() {
        for k in lanes.indices where lanes[k].kind == .thread {
            guard let tid = lanes[k].threadID, tid != lanes[k].pid else { continue }
            let name = lanes[k].name
            let defaultName = name.hasPrefix("Task-") && !name.dropFirst(5).isEmpty && name.dropFirst(5).allSatisfy(\.isNumber)
            guard defaultName || tid > 1 << 22 else { continue }
            lanes[k].kind = .task
            lanes[k].taskID = UInt64(bitPattern: tid)
            lanes[k].threadID = nil
        }
    }

    /// py-spy (`--threads`) opens each thread's stacks with a frame named `thread (OS tid): name`, and its tids
    /// are pthread ids; the lane takes the name and the OS tid from that frame.
    mutating func pySpyThreadNames() {
        guard sawPySpy else { return }
        // A thread sampled before Python named it has frames `thread (OS tid)` without a name; a later one names it.
        var retid = Set<UInt32>()
        for k in spans.indices where spans[k].parent == nil {
            let lane = spans[k].lane.rawValue
            guard lanes[Int(lane)].kind == .thread else { continue }
            let name = spans[k].name
            guard name.hasPrefix("thread ("), let close = name.firstIndex(of: ")") else { continue }
            let number = name[name.index(name.startIndex, offsetBy: 8)..<close]
            guard let tid = Int64(number) else { continue }
            var rest = name[name.index(after: close)...]
            if rest.hasPrefix(":") { rest = rest.dropFirst() }
            let threadName = rest.trimmingSpaces()
            if retid.insert(lane).inserted { lanes[Int(lane)].threadID = tid }
            if lanes[Int(lane)].name.isEmpty && !threadName.isEmpty { lanes[Int(lane)].name = threadName }
        }
        guard !retid.isEmpty else { return }
        for k in spans.indices where retid.contains(spans[k].lane.rawValue) {
            spans[k].threadID = lanes[Int(spans[k].lane.rawValue)].threadID ?? spans[k].threadID
        }
    }

    /// Puts each lane's spans in start order (longer first on ties, then file order) — keeping the file's order
    /// when every lane is in that order already, else sorting all by start — gives ids to spans that have none,
    /// and finds parents by nesting on each lane for spans whose file did not say.
    mutating func orderSpansAndAssignIDs() {
        var sorted = true
        var lastStart = [Int64](repeating: .min, count: lanes.count)
        var lastEnd = [Int64](repeating: .max, count: lanes.count)
        spans.withUnsafeBufferPointer { all in
            for span in all {
                let l = Int(span.lane.rawValue)
                if lastStart[l] > span.start || (lastStart[l] == span.start && lastEnd[l] < span.end) {
                    sorted = false
                    return
                }
                lastStart[l] = span.start
                lastEnd[l] = span.end
            }
        }
        if !sorted {
            var order = Array(0..<spans.count)
            order.sort { x, y in
                let a = spans[x]
                let b = spans[y]
                if a.start != b.start { return a.start < b.start }
                if a.end != b.end { return a.end > b.end }
                return x < y
            }
            spans = order.map { spans[$0] }
            if !explicit.isEmpty { explicit = order.map { explicit[$0] } }
        }
        var taken = Set<UInt64>()
        if !explicit.isEmpty {
            for (k, span) in spans.enumerated() where explicit[k] { taken.insert(span.id.rawValue) }
        }
        var next: UInt64 = 1
        // Each lane's open spans: a stack kept in one flat array per lane.
        var stacks: [[(end: Int64, id: SpanID)]] = Array(repeating: [], count: lanes.count)
        let anyExplicit = !explicit.isEmpty
        let checkTaken = !taken.isEmpty
        spans.withUnsafeMutableBufferPointer { all in
            for k in all.indices {
                let isExplicit = anyExplicit && explicit[k]
                if !isExplicit {
                    if checkTaken { while taken.contains(next) { next += 1 } }
                    all[k].id = SpanID(next)
                    next += 1
                }
                let lane = Int(all[k].lane.rawValue)
                let start = all[k].start
                let end = all[k].end
                let id = all[k].id
                stacks.withUnsafeMutableBufferPointer { st in
                    while let top = st[lane].last, top.end <= start, !(top.end == start && end == start) {
                        st[lane].removeLast()
                    }
                    if !isExplicit, let top = st[lane].last, end <= top.end { all[k].parent = top.id }
                    st[lane].append((end, id))
                }
            }
        }
    }

    mutating func attachWaits() {
        guard !waits.isEmpty else { return }
        var index: [UInt64: Int] = [:]
        for (k, span) in spans.enumerated() where !explicit.isEmpty && explicit[k] { index[span.id.rawValue] = k }
        var orphans = Tally()
        var touched = Set<Int>()
        for w in waits {
            guard let k = index[w.span] else {
                orphans.add(w.offset)
                continue
            }
            spans[k].waits.append(w.wait)
            touched.insert(k)
        }
        for k in touched { spans[k].waits = spans[k].waits.sortedStably(by: \.start) }
        if orphans.count > 0 { warnings.append(.orphanWaits(count: orphans.count, firstOffset: orphans.first)) }
    }

    mutating func resolveFlows() -> [Flow] {
        guard !flows.isEmpty else { return [] }
        // Spans of each lane in start order, to find the slice a flow event binds to.
        var byLane: [[Int]] = Array(repeating: [], count: lanes.count)
        var byID: [UInt64: Int] = [:]
        for (k, span) in spans.enumerated() {
            byLane[Int(span.lane.rawValue)].append(k)
            byID[span.id.rawValue] = k
        }
        func bind(_ f: PendingFlow) -> Int? {
            guard let lane = threadLanes[f.thread] else { return nil }
            let list = byLane[Int(lane)]
            // The last span starting at or before ts.
            var lo = 0
            var hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if spans[list[mid]].start <= f.ts { lo = mid + 1 } else { hi = mid }
            }
            var j = lo - 1
            var steps = 0
            while j >= 0 && steps < 256 {
                let sp = spans[list[j]]
                if sp.end >= f.ts { return list[j] }
                j -= 1
                steps += 1
            }
            if !f.bindEnclosing && lo < list.count { return list[lo] }
            return nil
        }
        var groups: [String: [PendingFlow]] = [:]
        var order: [String] = []
        for f in flows {
            let key = "\(f.cat)\u{0}\(f.id)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(f)
        }
        var out: [Flow] = []
        var unbound = Tally()
        for key in order {
            let list = groups[key]!.sortedStably(by: \.ts)
            // A chain s → t → … → f becomes one flow per hop.
            var k = 0
            while k + 1 < list.count {
                let a = list[k]
                let b = list[k + 1]
                k += 1
                let from = a.info.from.flatMap { byID[$0] } ?? bind(a)
                let to = b.info.to.flatMap { byID[$0] } ?? bind(b)
                guard let from, let to else {
                    unbound.add(a.offset)
                    continue
                }
                out.append(Flow(
                    id: a.info.flow ?? a.id, from: spans[from].id, to: spans[to].id, fromTime: a.ts, toTime: b.ts,
                    name: a.name.isEmpty ? b.name : a.name))
                if b.ph == UInt8(ascii: "f") { k += 1 }
            }
            if list.count == 1 { unbound.add(list[0].offset) }
        }
        if unbound.count > 0 { warnings.append(.unboundFlows(count: unbound.count, firstOffset: unbound.first)) }
        return out
    }
}

extension Array {
    /// The elements sorted by `key`, equal keys keeping their order; no work when already sorted.
    func sortedStably<K: Comparable>(by key: (Element) -> K) -> [Element] {
        var ordered = true
        if count > 1 {
            for k in 1..<count where key(self[k - 1]) > key(self[k]) {
                ordered = false
                break
            }
        }
        if ordered { return self }
        return indices.sorted { a, b in
            let (x, y) = (key(self[a]), key(self[b]))
            return x != y ? x < y : a < b
        }.map { self[$0] }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
