import LanesCore
import LanesRaster
import LanesRender
import Testing

/// Writes the example under Reports/ when LANES_RECORD_EXAMPLE is set (and /tmp previews always).
@Suite struct ExampleTests {
    @Test func writesPreviews() throws {
        let font = ChartFont.resolve()
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
