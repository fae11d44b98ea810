import Foundation
import LanesCore
import Testing

@testable import LanesRender

/// The page's JavaScript and CSS live in Sources/LanesRender/Page/ and are embedded at build time.
@Suite struct HTMLPageFilesTests {
    static func pageFile(_ name: String) throws -> String {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/LanesRender/Page")
        return try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
    }

    @Test func theEmbeddedScriptAndStyleAreTheFilesExactly() throws {
        // Each file ends with one newline that the embedded constant leaves out.
        let js = try Self.pageFile("page.js"), css = try Self.pageFile("page.css")
        #expect(js.hasSuffix("\n") && css.hasSuffix("\n"))
        #expect(HTMLReport.script + "\n" == js)
        #expect(HTMLReport.style + "\n" == css)
        // The scenario page's CSS keeps the newline it always ended with.
        #expect(HTMLReport.scenarioStyle == (try Self.pageFile("scenarios.css")))
    }

    @Test func thePageCarriesTheScriptAndStyleUnderTheirHashes() {
        let page = HTMLReport(trace: Traces.known()).renderText()
        #expect(page.contains("<script>\(HTMLReport.script)</script>"))
        #expect(page.contains(HTMLReport.style))
        #expect(page.contains("script-src '\(HTMLReport.cspHash(HTMLReport.script))'"))
    }
}
