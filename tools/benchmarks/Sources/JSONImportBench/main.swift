// Lanes' Chrome Trace JSON import, timed on one file; run by json_import_bench.py, which times Python's
// orjson and json on the same file in the same run and prints the ratios.
// Run: swift run -c release --package-path tools/benchmarks json-import-bench FILE [ROUNDS]
import BenchSupport
import LanesCore
import LanesFormat

#if canImport(Glibc)
import Glibc
#endif

/// A figure from /proc/self/status in bytes: `VmHWM` (peak resident set; getrusage's ru_maxrss can carry the
/// parent's figure across exec), `RssAnon` (resident memory not backed by files: the model).
func statusBytes(_ field: String) -> Int {
    guard let f = fopen("/proc/self/status", "r") else { return 0 }
    defer { fclose(f) }
    var line = [CChar](repeating: 0, count: 256)
    while fgets(&line, 256, f) != nil {
        let s = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if s.hasPrefix(field + ":") {
            return (Int(s.dropFirst(field.count + 1).filter(\.isNumber)) ?? 0) * 1024
        }
    }
    return 0
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: json-import-bench FILE [ROUNDS]")
    exit(2)
}
let path = arguments[1]
let rounds = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
var times: [Double] = []
var spans = 0
var lanes = 0
var processes = 0
let anonBefore = statusBytes("RssAnon")
var modelBytes = 0
for _ in 0..<rounds {
    let t0 = nowNs()
    let result = try ChromeJSON.read(path: path)
    let elapsed = Double(nowNs() - t0) / 1e9
    times.append(elapsed)
    spans = result.trace.spans.count
    lanes = result.trace.lanes.count
    processes = result.trace.processes.count
    precondition(result.warnings.isEmpty, "warnings: \(result.warnings)")
    // Measured while the trace is alive (Swift may free it right after its last use otherwise).
    withExtendedLifetime(result) { modelBytes = max(modelBytes, statusBytes("RssAnon") - anonBefore) }
}
times.sort()
print("lanes-import-seconds: \(times[0])")
print("lanes-import-median-seconds: \(times[times.count / 2])")
print("lanes-import-spans: \(spans) lanes: \(lanes) processes: \(processes)")
print("lanes-import-peak-rss-bytes: \(statusBytes("VmHWM"))")
print("lanes-import-model-anon-bytes: \(modelBytes)")
