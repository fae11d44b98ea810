#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import LanesRender

/// The PNG chart to embed in a page; nil, with a warning, when it cannot be encoded (the page is still useful).
func embeddedPNG(_ layout: LanesRender.Layout, font: ChartFont) -> [UInt8]? {
    do {
        return try PNGChart.encode(layout, font: font)
    } catch {
        printError("warning: the HTML page has no PNG chart: \(error)")
        return nil
    }
}

/// Writes the page to `path` through a temporary file renamed into place, so a failed write leaves
/// no partial page; fails with one line that names the file.
func writeHTML(_ report: HTMLReport, to path: String) throws {
    let bytes = report.render()
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw CLIError("cannot write \(path): \(String(cString: strerror(errno)))") }
    var written = 0
    var failure: Int32 = 0
    bytes.withUnsafeBytes { buffer in
        while written < buffer.count {
            let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return
            }
            written += n
        }
    }
    if close(fd) != 0, failure == 0 { failure = errno }
    if failure == 0, rename(temporary, path) != 0 { failure = errno }
    if failure != 0 {
        unlink(temporary)
        throw CLIError("cannot write \(path): \(String(cString: strerror(failure)))")
    }
}
