import Foundation
import LanesCore
import Testing

@testable import LanesRender

/// The page's script keeps its own tick rule and duration format for zooming; in Chromium they give
/// exactly what the Swift ones (``TimeScale/ticks(minSpacing:labelWidth:)``, `formatDuration`) give.
@Suite struct PageTicksBrowserTests {
    struct Case: Sendable {
        var t0: Int64
        var t1: Int64
        var width: Double
        var minSpacing: Double
        var charWidth: Double
    }

    static let cases: [Case] = [
        Case(t0: 0, t1: 1_000, width: 800, minSpacing: 80, charWidth: 6),
        Case(t0: 0, t1: 7, width: 500, minSpacing: 80, charWidth: 6),
        Case(t0: 0, t1: 1_234_567, width: 1000, minSpacing: 80, charWidth: 6.5),
        Case(t0: 123_456, t1: 987_654_321, width: 640, minSpacing: 70, charWidth: 7),
        Case(t0: 2_500_000, t1: 2_600_000, width: 300, minSpacing: 80, charWidth: 6),
        Case(t0: 999_999_000, t1: 1_000_001_000, width: 900, minSpacing: 60, charWidth: 6),
        Case(t0: 0, t1: 3_000_000_000, width: 1200, minSpacing: 80, charWidth: 6.5),
        Case(t0: 0, t1: 86_400_000_000_000, width: 1600, minSpacing: 80, charWidth: 6.5),
        // Labels wider than the spacing asks: the step grows until they fit.
        Case(t0: 0, t1: 10_000_000, width: 120, minSpacing: 20, charWidth: 9),
        // 80 px steps fit "10 ms" (55 px) with a third of the spacing to spare, not with half.
        Case(t0: 0, t1: 10_000_000, width: 800, minSpacing: 60, charWidth: 11),
        Case(t0: 41_000, t1: 41_050, width: 1400, minSpacing: 80, charWidth: 6),
    ]

    static let durations: [Int64] = [
        0, 1, 999, 1_000, 1_005, 1_234, 99_994, 99_995, 999_999, 1_000_000, 12_345_678, 999_999_999,
        1_000_000_000, 1_005_000_000, 123_456_789_012, -1_500, -999,
    ]

    static func chromium() -> String? {
        let path = ProcessInfo.processInfo.environment["CHROMIUM"] ?? "/usr/bin/chromium"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// A report page with one more script (allowed by the page's CSP) that writes what the page's
    /// `ticks` and `formatDuration` return into `<pre id="out">`; its DOM after load, from Chromium.
    static func runInChromium(_ chromium: String) throws -> [String: Any] {
        let cases = Self.cases.map { c in "[\(c.t0),\(c.t1),\(c.width),\(c.minSpacing),\(c.charWidth)]" }
        let probe = """
            const r = window.lanesReport, cases = [\(cases.joined(separator: ","))];
            const out = { ticks: cases.map((c) => r.ticks(c[0], c[1], c[2], c[3], c[4])),
              durations: [\(durations.map(String.init).joined(separator: ","))].map((ns) => r.formatDuration(ns)) };
            const pre = document.createElement('pre'); pre.id = 'out'; pre.textContent = JSON.stringify(out);
            document.body.appendChild(pre);
            """
        var page = HTMLReport(trace: Traces.known()).renderText()
        let own = "script-src '\(HTMLReport.cspHash(HTMLReport.script))'"
        #expect(page.contains(own))
        page = page.replacingOccurrences(of: own, with: own + " '\(HTMLReport.cspHash(probe))'")
        page = page.replacingOccurrences(of: "</body>", with: "<script>\(probe)</script>\n</body>")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-ticks-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("ticks.html")
        try page.write(to: file, atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(dir.appendingPathComponent("profile").path)", "--dump-dom", file.absoluteString,
        ]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let open = dom.range(of: "<pre id=\"out\">"),
            let close = dom.range(of: "</pre>", range: open.upperBound..<dom.endIndex)
        else {
            Issue.record("Chromium's DOM has no probe output (exit \(process.terminationStatus))")
            return [:]
        }
        let text = dom[open.upperBound..<close.lowerBound].replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        return try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    @Test(.enabled(if: chromium() != nil, "needs Chromium"))
    func thePagesTicksAndDurationsAreTheSwiftOnes() throws {
        let out = try Self.runInChromium(Self.chromium()!)
        let ticks = try #require(out["ticks"] as? [[[Any]]])
        #expect(ticks.count == Self.cases.count)
        for (c, js) in zip(Self.cases, ticks) {
            let scale = TimeScale(start: c.t0, end: c.t1, x0: 0, x1: c.width, origin: 0)
            let swift = scale.ticks(minSpacing: c.minSpacing) { Double($0.count) * c.charWidth }
            let page = js.map { pair in "\((pair[0] as? NSNumber)?.int64Value ?? -1) \(pair[1] as? String ?? "?")" }
            #expect(page == swift.map { "\($0.time) \($0.label)" }, "ticks of \(c)")
            #expect(swift.count >= 2, "a case with one tick checks little: \(c)")
        }
        let durations = try #require(out["durations"] as? [String])
        #expect(durations == Self.durations.map(formatDuration))
    }
}
