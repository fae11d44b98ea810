import Foundation
import LanesAnalysis
import LanesCore
import LanesFormat
import Testing

/// A py-spy trace without idle frames (recorded with --gil, or without --idle) cannot tell waiting from computing:
/// the advice says so instead of letting "CPU-bound" stand alone.
@Suite struct PySpyIdleCaveatTests {
    static func advice(_ name: String) throws -> Advice {
        let bytes = try [UInt8](Data(contentsOf: pythonFixtures.appendingPathComponent("traces/\(name)")))
        return Analysis(try ChromeJSON.decode(bytes, pythonSource: fixtureSource).trace).advice
    }

    @Test func sleepersSampledWithGILAreToldTheTraceCannotTell() throws {
        let a = try Self.advice("sleepers.spy-gil.json")
        #expect(a.reason.contains("py-spy sampled no change or no Python frame for"), "\(a.reason)")
        #expect(a.reason.contains("the file cannot say which"))
        #expect(a.reason.contains("--idle"))
    }

    @Test func sleepersSampledWithIdleNeedNoCaveat() throws {
        let a = try Self.advice("sleepers.spy-idle.json")
        #expect(a.workClass == .ioBound)
        #expect(!a.reason.contains("No idle frame was sampled"), "\(a.reason)")
        #expect(!a.reason.contains("py-spy sampled no change or no Python frame for"), "\(a.reason)")
    }
}
