import ArgumentParser
import LanesRender
import LanesWorkloads

// The library's option enums parsed by argument-parser: help lists their values and a bad one is one line
// naming the option. The conformances live here: the libraries do not depend on argument-parser.
extension ChartOptions.Theme: ExpressibleByArgument {}
extension ChartOptions.Grouping: ExpressibleByArgument {}
extension TimeAlignment: ExpressibleByArgument {}

/// A `--model` value of `lanes run`: a model, or `all` of the scenario's.
enum ModelChoice: ExpressibleByArgument, Equatable {
    case all
    case model(ConcurrencyModel)

    init?(argument: String) {
        if argument == "all" {
            self = .all
        } else if let m = ConcurrencyModel(rawValue: argument), ConcurrencyModel.runnable.contains(m) {
            self = .model(m)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { ConcurrencyModel.runnable.map(\.rawValue) + ["all"] }
    var defaultValueDescription: String {
        switch self {
        case .all: "all"
        case .model(let m): m.rawValue
        }
    }
}
