import CLanesSupport
import LanesCore
import LanesFormat
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Records spans, waits, marks, counters and flows from every thread of this process.
///
/// One recorder is active at a time. Start it, run the work (wrapped in ``span(_:_:)-(StaticString,_)``
/// and the traced primitives), then stop it:
/// ```swift
/// let recorder = try Recorder.start(.init(output: .file("run.lanes")))
/// span("work") { compute() }
/// let recording = try recorder.stop()
/// ```
/// Each thread appends 32-byte records to a buffer of its own, with no lock, allocation or system
/// call; full buffers are handed to the recorder, which keeps them (``Configuration/Output-swift.enum/memory``)
/// or encodes them into a `.lanes` file as it goes (``Configuration/Output-swift.enum/file(_:)``),
/// so a process that is killed leaves a file that reads up to its last flushed chunk.
public final class Recorder: Sendable {
    /// How a recorder records.
    public struct Configuration: Sendable {
        /// Where the trace goes.
        public enum Output: Sendable, Equatable {
            /// Kept in memory and returned by ``Recorder/stop()``.
            case memory
            /// Written to a `.lanes` file as buffers fill and every ``Configuration/flushInterval``.
            ///
            /// The stream goes to a temporary file beside the path, `.NAME.XXXXXXXX.partial`, which
            /// ``Recorder/stop()`` renames over the path: a full disk or another failure leaves an old file
            /// untouched and no partial one. A process killed while recording leaves the `.partial` file, which
            /// reads (with `lanes info`, `lanes report`) up to its last flushed chunk. A FIFO at the path is
            /// written directly, for a reader that follows the recording.
            case file(String)
            /// Written as a `.lanes` stream to an open descriptor (a pipe to a parent process), which
            /// stays open; the stream is finished when the recorder stops.
            case descriptor(Int32)
        }

        /// What CPU time is measured.
        public enum CPUAccounting: Sendable, Equatable {
            /// None (the default): spans cost two timestamp reads.
            case off
            /// Each span reads its thread's CPU clock at begin and end (about 0.5 µs each).
            case perSpan
            /// A background thread reads every registered thread's schedstat every interval and
            /// records running, run-queue and blocked time as counters on its lane.
            case sampled(intervalMilliseconds: Int)
        }

        /// What timestamps are read from.
        public enum TimeSource: Sendable, Equatable {
            /// The timestamp counter when the CPU's is invariant, else `clock_gettime`.
            case automatic
            /// `clock_gettime(CLOCK_MONOTONIC)` always.
            case clockGettime
        }

        public var output: Output
        public var cpu: CPUAccounting
        /// The most memory that record buffers may use; past it events are dropped and counted.
        public var memoryLimit: Int
        /// Bytes per thread buffer (a multiple of 32).
        public var bufferSize: Int
        /// How often a file output is flushed while recording.
        public var flushInterval: Duration
        public var timeSource: TimeSource
        /// The name of this process's lane group; the executable's name by default.
        public var processName: String?
        /// Recorded in the trace's metadata.
        public var scenario: String?
        /// Recorded in the trace's metadata.
        public var model: String?
        /// Recorded in the trace's metadata; the process's arguments by default.
        public var command: [String]

        public init(
            output: Output = .memory, cpu: CPUAccounting = .off, memoryLimit: Int = 256 << 20,
            bufferSize: Int = 64 << 10, flushInterval: Duration = .milliseconds(250),
            timeSource: TimeSource = .automatic, processName: String? = nil, scenario: String? = nil,
            model: String? = nil, command: [String] = CommandLine.arguments
        ) {
            self.output = output
            self.cpu = cpu
            self.memoryLimit = memoryLimit
            self.bufferSize = bufferSize
            self.flushInterval = flushInterval
            self.timeSource = timeSource
            self.processName = processName
            self.scenario = scenario
            self.model = model
            self.command = command
        }
    }

    /// What a stopped recorder hands back.
    public struct Recording: Sendable {
        /// The whole trace, for ``Configuration/Output-swift.enum/memory`` output.
        public var trace: Trace?
        /// The file written, for ``Configuration/Output-swift.enum/file(_:)`` output.
        public var path: String?
        public var spanCount: Int
        public var waitCount: Int
        /// Events dropped at the memory bound (also in the trace's metadata).
        public var droppedEvents: UInt64
    }

    /// Failures to start or stop recording.
    public enum Error: Swift.Error, Equatable, CustomStringConvertible {
        /// Another recorder is active in this process.
        case alreadyRecording
        /// This recorder was already stopped.
        case notRecording
        /// The configuration cannot work; the message says why.
        case invalidConfiguration(String)
        /// The trace file could not be written.
        case output(path: String, message: String)

        public var description: String {
            switch self {
            case .alreadyRecording: "a recorder is already active in this process"
            case .notRecording: "the recorder is not recording"
            case .invalidConfiguration(let m): "invalid recorder configuration: \(m)"
            case .output(let path, let m): "cannot write trace \(path): \(m)"
            }
        }
    }

    let session: Session

    private init(session: Session) { self.session = session }

    /// Starts recording in this process.
    public static func start(_ configuration: Configuration = Configuration()) throws -> Recorder {
        guard configuration.bufferSize >= 1024, configuration.bufferSize % 32 == 0 else {
            throw Error.invalidConfiguration("bufferSize must be a multiple of 32 of at least 1024 bytes")
        }
        guard configuration.memoryLimit >= configuration.bufferSize else {
            throw Error.invalidConfiguration("memoryLimit must hold at least one buffer")
        }
        if case .sampled(let ms) = configuration.cpu, ms < 1 {
            throw Error.invalidConfiguration("the sampling interval must be at least 1 ms")
        }
        let session = try Session(configuration: configuration)
        try Registry.shared.begin(session)
        session.startBackgroundThreads()
        return Recorder(session: session)
    }

    /// Stops recording: collects every thread's records, finishes the file, and returns the result.
    ///
    /// Spans still open when the recorder stops are not recorded.
    public func stop() throws -> Recording {
        try Registry.shared.end(session)
        return try session.finish()
    }

    /// Whether a recorder is active in this process.
    public static var isRecording: Bool { lanes_recording_mode() != 0 }
}
