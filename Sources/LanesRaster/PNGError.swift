/// Why a PNG could not be encoded, decoded, written or read.
public struct PNGError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public enum Kind: Sendable, Equatable {
        /// libpng could not encode the image (for example, an empty canvas).
        case encode
        /// The bytes are not a PNG that libpng reads, or are damaged.
        case decode
        /// A file could not be created, written, renamed or read.
        case io
    }

    /// The kind of failure.
    public var kind: Kind
    /// What went wrong, in words (libpng's message or the operation that failed).
    public var message: String
    /// The file involved, for ``Kind/io`` and path-based calls.
    public var path: String?
    /// The `errno` value of a failed system call.
    public var systemError: Int32?

    /// An error from its parts.
    public init(kind: Kind, message: String, path: String? = nil, systemError: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.systemError = systemError
    }

    /// The message, prefixed by the path when there is one.
    public var description: String {
        var text = path.map { "'\($0)': " } ?? ""
        text += message
        if let systemError { text += " (errno \(systemError))" }
        return text
    }
}
