import LanesCore
import LanesFormat

/// Placeholder until LanesFormat's writer lands.
final class LanesFileWriter: @unchecked Sendable {
    init(path: String, metadata: Metadata) throws { throw Recorder.Error.invalidConfiguration("file output not ready") }
    func write(_ batch: LanesBatch) throws {}
    func finish() throws {}
}
