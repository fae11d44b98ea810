// PNG chart benchmark: Lanes against matplotlib on the same synthetic trace (16 lanes, 100,000
// spans, 2000×1200 PNG), and Lanes at 1M spans against 100k. Figures are ratios within one run.
// Run: swift run -c release --package-path tools/benchmarks lanes-png-benchmark [--quick] [--no-matplotlib]
import BenchSupport
import Foundation
import LanesCore
import LanesRender

let quick = CommandLine.arguments.contains("--quick")
let skipMatplotlib = CommandLine.arguments.contains("--no-matplotlib")
let rounds = quick ? 3 : 7

let names = ["parse", "compute", "io", "encode", "wait", "send"]
let laneCount = 16
let totalNs: Int64 = 10_000_000_000

/// The synthetic trace of png_matplotlib.py: the same spans by the same formula.
func synthetic(spans: Int) -> Trace {
    let perLane = spans / laneCount
    let period = totalNs / Int64(perLane)
    let quarter = max(1, period / 4)
    let lanes = (0..<laneCount).map { i in
        Lane(id: LaneID(UInt32(i)), kind: .thread, pid: 1, threadID: Int64(100 + i), name: "t\(i)")
    }
    var out: [Span] = []
    out.reserveCapacity(perLane * laneCount)
    for l in 0..<laneCount {
        for k in 0..<perLane {
            let start = Int64(k) * period + (Int64(k) * 7919 + Int64(l) * 104_729) % quarter
            let duration = period / 2 + (Int64(k) * 31 + Int64(l) * 17) % quarter
            out.append(Span(id: SpanID(UInt64(out.count + 1)), name: names[(k * 3 + l) % names.count], lane: LaneID(UInt32(l)),
                            threadID: Int64(100 + l), start: start, end: start + duration))
        }
    }
    return Trace(metadata: Metadata(scenario: "synthetic"), processes: [Process(pid: 1, name: "bench")], lanes: lanes, spans: out)
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func fmt(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

/// Peak resident memory of this process (VmHWM), in bytes.
func peakResident() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return (line.split(separator: " ").compactMap { Int($0) }.first ?? 0) * 1024
    }
    return 0
}

let dir = NSTemporaryDirectory() + "lanes-png-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }

let font = ChartFont.resolve()
let options = ChartOptions(width: 2000, height: 1200)

var paintOnly: [Double] = []

/// Layout + paint + encode + atomic write, as `lanes report` does after reading; median seconds.
@MainActor
func measure(_ trace: Trace, rounds: Int, path: String) throws -> (total: Double, layout: Double, bytes: Int) {
    var totals: [Double] = [], layouts: [Double] = []
    for _ in 0..<rounds {
        let t0 = now()
        let layout = Layout.chart(of: trace, options: options, measure: font.measure)
        let t1 = now()
        try PNGChart.write(layout, to: path, font: font)
        let t2 = now()
        if paintOnly.count < rounds {
            let p0 = now()
            _ = PNGChart.paint(layout, font: font)
            paintOnly.append(now() - p0)
        }
        totals.append(t2 - t0)
        layouts.append(t1 - t0)
    }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    return (median(totals), median(layouts), size)
}

print("font: \(font.name)")
let small = synthetic(spans: 100_000)
_ = try measure(small, rounds: 1, path: dir + "/warm.png")
paintOnly = []
let r100k = try measure(small, rounds: rounds, path: dir + "/100k.png")
let paint100k = median(paintOnly)
print("lanes 100k spans: \(fmt(r100k.total * 1000, 1)) ms (layout \(fmt(r100k.layout * 1000, 1)) ms, paint \(fmt(paint100k * 1000, 1)) ms, the rest encode + write), \(r100k.bytes) bytes, median of \(rounds)")

let peakBefore1M = peakResident()
let big = synthetic(spans: 1_000_000)
let peakWithTrace = peakResident()
let r1m = try measure(big, rounds: max(3, rounds / 2), path: dir + "/1m.png")
let peakAfter = peakResident()
print("lanes 1M spans: \(fmt(r1m.total * 1000, 1)) ms (layout \(fmt(r1m.layout * 1000, 1)) ms), \(r1m.bytes) bytes")
print("peak memory: \(peakAfter / 1_048_576) MiB (the 1M-span trace itself: \((peakWithTrace - peakBefore1M) / 1_048_576) MiB; rendering raised the peak by \((peakAfter - peakWithTrace) / 1_048_576) MiB)")

var matplotlib: Double? = nil
if !skipMatplotlib {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("png_matplotlib.py").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script, "--spans", "100000", "--rounds", quick ? "1" : "3"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    for line in text.split(separator: "\n") where line.hasPrefix("matplotlib-seconds:") {
        matplotlib = Double(line.split(separator: " ").last ?? "")
    }
    if let m = matplotlib {
        print("matplotlib 100k spans (broken_barh per lane + savefig, 2000×1200): \(fmt(m * 1000, 0)) ms")
    } else {
        print("matplotlib: not measured (exit \(process.terminationStatus); is matplotlib installed?)")
    }
}

print("")
if let m = matplotlib { print("png-speedup-vs-matplotlib-100k: \(fmt(m / r100k.total, 1))") }
print("png-100k-ms: \(fmt(r100k.total * 1000, 1))")
print("png-1m-ms: \(fmt(r1m.total * 1000, 1))")
print("png-peak-memory-mib: \(peakAfter / 1_048_576)")
print("png-1m-over-100k-time: \(fmt(r1m.total / r100k.total, 1))")
