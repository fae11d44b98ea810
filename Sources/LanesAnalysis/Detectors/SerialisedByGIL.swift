import LanesCore

extension Detectors {
    /// Pitfall 1 in a Python trace: several threads of one process spend overlapping wall time in Python code
    /// (not in a blocking call the vocabulary recognises), so under the GIL they took turns. A sampled trace
    /// that records only GIL holders (py-spy `--gil`) shows the turns directly: threads that each ran a good
    /// share of the time, hardly ever together.
    static func serialisedByGIL(_ trace: Trace, _ st: TraceStatistics, _ p: TraceProfile) -> Finding? {
        guard trace.isPythonTrace, p.wall > 0 else { return nil }
        // py-spy without idle frames stretches a thread's last frames over the time it was not sampled: that
        // time is not Python code running (``PythonThreads`` leaves it out).
        for process in PythonThreads.all(trace) {
            let threads = process.threads
            let workers = threads.filter { ratio($0.running.length, p.wall) >= 0.1 }
            guard workers.count >= 2 else { continue }
            // Threads taking turns in one section under a lock are the lock's finding, not the GIL's.
            if let x = exclusiveSection(trace, process), x.isContended(wall: p.wall) {
                continue
            }
            let runs = workers.map(\.running)
            let together = PythonThreads.covered(atLeast: 2, runs)
            let any = PythonThreads.covered(atLeast: 1, runs)
            let sum = runs.reduce(0) { $0 + $1.length }
            let overlapping = ratio(together, p.wall) >= 0.3
            let alternating =
                ratio(any, p.wall) >= 0.5 && Double(sum) <= 1.3 * Double(any)
                && trace.metadata.clock == .imported("py-spy")
            guard overlapping || alternating else { continue }
            let python = formatDuration(sum)
            return Finding(
                kind: .serialisedCPU, severity: .critical,
                title:
                    "Threads serialised by the GIL: \(workers.count) threads ran Python code \(overlapping ? "at the same time" : "in turns")",
                evidence: overlapping
                    ? "\(workers.count) threads of process \(process.pid) were in Python code, not in a blocking call, for \(python) in all, \(formatDuration(together)) of it (\(pct(ratio(together, p.wall))) of the wall time) with two or more at once; CPython runs one thread's Python code at a time, so they took turns. The trace cannot show who held the GIL when."
                    : "\(workers.count) threads of process \(process.pid) were sampled in Python code for \(python) in all, but together they covered only \(formatDuration(any)): they ran one at a time. A sampled trace cannot show who held the GIL between samples.",
                lesson:
                    "Pitfall 1: under the GIL threads take turns, so CPU-bound Python code gains nothing from them; use a ProcessPoolExecutor (or multiprocessing), or move the hot loop into code that releases the GIL.",
                range: p.start...(p.start + p.wall), lanes: workers.map(\.lane),
                figures: [
                    "threads": Double(workers.count), "python": Double(sum), "together": Double(together),
                    "covered": Double(any), "wall": Double(p.wall),
                ])
        }
        return nil
    }
}
