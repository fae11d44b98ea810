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

    /// Replaces `buffer[range]`'s first elements by the union of the range's pieces (sorted, disjoint, empty
    /// ones dropped), in place, and returns how many parts it has: the union without an array per call.
    static func mergeInPlace(
        _ buffer: UnsafeMutableBufferPointer<(Nanoseconds, Nanoseconds)>, _ range: Range<Int>
    ) -> Int {
        var ordered = true
        var i = range.lowerBound + 1
        while i < range.upperBound {
            if buffer[i].0 < buffer[i - 1].0 {
                ordered = false
                break
            }
            i += 1
        }
        if !ordered { buffer[range].sort { $0.0 < $1.0 } }
        var n = range.lowerBound
        for k in range {
            let (a, b) = buffer[k]
            guard b > a else { continue }
            if n > range.lowerBound, a <= buffer[n - 1].1 {
                buffer[n - 1].1 = max(buffer[n - 1].1, b)
            } else {
                buffer[n] = (a, b)
                n += 1
            }
        }
        return n - range.lowerBound
    }

    /// Calls `body` with each part of the union `a` outside the union `b` (both as ``mergeInPlace(_:_:)``
    /// leaves them), in order.
    static func forEachPart(
        of a: Slice<UnsafeMutableBufferPointer<(Nanoseconds, Nanoseconds)>>,
        outside b: Slice<UnsafeMutableBufferPointer<(Nanoseconds, Nanoseconds)>>,
        _ body: (Nanoseconds, Nanoseconds) -> Void
    ) {
        var j = b.startIndex
        for p in a {
            var start = p.0
            while j < b.endIndex && b[j].1 <= start { j += 1 }
            var k = j
            while k < b.endIndex && b[k].0 < p.1 {
                if b[k].0 > start { body(start, b[k].0) }
                start = max(start, b[k].1)
                k += 1
            }
            if start < p.1 { body(start, p.1) }
        }
    }
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
