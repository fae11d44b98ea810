import LanesWorkloads
import Testing

/// `lanes run --sweep` as a library: speed-ups over sequential per scale and where each model starts to pay.
@Suite struct SweepTests {
    @Test func speedUpsAndFirstWinsFromWalls() {
        let ms = { (n: Int64) in Duration.milliseconds(n) }
        let sweep = Sweep(
            scenario: "matrix", models: [.sequential, .threads, .processes], scales: [0.5, 1, 2], runsPerPoint: 3,
            walls: [
                [.sequential: ms(10), .threads: ms(20), .processes: ms(40)],
                [.sequential: ms(20), .threads: ms(10), .processes: ms(40)],
                [.sequential: ms(40), .threads: ms(20), .processes: ms(80)],
            ])
        #expect(sweep.models == [.threads, .processes])
        #expect(sweep.speedups == [[0.5, 0.25], [2, 0.5], [2, 0.5]])
        #expect(sweep.firstWin(.threads) == 1)
        #expect(sweep.firstWin(.processes) == nil)
        let lines = sweep.text.split(separator: "\n").map(String.init)
        #expect(lines.first == "speed-up over sequential, matrix (median of 3 runs per scale):")
        #expect(lines.contains("1.0    2.00x    0.50x"), "\(sweep.text)")
        #expect(lines.contains("threads first beats sequential at scale 1.0"))
        #expect(lines.contains("processes never beats sequential in this sweep"))
    }

    @Test func aRealSweepRunsEveryModelAtEveryScale() throws {
        let s = try #require(ScenarioCatalog.named("cpu-primes"))
        var told: [String] = []
        let sweep = try Sweep.run(
            s, models: [.threads], scales: [0.02, 0.01], options: RunOptions(workers: 2, scale: 1), runsPerPoint: 1
        ) { told.append($0) }
        #expect(sweep.scales == [0.01, 0.02])
        #expect(sweep.speedups.count == 2 && sweep.speedups.allSatisfy { $0.count == 1 && $0[0] > 0 })
        #expect(told.count == 4)
    }
}
