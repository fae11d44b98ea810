import LanesCore

/// Peak concurrency from which the advice for I/O-bound work is async tasks rather than a thread pool
/// (the seed: tens of waits → threads, hundreds to thousands → async).
let manyOperations = 100

extension WorkClass {
    /// The class of the work in a profile: from how much of the work's time was computing rather than
    /// waiting on I/O, and whether I/O and computing took turns as phases.
    ///
    /// Computing is CPU time when the trace measured it, else running time (span time less waits);
    /// I/O is waits for reads, writes, sleeps and suspended tasks. Waits that only coordinate lanes (locks,
    /// queues, joins, pipes to workers) count for neither. Mixed: computing is 30–70% of the two; or at least
    /// a fifth of the wall time was computing with no I/O open and a fifth the converse (phases); or items
    /// that compute and items that wait on I/O each cover a fifth of the wall time (stages side by side).
    /// Unknown when the profile has neither computing nor I/O to weigh.
    ///
    /// `idle` is time an event loop sat in its selector (`poll` waits), which is waiting on I/O or timers; `hidden`
    /// is running time that was in fact waiting for something the trace does not show (a `with lock:` a Python
    /// profiler cannot see), which counts for neither. `startup` is computing that is not the work (a Python
    /// program importing its modules), left out of the computing and of its phases. Without `items`, the
    /// stages rule is left out: in a profiler's call tree (VizTracer, py-spy) every leaf frame is an "item".
    init(
        profile p: TraceProfile, cpu: Nanoseconds?, idle: Nanoseconds = 0, hidden: Nanoseconds = 0,
        startup: Nanoseconds = 0, items: Bool = true
    ) {
        let compute = Double(max(0, (cpu ?? p.running) - hidden - startup))
        let io = Double(p.ioWait + idle)
        guard compute + io > 0 else {
            self = .unknown
            return
        }
        let share = compute / (compute + io)
        let wall = Double(max(1, p.wall))
        let cpuOnly = Double(max(0, p.cpuOnly - startup)), computeItems = Double(max(0, p.computeItemCover - startup))
        let phases = cpuOnly / wall >= 0.2 && Double(p.ioOnly) / wall >= 0.2
        let stages = items && computeItems / wall >= 0.2 && Double(p.ioItemCover) / wall >= 0.2
        if phases || stages {
            self = .mixed
        } else if share >= 0.7 {
            self = .cpuBound
        } else if share <= 0.3 {
            self = .ioBound
        } else {
            self = .mixed
        }
    }
}

extension Advice {
    /// The advice for one trace, following the seed's decision flow adapted to Swift.
    init(trace: Trace, statistics st: TraceStatistics, profile p: TraceProfile) {
        let idle = st.blockedByReason[.poll] ?? 0
        let hidden = trace.isPythonTrace ? Detectors.hiddenLockWaiting(trace) : 0
        // py-spy without idle frames: stretches nothing was sampled in are waiting, not computing; an import's frames
        // stretched too are that, not start-up.
        let stretches = PySpyStretches(trace)
        let unsampled = stretches?.unsampled(trace) ?? 0
        let startup = trace.isPythonTrace ? max(0, trace.pythonImportTime - (stretches?.unseenImports(trace) ?? 0)) : 0
        // A worker process's bare root frames (py-spy `--subprocesses`) are its start-up and teardown in native code
        // (fork, interpreter exit): neither computing nor waiting on I/O.
        // With `--gil`, a thread unseen while another of its process ran Python code waited for the GIL or in a
        // blocking call: the file cannot say which, so neither.
        let heldOff = stretches?.heldOff(trace) ?? 0
        // With `--idle`, the main process's threads before their first Python frame or after their last: the
        // interpreter starting or exiting.
        let edges = stretches?.edgeBareRoots(trace) ?? 0
        let neither = min(unsampled, (stretches?.childBareRoots(trace) ?? 0) + heldOff + edges)
        let work = WorkClass(
            profile: p, cpu: st.cpu, idle: idle + unsampled - neither, hidden: hidden + unsampled, startup: startup,
            items: !trace.isPythonTrace)
        let compute = max(0, (st.cpu ?? p.running) - hidden - unsampled - startup)
        let io = p.ioWait + idle + unsampled - neither
        var cpuFigure =
            "computing \(formatDuration(compute)) against \(formatDuration(io)) waiting\(unsampled > 0 ? "" : " on I/O")"
        if idle > 0 { cpuFigure += " (\(formatDuration(idle)) of it an idle event loop)" }
        if unsampled > neither {
            cpuFigure +=
                " (\(formatDuration(unsampled - neither)) of it time in which py-spy sampled no change or no Python frame, see below)"
        }
        if startup > 0 { cpuFigure += ", not counting \(formatDuration(startup)) of start-up (module imports)" }
        if hidden > 0 { cpuFigure += "; \(formatDuration(hidden)) more waiting for a lock the trace does not show" }
        // The operations that could run at once: as many as ran at once; as many items as there were only when
        // the trace shows items overlapping, or is a scenario's sequential baseline (independent items run one
        // by one by choice). One producer handing items to one consumer has one operation at a time.
        let items = p.workName.flatMap { p.statistics(of: $0)?.count } ?? 0
        let itemsCouldOverlap = p.peakConcurrency > 1 || trace.metadata.modelKind == .sequential
        let operations = itemsCouldOverlap ? max(p.peakConcurrency, items) : p.peakConcurrency
        let gil = st.blockedByReason[.gil] ?? 0
        let pythonTrace = trace.isPythonTrace
        // An interpreter lock is told only where the trace shows one: a Python tracer's file, or waits for a lock
        // the recorder knew or inferred to be an interpreter's. Another tool's Chrome trace is not assumed Python.
        let python = gil > 0
        let foreign = !pythonTrace && trace.metadata.clock != .monotonic
        switch work {
        case .cpuBound:
            let models: [ModelKind] = python || pythonTrace ? [.processes, .threads] : [.threads, .processes]
            let why =
                pythonTrace
                ? "CPU-bound (\(cpuFigure)): in CPython the GIL lets one thread run Python code at a time, so threads take turns; a ProcessPoolExecutor (or multiprocessing.Pool) runs it in parallel, one interpreter per core."
                : python
                    ? "CPU-bound (\(cpuFigure)) and held back by an interpreter lock: processes run it in parallel; threads only once the lock is gone."
                    : foreign
                        ? "CPU-bound (\(cpuFigure)): threads run it in parallel on every core, unless the program's runtime holds an interpreter lock (CPython's GIL: then processes, one interpreter per core); processes also for isolation, with items much longer than their start-up."
                        : "CPU-bound (\(cpuFigure)): Swift threads run it in parallel on every core; processes only for isolation, with items much longer than their start-up."
            self.init(
                workClass: work, peakConcurrency: p.peakConcurrency, models: models, reason: why,
                path: [.start, .bottleneck, .parallelCPU])
        case .ioBound:
            let many = operations >= manyOperations
            // A program built on an event loop (a thread idles in a selector: asyncio, or any loop `lanes record`
            // saw in epoll) keeps its loop first: the fix for its waits is not a thread pool.
            // py-spy's `--gil` never samples a loop idle in its selector (it holds no GIL there), but its stacks still
            // show asyncio's machinery: an asyncio program all the same.
            let loop = idle > 0 || trace.runsAsyncioLoop
            let reason: String
            if pythonTrace {
                reason =
                    many
                    ? "I/O-bound (\(cpuFigure)) with \(operations) operations: asyncio waits on thousands at the cost of a coroutine each (bound them with an asyncio.Semaphore), where a thread per wait would not scale."
                    : loop
                        ? "I/O-bound (\(cpuFigure)) with \(operations) operations at most: asyncio suits it, as long as no coroutine blocks the loop (a blocking call goes to a thread with asyncio.to_thread or run_in_executor); a ThreadPoolExecutor would do too."
                        : "I/O-bound (\(cpuFigure)) with \(operations) operations at most: a ThreadPoolExecutor of that many threads waits for them simply (the GIL is released while a thread sleeps or does I/O); asyncio does too, and scales to many more."
            } else {
                reason =
                    many
                    ? "I/O-bound (\(cpuFigure)) with \(operations) operations: async tasks wait by the thousand at the cost of a suspension each, where a thread per wait would not scale."
                    : loop
                        ? "I/O-bound (\(cpuFigure)) with \(operations) operations at most, waiting in an event loop: keep the loop (async), as long as nothing blocks it (a blocking call goes to a thread of its own); a pool of threads would do too."
                        : operations <= 1
                            ? "I/O-bound (\(cpuFigure)) with one operation in flight at a time (peak concurrency \(p.peakConcurrency)): no wait overlapped another, so no model shortens this run until the work is split into operations that can wait at once; then a pool of threads for tens of them, async tasks for thousands."
                            : "I/O-bound (\(cpuFigure)) with \(operations) operations at most: a pool of that many threads waits for them simply; async tasks do too."
            }
            self.init(
                workClass: work, peakConcurrency: p.peakConcurrency,
                models: many ? [.async] : loop ? [.async, .threads] : [.threads, .async],
                reason: reason, path: [.start, .bottleneck, .concurrency, many || loop ? .async : .threads])
        case .mixed:
            let split = "\(formatDuration(p.ioOnly)) of I/O alone, \(formatDuration(p.cpuOnly)) of computing alone"
            self.init(
                workClass: work, peakConcurrency: p.peakConcurrency, models: [.hybrid, .async, .processes],
                reason: pythonTrace
                    ? "Mixed (\(cpuFigure); \(split)): asyncio for the waits, with the CPU work sent to a ProcessPoolExecutor through loop.run_in_executor."
                    : "Mixed (\(cpuFigure); \(split)): async tasks for the waits, with the CPU work sent to a pool of processes or threads.",
                path: [.start, .bottleneck, .hybrid])
        case .unknown:
            let why =
                trace.spans.isEmpty
                ? "No advice: the trace holds no spans. A sampling profiler writes such a file when it caught no sample: py-spy when the program ended before its first sample, or with --gil when no thread held the GIL as it sampled (a program that only waits); record it again, longer, or without --gil."
                : "No advice: the trace shows no computing and no waiting on I/O, its \(formatDuration(st.busy)) of spans is lanes waiting on one another (locks, queues, joins), so it cannot say what the work is bound by."
                    + (trace.isPySpyTrace
                        ? " With --gil (or without --idle) py-spy samples a thread only while it holds the GIL (or runs): threads it hardly caught were not running Python code but waiting, on what it cannot show; record with --idle to see it."
                        : "")
            self.init(workClass: work, peakConcurrency: p.peakConcurrency, models: [], reason: why, path: [.start])
        }
        self.operations = operations
        // A parent that only hands its work to a process pool and waits: the work is in processes already, which
        // is where CPU-bound Python belongs; a trace without the workers cannot measure them.
        if pythonTrace, work != .cpuBound, trace.processes.count <= 1,
            trace.spans.contains(where: \.isProcessPoolPlumbing)
        {
            self.init(
                workClass: .cpuBound, peakConcurrency: p.peakConcurrency, models: [.processes, .hybrid],
                reason:
                    "The program hands its work to a process pool (multiprocessing or a ProcessPoolExecutor) and waits for the results: the work runs in processes already, one interpreter per core, which is what CPU-bound Python needs (the GIL does not hold processes back). This trace shows the parent only (\(cpuFigure)); record the workers too (py-spy --subprocesses, or VizTracer) to see how long their items take against the cost of sending them.",
                path: [.start, .bottleneck, .parallelCPU])
            self.operations = operations
        }
        if trace.metadata.extra.contains(Attribute("py-spy.sampled", "true")) {
            reason +=
                " (Sampled by py-spy, 100 times a second unless recorded with -r; the file does not say: a frame was on the stack, not necessarily running, and calls shorter than a sample may be missing.)"
            // Without --idle (or with --gil) py-spy keeps no frame of a waiting thread, and its Chrome output
            // stretches a thread's last frames to the next sample it takes: waiting then looks like computing.
            if unsampled > 0 {
                let bare = min(unsampled, stretches?.bareRootTime ?? 0)
                // Bare root time may lie inside a stretch too: the stretches' figure is what the bare roots leave.
                let stretched = unsampled - bare
                let threshold = formatDuration(stretches?.threshold ?? 0)
                // When all of it is counted as neither (below), no part of it is said to be waiting.
                let counted =
                    unsampled > neither
                    ? "counted here as waiting (unless said below): for a sleep, I/O, a lock, a queue or the GIL, or in native code that released the GIL; the file cannot say which"
                    : "which the file cannot place"
                reason +=
                    " py-spy sampled no change or no Python frame for \(formatDuration(unsampled)) of the threads' time: with --gil (which samples only the thread holding the GIL) or without --idle a waiting thread leaves no frames, and with --idle its frames show a wait only where the vocabulary knows the call or the source line of the call was found."
                if stretched > 0 {
                    reason +=
                        " For \(formatDuration(stretched)) of the threads' time no sampled stack changed for \(threshold) or more (ten times the trace's median time between changes, and at least \(formatDuration(PySpyStretches.floor))), \(counted), nor tell it from one long call that kept its stack."
                }
                if bare > 0 {
                    reason +=
                        " For \(formatDuration(bare)) of the threads' time they were sampled with no Python frame at all (their root frame alone), or a thread was caught by one sample whose frames never changed, or asyncio's own machinery stayed the innermost frame for \(formatDuration(PySpyStretches.floor)) or more (the loop between callbacks takes microseconds), \(stretched > 0 ? "counted the same way" : counted)."
                }
                if edges > 0 {
                    reason +=
                        " Of that time \(formatDuration(min(unsampled, edges))) was threads before their first Python frame or after their last (the interpreter starting a thread or exiting), counted as neither computing nor waiting on I/O."
                }
                if heldOff > 0 {
                    reason +=
                        " Of that time \(formatDuration(min(unsampled, heldOff))) was while another thread of the process was seen running Python code: waiting for the GIL or in a blocking call, which the file cannot tell apart, so counted as neither computing nor waiting on I/O."
                }
                reason += " Record with --idle to see what the threads waited on."
            } else if trace.isPySpyWithoutIdleFrames {
                reason +=
                    " No idle frame was sampled but joins: if py-spy ran without --idle, or with --gil (which samples only the thread holding the GIL), waiting threads left no frames and their waiting reads as computing; record with --idle to tell them apart."
            }
            // A loop blocked in `time.sleep` holds no GIL and is off the CPU: `--gil` and a recording without `--idle`
            // see it no better than the loop idle in its selector.
            if trace.runsAsyncioLoop, trace.pySpyMissesWaitingThreads {
                reason +=
                    " A recording with --gil or without --idle cannot show a blocked event loop either: a coroutine blocked in a call that releases the GIL (time.sleep, a blocking socket or file read) leaves no frame, just as the loop idle in its selector does; only a recording with --idle shows whether a blocking call stalled the loop."
            }
        }
    }

    /// Advice from several runs of one scenario: the work's class and recommendation from the baseline run
    /// (the sequential one, which shows the work without a model's overhead), with the measured winner, the
    /// run with the shortest wall time, named and compared.
    public init(comparing traces: [Trace]) {
        guard !traces.isEmpty else {
            self.init(workClass: .unknown, peakConcurrency: 0, models: [], reason: "no runs to compare", path: [.start])
            return
        }
        let comparison = Comparison(traces)
        let base = traces[comparison.baseline]
        self = Analysis(base).advice
        guard let w = comparison.winner else { return }
        let row = comparison.rows[w]
        winner = row.label
        let baseLabel = comparison.rows[comparison.baseline].label
        var why = "measured: \(row.label) was fastest"
        if w != comparison.baseline, row.label != baseLabel {
            why += ", \(TraceStatistics.decimal(row.speedup))× over \(baseLabel)"
        }
        if let runner = comparison.rows.indices.filter({ $0 != w && comparison.rows[$0].label != row.label }).min(by: {
            comparison.rows[$0].statistics.wall < comparison.rows[$1].statistics.wall
        }) {
            let r = comparison.rows[runner]
            let ratio = Double(r.statistics.wall) / Double(max(1, row.statistics.wall))
            why +=
                TraceStatistics.decimal(ratio) == TraceStatistics.decimal(1)
                ? " and as fast as \(r.label), the next (within 0.5%)"
                : " and \(TraceStatistics.decimal(ratio))× faster than \(r.label), the next"
        }
        let classified = models
        let said = classified.map(\.rawValue).joined(separator: " or ")
        let kind = traces[w].metadata.modelKind
        guard !classified.isEmpty else {
            // Nothing classified (the baseline measured no work): the measurement alone speaks.
            if let kind, kind != .recorded, kind != .gil { models = [kind] }
            reason += " " + why + "."
            return
        }
        // OS threads however they are started (a pool, one per item, Dispatch) are one recommendation.
        func family(_ k: ModelKind) -> ModelKind { k == .threadPerTask || k == .dispatch ? .threads : k }
        if let kind, let i = models.firstIndex(where: { family($0) == family(kind) }) {
            why +=
                models[i] == kind ? ", as the classification predicts." : ", OS threads as the classification predicts."
            if models[i] == kind { models.remove(at: i) }
            models.insert(kind, at: 0)
        } else if kind == .gil {
            // The emulated interpreter lock is a constraint a run is put under to see its cost, not a model to choose.
            why +=
                "; gil (threads under an emulated interpreter lock) is a constraint shown for the lesson, not a model to choose, so the recommendation stays \(said)."
            disagreement =
                "gil won: the interpreter lock serialised the work, which cost less than the recommended model's overhead or contention here; gil is a constraint to see, not a model to choose"
        } else if let first = classified.first,
            let mine = traces.indices.first(where: { traces[$0].metadata.modelKind == first }).map({
                comparison.rows[$0]
            }),
            Double(mine.statistics.wall) <= Double(row.statistics.wall) * 1.05
        {
            // Within 5% is within the noise of one run: the classification stands.
            why += "; \(first), the recommendation, was within 5% of it."
            disagreement = "\(row.label) was fastest by less than 5% over \(first), within the noise of one run"
        } else if let kind, kind != .recorded {
            // Follow the measurement: the winner goes first, and the row says what the classification said.
            why += "; the classification recommended \(said), but the measurement wins."
            models.insert(kind, at: 0)
            disagreement =
                kind == .sequential
                ? "sequential won: the work per item is too small for any model's overhead to pay off (the classification said \(said))"
                : "measured fastest, against the classification's \(said)"
        } else {
            why += "; the classification recommended \(said)."
        }
        reason += " " + why
    }
}

extension Trace {
    /// Time a Python program spent importing modules (inside `_find_and_load`) or starting its interpreter
    /// (``Trace/pythonImports``), summed over lanes: start-up, not the work.
    var pythonImportTime: Nanoseconds { pythonImports.values.reduce(0) { $0 + $1.length } }

    /// Whether a Python trace shows an asyncio event loop running: task lanes (VizTracer's `--log_async`), a
    /// sampled line that starts one (`asyncio.run(`, which the importer notes as `python.asyncio`), or
    /// frames of asyncio's loop machinery (`asyncio.run`, `run_forever`, `_run_once`, a callback's `Handle._run`,
    /// a task's step) from asyncio's own files.
    var runsAsyncioLoop: Bool {
        guard isPythonTrace else { return false }
        if lanes.contains(where: { $0.kind == .task }) || metadata.extra.contains(Attribute("python.asyncio", "true")) {
            return true
        }
        let machinery: Set<String> = [
            "Runner.run", "BaseEventLoop.run_forever", "BaseEventLoop._run_once", "BaseEventLoop.run_until_complete",
            "Handle._run", "Task.__step", "Task.__step_run_and_handle_result", "Task.__wakeup",
        ]
        return spans.contains { s in
            machinery.contains(s.name)
                && s.attributes.contains { ($0.key == "file" || $0.key == "filename") && $0.value.contains("asyncio/") }
        }
    }

    /// Whether the trace was written by a Python tracer (VizTracer or py-spy): its advice uses Python's words.
    var isPythonTrace: Bool {
        metadata.clock == .imported("viztracer") || metadata.clock == .imported("py-spy")
    }
}
