import LanesCore

/// The one rule for how spans nest, shared by the analysis (``TraceStatistics``, ``TraceProfile``:
/// which spans start their lane's work) and every chart (which spans are drawn at depth 0).
public enum SpanNesting {
    /// The nesting depth of each span, by position in `trace.spans`: 0 for a span without a parent,
    /// whose parent is not in the trace, or whose parent ran on another lane (an async child task's
    /// span under its parent task's span starts the work of its own task lane); otherwise its
    /// parent's depth + 1, capped at `limit`. Empty when no span has a parent (every depth is 0).
    public static func depths(_ trace: Trace, limit: Int) -> [UInt8] {
        let cap = max(0, min(limit, 254))
        return trace.spans.withUnsafeBufferPointer { spans -> [UInt8] in
            guard spans.contains(where: { $0.parent != nil }) else { return [] }
            // Positions of parents: by arithmetic when ids count up from the first (as recorded and
            // imported traces number them), else from a table of the spans that are parents.
            let firstID = spans[0].id.rawValue
            var dense = true
            for i in spans.indices where spans[i].id.rawValue != firstID &+ UInt64(i) {
                dense = false
                break
            }
            var index: [SpanID: Int] = [:]
            if !dense {
                var parents = Set<SpanID>()
                for i in spans.indices { if let p = spans[i].parent { parents.insert(p) } }
                index.reserveCapacity(parents.count)
                for i in spans.indices where parents.contains(spans[i].id) {
                    index[spans[i].id] = i
                }
            }
            @inline(__always) func position(_ id: SpanID) -> Int? {
                guard dense else { return index[id] }
                let k = id.rawValue &- firstID
                return k < UInt64(spans.count) ? Int(k) : nil
            }
            var depth = [UInt8](repeating: 255, count: spans.count)
            var chain: [Int] = []
            for i in spans.indices where depth[i] == 255 {
                // Walk up to a known depth (or a top-level span, or a cycle), then fill in on the way down.
                chain.removeAll(keepingCapacity: true)
                var cur = i
                var base = -1
                while true {
                    if depth[cur] != 255 {
                        base = Int(depth[cur])
                        break
                    }
                    if chain.count > 256 {
                        base = cap
                        break
                    }
                    chain.append(cur)
                    guard let p = spans[cur].parent, let pi = position(p), spans[pi].lane == spans[cur].lane else {
                        break
                    }
                    cur = pi
                }
                for (k, c) in chain.reversed().enumerated() { depth[c] = UInt8(min(cap, base + 1 + k)) }
            }
            return depth
        }
    }

    /// Whether the span at `index` of `trace.spans` is top-level on its lane, given ``depths(_:limit:)``.
    @inline(__always)
    public static func isTopLevel(_ depths: [UInt8], _ index: Int) -> Bool { depths.isEmpty || depths[index] == 0 }
}
