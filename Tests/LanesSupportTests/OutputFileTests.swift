import Foundation
import LanesSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The one output writer: what it refuses, what it follows, and what a failure leaves.
@Suite struct OutputFileTests {
    @Test func writesANewFileAndReplacesAnOldOne() throws {
        let dir = try Scratch()
        let path = dir.file("out.txt")
        try OutputFile.write(Array("first".utf8), to: path)
        #expect(dir.read("out.txt") == "first")
        chmod(path, 0o600)
        try OutputFile.write(Array("second".utf8), to: path)
        #expect(dir.read("out.txt") == "second")
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600, "a replaced file keeps its mode")
        #expect(dir.names() == ["out.txt"], "no temporary file is left")
    }

    @Test func refusesADirectory() throws {
        let dir = try Scratch()
        mkdir(dir.file("d"), 0o755)
        let error = try #require(throws: OutputError.self) { try OutputFile.write([1], to: dir.file("d")) }
        #expect(error.kind == .notARegularFile)
        #expect(
            error.description
                == "cannot write \(dir.file("d")): it is a directory, not a regular file; Lanes replaces only regular files"
        )
        #expect(dir.names() == ["d"])
    }

    @Test func refusesACharacterDeviceAndLeavesIt() throws {
        let error = try #require(throws: OutputError.self) { try OutputFile.write([1, 2, 3], to: "/dev/full") }
        #expect(error.kind == .notARegularFile && error.problem.contains("character device"))
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        #expect(throws: OutputError.self) { try OutputFile.write([1], to: "/dev/null") }
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    @Test func refusesAFIFOWithoutBlocking() throws {
        let dir = try Scratch()
        let fifo = dir.file("pipe")
        #expect(mkfifo(fifo, 0o644) == 0)
        let error = try #require(throws: OutputError.self) { try OutputFile.write([1], to: fifo) }
        #expect(error.problem.contains("FIFO"))
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(dir.names() == ["pipe"])
    }

    @Test func writesThroughASymbolicLinkAndKeepsTheLink() throws {
        let dir = try Scratch()
        mkdir(dir.file("real"), 0o755)
        dir.write("real/target.txt", "old")
        #expect(symlink("real/target.txt", dir.file("link.txt")) == 0)
        try OutputFile.write(Array("new".utf8), to: dir.file("link.txt"))
        var info = stat()
        #expect(lstat(dir.file("link.txt"), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "the link is kept")
        #expect(dir.read("real/target.txt") == "new", "its target is written")
        #expect(dir.names() == ["link.txt", "real"])
        #expect(dir.names("real") == ["target.txt"])
        // A dangling link: the file it names is created.
        #expect(symlink("real/fresh.txt", dir.file("dangling")) == 0)
        try OutputFile.write(Array("made".utf8), to: dir.file("dangling"))
        #expect(dir.read("real/fresh.txt") == "made")
        // A loop is refused.
        #expect(symlink("loop-b", dir.file("loop-a")) == 0 && symlink("loop-a", dir.file("loop-b")) == 0)
        #expect(throws: OutputError.self) { try OutputFile.write([1], to: dir.file("loop-a")) }
    }

    @Test func refusesAnInputByInodeAndByPath() throws {
        let dir = try Scratch()
        dir.write("in.lanes", "the input")
        #expect(symlink("in.lanes", dir.file("alias")) == 0)
        #expect(link(dir.file("in.lanes"), dir.file("hard")) == 0)
        for output in [dir.file("in.lanes"), dir.file("alias"), dir.file("hard"), dir.path + "/./in.lanes"] {
            let error = try #require(throws: OutputError.self) {
                try OutputFile.write([0], to: output, inputs: [dir.file("in.lanes")])
            }
            #expect(error.kind == .isAnInput, "\(output)")
        }
        #expect(dir.read("in.lanes") == "the input")
        // An input that does not exist yet is compared by path.
        let error = try #require(throws: OutputError.self) {
            try OutputFile.write([0], to: dir.path + "/sub/../new.txt", inputs: [dir.file("new.txt")])
        }
        #expect(error.kind == .isAnInput)
        #expect(dir.names() == ["alias", "hard", "in.lanes"])
    }

    @Test func aPlantedLinkAtATemporaryNameIsNotFollowed() throws {
        let dir = try Scratch()
        dir.write("victim.txt", "precious")
        // The temporary names are random, but whatever sits at any of them must not be followed.
        let file = try OutputFile(path: dir.file("out.html"))
        let temporary = try #require(file.temporaryPath)
        #expect(temporary.hasPrefix(dir.path + "/.out.html.") && temporary.hasSuffix(".partial"))
        file.discard()
        #expect(symlink(dir.file("victim.txt"), temporary) == 0)
        // The same name again (as a predictable name would be): O_EXCL|O_NOFOLLOW refuses it.
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        #expect(fd < 0 && errno == EEXIST)
        try OutputFile.write(Array("page".utf8), to: dir.file("out.html"))
        #expect(dir.read("victim.txt") == "precious")
        #expect(dir.read("out.html") == "page")
    }

    @Test func aFailedWriteRemovesTheTemporaryAndKeepsTheOldFile() throws {
        let dir = try Scratch()
        dir.write("out.json", "old contents")
        let file = try OutputFile(path: dir.file("out.json"))
        var calls = 0
        let error = try #require(throws: OutputError.self) {
            try file.write(Array(repeating: 7, count: 10_000)) { fd, bytes in
                calls += 1
                if calls == 1 { return write(fd, bytes.baseAddress, bytes.count / 2) }
                errno = ENOSPC
                return -1
            }
        }
        #expect(error.errno == ENOSPC)
        #expect(error.description.hasPrefix("cannot write \(dir.file("out.json")): No space left on device"))
        #expect(!error.description.contains("cannot write write"))
        #expect(dir.read("out.json") == "old contents")
        #expect(dir.names() == ["out.json"])
        #expect(throws: OutputError.self) { try file.commit() }
    }

    @Test func aDroppedWriterLeavesNoTemporary() throws {
        let dir = try Scratch()
        do {
            let file = try OutputFile(path: dir.file("a.md"))
            try file.write(Array("partial".utf8))
        }
        #expect(dir.names() == [])
    }

    @Test func standardOutputOnlyWhenAllowed() throws {
        let error = try #require(throws: OutputError.self) { try OutputFile.check("-") }
        #expect(error.kind == .badPath)
        try OutputFile.check("-", allowStandardOutput: true)
        let file = try OutputFile(path: "-", allowStandardOutput: true)
        #expect(file.fileDescriptor == 1 && file.temporaryPath == nil)
    }

    @Test func checkRefusesAMissingDirectoryWithoutCreatingAnything() throws {
        let dir = try Scratch()
        let error = try #require(throws: OutputError.self) { try OutputFile.check(dir.file("no/such/out.png")) }
        #expect(error.description.contains(dir.file("no/such/out.png")))
        #expect(dir.names() == [])
    }

    /// A full file system (a 64 KiB tmpfs, mounted as root): nothing partial, the old file intact.
    @Test func aFullDiskLeavesNoPartialFile() throws {
        guard let mount = TinyFileSystem() else {
            print("skipped: cannot mount a tmpfs here (needs root)")
            return
        }
        defer { mount.unmount() }
        let path = mount.path + "/out.json"
        try OutputFile.write(Array("old".utf8), to: path)
        let error = try #require(throws: OutputError.self) {
            try OutputFile.write(Array(repeating: 65, count: 1 << 20), to: path)
        }
        #expect(error.errno == ENOSPC, "\(error)")
        #expect((try? String(contentsOfFile: path, encoding: .utf8)) == "old")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: mount.path)) == ["out.json"])
    }
}

/// A scratch directory, removed at the end.
final class Scratch {
    let path: String
    init() throws {
        var template = Array((NSTemporaryDirectory() + "/lanes-output-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { throw POSIXError(.EIO) }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ text: String) {
        _ = FileManager.default.createFile(atPath: file(name), contents: Data(text.utf8))
    }
    func read(_ name: String) -> String? { try? String(contentsOfFile: file(name), encoding: .utf8) }
    func names(_ sub: String = "") -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: sub.isEmpty ? path : file(sub))) ?? []).sorted()
    }
}

/// A 64 KiB tmpfs mounted on a scratch directory; nil when mounting is not allowed.
struct TinyFileSystem {
    let path: String
    init?() {
        var template = Array((NSTemporaryDirectory() + "/lanes-tmpfs-XXXXXX").utf8CString)
        guard geteuid() == 0, mkdtemp(&template) != nil else { return nil }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard Glibc.mount("tmpfs", path, "tmpfs", 0, "size=64k") == 0 else {
            rmdir(path)
            return nil
        }
    }
    func unmount() {
        umount2(path, Int32(MNT_DETACH))
        rmdir(path)
    }
}
