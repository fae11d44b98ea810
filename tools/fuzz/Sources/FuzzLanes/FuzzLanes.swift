import LanesCore
import LanesFormat

/// One input for libFuzzer: the `.lanes` reader must return a trace or throw, never crash, hang or
/// grow without bound, whether the bytes come whole or split in two (as from a pipe).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLanes(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let whole = try? LanesFile.decode(bytes)
    var reader = LanesReader()
    let cut = size / 2
    let split: LanesReadResult? = {
        do {
            try reader.feed(UnsafeRawBufferPointer(rebasing: bytes[..<cut]))
            try reader.feed(UnsafeRawBufferPointer(rebasing: bytes[cut...]))
            return try reader.finish()
        } catch {
            return nil
        }
    }()
    // Feeding in pieces must read exactly what feeding at once does.
    if (whole == nil) != (split == nil) || whole?.trace != split?.trace { fatalError("split feeding differs") }
    if let t = whole?.trace { _ = t.validate() }
    return 0
}
