import Foundation
import LanesCore
import LanesRaster
import Testing

@testable import LanesRender

/// Span colours are assigned per chart among the names it shows, far enough apart to tell apart.
@Suite struct PaletteDistinctTests {
    @Test func deltaE2000MatchesSharmasReferencePairs() {
        // Pairs 1, 7, 13, 17 and 25 of Sharma, Wu and Dalal (2005), Table 1, with their published ΔE₀₀.
        let pairs: [((Double, Double, Double), (Double, Double, Double), Double)] = [
            ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
            ((50, 0, 0), (50, -1, 2), 2.3669),
            ((50, 2.5, 0), (56, -27, -3), 31.9030),
            ((50, 2.5, 0), (73, 25, -18), 27.1492),
            ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ]
        for (p, q, expected) in pairs {
            let d = Palette.deltaE2000((l: p.0, a: p.1, b: p.2), (l: q.0, a: q.1, b: q.2))
            #expect(abs(d - expected) < 0.0001, "ΔE₀₀ \(d), published \(expected)")
            #expect(abs(Palette.deltaE2000((l: q.0, a: q.1, b: q.2), (l: p.0, a: p.1, b: p.2)) - d) < 1e-9)
        }
        #expect(Palette.deltaE2000(RGB(0x123456), RGB(0x123456)) == 0)
    }

    static func minimumPairwise(_ colors: [RGB]) -> Double {
        var best = Double.infinity
        for i in colors.indices {
            for j in colors.indices where j > i { best = min(best, Palette.deltaE2000(colors[i], colors[j])) }
        }
        return best
    }

    @Test func anyTwoOfUpToTwentyNamesAreAtLeastTheMinimumApart() {
        let n = Palette.distinctColors.count
        #expect(n == 20)
        for count in 2...n {
            let names = (0..<count).map { "span \($0 * 7919 % 1000)" }
            let colors = Array(Palette.assign(names: names).values)
            #expect(Set(colors).count == count)
            #expect(Self.minimumPairwise(colors) >= Palette.minimumDistance, "\(count) names")
        }
        // Few names are spread much further than the minimum.
        #expect(Self.minimumPairwise(Array(Palette.assign(names: ["a", "b"]).values)) > 40)
        #expect(Self.minimumPairwise(Array(Palette.assign(names: ["a", "b", "c", "d", "e"]).values)) > 30)
    }

    @Test func beyondTheMaximumExtraNamesShareButTheFirstTwentyStayDistinct() {
        let names = (0..<30).map { "n\($0)" }
        let assigned = Palette.assign(names: names)
        #expect(assigned.count == 30)
        let first = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.prefix(20)
        #expect(Set(first.map { assigned[$0]! }).count == 20)
        #expect(Set(assigned.values).isSubset(of: Set(Palette.distinctColors)))
    }

    @Test func theSameNamesGetTheSameColoursInAnyOrder() {
        let names = ["fetch", "dataset", "gil", "compute", "send to pool", "task slice", "store"]
        let a = Palette.assign(names: names)
        #expect(Palette.assign(names: names.reversed()) == a)
        #expect(Palette.assign(names: names + names) == a)
    }

    @Test func theDemosCollidingNamesDiffer() {
        // Names that shared a colour when the colour came from each name's hash alone.
        let pipeline = [
            "compute", "dataset", "fetch", "gil", "ioWrite", "ipc", "join", "send to pool", "store", "task slice",
        ]
        let p = Palette.assign(names: pipeline)
        for (a, b) in [
            ("fetch", "dataset"), ("fetch", "gil"), ("dataset", "gil"), ("compute", "send to pool"),
            ("task slice", "store"),
        ] {
            #expect(Palette.deltaE2000(p[a]!, p[b]!) >= Palette.minimumDistance, "\(a) / \(b)")
        }
        let race = ["aggregated", "gil", "increment", "join", "locked", "queueGet", "queued", "unprotected"]
        let r = Palette.assign(names: race)
        #expect(Palette.deltaE2000(r["locked"]!, r["gil"]!) >= Palette.minimumDistance)
    }

    @Test func thePNGAndTheHTMLOfAComparisonGiveEachNameTheSameColour() throws {
        var other = Traces.pipeline(model: "processes")
        other.spans[0].name = "only in the second run"
        let runs = [(trace: Traces.pipeline(), name: "threads"), (trace: other, name: "processes")]
        let layout = Layout.comparison(of: runs, measure: ChartFont.builtIn.measure)
        var png: [String: String] = [:]
        for item in layout.legend { if case .span(let c) = item.swatch { png[item.label.text] = c.description } }
        let page = HTMLReport(comparing: runs).renderText()
        let json = try #require(HTMLReportTests.between("id=\"lanes-data\">", "</script>", in: page))
        let data = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        var html: [String: String] = [:]
        for run in try #require(data["runs"] as? [[String: Any]]) {
            let names = try #require(run["names"] as? [String]), colors = try #require(run["colors"] as? [String])
            for (n, c) in zip(names, colors) {
                #expect(html[n] == nil || html[n] == c, "\(n) has two colours in the page")
                html[n] = c
            }
        }
        #expect(png.count >= 3)
        for (name, color) in png { #expect(html[name] == color, "\(name): PNG \(color), HTML \(html[name] ?? "none")") }
        #expect(png["only in the second run"] != nil)
    }

    @Test func waitReasonsWithCloseColoursHaveDifferentHatching() {
        var close = 0
        for a in WaitReason.allCases {
            for b in WaitReason.allCases where a.rawValue < b.rawValue {
                let (ca, ha) = Palette.wait(a), (cb, hb) = Palette.wait(b)
                guard Palette.deltaE2000(ca, cb) < Palette.minimumDistance else { continue }
                close += 1
                #expect(ha != hb, "\(a) and \(b): ΔE₀₀ \(Palette.deltaE2000(ca, cb)), both \(ha)")
            }
        }
        #expect(close > 0, "the test needs close pairs to mean something")
    }
}
