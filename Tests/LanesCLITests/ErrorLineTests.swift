import Foundation
import Testing

/// Every failure of `lanes` is one line on standard error, with the status a script can rely on: 64 for a
/// bad option or argument (naming the subcommand's help), 1 for work that failed.
@Suite struct ErrorLineTests {
    static func trace() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-error-lines-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("s.lanes").path
        if !FileManager.default.fileExists(atPath: path) {
            let run = try runLanes(["sample", "--out", path])
            #expect(run.status == 0, "\(run.stderr)")
        }
        return path
    }

    @Test(arguments: [
        (["report", "TRACE", "--bogus"], "Unknown option '--bogus'", "lanes report --help"),
        (
            ["report", "TRACE", "--theme", "neon", "--png", "OUT.png"], "'neon' is invalid for '--theme",
            "lanes report --help"
        ),
        (
            ["report", "TRACE", "--width", "-5", "--png", "OUT.png"], "--width must be 320...20000, not -5",
            "lanes report --help"
        ),
        (
            ["compare", "TRACE", "TRACE", "--align", "wide", "--png", "OUT.png"], "'wide' is invalid for '--align",
            "lanes compare --help"
        ),
        (["run", "cpu-primes", "--model", "fibers"], "'fibers' is invalid for '--model", "lanes run --help"),
        (["report", "TRACE"], "give at least one of --png", "lanes report --help"),
        (["compare", "TRACE", "--png", "OUT.png"], "two or more traces", "lanes compare --help"),
        (["frobnicate"], "Unexpected argument 'frobnicate'", "lanes --help"),
    ])
    func usageErrorsAreOneLineNamingTheHelpToRead(arguments: [String], message: String, help: String) throws {
        let trace = try Self.trace()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-error-\(getpid()).png").path
        let run = try runLanes(arguments.map { $0 == "TRACE" ? trace : $0 == "OUT.png" ? out : $0 })
        #expect(run.status == 64)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("Error: ") && run.stderr.contains(message), "\(run.stderr)")
        #expect(run.stderr.contains("(see '\(help)')"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aFailureOfTheWorkIsOneLineWithStatusOne() throws {
        let run = try runLanes(["report", "/nonexistent/t.lanes", "--text"])
        #expect(run.status == 1)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("/nonexistent/t.lanes"))
        #expect(!run.stderr.contains("Usage:"))
        let directory = try runLanes(["info", FileManager.default.temporaryDirectory.path])
        #expect(directory.status == 1)
        #expect(directory.stderr.contains("it is a directory"), "\(directory.stderr)")
        #expect(!directory.stderr.contains("errno"), "\(directory.stderr)")
    }

    @Test func helpAndVersionGoToStandardOutput() throws {
        let help = try runLanes(["report", "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: lanes report") && help.stderr.isEmpty)
        let version = try runLanes(["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty && version.stderr.isEmpty)
    }
}
