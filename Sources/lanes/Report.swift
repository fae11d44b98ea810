import ArgumentParser
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import LanesAnalysis
import LanesCore
import LanesFormat
import LanesRender
import LanesSupport

/// Chart options shared by `lanes report` and `lanes compare`.
struct ChartArguments: ParsableArguments {
    // Numbers parse unconditionally, so `--width -5` is told its range rather than "missing value".
    @Option(parsing: .unconditional, help: "Image width in points.")
    var width: Int = 1600

    @Option(parsing: .unconditional, help: "Least image height in points; rows grow to fill it.")
    var height: Int?

    @Option(parsing: .unconditional, help: "Pixels per point (2 for HiDPI).")
    var scale: Int = 1

    @Option(help: "Colour theme.")
    var theme: ChartOptions.Theme = .light

    @Option(help: "Rows: lane (as recorded), thread, task or process.")
    var groupBy: ChartOptions.Grouping = .lane

    @Option(help: "Start of the time window from the trace's start (e.g. 250ms, 1.5s, 20us, or ns).")
    var from: String?

    @Option(help: "End of the time window from the trace's start.")
    var to: String?

    @Option(parsing: .unconditional, help: "At most this many rows; the rest are summarised in one row.")
    var maxLanes: Int = 64

    @Option(
        parsing: .unconditional,
        help: "Nesting levels a lane shows, one line each (1...16); deeper spans go on the last.")
    var depth: Int = ChartOptions.defaultDepthLimit

    @Flag(help: "Draw flows (producer → consumer, submit → run) as arrows.")
    var flows = false

    @Option(help: "A TrueType font to draw text with (default: DejaVu Sans, else a built-in bitmap font).")
    var font: String?

    func options() throws -> ChartOptions {
        guard (320...20000).contains(width) else { throw ValidationError("--width must be 320...20000, not \(width)") }
        if let height, !(100...20000).contains(height) {
            throw ValidationError("--height must be 100...20000, not \(height)")
        }
        guard (1...4).contains(scale) else { throw ValidationError("--scale must be 1...4, not \(scale)") }
        guard maxLanes >= 1 else { throw ValidationError("--max-lanes must be at least 1, not \(maxLanes)") }
        guard (1...16).contains(depth) else { throw ValidationError("--depth must be 1...16, not \(depth)") }
        func duration(_ name: String, _ text: String?) throws -> Nanoseconds? {
            guard let text else { return nil }
            guard let v = parseDuration(text) else {
                throw ValidationError("--\(name) must be a duration such as 250ms, 1.5s or 20us, not '\(text)'")
            }
            return v
        }
        let f = try duration("from", from), t = try duration("to", to)
        if let f, let t, t <= f { throw ValidationError("--to must be after --from") }
        return ChartOptions(
            width: width, height: height, scale: scale, theme: theme, groupBy: groupBy, from: f, to: t,
            maxLanes: maxLanes,
            showFlows: flows, depthLimit: depth)
    }

    /// The font, with any problem finding it reported once on stderr.
    func resolveFont() -> ChartFont {
        let f = ChartFont.resolve(path: font)
        for p in f.problems { printError("warning: \(p)") }
        return f
    }
}

/// `lanes report TRACE --png OUT.png | --mermaid OUT.mmd | --markdown OUT.md | --text`: one trace as
/// a Gantt chart, Mermaid, Markdown or terminal text.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draws a trace as a Gantt chart.")

    @Argument(help: "A trace file: .lanes, or Chrome Trace Event JSON (.json).")
    var trace: String

    @Option(help: "The PNG file to write.")
    var png: String?

    @Option(help: "A self-contained HTML page to write (interactive timeline, statistics, the PNG chart).")
    var html: String?

    @OptionGroup var outputs: TextOutputs

    @OptionGroup var chart: ChartArguments

    @OptionGroup var analysis: AnalysisArguments

    func run() throws {
        // Checked here, not in validate(): argument-parser validates before it reports an unknown option,
        // so `--bogus` alone was told to give an output.
        if png == nil && html == nil && !outputs.any {
            throw ValidationError("give at least one of --png, --html, --mermaid, --markdown or --text")
        }
        let options = try chart.options()
        let analysisOptions = try analysis.options()
        try checkOutputs([png, html, outputs.mermaid, outputs.markdown], inputs: [trace], standardOutput: ["-"])
        let result = try readTrace(trace)
        for w in result.warnings { printError("warning: \(trace): \(w)") }
        if png != nil || html != nil {
            let font = chart.resolveFont()
            let layout = LanesRender.Layout.chart(of: result.trace, options: options, measure: font.measure)
            if let png { try writePNG(layout, to: png, font: font, inputs: [trace]) }
            if let html {
                let gantt = Mermaid.gantt(of: result.trace, options: TextOutputs.ganttOptions(options)).text
                var report = HTMLReport(
                    trace: result.trace, options: options, png: embeddedPNG(layout, font: font), mermaid: gantt)
                report.findings = [Analysis(result.trace, options: analysisOptions).findings]
                try writeHTML(report, to: html, inputs: [trace])
            }
        }
        try outputs.write(result.trace, options: options, analysis: analysisOptions, png: png, inputs: [trace])
    }
}

/// Writes a chart (never onto one of `inputs`) or fails with one line that names the file.
func writePNG(_ layout: LanesRender.Layout, to path: String, font: ChartFont, inputs: [String] = []) throws {
    let bytes: [UInt8]
    do {
        bytes = try PNGChart.encode(layout, font: font)
    } catch {
        throw CLIError("cannot write \(path): \(error.message)")
    }
    try writeOutput(bytes, to: path, inputs: inputs, allowStandardOutput: true)
}

/// Writes one line to standard error.
func printError(_ line: String) {
    let bytes = Array((TerminalSafe.clean(line) + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
