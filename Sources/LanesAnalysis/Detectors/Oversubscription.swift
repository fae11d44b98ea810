import LanesCore

extension Detectors {
    /// More runnable work than cores: run-queue waits, or more spans running at once than cores.
    static func oversubscription(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard p.wall > 0, p.running > 0 else { return nil }
        let rq = ratio(p.runQueueWait, p.running)
        let cores = st.cores
        let excess = cores > 0 ? p.runningParallelism / Double(cores) : 0
        if rq >= 0.25 {
            return Finding(
                kind: .oversubscription, severity: rq >= 1 ? .critical : .warning,
                title: "Oversubscribed: \(formatDuration(p.runQueueWait)) runnable but waiting for a CPU",
                evidence:
                    "threads waited \(formatDuration(p.runQueueWait)) in the run queue against \(formatDuration(p.running)) running (\(pct(rq)))\(cores > 0 ? " on \(cores) cores" : "")",
                lesson:
                    "More CPU-bound threads than cores only take turns; size the pool to the cores for CPU work and keep larger pools for work that waits.",
                figures: ["runQueue": Double(p.runQueueWait), "share": rq, "cores": Double(cores)])
        }
        if cores > 0, excess >= 2 {
            return Finding(
                kind: .oversubscription, severity: .warning,
                title: "Oversubscribed: \(dec(p.runningParallelism)) spans running at once on \(cores) cores",
                evidence:
                    "on average \(dec(p.runningParallelism)) spans were running (not waiting) at once with \(cores) cores, so about \(dec(p.runningParallelism - Double(cores))) of them sat in the run queue each moment",
                lesson:
                    "More CPU-bound threads than cores only take turns; size the pool to the cores for CPU work and keep larger pools for work that waits.",
                figures: ["parallelism": p.runningParallelism, "cores": Double(cores), "share": excess])
        }
        return nil
    }
}
