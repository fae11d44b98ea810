import LanesCore
import LanesRecord

#if canImport(Glibc)
import Glibc
import LanesSupport
#endif

extension ScenarioCatalog {
    /// SHA-256 of 20 files of 512 KB (times the scale) in a temporary folder (Example 3): reads are
    /// recorded as `ioRead` waits, and the hashes must be the same under every model.
    public static let fileHash = Scenario(
        name: "file-hash", seedSection: "Example 3",
        summary: "SHA-256 of 20 files of 512 KB (scaled) written to a temporary folder", demo: DemoSize(secondsPerModel: 0.3),
        models: [.sequential, .threads, .threadPerTask, .dispatch, .processes, .async, .gil]
    ) { model, options in
        let size = max(4_096, Int(512 * 1024 * options.scale))
        let folder = try hashFiles(size: size)
        defer { if !ProcessWorker.active.load(ordering: .acquiring) { removeFolder(folder, files: 20) } }
        let workload = Workload(
            name: "hash file", items: (0..<20).map { "\(folder)/file-\($0).bin" },
            work: { (path: String, context: WorkContext) -> String in
                let bytes = try context.blocking { try TracedFile(path: path, mode: .read).readAll() }
                var hash = SHA256()
                var offset = 0
                while offset < bytes.count {
                    let end = min(bytes.count, offset + 65_536)
                    hash.update(bytes[offset..<end])
                    offset = end
                    context.checkpoint()
                }
                return hash.finish().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            },
            combine: { hashes in "20 files of \(size) bytes, SHA-256 of their hashes \(SHA256.hex(Array(hashes.joined().utf8)).prefix(16))" },
            transport: ResultTransport(encode: { $0 }, decode: { $0 }))
        return try Runner.run(workload, model: model, options: options)
    }

    /// Writes the 20 files (each filled from its index) unless they are there, and returns the folder.
    static func hashFiles(size: Int) throws -> String {
        let folder = "/tmp/lanes-file-hash-\(getuid())-\(size)"
        mkdir(folder, 0o700)
        for i in 0..<20 {
            let path = "\(folder)/file-\(i).bin"
            var st = stat()
            if stat(path, &st) == 0 && Int(st.st_size) == size { continue }
            var state = UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            let bytes = (0..<size).map { _ -> UInt8 in
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                return UInt8(truncatingIfNeeded: state)
            }
            try TracedFile(path: path, mode: .write).write(bytes)
        }
        return folder
    }

    static func removeFolder(_ folder: String, files: Int) {
        for i in 0..<files { unlink("\(folder)/file-\(i).bin") }
        rmdir(folder)
    }
}
