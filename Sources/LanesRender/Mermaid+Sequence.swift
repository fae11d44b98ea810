import LanesCore

extension Mermaid {
    /// Which lock a hand-off diagram follows.
    public enum LockSelector: Hashable, Sendable, CustomStringConvertible {
        /// The emulated interpreter lock (waits with reason `gil`).
        case interpreterLock
        /// A lock by the object its waits name (reason `lock`).
        case object(String)

        public var description: String {
            switch self {
            case .interpreterLock: "the interpreter lock"
            case .object(let name): "lock \(name)"
            }
        }

        func matches(_ w: Wait) -> Bool {
            switch self {
            case .interpreterLock: w.reason == .gil
            case .object(let name): w.reason == .lock && (w.object ?? "") == name
            }
        }
    }

    /// The lock waited on longest in total: the interpreter lock when its waits dominate, else the
    /// lock object with the most waiting; nil when the trace has no lock waits.
    public static func busiestLock(in trace: Trace) -> LockSelector? {
        var total: [LockSelector: Nanoseconds] = [:]
        for s in trace.spans {
            for w in s.waits {
                if w.reason == .gil { total[.interpreterLock, default: 0] += w.duration }
                if w.reason == .lock { total[.object(w.object ?? ""), default: 0] += w.duration }
            }
        }
        return total.max { a, b in a.value != b.value ? a.value < b.value : a.key.description > b.key.description }?.key
    }

    /// A `sequenceDiagram` and how much of the story it tells.
    public struct Sequence: Hashable, Sendable {
        /// The diagram's text, without a Markdown fence.
        public var text: String
        /// Hand-offs in the trace, and how many the diagram shows.
        public var handoffs: Int
        public var shown: Int
        /// Participant names as Mermaid shows them, the lock first.
        public var participants: [String]
    }

    /// The hand-offs of one lock, built from the recorded waits, like the seed's GIL diagram: each
    /// waiter asks for the lock when its wait starts and gets it when the wait ends, after the lane
    /// that got it before. Only contended acquisitions are recorded, so uncontended ones are not shown.
    /// The first `limit` hand-offs are drawn and a note says how many more there were.
    public static func lockHandoffs(
        of trace: Trace, lock: LockSelector, limit: Int = 30, groupBy: ChartOptions.Grouping = .lane
    ) -> Sequence {
        let plan = RowPlan(trace, grouping: groupBy)
        let range = trace.timeRange ?? 0...0
        var waits: [(row: Int, wait: Wait)] = []
        for s in trace.spans {
            for w in s.waits where lock.matches(w) {
                guard let r = plan.row(lane: s.lane, threadID: s.threadID, lanes: trace.lanes) else { continue }
                waits.append((r, w))
            }
        }
        waits.sort { $0.wait.end != $1.wait.end ? $0.wait.end < $1.wait.end : $0.row < $1.row }
        let shown = Array(waits.prefix(max(1, limit)))

        let lockName: String
        switch lock {
        case .interpreterLock: lockName = "interpreter lock"
        case .object(let name): lockName = name.isEmpty ? "lock (unnamed)" : "lock \(name)"
        }
        var rowsUsed: [Int] = []
        for w in shown where !rowsUsed.contains(w.row) { rowsUsed.append(w.row) }
        rowsUsed.sort()
        var text = "sequenceDiagram\n"
        let title =
            waits.count > shown.count
            ? "Hand-offs of \(lockName): first \(shown.count) of \(waits.count)"
            : "Hand-offs of \(lockName): \(waits.count)"
        text += "    title \(MermaidText.label(title, maxCharacters: 160))\n"
        text += "    participant K as \(MermaidText.label(lockName))\n"
        var participants = [MermaidText.shown(lockName)]
        for r in rowsUsed {
            text += "    participant L\(r) as \(MermaidText.label(plan.rows[r].label))\n"
            participants.append(MermaidText.shown(plan.rows[r].label))
        }
        if shown.isEmpty {
            text += "    Note over K: no waits recorded on \(MermaidText.label(lockName))\n"
        }
        // Requests and grants in time order; a grant comes before a request at the same instant.
        var events: [(time: Nanoseconds, grant: Bool, index: Int)] = []
        for (i, w) in shown.enumerated() {
            events.append((w.wait.start, false, i))
            events.append((w.wait.end, true, i))
        }
        events.sort { ($0.time, $0.grant ? 0 : 1, $0.index) < ($1.time, $1.grant ? 0 : 1, $1.index) }
        func at(_ t: Nanoseconds) -> String { formatDuration(t - range.lowerBound) }
        for e in events {
            let w = shown[e.index]
            if e.grant {
                var line = "granted at \(at(w.wait.end)) after waiting \(formatDuration(w.wait.duration))"
                if e.index > 0, shown[e.index - 1].row != w.row {
                    line += ", from \(plan.rows[shown[e.index - 1].row].label)"
                }
                text += "    K-->>L\(w.row): \(MermaidText.label(line, maxCharacters: 160))\n"
            } else {
                text +=
                    "    L\(w.row)->>K: \(MermaidText.label("waits from \(at(w.wait.start))", maxCharacters: 160))\n"
            }
        }
        if waits.count > shown.count {
            let note = "\(waits.count - shown.count) more hand-offs not shown (first \(shown.count) of \(waits.count))"
            text += "    Note over K: \(MermaidText.label(note, maxCharacters: 160))\n"
        }
        return Sequence(text: text, handoffs: waits.count, shown: shown.count, participants: participants)
    }
}
