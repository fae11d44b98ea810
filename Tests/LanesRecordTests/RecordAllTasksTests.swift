import Foundation
import LanesCore
import LanesFormat
import LanesRecord
import Testing

/// `recordAllTasks()` as the first line of a real program, built in the test dynamically and with
/// `-static-stdlib` (where the preload library cannot see it): every task, slices on their threads,
/// suspensions and sleeps, parent links, main-actor slices — the data the preload library gives.
@Suite(.serialized) struct RecordAllTasksTests {
    @Test(arguments: RecordAllTasksProgram.linkings) func everyTaskOfAProgramWithTheOneLine(staticStdlib: Bool) throws {
        let app = try RecordAllTasksProgram.path(staticStdlib: staticStdlib)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-all-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("app.tasks").path
        let run = try RecordAllTasksProgram.run(app, ["all"], ["LANES_TASKS_FILE": file])
        #expect(run.status == 0)
        #expect(run.stdout == "group true\nrecording true 100\n")

        let recording = try TaskRecording.read(path: file)
        #expect(recording.stoppedEarly == nil)
        #expect(recording.processes.count == 1)
        #expect(recording.finished.count == 1)
        #expect(recording.notices.isEmpty)
        // Main-actor slices: each of the 20 hops at least, on the main queue.
        #expect(recording.slices.filter { $0.onMainQueue && $0.task != 0 }.count >= 20)
        // Task.sleep's timers were handed over as timers.
        #expect(recording.enqueues.filter(\.timer).count == 20)

        let trace = recording.trace()
        #expect(trace.validate().isEmpty, "\(trace.validate())")
        let tasks = trace.lanes.filter { $0.kind == .task && $0.taskID != nil }
        // The main task and the 20 children; the timers are wakers, not lanes.
        #expect(tasks.count == 21, "\(tasks.map(\.label))")
        let parents = Dictionary(grouping: tasks.compactMap(\.parentTaskID), by: { $0 }).mapValues(\.count)
        #expect(parents.values.max() == 20, "\(parents)")
        let slices = trace.spans.filter { $0.name == taskSliceName }
        let slicesByLane = Dictionary(grouping: slices, by: \.lane)
        let owners = Dictionary(
            trace.spans.filter { $0.name.hasPrefix("task ") }.map { ($0.lane, $0) }, uniquingKeysWith: { a, _ in a })
        for child in tasks where child.parentTaskID != nil {
            let owner = try #require(owners[child.id])
            // Start, after the sleep, after the yield, the main-actor hop, the end.
            #expect((slicesByLane[child.id] ?? []).count >= 3)
            #expect(owner.waits.contains { $0.reason == .sleep }, "\(child.label) has no Task.sleep wait")
            #expect(owner.waits.contains { $0.reason == .suspended })
        }
        // Slices on more than one thread, each a real thread id of the process (not the pid's tagged id).
        let threads = Set(slices.map(\.threadID))
        #expect(threads.count >= 2)
        #expect(threads.allSatisfy { $0 > 0 && $0 < 1 << 32 })
        #expect(trace.flows.filter { $0.name == "spawn" }.count >= 20)
    }

    /// `lanes record -- ./app` on the static program: no preload, the file named in the environment, the
    /// tasks in the trace beside the sampler's threads; `--no-tasks` names no file, so the line does nothing.
    @Test(
        .enabled(
            if: !RecordAllTasksProgram.underThreadSanitizer, "not seen under ThreadSanitizer (see underThreadSanitizer)"
        ))
    func lanesRecordReadsWhatTheOneLineWrote() throws {
        let app = try RecordAllTasksProgram.path(staticStdlib: true)
        let lanes = RecordAllTasksProgram.buildDirectory.appendingPathComponent("lanes").path
        try #require(FileManager.default.isExecutableFile(atPath: lanes))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-all-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("static.lanes").path
        let run = try RecordAllTasksProgram.run(lanes, ["record", "-o", out, "--", app, "all"], [:])
        #expect(run.status == 0)
        #expect(run.stdout == "group true\nrecording true 100\n")
        let trace = try LanesFile.read(path: out).trace
        let tasks = trace.lanes.filter { $0.kind == .task && $0.taskID != nil }
        #expect(tasks.count == 21)
        #expect(trace.spans.contains { $0.waits.contains { $0.reason == .sleep } })
        // The slices ran on threads the sampler saw in the same process.
        let threads = Set(trace.lanes.filter { $0.kind == .thread }.compactMap(\.threadID))
        let sliceThreads = Set(trace.spans.filter { $0.name == taskSliceName }.map(\.threadID))
        #expect(!sliceThreads.isEmpty && sliceThreads.isSubset(of: threads), "\(sliceThreads) not in \(threads)")

        let plain = try RecordAllTasksProgram.run(lanes, ["record", "--no-tasks", "-o", out, "--", app, "all"], [:])
        #expect(plain.stdout == "group true\nrecording false 100\n")
        #expect(try LanesFile.read(path: out).trace.lanes.allSatisfy { $0.kind != .task })
    }

    /// A yield-heavy static program (dynamic under ThreadSanitizer): every job recorded once, in its thread's buffer, none lost at exit.
    @Test func everyYieldIsOneSliceRecordedOnce() throws {
        let app = try RecordAllTasksProgram.path(staticStdlib: !RecordAllTasksProgram.underThreadSanitizer)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-all-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("yield.tasks").path
        let run = try RecordAllTasksProgram.run(app, ["yield", "4000"], ["LANES_TASKS_FILE": file])
        #expect(run.status == 0)
        let recording = try TaskRecording.read(path: file)
        // 4 tasks of 1,000 yields: a slice to start and one after each hand-over, each once.
        #expect(everyHandOverRanOnce(recording))
        // One thread runs one job at a time.
        for (_, slices) in Dictionary(grouping: recording.slices, by: \.threadID) {
            let sorted = slices.sorted { $0.start < $1.start }
            for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.end <= b.start) }
        }
    }

    /// Recording keeps the runtime's pool as narrow as it is without Lanes (as many threads as logical CPUs):
    /// through dispatch's global queues, whose pool grows when work blocks, tasks that block their threads ran
    /// three at a time on two cores and a blocked cooperative pool would not have shown.
    @Test func tasksThatBlockRunNoMoreAtOnceThanTheRuntimeAllows() throws {
        let app = try RecordAllTasksProgram.path(staticStdlib: !RecordAllTasksProgram.underThreadSanitizer)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-all-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("block.tasks").path
        let run = try RecordAllTasksProgram.run(app, ["block"], ["LANES_TASKS_FILE": file])
        #expect(run.status == 0)
        let recording = try TaskRecording.read(path: file)
        let blocking = recording.slices.filter { $0.end - $0.start >= 50_000_000 }
        #expect(blocking.count == 8, "\(blocking.count) slices of 50 ms or more")
        var events = blocking.flatMap { [($0.start, 1), ($0.end, -1)] }
        events.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var running = 0, peak = 0
        for (_, d) in events {
            running += d
            peak = max(peak, running)
        }
        let cpus = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #expect(peak <= cpus, "\(peak) blocking slices at once on \(cpus) logical CPUs")
    }

    /// Under the preload library (a dynamically linked program under `lanes record`) the line leaves the
    /// recording to the library: each job is recorded once, not twice.
    @Test(
        .enabled(
            if: !RecordAllTasksProgram.underThreadSanitizer, "not seen under ThreadSanitizer (see underThreadSanitizer)"
        ))
    func underThePreloadTheLineStandsAside() throws {
        let app = try RecordAllTasksProgram.path(staticStdlib: false)
        let library = RecordAllTasksProgram.buildDirectory.appendingPathComponent("libLanesTaskRecorder.so").path
        try #require(FileManager.default.fileExists(atPath: library))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-all-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("preload.tasks").path
        let run = try RecordAllTasksProgram.run(app, ["yield", "4000"], ["LANES_TASKS_FILE": file], preload: library)
        #expect(run.status == 0)
        #expect(run.stdout == "recording false\n")
        let recording = try TaskRecording.read(path: file)
        #expect(everyHandOverRanOnce(recording))
        // One process wrote: one start chunk, not two writers.
        #expect(recording.processes.count == 1)
        let starts = Set(recording.slices.map { SliceKey(thread: $0.threadID, start: $0.start) })
        #expect(starts.count == recording.slices.count)
    }

    /// The 4 yielding tasks: each job of theirs handed over was recorded running exactly once (as many slices as
    /// enqueues), and they yielded (most of their 1,000 yields each hand the task over: a task seen yielding alone
    /// at the end of a run made fewer hand-overs than yields, with or without Lanes' executors).
    private func everyHandOverRanOnce(_ recording: TaskRecording) -> Bool {
        let slices = Dictionary(grouping: recording.slices.filter { $0.task != 0 }, by: \.task).mapValues(\.count)
        let enqueues = Dictionary(grouping: recording.enqueues.filter { $0.task != 0 }, by: \.task).mapValues(\.count)
        let yielders = slices.filter { $0.value > 100 }
        return yielders.count == 4 && yielders.allSatisfy { enqueues[$0.key] == $0.value }
            && yielders.values.reduce(0, +) > 2_000
    }

    private struct SliceKey: Hashable {
        var thread: Int64
        var start: Int64
    }

    /// Without a file to write, the line changes nothing: the program runs on the runtime's own executors.
    @Test func withoutAFileItChangesNothing() throws {
        let app = try RecordAllTasksProgram.path(staticStdlib: false)
        let run = try RecordAllTasksProgram.run(app, ["all"], ["LANES_TASKS_FILE": ""])
        #expect(run.status == 0)
        #expect(run.stdout == "group true\nrecording false 100\n")
    }
}
