#if canImport(Glibc)
import Glibc
#endif

/// The shared libraries an ELF executable names in its dynamic section (`DT_NEEDED`), read from the
/// file itself: no `ldd`, nothing run. Used to tell whether a program is linked against the Swift
/// runtime, so `lanes record` knows the task-recording preload library can see its tasks.
package enum ELFNeeded {
    /// The `DT_NEEDED` names of the 64-bit little-endian ELF file at `path`; nil when it is not one
    /// (a script, a static executable with no dynamic section gives []).
    package static func libraries(ofExecutable path: String) -> [String]? {
        guard let bytes = readPrefix(path, limit: 16 << 20) else { return nil }
        return libraries(in: bytes)
    }

    /// The same, for an ELF image in memory.
    package static func libraries(in bytes: [UInt8]) -> [String]? {
        guard bytes.count >= 64, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46,
            bytes[4] == 2, bytes[5] == 1
        else { return nil }
        func u16(_ o: Int) -> Int? { o >= 0 && o + 2 <= bytes.count ? Int(bytes[o]) | Int(bytes[o + 1]) << 8 : nil }
        func u64(_ o: Int) -> UInt64? {
            guard o >= 0, o + 8 <= bytes.count else { return nil }
            var v: UInt64 = 0
            for i in (0..<8).reversed() { v = v << 8 | UInt64(bytes[o + i]) }
            return v
        }
        guard let phoff = u64(32).flatMap({ Int(exactly: $0) }), let phentsize = u16(54), let phnum = u16(56),
            phentsize >= 56
        else { return nil }
        var loads: [(vaddr: UInt64, offset: UInt64, size: UInt64)] = []
        var dynamic: (offset: Int, size: Int)?
        for i in 0..<phnum {
            let p = phoff + i * phentsize
            guard let type = u64(p).map({ $0 & 0xFFFF_FFFF }), let off = u64(p + 8), let vaddr = u64(p + 16),
                let filesz = u64(p + 32)
            else { return nil }
            if type == 1 { loads.append((vaddr, off, filesz)) }
            if type == 2, let o = Int(exactly: off), let s = Int(exactly: filesz) { dynamic = (o, s) }
        }
        guard let dyn = dynamic else { return [] }
        var needed: [Int] = []
        var strtab: UInt64?
        var p = dyn.offset
        while p + 16 <= min(bytes.count, dyn.offset + dyn.size), let tag = u64(p), tag != 0, let val = u64(p + 8) {
            if tag == 1, let v = Int(exactly: val) { needed.append(v) }
            if tag == 5 { strtab = val }
            p += 16
        }
        guard let address = strtab,
            let seg = loads.first(where: { address >= $0.vaddr && address < $0.vaddr + $0.size }),
            let base = Int(exactly: address - seg.vaddr + seg.offset)
        else { return needed.isEmpty ? [] : nil }
        return needed.compactMap { off in
            var end = base + off
            guard end >= 0, end < bytes.count else { return nil }
            while end < bytes.count, bytes[end] != 0 { end += 1 }
            return String(decoding: bytes[(base + off)..<end], as: UTF8.self)
        }
    }

    /// Whether the executable at `path` loads the Swift runtime as a shared library (so a preload
    /// library can interpose its calls): it names libswiftCore.so or libswift_Concurrency.so.
    package static func linksSwiftRuntime(_ path: String) -> Bool {
        guard let libs = libraries(ofExecutable: path) else { return false }
        return libs.contains { $0.hasPrefix("libswiftCore.so") || $0.hasPrefix("libswift_Concurrency.so") }
    }

    /// `command` as `posix_spawnp` finds it: itself if it has a slash, else the first executable of that
    /// name in `PATH`.
    package static func resolve(_ command: String) -> String? {
        if command.contains("/") { return access(command, X_OK) == 0 ? command : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (dir.isEmpty ? "." : String(dir)) + "/" + command
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    private static func readPrefix(_ path: String, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while out.count < limit {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}
