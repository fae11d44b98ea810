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

/// Writes the page to `path` (never onto one of `inputs`) through the shared output writer, so a failed write
/// leaves no partial page; fails with one line that names the file.
func writeHTML(_ report: HTMLReport, to path: String, inputs: [String] = []) throws {
    try writeOutput(report.render(), to: path, inputs: inputs, allowStandardOutput: true)
}
