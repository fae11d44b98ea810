import LanesAnalysis
import LanesSupport

#if canImport(Glibc)
    import Glibc
#endif

/// package-benchmark's `jsonSmallerIsBetter` export (`[{"name": …, "unit": …, "value": …}, …]`), read from the
/// folders `lanes compare --baseline DIR --candidate DIR` is given, so its figures sit beside the timelines.
struct BenchmarkResults {
    /// Value and unit per benchmark metric name, in the file's order.
    var entries: [(name: String, unit: String, value: Double)] = []

    /// The results in `bytes`, or nil when they are not that export (a Chrome trace, anything else).
    init?(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.drop(while: \.isWhitespace).first == "[", !text.contains("\"ph\"") else { return nil }
        for object in text.matches(of: /\{[^{}]*\}/) {
            let o = object.output
            guard let name = o.firstMatch(of: /"name"\s*:\s*"((?:[^"\\]|\\.)*)"/)?.output.1,
                let number = o.firstMatch(of: /"value"\s*:\s*(-?[0-9][0-9.eE+\-]*)/)?.output.1,
                let value = Double(number)
            else { continue }
            let unit = o.firstMatch(of: /"unit"\s*:\s*"((?:[^"\\]|\\.)*)"/).map { String($0.output.1) } ?? ""
            entries.append((String(name), unit, value))
        }
        if entries.isEmpty { return nil }
    }

    /// The file at `path` read as results, or nil (unreadable, larger than 4 MB, or not that export).
    static func read(_ path: String) -> BenchmarkResults? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size <= 4 << 20, let bytes = StandardInput.readAll(fd) else { return nil }
        return BenchmarkResults(bytes)
    }

    /// A Markdown section comparing the candidate's results with the baseline's, metric by metric (smaller is
    /// better); empty when neither side has results.
    static func markdown(baseline: [BenchmarkResults], candidate: [BenchmarkResults]) -> String {
        func table(_ sides: [BenchmarkResults]) -> [String: (unit: String, value: Double)] {
            var out: [String: (String, Double)] = [:]
            for r in sides { for e in r.entries { out[e.name] = (e.unit, e.value) } }
            return out
        }
        let b = table(baseline), c = table(candidate)
        let names = Set(b.keys).union(c.keys).sorted()
        guard !names.isEmpty else { return "" }
        var md = "\n### package-benchmark results (jsonSmallerIsBetter)\n\n"
        md += "| metric | unit | baseline | candidate | change |\n|---|---|--:|--:|--:|\n"
        func number(_ x: Double?) -> String {
            x.map { $0 == $0.rounded() && abs($0) < 1e15 ? "\(Int64($0))" : "\($0)" } ?? "—"
        }
        for name in names {
            let old = b[name]?.value, new = c[name]?.value
            let change = old.flatMap { o in new.map { n in o != 0 ? TraceStatistics.percent(n / o - 1) : "—" } } ?? "—"
            let cell = name.replacing("|", with: "\\|")
            md +=
                "| \(cell) | \(c[name]?.unit ?? b[name]?.unit ?? "") | \(number(old)) | \(number(new)) | \(change) |\n"
        }
        return md
    }
}
