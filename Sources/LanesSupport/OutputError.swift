/// Why an output file was not written. The old file at the path, if any, is untouched.
package struct OutputError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kinds of failure.
    package enum Kind: Hashable, Sendable {
        /// The path names something Lanes does not replace: a directory, a device, a FIFO, a socket.
        case notARegularFile
        /// The path names one of the files the command reads.
        case isAnInput
        /// The path is empty, or a symbolic link chain that does not end.
        case badPath
        /// A system call failed (`errno` says why).
        case system
    }

    /// What kind of failure.
    package var kind: Kind
    /// The output path as the caller gave it.
    package var path: String
    /// What failed, in words, without the path ("it is a directory", "write: No space left on device").
    package var problem: String
    /// The `errno` of a failed system call, else nil.
    package var errno: Int32?

    package init(_ kind: Kind, path: String, problem: String, errno: Int32? = nil) {
        self.kind = kind
        self.path = path
        self.problem = problem
        self.errno = errno
    }

    /// One line: `cannot write PATH: PROBLEM`.
    package var description: String { "cannot write \(path): \(problem)" }
}
