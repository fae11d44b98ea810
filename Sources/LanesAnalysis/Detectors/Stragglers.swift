import LanesCore

extension Detectors {
    /// Workers that finish long after the others, or carry much more of the work.
    static func stragglers(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        // Workers: lanes that took several items (a thread or task per item has no share to balance).
        let workers = p.lanes.filter { $0.workRange != nil && $0.workCount >= 2 }
        guard workers.count >= 2, p.wall > 0, let item = p.workName.flatMap({ p.statistics(of: $0) })?.p50 else {
            return nil
        }
        let ends = workers.map { $0.workRange!.upperBound }.sorted()
        let median = ends[(ends.count - 1) / 2]
        let lag = ends.last! - median
        let lagShare = ratio(lag, p.wall)
        // Finishing one item later than the others is the granularity of the work, not a straggler.
        guard lag >= 2 * item, lagShare >= 0.25 || (p.loadImbalance >= 1 && lagShare >= 0.1) else { return nil }
        let last = workers.max { $0.workRange!.upperBound < $1.workRange!.upperBound }!
        // A lane that finished last with less than its share of the work was held up, not handed too much.
        let work = workers.map(\.workTime).sorted()
        guard last.workTime >= work[(work.count - 1) / 2] else { return nil }
        return Finding(
            kind: .stragglers, severity: lagShare >= 0.5 ? .critical : .warning,
            title: "Straggler: \(last.label) finished \(formatDuration(lag)) after the median worker",
            evidence:
                "of \(workers.count) lanes running \(p.workName ?? "work"), the last finished \(formatDuration(lag)) (\(pct(lagShare)) of the wall time) after the median; the busiest did \(dec(p.loadImbalance + 1))× the mean work",
            lesson:
                "A parallel run lasts as long as its slowest worker; split the work into more, smaller items so a free worker can take the rest.",
            range: median...ends.last!, lanes: [last.lane],
            figures: [
                "lag": Double(lag), "share": lagShare, "imbalance": p.loadImbalance, "workers": Double(workers.count),
            ])
    }
}
