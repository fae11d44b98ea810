import LanesCore

/// What the analysis lets its user set.
public struct AnalysisOptions: Hashable, Sendable {
    /// How long an event loop may go between two polls before it counts as stood still (the blocked event loop
    /// finding; the seed's pitfall 2). 100 ms by default: asyncio's own debug mode warns at 100 ms.
    public var blockedLoopThreshold: Nanoseconds

    public init(blockedLoopThreshold: Nanoseconds = 100_000_000) {
        self.blockedLoopThreshold = blockedLoopThreshold
    }
}
