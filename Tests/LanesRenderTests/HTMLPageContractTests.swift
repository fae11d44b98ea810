import Foundation
import LanesCore
import Testing

@testable import LanesRender

/// The constants the page's script shares with the Swift that writes its data come from the Swift enums.
@Suite struct HTMLPageContractTests {
    static func contract(in page: String) throws -> [String: Any] {
        let json = try #require(HTMLReportTests.between("id=\"lanes-contract\">", "</script>", in: page))
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    @Test func everyWaitReasonIsInThePageAtItsRawValue() throws {
        let contract = try Self.contract(in: HTMLReport(trace: Traces.known()).renderText())
        let waits = try #require(contract["waits"] as? [Any])
        let top = Int(WaitReason.allCases.map(\.rawValue).max() ?? 0)
        #expect(waits.count == top + 1)
        for reason in WaitReason.allCases {
            #expect(waits[Int(reason.rawValue)] as? String == reason.description)
        }
        // The style has each reason's colour, tint and hatch under the same name.
        let style = HTMLReport.themeStyle(.light)
        for reason in WaitReason.allCases {
            #expect(style.contains("--wait-\(reason.description):"))
            #expect(style.contains("--hatch-\(reason.description):"))
        }
    }

    @Test func theFlagBitsAreTheOnesTheDataIsWrittenWith() throws {
        let contract = try Self.contract(in: HTMLReport(trace: Traces.known()).renderText())
        let flags = try #require(contract["flags"] as? [String: Int])
        #expect(
            flags == [
                "depth": Int(PageContract.SpanFlag.depthMask), "cpuTime": Int(PageContract.SpanFlag.cpuTime),
                "waits": Int(PageContract.SpanFlag.waits), "attributes": Int(PageContract.SpanFlag.attributes),
            ])
        // No two bits overlap.
        let bits = flags.values.sorted()
        #expect(bits.reduce(0, |) == bits.reduce(0, +))
    }

    @Test func theScriptHoldsNoCopyOfTheWaitReasons() {
        // `'other'` is the script's fallback for a raw value it does not know; no other reason is named in it.
        let named = WaitReason.allCases.filter { HTMLReport.script.contains("'\($0.description)'") }
        #expect(named.map(\.description) == ["other"])
        #expect(HTMLReport.script.contains("getElementById('lanes-contract')"))
    }

    @Test func theScenarioPageCarriesTheContractToo() throws {
        let page = HTMLReport(
            scenarios: [HTMLScenario(name: "a", summary: "", runs: [(Traces.known(), "threads")])], title: "t"
        ).renderText()
        _ = try Self.contract(in: page)
    }
}
