import LanesCore

/// Chrome Trace Event JSON (the format of `chrome://tracing`, Perfetto's legacy JSON importer, VizTracer and
/// py-spy): import into a ``Trace`` and export from one. See `CHROME_JSON.md` beside this file for the mapping.
public enum ChromeJSON {
    /// The clock name an imported trace carries when the file does not say which tool wrote it.
    public static let defaultClockName = "chrome-trace"
}

/// What importing a Chrome Trace Event JSON file gave.
public struct ChromeJSONReadResult: Sendable {
    /// The trace built from the events.
    public var trace: Trace
    /// Soft problems, each kind reported once with a count and the offset of its first instance.
    public var warnings: [ChromeJSONWarning]
    /// Events read (every element of the event array, including those dropped or not understood).
    public var events: Int
}

/// Why Chrome Trace Event JSON could not be imported. Offsets count bytes from the start of the data.
public enum ChromeJSONError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes at `offset`, in `field`, are not JSON: `expected` was wanted where `found` (a short excerpt) was seen.
    case invalidJSON(offset: Int, field: String, expected: String, found: String)
    /// The data ends at byte `offset` inside `field` (the object form must be complete).
    case unexpectedEnd(offset: Int, field: String)
    /// The top-level value at `offset` is neither an event array nor an object with `traceEvents`.
    case notATrace(offset: Int, found: String)
    /// `field` at byte `offset` holds `found` (a JSON type or excerpt) where `expected` is required.
    case wrongType(field: String, offset: Int, expected: String, found: String)
    /// `field` at byte `offset` holds `value`, which cannot be used: `problem` says why (negative, out of range).
    case invalidValue(field: String, offset: Int, value: String, problem: String)
    /// The event at byte `offset` (phase `phase`) lacks `field`, without which it means nothing.
    case missingField(field: String, offset: Int, phase: String)
    /// A system call failed: `operation` (open, read, mmap, write), the file's `path`, `errno` and its text.
    case io(operation: String, path: String, errno: Int32, message: String)

    public var description: String {
        switch self {
        case .invalidJSON(let offset, let field, let expected, let found):
            return "invalid JSON in \(field) at byte \(offset): expected \(expected), found \(found)"
        case .unexpectedEnd(let offset, let field):
            return "the data ends at byte \(offset) inside \(field)"
        case .notATrace(let offset, let found):
            return "not a Chrome trace: the value at byte \(offset) is \(found), not an event array or an object with \"traceEvents\""
        case .wrongType(let field, let offset, let expected, let found):
            return "\(field) at byte \(offset): expected \(expected), found \(found)"
        case .invalidValue(let field, let offset, let value, let problem):
            return "\(field) at byte \(offset) is \(value): \(problem)"
        case .missingField(let field, let offset, let phase):
            return "the \"\(phase)\" event at byte \(offset) has no \(field)"
        case .io(let op, let path, let errno, let message):
            return "\(op) \(path): \(message) (errno \(errno))"
        }
    }
}

/// A soft problem met while importing: the data was usable, and this is reported once.
public enum ChromeJSONWarning: Hashable, Sendable, CustomStringConvertible {
    /// `count` events of phase `phase`, which the importer does not know, were skipped; the first was at `firstOffset`.
    case unknownPhase(phase: String, count: Int, firstOffset: Int)
    /// The event array is not closed: the data ends at byte `offset` (a writer that was stopped early).
    case missingClosingBracket(offset: Int)
    /// The data ends at byte `offset` inside the event that starts at `eventOffset`; that event was dropped.
    case truncatedEvent(eventOffset: Int, offset: Int)
    /// `count` `E` events closed nothing on their thread and were dropped; the first was at `firstOffset`.
    case unmatchedEnds(count: Int, firstOffset: Int)
    /// `count` `B` events were never closed and were dropped; the first was at `firstOffset`.
    case unclosedBegins(count: Int, firstOffset: Int)
    /// `count` async `e` events closed nothing and were dropped; the first was at `firstOffset`.
    case unmatchedAsyncEnds(count: Int, firstOffset: Int)
    /// `count` async `b` events were never closed and were dropped; the first was at `firstOffset`.
    case unclosedAsyncBegins(count: Int, firstOffset: Int)
    /// `count` events of phase `phase` lacked `field` and were dropped; the first was at `firstOffset`.
    case missingField(phase: String, field: String, count: Int, firstOffset: Int)
    /// `count` counter values (`C` args) that were not numbers were dropped; the first was at `firstOffset`.
    case nonNumericCounters(count: Int, firstOffset: Int)
    /// `count` negative thread durations (`tdur`) were dropped, leaving their slices without CPU time; the first
    /// was at `firstOffset`.
    case negativeCPUTimes(count: Int, firstOffset: Int)
    /// `count` flows whose start or end lies on no slice were dropped; the first event was at `firstOffset`.
    case unboundFlows(count: Int, firstOffset: Int)
    /// `count` waits name spans that are not in the file and were dropped; the first was at `firstOffset`.
    case orphanWaits(count: Int, firstOffset: Int)
    /// `count` well-formed events held a value that cannot be used (`reason`: a string where a number belongs, a
    /// negative duration, a time out of range) and were skipped; the first was at `firstOffset`.
    case skippedEvents(reason: String, count: Int, firstOffset: Int)

    public var description: String {
        switch self {
        case .unknownPhase(let phase, let count, let first):
            return "skipped \(count) events of unknown phase \"\(phase)\" (the first at byte \(first))"
        case .missingClosingBracket(let offset):
            return "the event array has no closing ']' (the data ends at byte \(offset)); read every whole event"
        case .truncatedEvent(let event, let offset):
            return "the data ends at byte \(offset) inside the event at byte \(event); dropped that event"
        case .unmatchedEnds(let count, let first):
            return "dropped \(count) \"E\" events that closed no \"B\" on their thread (the first at byte \(first))"
        case .unclosedBegins(let count, let first):
            return "dropped \(count) \"B\" events that were never closed (the first at byte \(first))"
        case .unmatchedAsyncEnds(let count, let first):
            return "dropped \(count) async \"e\" events that closed no \"b\" (the first at byte \(first))"
        case .unclosedAsyncBegins(let count, let first):
            return "dropped \(count) async \"b\" events that were never closed (the first at byte \(first))"
        case .missingField(let phase, let field, let count, let first):
            return "dropped \(count) \"\(phase)\" events without \(field) (the first at byte \(first))"
        case .nonNumericCounters(let count, let first):
            return "dropped \(count) counter values that were not numbers (the first at byte \(first))"
        case .negativeCPUTimes(let count, let first):
            return "dropped \(count) negative thread durations (\"tdur\"); those slices have no CPU time "
                + "(the first at byte \(first))"
        case .unboundFlows(let count, let first):
            return "dropped \(count) flows whose ends lie on no slice (the first event at byte \(first))"
        case .orphanWaits(let count, let first):
            return "dropped \(count) waits whose span is not in the file (the first at byte \(first))"
        case .skippedEvents(let reason, let count, let first):
            return "skipped \(count) event\(count == 1 ? "" : "s") where \(reason) (the first at byte \(first))"
        }
    }
}
