extension Span {
    /// The name of the spans that record when an async task ran, and on which thread: one per job of
    /// the task (a slice), on the task's lane.
    public static let taskSliceName = "task slice"
}

extension Trace {
    /// Nests each task slice under the span of its task lane that was open when it ran, and records
    /// the gaps between a span's slices, where no other wait explains them, as `suspended` waits:
    /// the time the task was not running on any thread.
    ///
    /// Readers and builders of traces call it (``Trace`` files read back, recordings finished), so every
    /// command sees the suspensions whoever wrote the file; calling it again changes nothing.
    ///
    /// A task lane with spans but no slices ran somewhere the tracing executor does not reach (the
    /// main actor, an unstructured `Task {}` without the executor preference): its lane is named so,
    /// rather than drawn as if its waits were known.
    public func attachingSuspensions() -> Trace {
        guard lanes.contains(where: { $0.kind == .task }) else { return self }
        var trace = self
        var isTask = Set<LaneID>()
        for l in trace.lanes where l.kind == .task { isTask.insert(l.id) }
        var byLane: [LaneID: (slices: [Int], owners: [Int])] = [:]
        for (i, s) in trace.spans.enumerated() where isTask.contains(s.lane) {
            if s.name == Span.taskSliceName {
                byLane[s.lane, default: ([], [])].slices.append(i)
            } else {
                byLane[s.lane, default: ([], [])].owners.append(i)
            }
        }
        for (lane, group) in byLane {
            let owners = group.owners
            if group.slices.isEmpty, !owners.isEmpty, let l = trace.lanes.firstIndex(where: { $0.id == lane }),
                trace.lanes[l].name.isEmpty
            {
                trace.lanes[l].name = "task \(trace.lanes[l].taskID ?? 0) (outside the traced executor)"
            }
            guard !group.slices.isEmpty, !owners.isEmpty else { continue }
            let slices = group.slices.sorted { trace.spans[$0].start < trace.spans[$1].start }
            // The innermost owner of each slice not yet nested: the latest-starting span that holds it.
            let byStart = owners.sorted { trace.spans[$0].start < trace.spans[$1].start }
            let ownerStarts = byStart.map { trace.spans[$0].start }
            for s in slices where trace.spans[s].parent == nil {
                let slice = trace.spans[s]
                // Owners starting before the slice ends, latest first: the first that overlaps it is the innermost.
                var lo = 0, hi = ownerStarts.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if ownerStarts[mid] < slice.end { lo = mid + 1 } else { hi = mid }
                }
                var k = lo - 1
                while k >= 0 {
                    let owner = trace.spans[byStart[k]]
                    if owner.end > slice.start && owner.start < slice.end {
                        trace.spans[s].parent = owner.id
                        break
                    }
                    k -= 1
                }
            }
            // Slices sorted by start, with the latest end so far, for finding those inside an owner fast.
            let starts = slices.map { trace.spans[$0].start }
            for o in owners {
                let owner = trace.spans[o]
                // Gaps in the owner's running time (every slice inside it, its children's too).
                var gaps: [(Int64, Int64)] = []
                var t = owner.start
                // Slices starting before the owner's end; a slice that started before the owner counts from its end.
                var k = 0
                var lo = 0, hi = starts.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if starts[mid] < owner.start { lo = mid + 1 } else { hi = mid }
                }
                // Step back over slices that started earlier but may reach into the owner (few: a hand-over).
                k = max(0, lo - 8)
                while k < slices.count && starts[k] < owner.end {
                    let slice = trace.spans[slices[k]]
                    k += 1
                    guard slice.end > owner.start else { continue }
                    if slice.start > t { gaps.append((t, min(slice.start, owner.end))) }
                    t = max(t, slice.end)
                }
                if owner.end > t { gaps.append((t, owner.end)) }
                guard !gaps.isEmpty else { continue }
                // Cut out what the owner's waits already explain: merge them, then sweep both in time order.
                let explained = mergedIntervals(owner.waits.map { ($0.start, $0.end) })
                var added: [Wait] = []
                var e = 0
                for (a, b) in gaps {
                    var x = a
                    while e < explained.count && explained[e].1 <= x { e += 1 }
                    var j = e
                    while x < b {
                        if j < explained.count && explained[j].0 < b {
                            let (ws, we) = explained[j]
                            if ws > x { added.append(Wait(reason: .suspended, start: x, end: ws)) }
                            x = max(x, we)
                            j += 1
                        } else {
                            added.append(Wait(reason: .suspended, start: x, end: b))
                            x = b
                        }
                    }
                }
                guard !added.isEmpty else { continue }
                trace.spans[o].waits = (owner.waits + added).sorted { $0.start < $1.start }
            }
        }
        return trace
    }
}

/// `intervals` sorted and merged where they overlap or touch.
private func mergedIntervals(_ intervals: [(Int64, Int64)]) -> [(Int64, Int64)] {
    let sorted = intervals.filter { $0.1 > $0.0 }.sorted { $0.0 < $1.0 }
    var out: [(Int64, Int64)] = []
    for (a, b) in sorted {
        if let last = out.last, a <= last.1 {
            out[out.count - 1].1 = max(last.1, b)
        } else {
            out.append((a, b))
        }
    }
    return out
}
