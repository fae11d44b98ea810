import LanesCore

/// Dense positions for a trace's lanes, so per-lane figures live in arrays rather than dictionaries keyed
/// by lane (issue 19, defect 7: those cost an allocation and a hash per lane, and traces of many tasks have
/// hundreds of thousands of lanes). Positions are the trace's lanes in order, then lanes that only spans
/// name, in the order of their first span. Each span's position is found once, here.
struct LanePositions {
    /// The lane at each position.
    let ids: [LaneID]
    /// Positions below this are `trace.lanes`; the rest only spans name.
    let known: Int
    /// The position of each span's lane, by span index.
    let ofSpan: [Int32]

    init(_ trace: Trace) {
        let lanes = trace.lanes
        var ids = lanes.map(\.id)
        // Recorders and importers number lanes by position: then a lane's id is its position.
        var identity = true
        for (i, l) in lanes.enumerated() where l.id.rawValue != UInt32(truncatingIfNeeded: i) {
            identity = false
            break
        }
        var map: [LaneID: Int32] = [:]
        if !identity {
            map.reserveCapacity(lanes.count)
            for (i, l) in lanes.enumerated() where map[l.id] == nil { map[l.id] = Int32(i) }
        }
        let count = lanes.count
        var extra: [LaneID: Int32] = [:]
        var ofSpan = [Int32](repeating: 0, count: trace.spans.count)
        trace.spans.withUnsafeBufferPointer { spans in
            for i in spans.indices {
                let id = spans[i].lane
                if identity, Int(id.rawValue) < count {
                    ofSpan[i] = Int32(id.rawValue)
                } else if let p = identity ? nil : map[id] {
                    ofSpan[i] = p
                } else if let p = extra[id] {
                    ofSpan[i] = p
                } else {
                    let p = Int32(ids.count)
                    extra[id] = p
                    ids.append(id)
                    ofSpan[i] = p
                }
            }
        }
        self.ids = ids
        self.known = count
        self.ofSpan = ofSpan
    }

    var count: Int { ids.count }
}

/// `pairs` grouped by a dense key (a lane position, a span index; each below `keyCount`) in one flat array,
/// keeping their order within a key: the items of key `k` are `items[offsets[k]..<offsets[k + 1]]`.
/// No array per key.
func bucketed<Item>(keyCount: Int, _ pairs: [(key: Int32, item: Item)]) -> (items: [Item], offsets: [Int]) {
    var offsets = [Int](repeating: 0, count: keyCount + 1)
    for p in pairs { offsets[Int(p.key) + 1] += 1 }
    for k in 0..<keyCount { offsets[k + 1] += offsets[k] }
    var next = offsets
    let items = [Item](unsafeUninitializedCapacity: pairs.count) { buffer, initialized in
        for p in pairs {
            (buffer.baseAddress! + next[Int(p.key)]).initialize(to: p.item)
            next[Int(p.key)] += 1
        }
        initialized = pairs.count
    }
    return (items, offsets)
}
