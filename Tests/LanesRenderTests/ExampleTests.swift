import LanesCore
import LanesRaster
import LanesRender
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes the example under Reports/ when LANES_RECORD_EXAMPLE is set, and previews of other
/// charts to /tmp/lanes-preview-*.png when LANES_PREVIEW is set, for looking at by eye.
@Suite struct ExampleTests {
    @Test func writesPreviews() throws {
        let font = ChartFont.resolve()
        if getenv("LANES_PREVIEW") != nil {
            try writePreviews(font)
        }
        let example = Layout.chart(of: Traces.pipeline(), options: ChartOptions(width: 1400, theme: .light), measure: font.measure)
        #expect(example.width == 1400)
        if getenv("LANES_RECORD_EXAMPLE") != nil {
            // Reports/ at the top of the repository, two levels above this file's folder.
            var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            parts.removeLast(3)
            try PNGChart.write(example, to: parts.joined(separator: "/") + "/Reports/example-pipeline.png", font: font)
        }
    }

    func writePreviews(_ font: ChartFont) throws {
        let trace = Traces.pipeline()
        let layout = Layout.chart(of: trace, options: ChartOptions(width: 1400, showFlows: true), measure: font.measure)
        try PNGChart.write(layout, to: "/tmp/lanes-preview-chart.png", font: font)
        let cmp = Layout.comparison(
            of: [(Traces.pipeline(model: "sequential", workers: 1, stretch: 2.6), "sequential"), (trace, "threads"),
                 (Traces.pipeline(model: "processes", workers: 2, stretch: 1.4), "processes")],
            options: ChartOptions(width: 1400), measure: font.measure)
        try PNGChart.write(cmp, to: "/tmp/lanes-preview-compare.png", font: font)
        let dark = Layout.chart(of: trace, options: ChartOptions(width: 900, scale: 2, theme: .dark), measure: font.measure)
        try PNGChart.write(dark, to: "/tmp/lanes-preview-dark.png", font: font)
        let dense = Layout.chart(of: Traces.dense(spans: 100_000), options: ChartOptions(width: 1400), measure: font.measure)
        try PNGChart.write(dense, to: "/tmp/lanes-preview-dense.png", font: font)
    }
}
