import LanesCore

/// Placing one run's spans in rows: which row each span goes to, its nesting depth, bars for spans
/// wide enough to see and per-pixel-column aggregates for the rest.
struct RowPlan {
    struct Key: Hashable {
        var pid: Int64
        var kind: UInt8
        var id: Int64
    }

    struct Entry {
        var key: Key
        var pid: Int64
        var label: String
        var lanes: Int
    }

    /// Rows in display order (grouped by process).
    var rows: [Entry] = []
    /// Row index of each lane position in `trace.lanes`, or -1 when its spans go by thread.
    var rowOfLane: [Int] = []
    /// For spans of task lanes grouped by thread: (pid, tid) → row.
    var rowOfThread: [Key: Int] = [:]
    /// Lane id → position in `trace.lanes`, when ids are not positions.
    var positionOfLane: [LaneID: Int]? = nil

    init(_ trace: Trace, grouping: ChartOptions.Grouping) {
        let lanes = trace.lanes
        var dense = true
        for (i, l) in lanes.enumerated() where Int(l.id.rawValue) != i { dense = false }
        if !dense {
            var map: [LaneID: Int] = [:]
            for (i, l) in lanes.enumerated() where map[l.id] == nil { map[l.id] = i }
            positionOfLane = map
        }
        // Processes in the order the trace lists them, then any others by pid.
        var processOrder: [Int64: Int] = [:]
        for (i, p) in trace.processes.enumerated() where processOrder[p.pid] == nil { processOrder[p.pid] = i }
        var order = lanes.indices.sorted { a, b in
            let la = lanes[a], lb = lanes[b]
            let pa = processOrder[la.pid] ?? Int.max, pb = processOrder[lb.pid] ?? Int.max
            if pa != pb { return pa < pb }
            if la.pid != lb.pid { return la.pid < lb.pid }
            if la.sortIndex != lb.sortIndex { return la.sortIndex < lb.sortIndex }
            return a < b
        }
        Self.orderTasksByCreation(&order, trace)
        var keyRow: [Key: Int] = [:]
        rowOfLane = [Int](repeating: -1, count: lanes.count)
        func row(_ key: Key, pid: Int64, label: @autoclosure () -> String) -> Int {
            if let r = keyRow[key] {
                rows[r].lanes += 1
                return r
            }
            rows.append(Entry(key: key, pid: pid, label: label(), lanes: 1))
            keyRow[key] = rows.count - 1
            return rows.count - 1
        }
        var taskThreads: [Int64: Set<Int64>] = [:]
        if grouping == .thread, lanes.contains(where: { $0.kind == .task }) {
            for s in trace.spans {
                guard let p = position(of: s.lane), lanes[p].kind == .task else { continue }
                taskThreads[lanes[p].pid, default: []].insert(s.threadID)
            }
        }
        let processName = Dictionary(trace.processes.map { ($0.pid, $0.name) }, uniquingKeysWith: { a, _ in a })
        var pidsDone = Set<Int64>()
        for i in order {
            let lane = lanes[i]
            switch grouping {
            case .lane, .task:
                rowOfLane[i] = row(Key(pid: lane.pid, kind: 0, id: Int64(i)), pid: lane.pid, label: Self.label(lane))
            case .process:
                let name = processName[lane.pid] ?? ""
                rowOfLane[i] = row(
                    Key(pid: lane.pid, kind: 1, id: lane.pid), pid: lane.pid,
                    label: name.isEmpty ? "process \(lane.pid)" : "\(name) · \(lane.pid)")
            case .thread:
                if lane.kind == .task {
                    rowOfLane[i] = -1
                } else if lane.kind == .thread, let tid = lane.threadID {
                    rowOfLane[i] = row(Key(pid: lane.pid, kind: 2, id: tid), pid: lane.pid, label: Self.label(lane))
                } else {
                    rowOfLane[i] = row(Key(pid: lane.pid, kind: 0, id: Int64(i)), pid: lane.pid, label: Self.label(lane))
                }
            }
            // Threads that task lanes ran on come after the process's own lanes.
            if grouping == .thread, !pidsDone.contains(lane.pid),
                i == order.last(where: { lanes[$0].pid == lane.pid })
            {
                pidsDone.insert(lane.pid)
                for tid in (taskThreads[lane.pid] ?? []).sorted() {
                    let key = Key(pid: lane.pid, kind: 2, id: tid)
                    if let r = keyRow[key] {
                        rowOfThread[key] = r
                    } else {
                        rows.append(Entry(key: key, pid: lane.pid, label: "thread \(tid)", lanes: 0))
                        keyRow[key] = rows.count - 1
                        rowOfThread[key] = rows.count - 1
                    }
                }
            }
        }
    }

    /// Task lanes of each process, in the places they hold among its lanes, ordered by creation:
    /// first start, then task id (a task created later starts later), as Perfetto lists async tracks.
    static func orderTasksByCreation(_ order: inout [Int], _ trace: Trace) {
        let lanes = trace.lanes
        guard lanes.contains(where: { $0.kind == .task }) else { return }
        var position: [LaneID: Int] = [:]
        for (i, l) in lanes.enumerated() where l.kind == .task && position[l.id] == nil { position[l.id] = i }
        var firstStart = [Nanoseconds](repeating: .max, count: lanes.count)
        trace.spans.withUnsafeBufferPointer { spans in
            for i in spans.indices {
                guard let p = position[spans[i].lane] else { continue }
                firstStart[p] = min(firstStart[p], spans[i].start)
            }
        }
        var slots: [Int64: [Int]] = [:]
        for (k, i) in order.enumerated() where lanes[i].kind == .task { slots[lanes[i].pid, default: []].append(k) }
        for (_, places) in slots where places.count > 1 {
            let sorted = places.map { order[$0] }.sorted { a, b in
                if firstStart[a] != firstStart[b] { return firstStart[a] < firstStart[b] }
                let ta = lanes[a].taskID ?? .max, tb = lanes[b].taskID ?? .max
                return ta != tb ? ta < tb : a < b
            }
            for (place, lane) in zip(places, sorted) { order[place] = lane }
        }
    }

    static func label(_ lane: Lane) -> String {
        switch lane.kind {
        case .thread:
            if !lane.name.isEmpty, let tid = lane.threadID { return "\(lane.name) · \(tid)" }
        case .task:
            if !lane.name.isEmpty, let id = lane.taskID { return "\(lane.name) · task \(id)" }
        case .process:
            if !lane.name.isEmpty { return "\(lane.name) · \(lane.pid)" }
        }
        return lane.label
    }

    @inline(__always)
    func position(of lane: LaneID) -> Int? {
        if let map = positionOfLane { return map[lane] }
        let i = Int(lane.rawValue)
        return i < rowOfLane.count ? i : nil
    }

    /// The row a span goes to; nil when its lane is unknown.
    @inline(__always)
    func row(of span: Span, lanes: [Lane]) -> Int? {
        row(lane: span.lane, threadID: span.threadID, lanes: lanes)
    }

    /// The row of a span on `lane` that ran on `threadID`; nil when the lane is unknown.
    @inline(__always)
    func row(lane: LaneID, threadID: Int64, lanes: [Lane]) -> Int? {
        guard let p = position(of: lane) else { return nil }
        let r = rowOfLane[p]
        if r >= 0 { return r }
        return rowOfThread[Key(pid: lanes[p].pid, kind: 2, id: threadID)]
    }
}

/// Up to four (key, weight) pairs: the heaviest keys seen in one pixel column. When full, a new key
/// replaces the lightest if it outweighs it, so the dominant key is found exactly whenever fewer
/// than five keys share a column, and approximately beyond that.
struct TopKeys {
    var keys: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
    var weights: (Float, Float, Float, Float) = (0, 0, 0, 0)

    @inline(__always)
    mutating func add(_ key: Int32, _ w: Float) {
        if keys.0 == key { weights.0 += w; return }
        if keys.1 == key { weights.1 += w; return }
        if keys.2 == key { weights.2 += w; return }
        if keys.3 == key { weights.3 += w; return }
        if keys.0 < 0 { keys.0 = key; weights.0 = w; return }
        if keys.1 < 0 { keys.1 = key; weights.1 = w; return }
        if keys.2 < 0 { keys.2 = key; weights.2 = w; return }
        if keys.3 < 0 { keys.3 = key; weights.3 = w; return }
        var minIndex = 0
        var minWeight = weights.0
        if weights.1 < minWeight { minIndex = 1; minWeight = weights.1 }
        if weights.2 < minWeight { minIndex = 2; minWeight = weights.2 }
        if weights.3 < minWeight { minIndex = 3; minWeight = weights.3 }
        if w > minWeight {
            switch minIndex {
            case 0: keys.0 = key; weights.0 = w
            case 1: keys.1 = key; weights.1 = w
            case 2: keys.2 = key; weights.2 = w
            default: keys.3 = key; weights.3 = w
            }
        }
    }

    /// The heaviest key (the lowest key on ties); -1 when empty.
    var top: Int32 {
        var best: Int32 = -1
        var bw: Float = -1
        for (k, w) in [(keys.0, weights.0), (keys.1, weights.1), (keys.2, weights.2), (keys.3, weights.3)]
        where k >= 0 && (w > bw || (w == bw && k < best)) {
            best = k
            bw = w
        }
        return best
    }
}

/// Per-pixel-column sums for one row at one depth.
struct ColumnSums {
    var busy: [Float]
    var waiting: [Float]
    var spans: [Int32]
    var names: [TopKeys]
    var waits: [TopKeys]

    init(columns: Int) {
        busy = [Float](repeating: 0, count: columns)
        waiting = busy
        spans = [Int32](repeating: 0, count: columns)
        names = [TopKeys](repeating: TopKeys(), count: columns)
        waits = names
    }
}
