import ArgumentParser
import LanesAnalysis
import LanesCore
import LanesRender

/// The analysis options of the commands that print findings.
struct AnalysisArguments: ParsableArguments {
    @Option(help: "How long an event loop may go between two polls before it counts as blocked (e.g. 50ms, 1s).")
    var blockedLoop: String = "100ms"

    func options() throws -> AnalysisOptions {
        guard let v = parseDuration(blockedLoop), v > 0 else {
            throw ValidationError("--blocked-loop must be a duration such as 100ms or 1s, not '\(blockedLoop)'")
        }
        return AnalysisOptions(blockedLoopThreshold: v)
    }
}
