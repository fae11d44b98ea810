import ArgumentParser
import LanesAnalysis
import LanesCore

/// `lanes advise TRACE…`: statistics, pitfalls found and the model to use.
struct Advise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Prints a trace's statistics, the pitfalls found in it, and the concurrency model to use.",
        discussion: """
            With several traces (runs of one scenario under different models), also compares them against the \
            sequential run (else the first) and names the fastest.

            --json prints one object. Durations are integer nanoseconds (keys ending in Ns); shares are 0…1.
              runs[]: name, scenario, model (null when unknown),
                statistics: wallNs, busyNs, cpuNs, cores, cpuUtilisation, averageParallelism, runningNs,
                  runningParallelism, peakConcurrency, blockedNs, blockedShare, blockedByReasonNs{reason: ns},
                  runQueueWaitNs, ioWaitNs, workName, throughputPerSecond, loadImbalance, spanCount,
                  droppedEvents, recorderCost{perSpanNs, events, totalNs, share, text} (what recording cost the run:
                    the recorder's own measurement per span × spans and waits; nulls when the trace does not say),
                  spansByName[]{name, count, totalNs, meanNs, p50Ns, p90Ns, p99Ns, maxNs},
                  lanes[]{lane, label, busyNs, runningNs, busyShare, workCount, workNs},
                  criticalPath{lengthNs, byName[]{name, timeNs}, segments},
                findings[] (most severe first): kind (serialised-cpu, blocked-cooperative-pool, unawaited-tasks,
                  lock-contention, oversubscription, process-overhead, stragglers, producer-consumer),
                  severity (info, warning, critical), title, evidence, lesson, rangeNs ([start, end] or null),
                  lanes[], spans[] (ids as strings, at most 100), figures{name: number},
                advice: workClass (CPU-bound, I/O-bound, mixed, unknown), models[] (best first), winner, operations,
                  peakConcurrency, reason, path[] (start, bottleneck, concurrency, threads, async, parallelCPU, hybrid).
              comparison (two or more traces): baseline, rows[]{label, wallNs, speedup, efficiency (speed-up per core; above 1 when waits overlap), blockedShare,
                extraWorkNs (null when only one of the two runs measured CPU time), workers}, serialFraction (Amdahl, from runs of one model at two or more worker counts
                against the baseline; else null), advice (as above, with winner set).
            """)

    @Argument(help: "Trace files: .lanes, or Chrome Trace Event JSON (.json).")
    var traces: [String]

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup var analysis: AnalysisArguments

    func validate() throws {
        guard !traces.isEmpty else { throw ValidationError("give at least one trace") }
    }

    func run() throws {
        let options = try analysis.options()
        var loaded: [(name: String, trace: Trace)] = []
        for path in traces {
            let result = try readTrace(path)
            for w in result.warnings { printError("warning: \(path): \(w)") }
            loaded.append((path, result.trace))
        }
        let report = AnalysisReport(loaded, options: options)
        printTerminal(json ? report.json : report.text, terminator: "")
    }
}
