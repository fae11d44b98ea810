import LanesCore

extension Comparison {
    /// The table `lanes run` prints, one row per run: label, wall, speed-up over the baseline (the header says
    /// which baseline when it is not `sequential`), CPU utilisation, and the blocked share with its top reason.
    /// Wall and speed-up are the ones every report uses (``TraceStatistics/wall``, ``Row/speedup``).
    public var table: String {
        guard !rows.isEmpty else { return "" }
        let base = rows[baseline].label
        var cells = [
            ["model", "wall", base == "sequential" ? "speed-up" : "× \(base)", "CPU use", "blocked (top reason)"]
        ]
        for row in rows {
            let st = row.statistics
            let blocked = st.blockedShares.first.map { "\(Self.whole(st.blockedShare)) (\($0.reason))" } ?? "0%"
            cells.append([
                row.label, formatDuration(st.wall), TraceStatistics.decimal(row.speedup) + "x",
                st.cpuUtilisation.map(Self.whole) ?? "–", blocked,
            ])
        }
        return AnalysisReport.table(cells).joined(separator: "\n")
    }

    private static func whole(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }
}
