#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Readers take `-` as standard input.
package enum StandardInput {
    /// Whether `path` means standard input.
    package static func isStandardInput(_ path: String) -> Bool { path == "-" }

    /// Reads descriptor `fd` (standard input by default, or any pipe, FIFO or file) to its end; nil and `errno`
    /// set on a read error.
    package static func readAll(_ fd: Int32 = 0) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress, raw.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<n])
        }
    }
}
