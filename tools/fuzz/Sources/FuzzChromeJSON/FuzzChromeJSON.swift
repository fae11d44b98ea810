import LanesCore
import LanesFormat

/// One input for libFuzzer: the Chrome Trace JSON importer must return a trace (with warnings) or
/// throw, never crash, hang or grow without bound; what it returns must export and read back.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzChromeJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let result = try? ChromeJSON.decode(bytes) else { return 0 }
    _ = result.trace.validate()
    _ = try? ChromeJSON.decode(ChromeJSON.encode(result.trace))
    return 0
}
