import LanesCore
import LanesRecord
import Testing

@testable import LanesWorkloads

/// The kernel keeps 15 bytes of a thread's name and libdispatch names its workers after their root queue, so a
/// Dispatch worker's own name reads `oot.default-qos`: the lane must carry the queue's whole label.
@Suite(.serialized) struct DispatchLaneNameTests {
    @Test func dispatchWorkersAreNamedByTheirWholeQueueLabel() throws {
        let options = RunOptions(workers: 2, scale: 0.05, workerExecutable: WorkloadTests.lanes)
        let result = try ScenarioCatalog.cpuPrimes.run(.dispatch, options: options)
        let names = result.trace.lanes.map(\.name)
        #expect(!names.contains { $0.hasPrefix("oot.") }, "\(names)")
        #expect(names.contains { $0.hasPrefix("com.apple.root.") && $0.hasSuffix("-qos") }, "\(names)")
    }
}
