#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import LanesSupport

extension LanesFile {
    /// Rewrites the finished `.lanes` file at `path` without its task records chunks (`'T'`, FORMAT.md), which a
    /// finished file does not need: the same bytes as if they had never been written. Through a temporary file
    /// renamed over `path` (``LanesFileSink/init(creatingFileAt:inputs:streamingToFIFO:)``), so a failure or a kill
    /// leaves the file as it was. Returns false, changing nothing, for a file that is not a regular, whole `.lanes`
    /// file or has no such chunk.
    package static func removeTaskRecords(atPath path: String) throws(LanesFormatError) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            _ = systemClose(fd)
            return false
        }
        let size = Int(info.st_size)
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, size), alignment: 16)
        defer { bytes.deallocate() }
        var done = 0
        while done < size {
            let n = systemRead(fd, bytes.baseAddress! + done, size - done)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            done += n
        }
        _ = systemClose(fd)
        guard done == size, size >= Layout.preambleSize, bytes[0..<Layout.magic.count].elementsEqual(Layout.magic)
        else {
            return false
        }
        // The chunks to keep, as ranges of bytes (neighbours merged); the file must end with its end chunk.
        var keep: [Range<Int>] = [0..<Layout.preambleSize]
        var o = Layout.preambleSize
        var removed = false
        var lastKind: UInt8 = 0
        while o < size {
            guard size - o >= Layout.chunkHeaderSize else { return false }
            let length = (1...4).reduce(0) { $0 | Int(bytes[o + $1]) << (8 * ($1 - 1)) }
            guard length <= size - o - Layout.chunkHeaderSize else { return false }
            let end = o + Layout.chunkHeaderSize + length
            lastKind = bytes[o]
            if lastKind == Layout.Kind.taskRecords {
                removed = true
            } else if let last = keep.last, last.upperBound == o {
                keep[keep.count - 1] = last.lowerBound..<end
            } else {
                keep.append(o..<end)
            }
            o = end
        }
        guard removed, lastKind == Layout.Kind.end else { return false }
        var sink = try LanesFileSink(creatingFileAt: path)
        do throws(LanesFormatError) {
            for r in keep { try sink.write(UnsafeRawBufferPointer(rebasing: bytes[r])) }
            try sink.close()
        } catch {
            sink.discard()
            throw error
        }
        return true
    }
}
