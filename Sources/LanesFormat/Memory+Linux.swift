#if os(Linux) && canImport(Glibc)
import Glibc
#endif

extension Array {
    /// Asks the kernel to back this array's storage with 2 MiB pages when it is large (Linux; elsewhere a no-op).
    ///
    /// A million decoded spans fill about 100 MB of fresh memory; with 4 KiB pages, taking the page faults
    /// costs about as much as decoding. Harmless where transparent huge pages are off or unavailable.
    mutating func adviseHugePages() {
        #if os(Linux) && canImport(Glibc)
        let huge = 2 << 20
        let bytes = capacity * MemoryLayout<Element>.stride
        guard bytes >= 8 * huge else { return }
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let first = UInt(bitPattern: base)
            let start = (first + UInt(huge - 1)) & ~UInt(huge - 1)
            let end = (first + UInt(bytes)) & ~UInt(huge - 1)
            guard end > start, let p = UnsafeMutableRawPointer(bitPattern: start) else { return }
            _ = madvise(p, Int(end - start), MADV_HUGEPAGE)
        }
        #endif
    }
}
