import ArgumentParser
import LanesAnalysis
import LanesCore
import LanesFormat
import LanesRender

/// `lanes compare TRACE… --png OUT.png | --markdown OUT.md`: several runs stacked on one time scale;
/// `lanes compare --baseline OLD… --candidate NEW… [--markdown OUT.md] [--fail-on-regression 10%]`.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draws several traces (e.g. one per concurrency model) as panels of one chart.")

    @Argument(help: "Trace files: .lanes, or Chrome Trace Event JSON (.json); the first is the baseline for speedups.")
    var traces: [String] = []

    @Option(help: "The PNG file to write.")
    var png: String?

    @Option(help: "A self-contained HTML page to write (timelines on one time scale, the per-model table).")
    var html: String?

    @OptionGroup var text: CompareMarkdown

    @Option(help: "Time scale: shared (one for all runs) or own (each run fills the width).")
    var align: TimeAlignment = .shared

    @OptionGroup var chart: ChartArguments

    func run() throws {
        if text.isRegressionCheck {
            guard traces.isEmpty, png == nil, html == nil else {
                throw ValidationError("give traces either as arguments or with --baseline/--candidate, not both")
            }
            return try text.runRegressionCheck()
        }
        guard traces.count >= 2 else {
            throw ValidationError(
                traces.isEmpty
                    ? "give two or more traces to compare"
                    : "give two or more traces to compare (one trace is drawn by 'lanes report')")
        }
        guard png != nil || html != nil || text.markdown != nil else {
            throw ValidationError("give at least one of --png, --html or --markdown")
        }
        let options = try chart.options()
        try checkOutputs([png, html, text.markdown], inputs: traces, standardOutput: ["-"])
        var runs: [(trace: Trace, name: String)] = []
        for path in traces {
            let result = try readTrace(path)
            for w in result.warnings { printError("warning: \(path): \(w)") }
            runs.append((result.trace, runName(result.trace, path: path)))
        }
        if png != nil || html != nil {
            let font = chart.resolveFont()
            let layout = LanesRender.Layout.comparison(
                of: runs, options: options, alignment: align, measure: font.measure)
            if let png { try writePNG(layout, to: png, font: font, inputs: traces) }
            if let html {
                let mermaid = Mermaid.speedupChart(Comparison(runs.map(\.trace))).text
                let report = HTMLReport(
                    comparing: runs, options: options, png: embeddedPNG(layout, font: font), mermaid: mermaid)
                try writeHTML(report, to: html, inputs: traces)
            }
        }
        if let markdown = text.markdown {
            let pngs = png.map { [relativePath(of: $0, from: markdown)] } ?? []
            try writeText(MarkdownReport.comparison(runs, pngs: pngs), to: markdown, inputs: traces)
        }
    }

    /// The model the run used, else the file name without its extension.
    func runName(_ trace: Trace, path: String) -> String {
        if let model = trace.metadata.model, !model.isEmpty { return model }
        return fileStem(path)
    }
}

/// The file name of `path` without its directory and extension.
func fileStem(_ path: String) -> String {
    let file = path.split(separator: "/").last.map(String.init) ?? path
    if let dot = file.lastIndex(of: "."), dot != file.startIndex { return String(file[..<dot]) }
    return file
}
