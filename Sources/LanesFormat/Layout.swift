// Constants of the byte layout; FORMAT.md beside this file describes how they are used.

/// The numbers that make up the `.lanes` byte layout.
package enum Layout {
    /// `\x89LANES\r\n`: a high byte, the name, and a CR LF that text-mode transfers would mangle.
    package static let magic: [UInt8] = [0x89, 0x4C, 0x41, 0x4E, 0x45, 0x53, 0x0D, 0x0A]
    /// The format version this code writes and reads.
    package static let version: UInt16 = 1
    /// Magic (8), version (2), reserved flags (2).
    package static let preambleSize = 12
    /// Kind (1), payload length (4), CRC-32 (4).
    package static let chunkHeaderSize = 9
    /// The end chunk's payload: batch chunks (8) and spans (8) written, so a reader of a finished file
    /// can find them in its last 25 bytes and size its arrays before reading.
    package static let endPayloadSize = 16
    /// The largest payload a chunk may declare; larger lengths are treated as damage.
    package static let maxChunkPayload = 1 << 30
    /// What ``LanesWriter/write(_:spansPerChunk:)`` puts in one chunk at most.
    package static let defaultSpansPerChunk = 65_536

    /// What a chunk holds.
    package enum Kind {
        /// The header: strings and the trace metadata. Exactly once, right after the preamble.
        package static let header: UInt8 = 0x48  // "H"
        /// A batch: processes, lanes, spans, waits, marks, counters, flows, metadata.
        package static let batch: UInt8 = 0x42  // "B"
        /// The end: the writer finished; totals follow.
        package static let end: UInt8 = 0x45  // "E"
        /// Raw task records (the task recording format, TASKS_FORMAT.md) a recorder streams as its task buffers
        /// fill, so that a writer killed before turning them into task lanes leaves them readable.
        package static let taskRecords: UInt8 = 0x54  // "T"
    }

    /// Sections inside header and batch payloads.
    package enum Section {
        package static let strings: UInt8 = 1
        package static let metadata: UInt8 = 2
        package static let processes: UInt8 = 3
        package static let lanes: UInt8 = 4
        package static let spans: UInt8 = 5
        package static let waits: UInt8 = 6
        package static let marks: UInt8 = 7
        package static let counters: UInt8 = 8
        package static let flows: UInt8 = 9
    }

    /// The first flag byte of a span.
    package enum SpanFlag {
        /// The span is on another lane than the span before it: a lane slot follows.
        package static let lane: UInt8 = 0x01
        /// The id is not the previous id on the lane plus one: a zigzag delta follows.
        package static let id: UInt8 = 0x02
        /// The end is before the previous end on the lane: the end delta is subtracted.
        package static let endBack: UInt8 = 0x04
        /// The name differs from the previous span's on the lane: a string index follows.
        package static let name: UInt8 = 0x08
        /// The span has a parent: zigzag(id − parent) follows.
        package static let parent: UInt8 = 0x10
        /// The span has a CPU time: zigzag(duration − cpuTime) follows.
        package static let cpuTime: UInt8 = 0x20
        /// The thread differs from the lane slot's: zigzag(thread − slot thread) follows.
        package static let thread: UInt8 = 0x40
        /// A second flag byte follows.
        package static let more: UInt8 = 0x80
    }

    /// The second flag byte of a span.
    package enum SpanFlag2 {
        /// Attributes follow.
        package static let attributes: UInt8 = 0x01
        /// Waits follow.
        package static let waits: UInt8 = 0x02
        /// The span ends before it starts: the duration is subtracted.
        package static let negativeDuration: UInt8 = 0x04
        package static let known: UInt8 = 0x07
    }

    /// A wait's first byte: the reason in the low five bits, and whether an object follows.
    package static let waitHasObject: UInt8 = 0x80
    package static let waitReasonMask: UInt8 = 0x1F
}
