#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where an output path leads: symbolic links followed to the file they name.
package struct OutputTarget: Sendable {
    /// The path that is replaced: the given one, or the end of its chain of symbolic links.
    package var path: String
    /// The directory that holds `path` (where the temporary file goes).
    package var directory: String
    /// The file name of `path`.
    package var name: String
    /// The existing file's mode bits (permissions), or nil when nothing is there yet.
    package var existingMode: mode_t?
    /// The existing file's owner, kept when the file is replaced by root.
    package var existingOwner: (uid: uid_t, gid: gid_t)?

    /// Resolves `path` and refuses what Lanes must not replace: a directory, a device, a FIFO, a socket, one of
    /// `inputs` (compared by device and inode, or by path when the output does not exist yet).
    package static func resolve(_ path: String, inputs: [String] = []) throws(OutputError) -> OutputTarget {
        guard !path.isEmpty else { throw OutputError(.badPath, path: path, problem: "the path is empty") }
        var current = path
        var hops = 0
        var info = stat()
        while lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK {
            hops += 1
            guard hops <= 40 else {
                throw OutputError(.badPath, path: path, problem: "too many levels of symbolic links", errno: ELOOP)
            }
            guard let link = readLink(current) else {
                let code = errno
                throw OutputError(.system, path: path, problem: "readlink \(current): \(errorText(code))", errno: code)
            }
            current = link.hasPrefix("/") ? link : join(split(current).directory, link)
        }
        let (directory, name) = split(current)
        guard !name.isEmpty, name != ".", name != ".." else {
            throw OutputError(.notARegularFile, path: path, problem: "it names a directory, not a file")
        }
        var target = OutputTarget(path: current, directory: directory, name: name)
        if stat(current, &info) == 0 {
            if let kind = refusedKind(info.st_mode) {
                throw OutputError(
                    .notARegularFile, path: path,
                    problem: "it is \(kind), not a regular file; Lanes replaces only regular files")
            }
            for input in inputs {
                var seen = stat()
                if stat(input, &seen) == 0, seen.st_dev == info.st_dev, seen.st_ino == info.st_ino {
                    throw OutputError(.isAnInput, path: path, problem: inputProblem(input, path))
                }
            }
            target.existingMode = info.st_mode & 0o7777
            target.existingOwner = (info.st_uid, info.st_gid)
        } else {
            let code = errno
            guard code == ENOENT else {
                throw OutputError(.system, path: path, problem: "stat: \(errorText(code))", errno: code)
            }
            let mine = normalized(current)
            for input in inputs where normalized(input) == mine || normalized(input) == normalized(path) {
                throw OutputError(.isAnInput, path: path, problem: inputProblem(input, path))
            }
        }
        return target
    }

    private static func inputProblem(_ input: String, _ path: String) -> String {
        input == path
            ? "it is also an input; refusing to overwrite what is being read"
            : "it is the input \(input); refusing to overwrite what is being read"
    }

    /// "a directory", "a character device"… for the file types Lanes refuses; nil for a regular file.
    private static func refusedKind(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: nil
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        default: "a special file"
        }
    }
}

/// The directory and file name of `path` ("." for a bare name).
package func split(_ path: String) -> (directory: String, name: String) {
    var p = Substring(path)
    while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
    guard let slash = p.lastIndex(of: "/") else { return (".", String(p)) }
    let directory = slash == p.startIndex ? "/" : String(p[..<slash])
    return (directory, String(p[p.index(after: slash)...]))
}

private func join(_ directory: String, _ name: String) -> String {
    directory == "/" ? "/" + name : directory + "/" + name
}

/// An absolute path without `.` components, empty components or (textually resolved) `..`.
private func normalized(_ path: String) -> String {
    var full = path
    if !path.hasPrefix("/") {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        if getcwd(&buffer, buffer.count) != nil {
            full = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) + "/" + path
        }
    }
    var parts: [Substring] = []
    for part in full.split(separator: "/") {
        if part == "." { continue }
        if part == ".." { _ = parts.popLast(); continue }
        parts.append(part)
    }
    return "/" + parts.joined(separator: "/")
}

private func readLink(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let n = readlink(path, &buffer, buffer.count - 1)
    guard n >= 0 else { return nil }
    return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// `strerror` as a Swift string.
package func errorText(_ code: Int32) -> String {
    strerror(code).map { String(cString: $0) } ?? "error \(code)"
}
