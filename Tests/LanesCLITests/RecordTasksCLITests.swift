import Foundation
import LanesCore
import LanesFormat
import LanesRecord
import Testing

/// `lanes record -- ./app` on an unmodified Swift program: every task, its slices on the threads
/// that ran them, suspensions, parent links, main-actor slices, and the findings the analysis makes.
@Suite(.serialized) struct RecordTasksCLITests {
    @Test func recordsEveryTaskOfAnUnmodifiedProgram() throws {
        let app = try taskProgram.get()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("tasks.lanes").path
        let r = try runLanes(["record", "-o", out, "--", app, "all"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "group true\ndone 100\n")
        #expect(r.stderr.contains("lanes record: tasks: "), "\(r.stderr)")
        let trace = try LanesFile.read(path: out).trace
        #expect(trace.validate().isEmpty, "\(trace.validate())")

        let tasks = trace.lanes.filter { $0.kind == .task && $0.taskID != nil }
        // The main task, 20 group children, 2 detached tasks; Task.sleep's timer tasks are wakers, not lanes.
        #expect(tasks.count == 23, "\(tasks.map(\.label))")
        let owners = Dictionary(
            trace.spans.filter { $0.name.hasPrefix("task ") && trace.lane($0.lane)?.kind == .task }.map {
                ($0.lane, $0)
            },
            uniquingKeysWith: { a, _ in a })
        let slices = trace.spans.filter { $0.name == taskSliceName }
        let slicesByLane = Dictionary(grouping: slices, by: \.lane)

        // Parent links: 20 children of one task, that task being the one with the most children.
        let parents = Dictionary(grouping: tasks.compactMap(\.parentTaskID), by: { $0 }).mapValues(\.count)
        let main = try #require(parents.max { $0.value < $1.value })
        #expect(main.value >= 20)
        let children = tasks.filter { $0.parentTaskID == main.key }
        for child in children.prefix(20) {
            // A child's span names its parent's; its own slices are at least: start, after the sleep, after the
            // yield, on the main actor, the end.
            let owner = try #require(owners[child.id])
            #expect(owner.parent == owners[tasks.first { $0.taskID == main.key }!.id]?.id)
            let mine = slicesByLane[child.id] ?? []
            #expect(mine.count >= 3, "\(child.label): \(mine.count) slices")
            #expect(owner.waits.contains { $0.reason == .sleep }, "\(child.label) has no Task.sleep wait")
            #expect(owner.waits.contains { $0.reason == .suspended || $0.reason == .sleep })
            for s in mine { #expect(s.start >= owner.start && s.end <= owner.end) }
        }

        // Every slice ran on a thread of the process that /proc saw.
        let pid = try #require(trace.processes.first?.pid)
        let threads = Set(trace.lanes.filter { $0.kind == .thread && $0.pid == pid }.compactMap(\.threadID))
        let sliceThreads = Set(slices.map(\.threadID))
        #expect(sliceThreads.count >= 2)
        #expect(sliceThreads.isSubset(of: threads), "\(sliceThreads) not in \(threads)")

        // Main-actor slices: one per onMain hop at least.
        let mainSlices = slices.filter { $0.attributes.contains(Attribute("queue", "main")) }
        #expect(mainSlices.count >= 20)
        // Spawn flows from the parent's slice to each child's first slice.
        #expect(trace.flows.filter { $0.name == "spawn" }.count >= 22)

        // lanes info counts the tasks and the suspensions.
        let info = try runLanes(["info", out])
        #expect(info.status == 0)
        #expect(info.stdout.contains(" tasks)"), "\(info.stdout)")
        #expect(info.stdout.contains("suspended "), "\(info.stdout)")
        // The analysis finds the blocking usleep in a task and the detached task nobody awaited.
        let advise = try runLanes(["advise", out])
        #expect(advise.stdout.contains("blocked-cooperative-pool"), "\(advise.stdout)")
        #expect(advise.stdout.contains("unawaited-tasks"), "\(advise.stdout)")
    }

    @Test func noTasksLeavesTheProgramAlone() throws {
        let app = try taskProgram.get()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("plain.lanes").path
        let r = try runLanes(["record", "--no-tasks", "-o", out, "--", app, "yield", "1000"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("tasks:"))
        let trace = try LanesFile.read(path: out).trace
        #expect(!trace.lanes.contains { $0.kind == .task })
        #expect(trace.lanes.contains { $0.kind == .thread })
    }

    /// A program that kills itself with SIGKILL keeps every chunk the library had written.
    @Test func aKilledProgramLeavesAReadablePrefix() throws {
        let app = try taskProgram.get()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("killed.lanes").path
        let r = try runLanes(["record", "-o", out, "--", app, "killed"])
        #expect(r.status == 128 + 9, "\(r.stderr)")
        let trace = try LanesFile.read(path: out).trace
        #expect(trace.processes.first?.exit == .signaled(9))
        // 20,000 yields of one task before the kill; whole buffers of them reached the file.
        #expect(trace.spans.filter { $0.name == taskSliceName }.count >= 10_000)

        // The raw file, by hand: no end chunk, and cut in the middle of a chunk it still reads to the one before.
        let file = dir.appendingPathComponent("killed.tasks").path
        let run = try runWithEnvironment(
            app, ["killed"], ["LD_PRELOAD": taskRecorderLibrary, "LANES_TASKS_FILE": file])
        #expect(run.reason == .uncaughtSignal && run.status == 9)
        let whole = try TaskRecording.read(path: file)
        // The kill can land while another thread writes a chunk (the kernel stops a write for a fatal signal), so the
        // file may end in a chunk cut short: read to the one before it, never a damaged one.
        #expect(
            whole.stoppedEarly == nil || whole.stoppedEarly?.contains("cut short") == true,
            "\(whole.stoppedEarly ?? "")")
        #expect(whole.finished.isEmpty)
        #expect(whole.processes.count == 1)
        #expect(whole.slices.count >= 10_000)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: file)))
        bytes.removeLast(100)
        let cut = TaskRecording.decode(bytes)
        #expect(cut.stoppedEarly != nil)
        // 100 bytes off the end lose the last whole chunk, or only more of an already cut one.
        let lost = whole.stoppedEarly == nil ? 1 : 0
        #expect(cut.chunks == whole.chunks - lost || cut.chunks == whole.chunks - 1)
        #expect(cut.slices.count <= whole.slices.count && cut.slices.count > 0 || whole.chunks <= 2)
        // A damaged byte in the second chunk: only the first (the start chunk) is read.
        bytes[40 + 8 + 50] ^= 0xFF
        let damaged = TaskRecording.decode(bytes)
        #expect(damaged.chunks == 1)
        #expect(damaged.stoppedEarly?.contains("checksum") == true)
    }

    /// Many tasks on every pool thread: each job recorded once, in its thread's buffer, none lost at exit.
    @Test func manyTasksOnManyThreadsEveryJobOnce() throws {
        let app = try taskProgram.get()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("many.tasks").path
        let run = try runWithEnvironment(app, ["many"], ["LD_PRELOAD": taskRecorderLibrary, "LANES_TASKS_FILE": file])
        #expect(run.status == 0, "\(run.stderr)")
        let recording = try TaskRecording.read(path: file)
        #expect(recording.stoppedEarly == nil)
        #expect(recording.finished.count == 1)
        let taskSlices = recording.slices.filter { $0.task != 0 }
        let perTask = Dictionary(grouping: taskSlices, by: \.task).mapValues(\.count)
        // 64 children of 300 yields each: a slice to start and one after every yield at least.
        let children = perTask.filter { $0.value >= 301 }
        #expect(children.count == 64, "\(perTask.values.sorted().prefix(5))")
        // One thread runs one job at a time: its slices never overlap, and none is recorded twice.
        for (_, slices) in Dictionary(grouping: recording.slices, by: \.threadID) {
            let sorted = slices.sorted { $0.start < $1.start }
            for (a, b) in zip(sorted, sorted.dropFirst()) {
                #expect(a.end <= b.start, "overlapping slices on thread \(a.threadID)")
            }
        }
        #expect(Set(recording.slices.map(\.threadID)).count >= 2)
        #expect(recording.slices.contains { $0.onMainQueue })
    }

    /// Without the Swift runtime the library records nothing and, when asked to insist, says why once.
    @Test func theLibrarySwitchesItselfOffAndSaysSoOnce() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("off.tasks").path
        let run = try runWithEnvironment(
            "/bin/sh", ["-c", "true"],
            ["LD_PRELOAD": taskRecorderLibrary, "LANES_TASKS_FILE": file, "LANES_TASKS_REQUIRE": "1"])
        #expect(run.status == 0)
        #expect(run.stderr.components(separatedBy: "task recording is off").count == 2, "\(run.stderr)")
        let recording = try TaskRecording.read(path: file)
        #expect(recording.notices.count == 1)
        #expect(recording.notices.first?.contains("libswift_Concurrency") == true)
        #expect(recording.slices.isEmpty)
    }

    @Test func swiftProgramsAreToldFromOthersByTheirDynamicSection() throws {
        let app = try taskProgram.get()
        #expect(ELFNeeded.linksSwiftRuntime(app))
        #expect(ELFNeeded.libraries(ofExecutable: app)?.contains { $0.hasPrefix("libswift_Concurrency.so") } == true)
        #expect(!ELFNeeded.linksSwiftRuntime("/bin/sh"))
        #expect(ELFNeeded.libraries(ofExecutable: "/bin/sh")?.contains { $0.hasPrefix("libc.so") } == true)
        // Not ELF at all: no answer rather than a crash.
        #expect(ELFNeeded.libraries(in: Array("#!/bin/sh\necho hi\n".utf8)) == nil)
        #expect(ELFNeeded.libraries(in: [0x7F, 0x45, 0x4C, 0x46, 2, 1] + [UInt8](repeating: 0xFF, count: 100)) == nil)
    }
}
