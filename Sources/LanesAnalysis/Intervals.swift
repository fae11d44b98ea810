import LanesCore

/// Half-open time intervals, merged: the arithmetic behind running time, I/O cover and phases.
struct Intervals {
    /// Sorted, disjoint, non-empty.
    private(set) var parts: [(start: Nanoseconds, end: Nanoseconds)] = []

    init() {}

    /// The union of `pieces` (empty ones are dropped).
    init(_ pieces: [(Nanoseconds, Nanoseconds)]) {
        let sorted = pieces.filter { $0.1 > $0.0 }.sorted { $0.0 < $1.0 }
        for (a, b) in sorted {
            if let last = parts.last, a <= last.end {
                parts[parts.count - 1].end = max(last.end, b)
            } else {
                parts.append((a, b))
            }
        }
    }

    var length: Nanoseconds { parts.reduce(0) { $0 + ($1.end - $1.start) } }

    /// The parts of `self` outside `other`.
    func subtracting(_ other: Intervals) -> Intervals {
        var out: [(Nanoseconds, Nanoseconds)] = []
        var j = 0
        for p in parts {
            var start = p.start
            while j < other.parts.count && other.parts[j].end <= start { j += 1 }
            var k = j
            while k < other.parts.count && other.parts[k].start < p.end {
                if other.parts[k].start > start { out.append((start, other.parts[k].start)) }
                start = max(start, other.parts[k].end)
                k += 1
            }
            if start < p.end { out.append((start, p.end)) }
        }
        var r = Intervals()
        r.parts = out.map { ($0.0, $0.1) }
        return r
    }

    /// The parts of `self` inside `other`.
    func intersecting(_ other: Intervals) -> Intervals { subtracting(subtracting(other)) }
}

/// The `p`-quantile of sorted values by nearest rank: the smallest value with at least `p` of the values at or
/// below it.
func nearestRank(_ sorted: [Nanoseconds], _ p: Double) -> Nanoseconds {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[min(sorted.count, max(1, rank)) - 1]
}

extension Span {
    /// A span the recorder made from a wait outside any span: named after its reason, one wait covering it.
    var isLoneWait: Bool {
        waits.count == 1 && waits[0].start <= start && waits[0].end >= end && name == waits[0].reason.description
    }
}
