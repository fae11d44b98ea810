import LanesCore

/// The pitfall detectors: each looks at one trace and returns at most one finding.
///
/// Thresholds are shares of wall time (or of a lane's time), so a detector means the same at any scale; they
/// are set so that the good variants of the scenario catalog stay quiet and the bad ones do not.
enum Detectors {
    static func all(
        _ trace: Trace, _ st: TraceStatistics, _ profile: TraceProfile, _ options: AnalysisOptions = AnalysisOptions()
    ) -> [Finding] {
        let detectors: [(Trace, TraceStatistics, TraceProfile) -> Finding?] = [
            serialisedCPU, blockedCooperativePool, unawaitedTasks, lockContention, oversubscription,
            processOverhead, stragglers, producerConsumer,
            { blockedEventLoop($0, $1, $2, threshold: options.blockedLoopThreshold) },
            serialisedByGIL, inferredLockContention, actorDrainSerialisation,
        ]
        return detectors.compactMap { $0(trace, st, profile) }
    }

    static func pct(_ x: Double) -> String { TraceStatistics.percent(x) }
    static func dec(_ x: Double) -> String { TraceStatistics.decimal(x) }
    static func ratio(_ a: Nanoseconds, _ b: Nanoseconds) -> Double { b > 0 ? Double(a) / Double(b) : 0 }
}

extension Span {
    /// The pid of the process the span's lane belongs to (-1 when the lane is unknown).
    func laneProcess(_ trace: Trace) -> Int64 { trace.lane(lane)?.pid ?? -1 }
}
