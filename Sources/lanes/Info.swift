import ArgumentParser
import LanesAnalysis
import LanesCore
import LanesFormat
import LanesSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `lanes info TRACE`: what a trace holds.
struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarises a trace: processes, lanes, spans, waits by reason, duration, dropped events, clock.")

    @Argument(help: "A trace file: .lanes, or Chrome Trace Event JSON (.json).")
    var trace: String

    func run() throws {
        let result = try readTrace(trace)
        let about = "\(result.format), \(result.isComplete ? "complete" : result.completeness)"
        printTerminal(
            TraceSummary(path: trace, trace: result.trace, about: about, warnings: result.warnings).text, terminator: ""
        )
    }
}

/// A trace read by ``TraceFile/load(path:)``.
typealias LoadedTrace = TraceFile.Loaded

/// The formats the CLI writes, chosen by the output's extension (reading goes by content: ``TraceFile``).
typealias TraceFormat = TraceFile.Format

extension TraceFile.Format {
    /// For writing: `.lanes`, `.json` or `.pftrace` (also `.perfetto-trace`), else nil. A written file is not checked, so its format is never guessed.
    init?(writing path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".json") {
            self = .chromeJSON
        } else if lower.hasSuffix(".pftrace") || lower.hasSuffix(".perfetto-trace") {
            self = .perfetto
        } else if lower.hasSuffix(".lanes") {
            self = .lanes
        } else {
            return nil
        }
    }

    /// The format to write `path` in, or a one-line error that names the file.
    static func forWriting(_ path: String) throws -> TraceFormat {
        guard let format = TraceFormat(writing: path) else {
            throw CLIError(
                "cannot write \(path): the name must end in .lanes, .json or .pftrace, which chooses the format")
        }
        return format
    }
}

/// Reads a trace file of any format, told by its content (`-` is standard input), or fails with one line that
/// names the file.
func readTrace(_ path: String) throws -> LoadedTrace {
    do {
        return try TraceFile.load(path: path)
    } catch {
        throw CLIError("cannot read \(StandardInput.isStandardInput(path) ? "standard input" : path): \(error)")
    }
}

/// An error the CLI reports as one line.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    /// `description` is made safe for a terminal (it may quote names from a trace).
    init(_ description: String) { self.description = TerminalSafe.clean(description, keepingLines: true) }
}

/// Creates the directory `path` unless it is there; an error when it cannot, or when `path` is
/// something else. The message starts with the path, so a caller can prefix the option's name.
func makeDirectory(_ path: String) throws(CLIError) {
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw CLIError("\(path): cannot create it: \(String(cString: strerror(errno)))")
    }
    var st = stat()
    guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { throw CLIError("\(path) is not a directory") }
}

/// `n` and `noun`, plural unless `n` is 1: "1 process", "34 processes", "2 threads". Nouns ending in s take
/// "es"; give `plural` for any other irregular noun.
func counted(_ n: Int, _ noun: String, plural: String? = nil) -> String {
    "\(n) \(n == 1 ? noun : plural ?? (noun.hasSuffix("s") ? noun + "es" : noun + "s"))"
}

/// `text` followed by spaces up to `width` characters.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
