import LanesCore

extension TaskRecording {
    /// The first span and flow id of the task slices a `Recorder` adds to its trace: above its own (thread slot
    /// << 32 | n), below its synthetic (2^62 | n) and async (2^63 | n) spans.
    package static let firstRecorderSpanID: UInt64 = 1 << 61
    /// The span ids of those task slices.
    package static let recorderSpanIDs: Range<UInt64> = firstRecorderSpanID..<(1 << 62)

    /// The lanes, spans and flows that add these tasks to a recorder's trace whose processes and lanes so far are
    /// `base`'s: a task with a lane there (its spans) keeps it; the gaps between its slices become the suspensions
    /// of its spans when the trace is built. New span and flow ids are numbered from ``firstRecorderSpanID``.
    /// What a `Recorder` adds when it stops, and what a reader adds from the records a recorder streamed
    /// before it was killed.
    package func batch(adding base: Trace) -> LanesBatch {
        let out = trace(
            adding: base, firstSpanID: Self.firstRecorderSpanID, firstFlowID: Self.firstRecorderSpanID,
            wholeTasks: false)
        var before: [LaneID: Lane] = [:]
        for l in base.lanes { before[l.id] = l }
        return LanesBatch(
            processes: out.processes, lanes: out.lanes.filter { before[$0.id] != $0 }, spans: out.spans,
            flows: out.flows)
    }
}
