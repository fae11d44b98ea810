import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

extension Lanes {
    /// Runs the command, and reports any failure as one line on standard error: a bad option or argument
    /// names the subcommand whose help to read (exit 64), a failure of the work says what and where (exit 1),
    /// an `ExitCode` passes through silently (a recorded command's own status, a regression). Help and the
    /// version go to standard output with status 0.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(with: error, subcommand: nil)
        }
        do {
            var command = command
            try command.run()
        } catch {
            exit(with: error, subcommand: type(of: command) == Lanes.self ? nil : arguments.first)
        }
        Glibc.exit(0)
    }

    private static func exit(with error: any Error, subcommand: String?) -> Never {
        let code = exitCode(for: error)
        if let exit = error as? ExitCode { Glibc.exit(exit.rawValue) }
        if code == .success {
            print(fullMessage(for: error))
            Glibc.exit(0)
        }
        printError("Error: " + oneLine(for: error, subcommand: subcommand))
        Glibc.exit(code.rawValue)
    }

    /// The error's message on one line; for a usage error, where to read the subcommand's help.
    static func oneLine(for error: any Error, subcommand: String?) -> String {
        let full = fullMessage(for: error)
        var message = message(for: error)
        if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
        let lines = message.split(separator: "\n", omittingEmptySubsequences: true)
        message = lines.first.map(String.init) ?? message
        // argument-parser lists a long set of valid values one per line ("- threads"): keep them on this one.
        let listed = lines.dropFirst().map { $0.trimmingPrefix(while: \.isWhitespace) }.filter { $0.hasPrefix("- ") }
        if message.hasSuffix(":"), !listed.isEmpty {
            message += " " + listed.map { String($0.dropFirst(2)) }.joined(separator: ", ")
        }
        guard exitCode(for: error) == .validationFailure else { return message }
        // A parse error's full message ends "See 'lanes report --help' for more information."; an error thrown
        // by a subcommand's run names only the root, so the subcommand comes from the arguments.
        var help = subcommand.map { "lanes \($0) --help" }
        if help == nil, let line = full.split(separator: "\n").first(where: { $0.contains("See '") }) {
            let quoted = line.split(separator: "'", omittingEmptySubsequences: false)
            if quoted.count >= 3 { help = String(quoted[1]) }
        }
        return help.map { "\(message) (see '\($0)')" } ?? message
    }
}
