import CLanesSupport

#if canImport(Glibc)
import Glibc
#endif

/// What the task-recording preload library (`libLanesTaskRecorder.so`) wrote: every job the Swift
/// concurrency runtime handed to libdispatch in the recorded processes, as slices (a job ran on a
/// thread from start to end) and enqueues (a job was handed over, and which task was running then).
///
/// The file is a stream of checksummed chunks (`Sources/CLanesTaskRecorder/TASKS_FORMAT.md`); the
/// reader keeps every whole chunk and stops at the first that is cut short or damaged, so the file
/// of a program killed mid-run gives everything it had written. ``trace(adding:)`` turns it into
/// task lanes.
public struct TaskRecording: Sendable {
    /// One job that ran.
    public struct Slice: Hashable, Sendable {
        public var pid: Int64
        /// The thread that ran it.
        public var threadID: Int64
        /// The task it belongs to; 0 for an actor's drain job.
        public var task: UInt64
        /// The job kind: 0 for a task, 192 and up for the runtime's actor jobs.
        public var kind: UInt8
        public var priority: UInt8
        /// It ran on the main queue (main-actor code).
        public var onMainQueue: Bool
        /// It was handed over by `dispatch_after_f` (a timer).
        public var timer: Bool
        /// Start and end, `CLOCK_MONOTONIC` ns.
        public var start: Int64
        public var end: Int64
        /// The job's address; an actor's inline drain job keeps one address for the actor's life.
        public var job: UInt64
        /// The job was still running when its process exited: `end` is the exit.
        public var cutAtExit = false
    }

    /// One job handed to libdispatch.
    public struct Enqueue: Hashable, Sendable {
        public var pid: Int64
        public var threadID: Int64
        public var task: UInt64
        public var kind: UInt8
        public var onMainQueue: Bool
        public var timer: Bool
        /// When, `CLOCK_MONOTONIC` ns.
        public var time: Int64
        /// The task running at the enqueue: the parent of a new task, the waker of a resumed one; 0 if none.
        public var by: UInt64
    }

    public var slices: [Slice] = []
    public var enqueues: [Enqueue] = []
    /// The processes that loaded the library and recorded (pids), in the order they started.
    public var processes: [Int64] = []
    /// Processes whose recording ended cleanly (an end chunk at exit).
    public var finished: Set<Int64> = []
    /// Why the library switched itself off, one line per process that said so.
    public var notices: [String] = []
    /// Whole chunks read.
    public var chunks = 0
    /// Why reading stopped before the end of the data, if it did (a cut-short or damaged chunk).
    public var stoppedEarly: String?

    public init() {}

    /// Errors reading a task recording file.
    public struct ReadError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    /// Reads the file at `path`; a missing or empty file is an empty recording.
    public static func read(path: String) throws(ReadError) -> TaskRecording {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return TaskRecording() }
            throw ReadError(path: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(path: path, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return decode(bytes)
    }

    static let magic: UInt32 = 0x4B53_4154
    static let headerSize = 40
    static let recordSize = 40

    /// Decodes the chunks in `bytes` up to the first one that is short or fails its checksum.
    public static func decode(_ bytes: [UInt8]) -> TaskRecording {
        var out = TaskRecording()
        var clocks: [Int64: TaskTicks] = [:]
        // Records are converted once every calibration point of their process is known.
        var raw: [(pid: Int64, tid: Int64, offset: Int, length: Int)] = []
        bytes.withUnsafeBytes { buf in
            func u16(_ o: Int) -> UInt16 { UInt16(littleEndian: buf.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
            func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
            func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
            var o = 0
            while o < buf.count {
                guard buf.count - o >= headerSize else {
                    out.stoppedEarly = "a chunk header cut short at byte \(o)"
                    break
                }
                guard u32(o) == magic else {
                    out.stoppedEarly = "no chunk magic at byte \(o)"
                    break
                }
                let type = u16(o + 4)
                let version = u16(o + 6)
                let length = Int(u32(o + 16))
                guard buf.count - o - headerSize >= length else {
                    out.stoppedEarly = "a chunk of \(length) bytes cut short at byte \(o)"
                    break
                }
                var header = Array(UnsafeRawBufferPointer(rebasing: buf[o..<(o + headerSize)]))
                header[20] = 0
                header[21] = 0
                header[22] = 0
                header[23] = 0
                var crc = header.withUnsafeBytes { lanes_crc32c(0, $0.baseAddress, $0.count) }
                crc = lanes_crc32c(crc, buf.baseAddress! + o + headerSize, length)
                guard crc == u32(o + 20) else {
                    out.stoppedEarly = "a chunk failing its checksum at byte \(o)"
                    break
                }
                guard version == 1 else {
                    out.stoppedEarly = "a chunk of unsupported version \(version) at byte \(o)"
                    break
                }
                let pid = Int64(u32(o + 8))
                let tid = Int64(u32(o + 12))
                let ticks = u64(o + 24)
                let mono = Int64(bitPattern: u64(o + 32))
                let body = o + headerSize
                switch type {
                case 3:  // start
                    let tsc = length >= 4 && u32(body) == 1
                    clocks[pid] = TaskTicks(tsc: tsc)
                    if !out.processes.contains(pid) { out.processes.append(pid) }
                case 2:  // notice
                    let text = String(decoding: UnsafeRawBufferPointer(rebasing: buf[body..<(body + length)]), as: UTF8.self)
                    out.notices.append(text.hasSuffix("\n") ? String(text.dropLast()) : text)
                case 4:
                    out.finished.insert(pid)
                case 1:
                    raw.append((pid, tid, body, length - length % recordSize))
                default:
                    break  // a chunk type of a later version: skipped, its length is known
                }
                clocks[pid, default: TaskTicks(tsc: false)].add(ticks: ticks, ns: mono)
                out.chunks += 1
                o = body + length
            }
            for r in raw {
                let clock = clocks[r.pid] ?? TaskTicks(tsc: false)
                var p = r.offset
                while p < r.offset + r.length {
                    let type = buf[p]
                    let kind = buf[p + 1]
                    let priority = buf[p + 2]
                    let flags = buf[p + 3]
                    let task = u64(p + 8)
                    let t0 = clock.ns(u64(p + 16))
                    if type == 1 {
                        out.slices.append(
                            Slice(
                                pid: r.pid, threadID: r.tid, task: task, kind: kind, priority: priority,
                                onMainQueue: flags & 1 != 0, timer: flags & 2 != 0, start: t0,
                                end: clock.ns(u64(p + 24)), job: u64(p + 32), cutAtExit: flags & 4 != 0))
                    } else if type == 2 {
                        out.enqueues.append(
                            Enqueue(
                                pid: r.pid, threadID: r.tid, task: task, kind: kind, onMainQueue: flags & 1 != 0,
                                timer: flags & 2 != 0, time: t0, by: u64(p + 32)))
                    }
                    p += recordSize
                }
            }
        }
        // A slice cut at exit whose job did finish has a whole twin (same thread and start): keep that one.
        // (Only the few cut slices' keys are hashed: a set of every slice cost more than the rest of decoding.)
        func key(_ s: Slice) -> SliceKey { SliceKey(pid: s.pid, tid: s.threadID, start: s.start) }
        let cut = Set(out.slices.lazy.filter(\.cutAtExit).map(key))
        if !cut.isEmpty {
            let whole = Set(out.slices.lazy.filter { !$0.cutAtExit && cut.contains(key($0)) }.map(key))
            out.slices.removeAll { $0.cutAtExit && whole.contains(key($0)) }
        }
        out.slices.sort { ($0.start, $0.end) < ($1.start, $1.end) }
        out.enqueues.sort { $0.time < $1.time }
        return out
    }
}

/// Maps a process's timestamp ticks (TSC, or already ns) to `CLOCK_MONOTONIC` ns by the line through
/// its first and last calibration points.
struct TaskTicks {
    var tsc: Bool
    var first: (ticks: UInt64, ns: Int64)?
    var last: (ticks: UInt64, ns: Int64)?

    init(tsc: Bool) { self.tsc = tsc }

    mutating func add(ticks: UInt64, ns: Int64) {
        if first == nil { first = (ticks, ns) }
        if let l = last, l.ticks >= ticks { return }
        last = (ticks, ns)
    }

    func ns(_ ticks: UInt64) -> Int64 {
        guard tsc, let a = first else { return Int64(bitPattern: ticks) }
        var rate = 1.0
        if let b = last, b.ticks > a.ticks &+ 1_000_000, a.ticks < UInt64.max - 1_000_000 {
            rate = Double(b.ns &- a.ns) / Double(b.ticks - a.ticks)
        } else {
            // One calibration point (a short run killed early): assume the nominal ~1 ns per tick is wrong
            // by the CPU's clock; without a second point the best is the ratio of the nominal frequency.
            rate = TaskTicks.fallbackRate
        }
        // Clamped and wrapping: damaged or forged ticks and calibration points give odd times, not a crash.
        let offset = Double(Int64(bitPattern: ticks &- a.ticks)) * rate
        return a.ns &+ (offset.isFinite ? Int64(max(-9.2e18, min(9.2e18, offset))) : 0)
    }

    /// ns per TSC tick when a process left only one calibration point: measured in this process.
    static let fallbackRate: Double = {
        var t0 = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t0)
        let c0 = lanes_read_tsc()
        var t1 = timespec()
        repeat { clock_gettime(CLOCK_MONOTONIC, &t1) } while (t1.tv_sec - t0.tv_sec) * 1_000_000_000 + (t1.tv_nsec - t0.tv_nsec) < 2_000_000
        let c1 = lanes_read_tsc()
        let ns = Double((t1.tv_sec - t0.tv_sec) * 1_000_000_000 + (t1.tv_nsec - t0.tv_nsec))
        return c1 > c0 ? ns / Double(c1 - c0) : 1
    }()
}

private struct SliceKey: Hashable {
    var pid: Int64
    var tid: Int64
    var start: Int64
}
