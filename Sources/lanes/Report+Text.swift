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

/// The text outputs of `lanes report`: Mermaid, Markdown and terminal text.
struct TextOutputs: ParsableArguments {
    @Option(help: ArgumentHelp("Write the trace as a Mermaid gantt diagram to this file.", valueName: "out.mmd"))
    var mermaid: String?

    @Option(
        help: ArgumentHelp(
            "Write a Markdown report for a pull request (statistics, Mermaid timeline, lock hand-offs, findings).",
            valueName: "out.md"))
    var markdown: String?

    @Option(
        help: ArgumentHelp(
            "The lock whose hand-offs --markdown draws: a lock's name, or 'gil' for the emulated interpreter lock (default: the lock waited on longest).",
            valueName: "name"))
    var lock: String?

    @Flag(help: "Draw the trace with Unicode blocks on standard output (coloured on a terminal, plain when piped).")
    var text = false

    @Option(help: "Width of --text in columns (default: the terminal's, else $COLUMNS, else 80).")
    var columns: Int?

    /// Whether any text output was asked for.
    var any: Bool { mermaid != nil || markdown != nil || text }

    func validate() throws {
        if lock != nil, markdown == nil { throw ValidationError("--lock needs --markdown") }
        if let columns, !(40...1000).contains(columns) {
            throw ValidationError("--columns must be 40...1000, not \(columns)")
        }
    }

    /// The gantt of a report drawn with these chart options.
    static func ganttOptions(_ options: ChartOptions) -> Mermaid.GanttOptions {
        Mermaid.GanttOptions(
            groupBy: options.groupBy, maxSections: min(options.maxLanes, 24), depthLimit: options.depthLimit)
    }

    /// Writes what was asked for (never onto one of `inputs`); `png` is the chart written beside, linked from
    /// the Markdown.
    func write(
        _ trace: Trace, options: ChartOptions, analysis: AnalysisOptions = AnalysisOptions(), png: String?,
        inputs: [String] = []
    ) throws {
        let gantt = Self.ganttOptions(options)
        if let mermaid {
            try writeText(Mermaid.gantt(of: trace, options: gantt).text, to: mermaid, inputs: inputs)
        }
        if let markdown {
            let link = png.map { relativePath(of: $0, from: markdown) }
            let selector = lock.map { $0 == "gil" ? Mermaid.LockSelector.interpreterLock : .object($0) }
            let report = MarkdownReport.trace(
                trace, analysis: Analysis(trace, options: analysis), png: link, gantt: gantt, lock: selector)
            try writeText(report, to: markdown, inputs: inputs)
        }
        if text {
            let tty = isatty(1) == 1
            let color = tty && (getenv("NO_COLOR").map { String(cString: $0).isEmpty } ?? true)
            let width = columns ?? terminalColumns(tty: tty)
            let out =
                TerminalText.render(
                    trace,
                    options: TerminalText.Options(
                        columns: width, color: color, groupBy: options.groupBy, maxLanes: options.maxLanes))
                + wrapped("recorder cost: \(RecorderCost(trace).text)", width: width)
            var sink = LanesFileSink(fileDescriptor: 1, path: "standard output")
            do {
                try Array(out.utf8).withUnsafeBytes { try sink.write($0) }
            } catch {
                throw CLIError("cannot write \(error)")
            }
        }
    }

    /// The terminal's width, else `$COLUMNS`, else 80.
    func terminalColumns(tty: Bool) -> Int {
        var size = winsize()
        if tty, ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 40 { return Int(size.ws_col) }
        if let c = getenv("COLUMNS").flatMap({ Int(String(cString: $0)) }), c >= 40 { return min(c, 1000) }
        return 80
    }
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word stays whole), each ending
/// in a newline.
func wrapped(_ text: String, width: Int) -> String {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
        if !line.isEmpty, line.count + 1 + word.count > width {
            lines.append(line)
            line = ""
        }
        line += (line.isEmpty ? "" : " ") + word
    }
    if !line.isEmpty { lines.append(line) }
    return lines.map { $0 + "\n" }.joined()
}

/// Writes `text` to `path` (`-`: standard output; never onto one of `inputs`) through the shared output writer,
/// or fails with one line that names the file.
func writeText(_ text: String, to path: String, inputs: [String] = []) throws {
    // Standard output may be a terminal: nothing from the trace may act on it.
    let safe = path == "-" ? TerminalSafe.clean(text, keepingLines: true) : text
    try writeOutput(Array(safe.utf8), to: path, inputs: inputs, allowStandardOutput: true)
}

/// `target` as a path relative to the directory of `file`, when both are relative (or both absolute).
func relativePath(of target: String, from file: String) -> String {
    guard target.hasPrefix("/") == file.hasPrefix("/") else { return target }
    let t = target.split(separator: "/").filter { $0 != "." }
    let f = file.split(separator: "/").filter { $0 != "." }.dropLast()
    guard !t.contains(".."), !f.contains("..") else { return target }
    var common = 0
    while common < f.count, common < t.count - 1, f[f.startIndex + common] == t[common] { common += 1 }
    let ups = Array(repeating: "..", count: f.count - common)
    return (ups + t[common...].map(String.init)).joined(separator: "/")
}
