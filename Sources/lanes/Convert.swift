import ArgumentParser
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import LanesCore
import LanesFormat
import LanesSupport

/// `lanes convert IN OUT`: between `.lanes` and Chrome Trace Event JSON, or to Perfetto's protobuf trace, chosen by
/// the files' extensions.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Converts a trace between .lanes and Chrome Trace Event JSON (.json), or to Perfetto's protobuf (.pftrace).",
        discussion: """
            .pftrace (Perfetto's native format) and JSON written by Lanes open in Perfetto's UI (ui.perfetto.dev); JSON \
            also in chrome://tracing. JSON from VizTracer, \
            py-spy and other tools reads into a .lanes trace. Warnings about dropped or odd data go to standard error.
            """)

    @Argument(help: "The trace to read: .json is read as Chrome Trace Event JSON, any other name as .lanes.")
    var input: String

    @Argument(help: "The file to write, created or replaced: its name must end in .lanes, .json or .pftrace.")
    var output: String

    func run() throws {
        // Refused before anything is read or written: the output's name alone says its format.
        let format = try TraceFormat.forWriting(output)
        try checkOutputs([output], inputs: [input])
        let loaded = try readTrace(input)
        for w in loaded.warnings { printToStandardError("warning: \(input): \(w)") }
        do {
            switch format {
            case .lanes: try LanesFile.write(loaded.trace, to: output, inputs: [input])
            case .chromeJSON: try ChromeJSON.write(loaded.trace, to: output, inputs: [input])
            case .perfetto: try PerfettoTrace.write(loaded.trace, to: output, inputs: [input])
            }
        } catch {
            throw writeFailure(output, error)
        }
        let t = loaded.trace
        printTerminal(
            "\(input) → \(output): \(counted(t.spans.count, "span")) on \(counted(t.lanes.count, "lane")), "
                + counted(t.waitCount, "wait"))
    }
}

/// Writes one line to standard error.
private func printToStandardError(_ line: String) {
    let bytes = Array((TerminalSafe.clean(line) + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
