import CLanesSupport

/// The kinds of 32-byte records, kept in the top byte of a record's third word.
@usableFromInline
enum RecordKind: UInt8 {
    /// w0 start, w1 end, w2 name, w3 = id << 32 | parent id (sequence numbers on this thread).
    case span = 1
    /// w0 start, w1 end, w2 kind | reason << 48 | object name, w3 = sequence number of the span it is in.
    case wait = 2
    /// As `wait`, but w3 is the id of an async span.
    case asyncWait = 3
    /// w0 time, w2 name, w3 = sequence number of the enclosing span (0 if none).
    case mark = 4
    /// w0 time, w1 value (Double bits), w2 name, w3 = slot of the lane it belongs to (0: the whole process).
    case counter = 5
    /// w0 time, w1 flow id, w2 name, w3 = enclosing span: sequence number, or async span id.
    case flowOut = 6
    /// As `flowOut`, where the arrow arrives.
    case flowIn = 7
    /// w0 thread CPU clock at begin, w1 at end (ns), w3 = sequence number of the span; precedes it.
    case cpu = 8
    /// w0 start, w1 end, w2 name, w3 = async span id.
    case asyncSpan = 9
    /// w0 task id, w1 parent async span id (0: none), w2 tid where it began, w3 = async span id.
    case asyncInfo = 10
    /// w0 start, w1 end of one job of a task run by a tracing executor, w3 = task id.
    case taskSlice = 11
    /// w0 key name, w1 value (by type: name word, Int64, Double bits, 0/1), w2 type << 48
    /// (0 string, 1 int, 2 double, 3 bool), w3 = explicit span id; precedes its span.
    case attribute = 12
    /// w0 task id (0: none), w1 parent span id (0: none), w2 slot where it began << 32 | tid,
    /// w3 = explicit span id; precedes its span.
    case explicitInfo = 13
    /// w0 start, w1 end, w2 name, w3 = explicit span id (`asyncSpanBit | n`).
    case explicitSpan = 14
}

@usableFromInline let kindShift: UInt64 = 56
@usableFromInline let reasonShift: UInt64 = 48
/// Set in a name word when the low 32 bits are an interned id rather than a static string's address.
@usableFromInline let internedNameBit: UInt64 = 1 << 47
@usableFromInline let nameMask: UInt64 = (1 << 48) - 1
/// Set in a span id that was issued to an async span (not a thread's sequence number).
@usableFromInline let asyncSpanBit: UInt64 = 1 << 63

@inlinable @inline(__always)
func nameWord(_ name: StaticString) -> UInt64 {
    if _fastPath(name.hasPointerRepresentation) {
        return UInt64(UInt(bitPattern: name.utf8Start)) & nameMask
    }
    return SpanName(String(describing: name)).word
}

@inlinable @inline(__always)
func tag(_ kind: RecordKind, _ name: UInt64) -> UInt64 {
    UInt64(kind.rawValue) << kindShift | name
}
