import CLanesSupport

#if canImport(Glibc)
import Glibc
#endif

/// Where record buffers come from: 2 MiB-aligned slabs that the kernel may back with one huge page
/// each, carved into buffers. A thread that fills buffers at full speed then takes one page fault
/// per 2 MiB (65,536 records) instead of one per 4 KiB, which is what lets several recording
/// threads scale instead of queueing in the kernel's fault path. Only used under the registry's lock.
struct BufferSlabs {
    static let slabBytes = 2 << 20

    private struct Slab {
        var base: UnsafeMutableRawPointer
        var carved = 0
        var live = 0
    }

    private var slabs: [UInt: Slab] = [:]
    private var current: UInt?
    /// Emptied slabs kept mapped (their pages already faulted in) for the next buffers, up to
    /// `retainedLimit`, as malloc keeps freed memory: a recorder started again, or a burst after a
    /// lull, then writes into warm memory instead of making the kernel zero new pages.
    private var retained: [UnsafeMutableRawPointer] = []
    static let retainedLimit = 32

    /// A buffer of `bytes` (a divisor of the slab size), or nil if memory could not be mapped.
    mutating func allocate(bytes: Int) -> UnsafeMutablePointer<lanes_record>? {
        guard bytes <= BufferSlabs.slabBytes, BufferSlabs.slabBytes % bytes == 0 else {
            return UnsafeMutablePointer<lanes_record>.allocate(capacity: bytes / 32)
        }
        if current == nil || slabs[current!]!.carved + bytes > BufferSlabs.slabBytes {
            guard let base = retained.popLast() ?? BufferSlabs.mapSlab() else { return nil }
            let key = UInt(bitPattern: base)
            slabs[key] = Slab(base: base)
            current = key
        }
        let key = current!
        let p = slabs[key]!.base + slabs[key]!.carved
        slabs[key]!.carved += bytes
        slabs[key]!.live += 1
        return p.bindMemory(to: lanes_record.self, capacity: bytes / 32)
    }

    /// Gives a buffer back; a slab whose buffers are all back is unmapped.
    mutating func free(_ buffer: UnsafeMutablePointer<lanes_record>, bytes: Int) {
        guard bytes <= BufferSlabs.slabBytes, BufferSlabs.slabBytes % bytes == 0 else {
            buffer.deallocate()
            return
        }
        let key = UInt(bitPattern: buffer) & ~UInt(BufferSlabs.slabBytes - 1)
        guard var slab = slabs[key] else { return }
        slab.live -= 1
        if slab.live == 0 {
            if retained.count < BufferSlabs.retainedLimit {
                retained.append(slab.base)
            } else {
                munmap(slab.base, BufferSlabs.slabBytes)
            }
            slabs[key] = nil
            if current == key { current = nil }
        } else {
            slabs[key] = slab
        }
    }

    private static func mapSlab() -> UnsafeMutableRawPointer? {
        let size = slabBytes * 2
        guard let raw = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            raw != MAP_FAILED
        else { return nil }
        let start = UInt(bitPattern: raw)
        let aligned = (start + UInt(slabBytes - 1)) & ~UInt(slabBytes - 1)
        let head = Int(aligned - start)
        if head > 0 { munmap(raw, head) }
        let tail = size - head - slabBytes
        if tail > 0 { munmap(UnsafeMutableRawPointer(bitPattern: aligned + UInt(slabBytes)), tail) }
        let base = UnsafeMutableRawPointer(bitPattern: aligned)!
        _ = madvise(base, slabBytes, 14)  // MADV_HUGEPAGE; a hint, harmless where huge pages are off
        return base
    }
}
