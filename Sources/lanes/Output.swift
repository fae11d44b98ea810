import LanesFormat
import LanesRaster
import LanesRender
import LanesSupport

/// Every file the CLI writes goes through `OutputFile` (LanesSupport): a temporary file beside the target,
/// fsynced and renamed; devices, FIFOs, directories and the command's inputs are refused.

/// Refuses each of `outputs` (nil ones skipped) before any work is done: a directory, a device, a FIFO, an
/// unwritable directory, or one of `inputs`. `-` is accepted where `standardOutput` says so.
func checkOutputs(_ outputs: [String?], inputs: [String], standardOutput: Set<String> = []) throws {
    for case let path? in outputs {
        do {
            try OutputFile.check(path, inputs: inputs, allowStandardOutput: standardOutput.contains(path))
        } catch {
            throw CLIError(error.description)
        }
    }
}

/// Prints `text` with nothing a terminal would act on (names from a trace may hold escapes, NUL, bidi
/// controls); newlines and tabs are kept.
func printTerminal(_ text: String, terminator: String = "\n") {
    print(TerminalSafe.clean(text, keepingLines: true), terminator: terminator)
}

/// Writes `bytes` to `path` (`-`: standard output) or fails with one line that names the file.
func writeOutput(_ bytes: [UInt8], to path: String, inputs: [String] = [], allowStandardOutput: Bool = false) throws {
    do {
        try OutputFile.write(bytes, to: path, inputs: inputs, allowStandardOutput: allowStandardOutput)
    } catch {
        throw CLIError(error.description)
    }
}

/// One line for a failure to write `path`, without saying "cannot write" twice.
func writeFailure(_ path: String, _ error: any Error) -> CLIError {
    switch error {
    case let e as OutputError: return CLIError(e.description)
    case LanesFormatError.output(let p, let problem): return CLIError("cannot write \(p): \(problem)")
    case let e as PNGError: return CLIError("cannot write \(path): \(e.message)")
    default: return CLIError("cannot write \(path): \(error)")
    }
}
