import CLanesSupport
import LanesCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The thread-local state of a living thread. Valid until the thread's exit hook removes it from the
/// registry, which happens under the registry's lock, so holding the lock makes the pointer safe.
struct ThreadStatePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<lanes_thread_state>
}

/// Records of one thread, taken from its buffer.
struct Segment: @unchecked Sendable {
    var slot: UInt32
    var tid: Int64
    var threadName: String
    var records: UnsafeMutablePointer<lanes_record>
    var count: Int
    /// The buffer to free once the records are converted, if the segment owns it.
    var buffer: UnsafeMutablePointer<lanes_record>?
    var bufferBytes: Int
}

/// The process-wide registry of threads that record, and the active session.
final class Registry: Sendable {
    static let shared = Registry()

    struct ThreadInfo {
        var state: ThreadStatePointer
        var tid: Int64
        var name: String
        var capacity: Int
    }

    struct State {
        var threads: [UInt32: ThreadInfo] = [:]
        var nextSlot: UInt32 = 1
        var session: Session?
        /// Bytes of record buffers allocated, in use or pooled.
        var bytesInUse = 0
        /// Drained buffers kept for reuse, so a recording thread's next buffer is warm memory
        /// rather than a fresh allocation that faults in page by page.
        var pool: [(buffer: UnsafeMutablePointer<lanes_record>, bytes: Int)] = []
        var slabs = BufferSlabs()
    }

    let state = Lock(State())

    func begin(_ session: Session) throws {
        try state.withLock { s in
            guard s.session == nil else { throw Recorder.Error.alreadyRecording }
            s.session = session
            for (_, t) in s.threads where t.state.pointer.pointee.base != nil {
                // Records left from an earlier session are not this one's.
                t.state.pointer.pointee.flushed = lanes_published_cursor(t.state.pointer)
                _ = lanes_take_dropped(t.state.pointer)
            }
            lanes_next_generation()
            lanes_set_use_tsc(session.clock.usesTSC ? 1 : 0)
            lanes_set_recording_mode(session.configuration.cpu == .perSpan ? 2 : 1)
        }
    }

    func end(_ session: Session) throws {
        try state.withLock { s in
            guard s.session === session else { throw Recorder.Error.notRecording }
            lanes_set_recording_mode(0)
            for (slot, t) in s.threads {
                let st = t.state.pointer
                let dropped = lanes_take_dropped(st)
                session.addDropped(dropped)
                if st.pointee.base != nil, let seg = copySegment(slot: slot, info: t) { session.accept(seg) }
                if dropped > 0 { session.accept(droppedMark(slot: slot, info: t, dropped: dropped)) }
            }
            s.session = nil
            for p in s.pool { s.slabs.free(p.buffer, bytes: p.bytes) }
            s.bytesInUse -= s.pool.reduce(0) { $0 + $1.bytes }
            s.pool = []
        }
    }

    /// Copies what a living thread recorded since the last take (the thread may go on writing past it).
    private func copySegment(slot: UInt32, info: ThreadInfo) -> Segment? {
        let st = info.state.pointer
        guard let from = st.pointee.flushed, let to = lanes_published_cursor(st), to > from else { return nil }
        let n = to - from
        let copy = UnsafeMutablePointer<lanes_record>.allocate(capacity: n)
        copy.initialize(from: from, count: n)
        st.pointee.flushed = to
        return Segment(
            slot: slot, tid: info.tid, threadName: info.name, records: copy, count: n, buffer: copy,
            bufferBytes: 0)
    }

    /// Takes what every living thread recorded since the last take, for a periodic flush, after the
    /// segments `takePending` returns (those handed over earlier: full buffers, exited threads).
    ///
    /// Both are taken under the registry's lock, which every hand-over holds too, so no buffer can be handed
    /// over between the two: each thread's records come out in order, and a file cut short anywhere holds a
    /// prefix of what each thread recorded (issue 19, defect 5).
    func snapshot(for session: Session, after takePending: () -> [Segment]) -> [Segment] {
        state.withLock { s in
            var out = takePending()
            guard s.session === session else { return out }
            for slot in s.threads.keys.sorted() {
                let t = s.threads[slot]!
                let dropped = lanes_take_dropped(t.state.pointer)
                session.addDropped(dropped)
                if t.state.pointer.pointee.base != nil, let seg = copySegment(slot: slot, info: t) { out.append(seg) }
                if dropped > 0 { out.append(droppedMark(slot: slot, info: t, dropped: dropped)) }
            }
            return out
        }
    }

    /// Registers the calling thread if it is not yet, and returns its tid.
    func register(_ st: UnsafeMutablePointer<lanes_thread_state>) -> Int64 {
        if st.pointee.slot != 0 { return st.pointee.tid }
        return state.withLock { s in registerLocked(st, &s) }
    }

    private func registerLocked(_ st: UnsafeMutablePointer<lanes_thread_state>, _ s: inout State) -> Int64 {
        let slot = s.nextSlot
        s.nextSlot += 1
        let tid = lanes_gettid()
        st.pointee.slot = slot
        st.pointee.tid = tid
        s.threads[slot] = ThreadInfo(state: ThreadStatePointer(pointer: st), tid: tid, name: currentThreadName(), capacity: 0)
        _ = lanes_on_thread_exit(threadExitHook, UnsafeMutableRawPointer(bitPattern: UInt(slot)))
        return tid
    }

    /// The slow path of an append: registers the thread, hands a full buffer over, finds a new one
    /// or, at the memory bound, switches the thread to dropping (counted).
    func refill(_ st: UnsafeMutablePointer<lanes_thread_state>) {
        state.withLock { s in
            if st.pointee.slot == 0 { _ = registerLocked(st, &s) }
            let slot = st.pointee.slot
            guard slot != UInt32.max, let session = s.session, var info = s.threads[slot] else { return }
            if let base = st.pointee.base, st.pointee.cursor == st.pointee.limit {
                let from = st.pointee.flushed ?? base
                let n = st.pointee.limit! - from
                session.accept(
                    Segment(
                        slot: slot, tid: info.tid, threadName: info.name, records: from, count: n, buffer: base,
                        bufferBytes: info.capacity * 32))
                st.pointee.base = nil
                st.pointee.flushed = nil
                st.pointee.limit = nil
                lanes_store_cursor(st, nil)
                info.capacity = 0
            } else if st.pointee.base != nil {
                return  // room was made meanwhile
            }
            let bytes = session.configuration.bufferSize
            let n = bytes / 32
            let buffer: UnsafeMutablePointer<lanes_record>
            if let i = s.pool.lastIndex(where: { $0.bytes == bytes }) {
                buffer = s.pool.remove(at: i).buffer
            } else if s.bytesInUse + bytes <= session.configuration.memoryLimit,
                let fresh = s.slabs.allocate(bytes: bytes)
            {
                s.bytesInUse += bytes
                buffer = fresh
            } else {
                st.pointee.drop_backoff = 1023
                st.pointee.drop_generation = lanes_current_generation()
                s.threads[slot] = info
                return
            }
            st.pointee.base = buffer
            st.pointee.flushed = buffer
            st.pointee.limit = buffer + n
            lanes_store_cursor(st, buffer)
            info.capacity = n
            s.threads[slot] = info
        }
    }

    /// Returns a buffer whose records were converted: to the pool while recording goes on, else freed.
    func release(_ segment: Segment) {
        guard let buffer = segment.buffer else { return }
        guard segment.bufferBytes > 0 else {
            buffer.deallocate()  // a copy taken from a living thread's buffer
            return
        }
        state.withLock { s in
            if s.session != nil {
                s.pool.append((buffer, segment.bufferBytes))
            } else {
                s.slabs.free(buffer, bytes: segment.bufferBytes)
                s.bytesInUse -= segment.bufferBytes
            }
        }
    }

    func setName(_ name: String, st: UnsafeMutablePointer<lanes_thread_state>) {
        state.withLock { s in
            if st.pointee.slot == 0 { _ = registerLocked(st, &s) }
            s.threads[st.pointee.slot]?.name = name
        }
    }

    /// Runs on a registered thread as it exits: hands its last records over and forgets it.
    func threadExiting(_ st: UnsafeMutablePointer<lanes_thread_state>) {
        state.withLock { s in
            let slot = st.pointee.slot
            guard let info = s.threads.removeValue(forKey: slot) else { return }
            st.pointee.slot = UInt32.max
            let dropped = s.session == nil ? 0 : lanes_take_dropped(st)
            s.session?.addDropped(dropped)
            if let base = st.pointee.base {
                let from = st.pointee.flushed ?? base
                let n = lanes_published_cursor(st)! - from
                let seg = Segment(
                    slot: slot, tid: info.tid, threadName: info.name, records: from, count: n, buffer: base,
                    bufferBytes: info.capacity * 32)
                if let session = s.session, n > 0 {
                    session.accept(seg)
                } else {
                    s.slabs.free(base, bytes: info.capacity * 32)
                    s.bytesInUse -= info.capacity * 32
                }
            }
            if dropped > 0 { s.session?.accept(droppedMark(slot: slot, info: info, dropped: dropped)) }
            st.pointee.base = nil
            st.pointee.flushed = nil
            st.pointee.limit = nil
            lanes_store_cursor(st, nil)
        }
    }

    /// A one-record segment: a mark on the thread's lane saying that `dropped` of its events were lost at the
    /// memory bound, so a thread that kept nothing still has a lane, and says what it dropped (issue 19, defect 10).
    private func droppedMark(slot: UInt32, info: ThreadInfo, dropped: UInt64) -> Segment {
        let record = UnsafeMutablePointer<lanes_record>.allocate(capacity: 1)
        let name = SpanName("\(droppedMarkPrefix)\(dropped) events (the recorder's memory bound was reached)")
        record.initialize(to: lanes_record(w0: lanes_now(), w1: dropped, w2: tag(.mark, name.word), w3: 0))
        return Segment(
            slot: slot, tid: info.tid, threadName: info.name, records: record, count: 1, buffer: record, bufferBytes: 0)
    }
}

/// How the mark that a thread dropped events starts: "dropped 1234 events (…)".
package let droppedMarkPrefix = "dropped "

private let threadExitHook: @convention(c) (UnsafeMutableRawPointer?) -> Void = { _ in
    Registry.shared.threadExiting(lanes_state()!)
}

func currentThreadName() -> String {
    var buf = [CChar](repeating: 0, count: 64)
    guard lanes_get_thread_name(&buf, buf.count) == 0 else { return "" }
    return ThreadNames.expanded(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
}

/// The slow path of every append: called when the thread's buffer is full or it has none yet.
@usableFromInline @inline(never)
func _appendSlow(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
    let st = lanes_state()!
    if st.pointee.drop_backoff > 0 {
        // Dropping goes on for a while without asking for a buffer, but not into the next recording.
        if st.pointee.drop_generation == lanes_current_generation() {
            st.pointee.drop_backoff -= 1
            lanes_add_dropped(st, 1)
            return
        }
        st.pointee.drop_backoff = 0
    }
    Registry.shared.refill(st)
    if lanes_append(st, w0, w1, w2, w3) == 0, lanes_recording_mode() != 0 {
        lanes_add_dropped(st, 1)
    }
}

/// Appends a record from code off the hot path.
@inline(__always)
func appendRecord(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) {
    if lanes_append(lanes_state()!, w0, w1, w2, w3) == 0 { _appendSlow(w0, w1, w2, w3) }
}
