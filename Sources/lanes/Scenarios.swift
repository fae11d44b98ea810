import ArgumentParser
import LanesWorkloads

/// `lanes scenarios`: the catalog.
struct Scenarios: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lists the built-in scenarios and the models they run under.")

    func run() throws {
        for s in ScenarioCatalog.all {
            print("\(pad(s.name, 18))\(s.summary)")
            print("\(pad("", 18))seed: \(s.seedSection); models: \(s.models.map(\.rawValue).joined(separator: ", "))")
        }
        print("\nmodels:")
        for m in ConcurrencyModel.runnable { print("  \(pad(m.rawValue, 18))\(m.summary)") }
    }
}
