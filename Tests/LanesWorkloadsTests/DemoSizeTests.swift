import LanesWorkloads
import Testing

/// `lanes demo` sizes each scenario from the scenario itself, not from a table keyed by its name.
@Suite struct DemoSizeTests {
    @Test func theCatalogFitsTheDemosPromisedTimes() {
        let full = ScenarioCatalog.all.reduce(0.0) { $0 + $1.demo.estimate(quick: false, models: $1.models.count) }
        let quick = ScenarioCatalog.all.reduce(0.0) { $0 + $1.demo.estimate(quick: true, models: $1.models.count) }
        // The estimates the demo's progress line starts from: 90 s for the catalog, 20 s with --quick.
        #expect(full <= 90, "\(full)")
        #expect(quick <= 20, "\(quick)")
        for s in ScenarioCatalog.all {
            #expect(s.demo.quickScale > 0 && s.demo.quickScale <= s.demo.scale, "\(s.name)")
        }
    }

    @Test func aScenarioKeepsItsOwnSizeWhereverItIsListed() {
        let primes = ScenarioCatalog.named("cpu-primes")!
        #expect(primes.demo.scale(quick: false) == 2 && primes.demo.scale(quick: true) == 0.3)
        // A scenario built without a size gets the default, whatever its name.
        let unnamed = Scenario(name: "cpu-primes-copy", seedSection: "", summary: "") { _, _ in
            throw RunError.invalidOptions("not run")
        }
        #expect(unnamed.demo == DemoSize())
    }
}
