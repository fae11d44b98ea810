#if canImport(Glibc)
    import Glibc
#endif
import Synchronization

/// Timelines for benchmarks (such as ordo-one's package-benchmark), in a pass of their own.
///
/// A benchmark adds two lines: the import, and one line at the top of its closure.
/// ```swift
/// import LanesRecord
///
/// Benchmark("parse") { benchmark in
///     let trace = BenchmarkTrace.begin(benchmark.name); defer { trace.end() }
///     for _ in benchmark.scaledIterations { blackHole(parse(input)) }
/// }
/// ```
/// Without the environment variable `LANES_TRACE_DIR` this does nothing but read a flag cached at the
/// first call (under 1 ns an iteration), so the measured run is not slowed. With it, the first call
/// starts a recorder writing `$LANES_TRACE_DIR/<name>.lanes`, each of the first `traced` iterations
/// (warm-up ones included) is a span named after the benchmark, with the benchmark's own spans and
/// waits inside it, and the recorder stops when the last of them ends (or when the process exits, if fewer ran). Run the
/// benchmarks twice: once to measure, once with `LANES_TRACE_DIR` set to get the timelines.
/// package-benchmark runs each benchmark in a process of its own, so each gets its own recorder; in
/// a process that runs several, a call with a new name finishes the previous benchmark's trace first.
///
/// The calls are for one thread at a time, as a benchmark's iterations run. In an `async` benchmark,
/// whose iteration may end on another thread, wrap the body instead:
/// `try await BenchmarkTrace.iteration(benchmark.name) { … }`.
public enum BenchmarkTrace {
    /// The environment variable naming the folder traces are written to.
    public static let directoryVariable = "LANES_TRACE_DIR"

    /// How many iterations are traced when the caller does not say.
    public static let defaultTracedIterations = 10

    /// Begins one iteration of the benchmark `name`; end it with ``BenchmarkIteration/end()`` on the
    /// same thread. Records only when `LANES_TRACE_DIR` is set, and only the first `traced` iterations.
    @inlinable
    public static func begin(_ name: String, traced: Int = defaultTracedIterations) -> BenchmarkIteration {
        if _fastPath(!isEnabled) { return .inactive }
        return _begin(name, traced: traced)
    }

    /// Whether `LANES_TRACE_DIR` was set, read once.
    @usableFromInline static let isEnabled = BenchmarkTracer.shared.directory != nil

    @usableFromInline static func _begin(_ name: String, traced: Int) -> BenchmarkIteration {
        BenchmarkTracer.shared.begin(name, traced: traced)
    }

    /// Runs one iteration of the benchmark `name` inside its span (see ``begin(_:traced:)``).
    public static func iteration<R, E: Error>(
        _ name: String, traced: Int = defaultTracedIterations, _ body: () throws(E) -> R
    ) throws(E) -> R {
        let iteration = BenchmarkTracer.shared.begin(name, traced: traced)
        defer { iteration.end() }
        return try body()
    }

    /// Runs one iteration of an `async` benchmark inside its span (see ``begin(_:traced:)``); the span
    /// follows the task across threads.
    public static func iteration<R>(
        _ name: String, traced: Int = defaultTracedIterations, isolation: isolated (any Actor)? = #isolation,
        _ body: () async throws -> R
    ) async rethrows -> R {
        try await BenchmarkTracer.shared.iteration(name, traced: traced, isolation: isolation, body)
    }

    /// Stops a recorder the helper started and writes its trace now (at process exit otherwise);
    /// returns the file written, if any. For a `Benchmark.teardown` hook or a test.
    @discardableResult
    public static func finish() -> String? { BenchmarkTracer.shared.finish() }
}

/// One iteration begun by ``BenchmarkTrace/begin(_:traced:)``.
public struct BenchmarkIteration: Sendable {
    @usableFromInline let token: SpanToken
    // Unretained, so that an iteration costs no reference counting: the process's tracer lives as long as it
    // does, and a test's outlives its iterations.
    @usableFromInline nonisolated(unsafe) let tracer: Unmanaged<AnyObject>?
    @usableFromInline let ordinal: Int
    /// Whether this iteration is recorded.
    @usableFromInline let traced: Bool

    init(token: SpanToken, tracer: BenchmarkTracer, ordinal: Int) {
        self.token = token
        self.tracer = Unmanaged.passUnretained(tracer)
        self.ordinal = ordinal
        self.traced = true
    }

    @inlinable init() {
        token = SpanToken(start: 0, cpu: 0, name: 0, ids: 0)
        tracer = nil
        ordinal = 0
        traced = false
    }

    /// An iteration that is not recorded.
    @inlinable static var inactive: BenchmarkIteration { BenchmarkIteration() }

    /// Whether this iteration is recorded.
    @inlinable public var isTraced: Bool { traced }

    /// Ends the iteration's span; after the last traced iteration, stops the recorder and writes the file.
    @inlinable public func end() {
        if _fastPath(!traced) { return }
        _end()
    }

    @usableFromInline func _end() {
        guard let tracer, let owner = tracer.takeUnretainedValue() as? BenchmarkTracer else { return }
        endSpan(token)
        owner.ended(ordinal)
    }
}

/// The state behind ``BenchmarkTrace``: one per process (``shared``), or one per test with its own folder.
package final class BenchmarkTracer: Sendable {
    /// Where traces go; nil: tracing is off.
    package let directory: String?

    struct State {
        var name: String
        var spanName: SpanName
        var limit: Int
        var begun = 0
        var ended = 0
        var recorder: Recorder?
        var path: String
    }

    private let state = Mutex<State?>(nil)

    /// The process's tracer, configured from `LANES_TRACE_DIR` at its first use.
    package static let shared: BenchmarkTracer = {
        let tracer = BenchmarkTracer.fromEnvironment()
        if tracer.directory != nil { atexit { BenchmarkTracer.shared.finish() } }
        return tracer
    }()

    /// A tracer for the folder `LANES_TRACE_DIR` names now (off when it is unset or empty).
    package static func fromEnvironment() -> BenchmarkTracer {
        guard let value = getenv(BenchmarkTrace.directoryVariable), value.pointee != 0 else {
            return BenchmarkTracer(directory: nil)
        }
        return BenchmarkTracer(directory: String(cString: value))
    }

    package init(directory: String?) { self.directory = directory }

    /// The file a benchmark's trace is written to: its name with `/`, spaces and other characters a
    /// shell or a file system would trip on replaced by `_`.
    package static func fileName(for name: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,+=()")
        var file = String(name.map { allowed.contains($0) ? $0 : "_" })
        if file.isEmpty || file.hasPrefix(".") { file = "_" + file }
        return file + ".lanes"
    }

    package func begin(_ name: String, traced: Int) -> BenchmarkIteration {
        guard let claimed = claim(name, traced: traced) else {
            return .inactive
        }
        return BenchmarkIteration(token: beginSpan(claimed.name), tracer: self, ordinal: claimed.ordinal)
    }

    package func iteration<R>(
        _ name: String, traced: Int, isolation: isolated (any Actor)?, _ body: () async throws -> R
    ) async rethrows -> R {
        guard let claimed = claim(name, traced: traced) else { return try await body() }
        defer { ended(claimed.ordinal) }
        return try await span(claimed.name, isolation: isolation, body)
    }

    /// Counts an iteration that begins; returns its number and span name when it is to be traced,
    /// starting the recorder on the benchmark's first.
    func claim(_ name: String, traced: Int) -> (ordinal: Int, name: SpanName)? {
        guard let directory else { return nil }
        return state.withLock { state -> (Int, SpanName)? in
            if state?.name != name {
                if let old = state { Self.stop(old) }
                state = Self.start(name, traced: traced, directory: directory)
            }
            guard let s = state, s.recorder != nil, s.begun < s.limit else { return nil }
            state!.begun += 1
            return (s.begun + 1, s.spanName)
        }
    }

    /// Counts an iteration that ended; stops the recorder after the last traced one.
    func ended(_ ordinal: Int) {
        state.withLock { state in
            guard var s = state, s.recorder != nil else { return }
            s.ended += 1
            if s.ended >= s.limit {
                Self.stop(s)
                s.recorder = nil
            }
            state = s
        }
    }

    /// Stops the recorder, if one runs; returns the file written.
    @discardableResult
    package func finish() -> String? {
        state.withLock { state in
            guard var s = state, s.recorder != nil else { return nil }
            let written = Self.stop(s)
            s.recorder = nil
            state = s
            return written
        }
    }

    private static func start(_ name: String, traced: Int, directory: String) -> State {
        var state = State(
            name: name, spanName: SpanName(name), limit: max(traced, 1),
            path: directory + "/" + fileName(for: name))
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            complain("cannot create \(directory): \(String(cString: strerror(errno)))")
            return state
        }
        do {
            state.recorder = try Recorder.start(
                .init(output: .file(state.path), processName: name, scenario: name))
        } catch {
            complain("cannot trace benchmark \(name) into \(state.path): \(error)")
        }
        return state
    }

    @discardableResult
    private static func stop(_ state: State) -> String? {
        guard let recorder = state.recorder else { return nil }
        do {
            return try recorder.stop().path
        } catch {
            complain("cannot finish the trace of benchmark \(state.name): \(error)")
            return nil
        }
    }

    private static func complain(_ message: String) {
        var line = "lanes: \(message)\n"
        _ = line.withUTF8 { write(2, $0.baseAddress, $0.count) }
    }
}
