#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Synchronization

/// The one way Lanes writes a file.
///
/// The bytes go to a new temporary file beside the target (created with `O_EXCL|O_NOFOLLOW`, so nothing planted at
/// its name is followed or reused); ``commit()`` fsyncs it and renames it over the target. Until then the old file
/// is untouched, and on any failure (or when the writer is dropped uncommitted) the temporary file is removed.
/// A directory, a device, a FIFO, a socket or one of the inputs is refused before anything is created; a
/// symbolic link is followed, so its target is replaced and the link kept. `-` is standard output when the
/// caller allows it (written directly, no temporary).
///
/// A process killed while writing leaves the temporary file, named `.NAME.XXXXXXXX.partial` beside the target.
package final class OutputFile: Sendable {
    /// `write(2)` as the writer calls it; tests swap in failures.
    package typealias WriteCall = (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int

    /// The path as the caller gave it (used in errors).
    package let path: String
    /// The file being written: the temporary file, or 1 for standard output.
    package let fileDescriptor: Int32
    /// The temporary file's path; nil for standard output.
    package let temporaryPath: String?
    /// Where the temporary file goes on ``commit()``.
    package let target: OutputTarget?
    /// Whether ``commit()`` closes the descriptor (a FIFO written directly); standard output stays open.
    private let closesDirectDescriptor: Bool

    /// Open until committed or discarded.
    private let isOpen = Mutex(true)

    /// Opens a temporary file for `path`; see the type's documentation for what is refused.
    /// - Parameters:
    ///   - inputs: the files the command reads; none of them may be the output.
    ///   - allowStandardOutput: whether `-` means standard output (else it is refused).
    ///   - allowFIFO: whether an existing FIFO at `path` is written directly, as a stream (a recording read
    ///     by another process as it goes), instead of being refused.
    package init(
        path: String, inputs: [String] = [], allowStandardOutput: Bool = false, allowFIFO: Bool = false
    ) throws(OutputError) {
        self.path = path
        if path == "-" {
            guard allowStandardOutput else {
                throw OutputError(
                    .badPath, path: path, problem: "'-' (standard output) is not accepted for this output")
            }
            fileDescriptor = 1
            temporaryPath = nil
            target = nil
            closesDirectDescriptor = false
            return
        }
        var info = stat()
        if allowFIFO, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFIFO {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else {
                let code = errno
                throw OutputError(.system, path: path, problem: "open: \(errorText(code))", errno: code)
            }
            fileDescriptor = fd
            temporaryPath = nil
            target = nil
            closesDirectDescriptor = true
            return
        }
        let target = try OutputTarget.resolve(path, inputs: inputs)
        let (fd, temporary) = try Self.createTemporary(for: target, path: path)
        if let mode = target.existingMode { _ = fchmod(fd, mode) }
        if let owner = target.existingOwner, geteuid() == 0 { _ = fchown(fd, owner.uid, owner.gid) }
        self.target = target
        self.fileDescriptor = fd
        self.temporaryPath = temporary
        self.closesDirectDescriptor = false
    }

    /// Writes all of `bytes` (continuing short writes); on failure the temporary file is removed.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        try write(bytes) { fd, b in systemWrite(fd, b.baseAddress, b.count) }
    }

    /// Writes all of `bytes` with `writeCall` standing in for `write(2)` (tests inject failures).
    package func write(_ bytes: UnsafeRawBufferPointer, calling writeCall: WriteCall) throws(OutputError) {
        guard isOpen.withLock({ $0 }) else {
            throw OutputError(.badPath, path: path, problem: "the output was already finished or abandoned")
        }
        guard var p = bytes.baseAddress else { return }
        var left = bytes.count
        while left > 0 {
            let n = writeCall(fileDescriptor, UnsafeRawBufferPointer(start: p, count: left))
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw fail("write", code)
            }
            if n == 0 { throw fail("write", ENOSPC) }
            p += n
            left -= n
        }
    }

    /// Writes all of `bytes`.
    package func write(_ bytes: [UInt8]) throws(OutputError) {
        try write(bytes) { fd, b in systemWrite(fd, b.baseAddress, b.count) }
    }

    /// Writes all of `bytes` with `writeCall` standing in for `write(2)`.
    package func write(_ bytes: [UInt8], calling writeCall: WriteCall) throws(OutputError) {
        let result: Result<Void, OutputError> = bytes.withUnsafeBytes { raw in
            do throws(OutputError) { try write(raw, calling: writeCall) } catch { return .failure(error) }
            return .success(())
        }
        try result.get()
    }

    /// Fsyncs the temporary file and renames it over the target. Standard output is only flushed.
    package func commit() throws(OutputError) {
        guard
            isOpen.withLock({ open in
                defer { open = false }
                return open
            })
        else {
            throw OutputError(.badPath, path: path, problem: "the output was already finished or abandoned")
        }
        guard let temporaryPath, let target else {
            if closesDirectDescriptor, systemClose(fileDescriptor) != 0 {
                let code = errno
                throw OutputError(.system, path: path, problem: "close: \(errorText(code))", errno: code)
            }
            return
        }
        func failed(_ what: String, _ code: Int32) -> OutputError {
            unlink(temporaryPath)
            return OutputError(.system, path: path, problem: Self.problem(what, code), errno: code)
        }
        if fsync(fileDescriptor) != 0 {
            let code = errno
            _ = systemClose(fileDescriptor)
            throw failed("fsync", code)
        }
        if systemClose(fileDescriptor) != 0 { throw failed("close", errno) }
        // Checked again: something may have been put at the path since it was opened.
        do {
            _ = try OutputTarget.resolve(target.path)
        } catch {
            unlink(temporaryPath)
            throw OutputError(error.kind, path: path, problem: error.problem, errno: error.errno)
        }
        if rename(temporaryPath, target.path) != 0 { throw failed("rename", errno) }
        // The rename itself is made durable by syncing the directory (best effort: not every file system can).
        let dir = open(target.directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            _ = systemClose(dir)
        }
    }

    /// Closes and removes the temporary file, leaving the target as it was. Does nothing once committed.
    package func discard() {
        let wasOpen = isOpen.withLock { open in
            defer { open = false }
            return open
        }
        guard wasOpen else { return }
        if let temporaryPath {
            _ = systemClose(fileDescriptor)
            unlink(temporaryPath)
        } else if closesDirectDescriptor {
            _ = systemClose(fileDescriptor)
        }
    }

    deinit { discard() }

    /// Writes `bytes` to `path` in one go: open, write, commit (see the type).
    package static func write(
        _ bytes: [UInt8], to path: String, inputs: [String] = [], allowStandardOutput: Bool = false
    ) throws(OutputError) {
        let file = try OutputFile(path: path, inputs: inputs, allowStandardOutput: allowStandardOutput)
        try file.write(bytes)
        try file.commit()
    }

    /// Refuses `path` as an output before any work is done, for the reasons ``init(path:inputs:allowStandardOutput:)``
    /// would; creates nothing.
    package static func check(_ path: String, inputs: [String] = [], allowStandardOutput: Bool = false)
        throws(OutputError)
    {
        if path == "-" {
            guard allowStandardOutput else {
                throw OutputError(
                    .badPath, path: path, problem: "'-' (standard output) is not accepted for this output")
            }
            return
        }
        let target = try OutputTarget.resolve(path, inputs: inputs)
        guard access(target.directory, W_OK) == 0 else {
            let code = errno
            throw OutputError(
                .system, path: path, problem: "directory \(target.directory): \(errorText(code))", errno: code)
        }
    }

    private func fail(_ what: String, _ code: Int32) -> OutputError {
        discard()
        return OutputError(.system, path: path, problem: Self.problem(what, code), errno: code)
    }

    private static func problem(_ what: String, _ code: Int32) -> String {
        "\(errorText(code)) (\(what) failed; the file was not changed)"
    }

    /// Creates `.NAME.XXXXXXXX.partial` beside the target with `O_EXCL|O_NOFOLLOW`, trying new names on a clash.
    private static func createTemporary(for target: OutputTarget, path: String) throws(OutputError) -> (Int32, String) {
        let stem = String(decoding: target.name.utf8.prefix(100), as: UTF8.self)
        let prefix = (target.directory == "/" ? "/" : target.directory + "/") + "." + stem + "."
        var code: Int32 = EEXIST
        for _ in 0..<100 {
            let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            let candidate = prefix + String(repeating: "0", count: 8 - suffix.count) + suffix + ".partial"
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if fd >= 0 { return (fd, candidate) }
            code = errno
            if code != EEXIST && code != EINTR { break }
        }
        throw OutputError(
            .system, path: path,
            problem: "cannot create a temporary file in \(target.directory): \(errorText(code))", errno: code)
    }
}

/// `write(2)`, named apart from the methods above.
package func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.write(fd, p, n)
    #elseif canImport(Musl)
        return Musl.write(fd, p, n)
    #else
        return Darwin.write(fd, p, n)
    #endif
}

/// `read(2)`, named apart from methods called `read`.
package func systemRead(_ fd: Int32, _ p: UnsafeMutableRawPointer?, _ n: Int) -> Int {
    #if canImport(Glibc)
        return Glibc.read(fd, p, n)
    #elseif canImport(Musl)
        return Musl.read(fd, p, n)
    #else
        return Darwin.read(fd, p, n)
    #endif
}

/// `close(2)`, named apart from methods called `close`.
package func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
        return Glibc.close(fd)
    #elseif canImport(Musl)
        return Musl.close(fd)
    #else
        return Darwin.close(fd)
    #endif
}
