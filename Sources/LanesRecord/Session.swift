import CLanesSupport
import LanesCore
import LanesFormat
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One recording, from `Recorder.start` to `stop`.
final class Session: Sendable {
    let configuration: Recorder.Configuration
    let clock: TickClock
    let pid: Int64
    let baseMetadata: Metadata

    private struct Pending {
        var segments: [Segment] = []
        var dropped: UInt64 = 0
        var stopping = false
    }

    private let pending = Lock(Pending())
    private let output: Lock<Output>
    /// Wakes the sampler, and everyone at the end.
    private let wake = Wakeup()
    /// Wakes the flusher: buffers are waiting, or task records were captured.
    private let flushWake = Wakeup()
    private let background = Lock<[OSThread]>([])
    /// The jobs of LanesRecord's task executors are being recorded for this session (`TaskCapture`).
    private let capturingTasks = Atomic<Bool>(false)
    /// Bytes of the task capture already streamed to the file (only the flusher touches it).
    private let streamedTaskBytes = Atomic<Int>(0)

    init(configuration: Recorder.Configuration) throws {
        self.configuration = configuration
        clock = TickClock(source: configuration.timeSource)
        pid = Int64(getpid())
        let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        baseMetadata = Metadata(
            command: configuration.command,
            host: String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
            cores: cores, clock: .monotonic, timeSource: clock.usesTSC ? "tsc" : "clock_gettime",
            scenario: configuration.scenario, model: configuration.model, droppedEvents: 0,
            startedAt: Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec),
            extra: [
                Attribute(
                    Calibration.spanCostKey,
                    String(
                        Int(Calibration.spanCost(cpu: configuration.cpu == .perSpan, tsc: clock.usesTSC).rounded(.up))))
            ])
        let processName =
            configuration.processName
            ?? (configuration.command.first.map { String($0.split(separator: "/").last ?? "") } ?? "")
        let converter = Converter(pid: pid, processName: processName, startTicks: clock.origin.ticks)
        switch configuration.output {
        case .memory:
            output = Lock(Output(converter: converter, sink: .memory(TraceBuilder())))
        case .file(let path):
            do {
                let writer = try LanesFileWriter(path: path, metadata: baseMetadata)
                output = Lock(Output(converter: converter, sink: .file(writer, path)))
            } catch {
                throw Recorder.Error.output(path: path, message: outputProblem(error))
            }
        case .descriptor(let fd):
            do {
                let writer = try LanesFileWriter(descriptor: fd, metadata: baseMetadata)
                output = Lock(Output(converter: converter, sink: .file(writer, "fd \(fd)")))
            } catch {
                throw Recorder.Error.output(path: "fd \(fd)", message: "\(error)")
            }
        }
    }

    func startBackgroundThreads() {
        let capturing = TaskCapture.begin()
        capturingTasks.store(capturing, ordering: .releasing)
        var threads: [OSThread] = []
        if configuration.output != .memory {
            // The task records go to the file as their buffers fill (a killed program's file keeps them).
            if capturing { TaskCapture.notify(flushWake) }
            let interval = configuration.flushInterval
            let ns = interval.components.seconds * 1_000_000_000 + interval.components.attoseconds / 1_000_000_000
            if let t = try? OSThread(name: "lanes-flush", { [self] in flushLoop(intervalNs: max(1_000_000, ns)) }) {
                threads.append(t)
            }
        }
        if case .sampled(let ms) = configuration.cpu {
            if let t = try? OSThread(name: "lanes-sample", { [self] in sampleLoop(intervalNs: Int64(ms) * 1_000_000) })
            {
                threads.append(t)
            }
        }
        background.withLock { $0 = threads }
    }

    /// Takes records handed over by the registry (a full buffer, an exiting thread, the final take).
    func accept(_ segment: Segment) {
        // The flusher is woken once a few buffers wait, not for each: fewer wake-ups for recording
        // threads to pay for, and larger chunks.
        let wakeFlusher = pending.withLock { p in
            p.segments.append(segment)
            if configuration.output != .memory { return p.segments.count >= 2 }
            return false
        }
        if wakeFlusher { flushWake.signal() }
    }

    func addDropped(_ n: UInt64) {
        if n > 0 { pending.withLock { $0.dropped += n } }
    }

    private var isStopping: Bool { pending.withLock { $0.stopping } }

    /// Flushes every `intervalNs` and when buffers wait; streams the captured task records whenever woken.
    private func flushLoop(intervalNs: Int64) {
        var due = Int64(lanes_monotonic_ns()) + intervalNs
        while !isStopping {
            flushWake.wait(nanoseconds: max(0, due - Int64(lanes_monotonic_ns())))
            if isStopping { break }
            let now = Int64(lanes_monotonic_ns())
            let interval = now >= due
            // On the interval, the task records of buffers not yet full too: the file has every record up to then.
            streamTasks(flushingBuffers: interval)
            if interval || pending.withLock({ $0.segments.count >= 2 }) {
                flush(includingLiveThreads: true)
                due = now + intervalNs
            }
        }
    }

    /// Writes the task records captured since the last call to the file, as they are (whole chunks of the task
    /// recording format): a reader turns them into task lanes if the session never gets to (see `finish`).
    private func streamTasks(flushingBuffers: Bool) {
        guard capturingTasks.load(ordering: .acquiring) else { return }
        if flushingBuffers { TaskCapture.flush() }
        let from = streamedTaskBytes.load(ordering: .relaxed)
        let to = TaskCapture.size
        guard to > from else { return }
        // Written from where the capture keeps them: no copy, no allocation.
        TaskCapture.pieces(from..<to) { bytes in output.withLock { out in out.writeTaskRecords(bytes) } }
        streamedTaskBytes.store(to, ordering: .relaxed)
    }

    private func sampleLoop(intervalNs: Int64) {
        var sampler = SchedSampler()
        while !isStopping {
            sampler.sample()
            wake.wait(nanoseconds: intervalNs)
        }
    }

    /// Converts and writes what is pending; with `includingLiveThreads`, also what living threads
    /// recorded since the last flush. Errors are kept and thrown by `finish`.
    private func flush(includingLiveThreads: Bool) {
        let takePending = {
            self.pending.withLock { p in
                let s = p.segments
                p.segments = []
                return s
            }
        }
        // With living threads, pending and living records are taken in one step (see `Registry.snapshot`).
        let segments = includingLiveThreads ? Registry.shared.snapshot(for: self, after: takePending) : takePending()
        guard !segments.isEmpty else { return }
        let converter = clock.converter()
        // In groups of about one chunk, so the converted spans stay small and in cache, and
        // drained buffers go back to the pool (and to recording threads) as soon as possible.
        var group: [Segment] = []
        var records = 0
        for (i, segment) in segments.enumerated() {
            group.append(segment)
            records += segment.count
            if records >= 65_536 || i == segments.count - 1 {
                output.withLock { out in out.write(group, clock: converter) }
                for s in group { Registry.shared.release(s) }
                group.removeAll(keepingCapacity: true)
                records = 0
            }
        }
    }

    func finish() throws -> Recorder.Recording {
        pending.withLock { $0.stopping = true }
        wake.signal()
        flushWake.signal()
        let threads = background.withLock { t in
            let all = t
            t = []
            return all
        }
        for t in threads {
            wake.signal()
            flushWake.signal()
            t.join()
        }
        flush(includingLiveThreads: false)
        if capturingTasks.exchange(false, ordering: .acquiringAndReleasing) {
            TaskCapture.notify(nil)
            let bytes = TaskCapture.end()
            // The records not streamed yet, then the lanes made of them all: the file's task records are whole, and
            // a reader uses them only if the batch of lanes never arrived.
            let streamed = streamedTaskBytes.load(ordering: .relaxed)
            if configuration.output != .memory, bytes.count > streamed {
                bytes.withUnsafeBytes { all in
                    output.withLock { out in out.writeTaskRecords(UnsafeRawBufferPointer(rebasing: all[streamed...])) }
                }
            }
            if let tasks = TaskCapture.recording(bytes) { output.withLock { out in out.add(tasks) } }
        }
        var metadata = baseMetadata
        metadata.droppedEvents = pending.withLock { $0.dropped }
        return try output.withLock { out in try out.finish(metadata: metadata) }
    }
}

/// Where converted records go.
struct Output {
    enum Sink {
        case memory(TraceBuilder)
        case file(LanesFileWriter, String)
    }

    var converter: Converter
    var sink: Sink
    var error: (any Error)?
    var spanCount = 0
    var waitCount = 0
    /// Reused for every file flush, so converting does not allocate (and fault in) fresh arrays.
    var scratch = LanesBatch()

    mutating func write(_ segments: [Segment], clock: TickConverter) {
        switch sink {
        case .memory(var builder):
            let batch = converter.convert(segments, clock: clock)
            count(batch)
            sink = .memory(TraceBuilder())  // so `builder` is uniquely referenced while it grows
            builder.add(batch)
            sink = .memory(builder)
        case .file(let writer, _):
            converter.convert(segments, clock: clock, into: &scratch)
            count(scratch)
            if error == nil {
                do { try writer.write(scratch) } catch { self.error = error }
            }
            scratch.clear()
        }
    }

    /// Writes task records as they were captured (a file only), for a reader of a file the session never finished.
    mutating func writeTaskRecords(_ bytes: UnsafeRawBufferPointer) {
        guard case .file(let writer, _) = sink, error == nil else { return }
        do { try writer.writeTaskRecords(bytes) } catch { self.error = error }
    }

    /// Adds the tasks recorded by the task executors, as the last batch before the metadata.
    mutating func add(_ tasks: TaskRecording) {
        let batch = tasks.batch(adding: converter.madeLanes, of: converter.process)
        count(batch)
        switch sink {
        case .memory(var builder):
            sink = .memory(TraceBuilder())
            builder.add(batch)
            sink = .memory(builder)
        case .file(let writer, _):
            if error == nil {
                do { try writer.write(batch) } catch { self.error = error }
            }
        }
    }

    private mutating func count(_ batch: LanesBatch) {
        spanCount += batch.spans.count
        waitCount += batch.waits.count + batch.spans.reduce(0) { $0 + $1.waits.count }
    }

    mutating func finish(metadata: Metadata) throws -> Recorder.Recording {
        // The last chunk carries the final metadata (the dropped-event count).
        let final = LanesBatch(metadata: metadata)
        switch sink {
        case .memory(var builder):
            builder.add(final)
            builder.metadata = metadata
            let trace = builder.build().trace
            return Recorder.Recording(
                trace: trace, path: nil, spanCount: trace.spans.count, waitCount: trace.waitCount,
                droppedEvents: metadata.droppedEvents)
        case .file(let writer, let path):
            if let error { throw Recorder.Error.output(path: path, message: outputProblem(error)) }
            do {
                try writer.write(final)
                try writer.finish()
            } catch {
                throw Recorder.Error.output(path: path, message: outputProblem(error))
            }
            return Recorder.Recording(
                trace: nil, path: path, spanCount: spanCount, waitCount: waitCount,
                droppedEvents: metadata.droppedEvents)
        }
    }
}

/// What went wrong with the output, without its path (the recorder's error names it once).
private func outputProblem(_ error: any Error) -> String {
    if case LanesFormatError.output(_, let problem) = error { return problem }
    return "\(error)"
}
