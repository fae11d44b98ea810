import LanesRaster
import Testing

@Suite struct LineTests {
    /// Coverage of a black-on-white pixel: 0 (white) ... 1 (black).
    func coverage(_ canvas: Canvas, _ x: Int, _ y: Int) -> Double {
        Double(255 - Int(canvas.pixel(x: x, y: y).r)) / 255
    }

    @Test func diagonalThroughCentresIsSolidWithSoftNeighbours() {
        var canvas = Canvas(width: 24, height: 24, background: .white)
        canvas.drawLine(from: Point(x: 2.5, y: 2.5), to: Point(x: 20.5, y: 20.5), .black)
        for i in 3...19 {
            #expect(coverage(canvas, i, i) > 0.95, "on the line at \(i)")
            let side = coverage(canvas, i + 1, i)
            #expect(side > 0.1 && side < 0.6, "beside the line at \(i): \(side)")
            #expect(coverage(canvas, i + 2, i) == 0, "two pixels off at \(i)")
        }
        // Endpoints: the end pixels are inked, beyond the round cap nothing.
        #expect(coverage(canvas, 2, 2) > 0.9 && coverage(canvas, 20, 20) > 0.9)
        #expect(coverage(canvas, 0, 0) == 0 && coverage(canvas, 22, 22) == 0)
    }

    @Test func shallowLineHasPartialCoverageAlongIt() {
        var canvas = Canvas(width: 40, height: 20, background: .white)
        let a = Point(x: 2, y: 3.2), b = Point(x: 37, y: 14.9)
        canvas.drawLine(from: a, to: b, .black)
        var partial = 0
        for x in 4...35 {
            var column = 0.0
            for y in 0..<20 {
                let c = coverage(canvas, x, y)
                #expect(c >= 0 && c <= 1)
                if c > 0 && c < 1 { partial += 1 }
                column += c
            }
            // A 1-px line crossing a column at slope 1/3 covers about 1.05 px of it.
            #expect(column > 0.8 && column < 1.6, "column \(x) coverage \(column)")
            // The darkest pixel of the column is where the line is.
            let lineY = a.y + (b.y - a.y) * (Double(x) + 0.5 - a.x) / (b.x - a.x)
            let darkest = (0..<20).max { coverage(canvas, x, $0) < coverage(canvas, x, $1) }!
            #expect(abs(Double(darkest) + 0.5 - lineY) <= 1)
        }
        #expect(partial > 32)
        // Midpoint has ink, the corners none.
        #expect(coverage(canvas, 19, 9) > 0.2)
        #expect(coverage(canvas, 0, 19) == 0 && coverage(canvas, 39, 0) == 0)
    }

    @Test func wideLinesCoverTheirWidth() {
        var canvas = Canvas(width: 40, height: 20, background: .white)
        canvas.drawLine(from: Point(x: 5, y: 10), to: Point(x: 35, y: 10), width: 4, .black)
        #expect(coverage(canvas, 20, 8) == 1 && coverage(canvas, 20, 11) == 1)
        #expect(coverage(canvas, 20, 7) == 0 && coverage(canvas, 20, 12) == 0)
    }

    @Test func polygonCoverageMatchesItsArea() {
        var canvas = Canvas(width: 30, height: 30, background: .white)
        let triangle = [Point(x: 3.3, y: 4.1), Point(x: 26.7, y: 8.9), Point(x: 11.2, y: 25.4)]
        canvas.fillConvexPolygon(triangle, .black)
        let area =
            abs(
                (triangle[1].x - triangle[0].x) * (triangle[2].y - triangle[0].y)
                    - (triangle[2].x - triangle[0].x) * (triangle[1].y - triangle[0].y)) / 2
        var total = 0.0
        for y in 0..<30 { for x in 0..<30 { total += coverage(canvas, x, y) } }
        #expect(abs(total - area) / area < 0.03, "covered \(total) of \(area)")
    }

    @Test func arrowHasShaftAndWiderHeadAndNoSeam() {
        var canvas = Canvas(width: 60, height: 30, background: .white)
        let translucent = Color(r: 0, g: 0, b: 0, a: 128)
        canvas.drawArrow(
            from: Point(x: 5, y: 15), to: Point(x: 55, y: 15), width: 2, headLength: 10, headWidth: 9,
            translucent)
        func inkedRows(_ x: Int) -> Int { (0..<30).filter { coverage(canvas, x, $0) > 0.25 }.count }
        #expect(inkedRows(20) == 2)
        #expect(inkedRows(47) >= 6)
        #expect(coverage(canvas, 54, 14) > 0 || coverage(canvas, 54, 15) > 0)
        #expect(inkedRows(57) == 0 && inkedRows(2) == 0)
        // Shaft and head are one shape: nowhere blended twice.
        for y in 0..<30 { for x in 0..<60 { #expect(canvas.pixel(x: x, y: y).r >= 127) } }
    }
}
