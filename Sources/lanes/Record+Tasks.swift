import LanesCore
import LanesFormat
import LanesRecord

#if canImport(Glibc)
    import Glibc
#endif

/// The task half of `lanes record`: loads the task-recording preload library into a command linked
/// against the Swift runtime, and adds the tasks it recorded to the sampler's trace.
struct TaskRecordingSetup {
    /// The file the library writes; nil when tasks are not recorded.
    let file: String?
    /// A note for standard error about why tasks are not recorded, if they are not.
    let note: String?
    /// Only a program that calls `recordAllTasks()` writes the file (no preload): say nothing if none did.
    var quietWhenEmpty = false

    /// Decides whether to record the tasks of `command` and, if so, sets `LD_PRELOAD` and
    /// `LANES_TASKS_FILE` in this process's environment, which the command inherits.
    static func prepare(command: [String], enabled: Bool) -> TaskRecordingSetup {
        guard enabled else { return TaskRecordingSetup(file: nil, note: nil) }
        guard let path = ELFNeeded.resolve(command[0]) else { return TaskRecordingSetup(file: nil, note: nil) }
        // A program without the Swift runtime as a shared library (a static one) records its tasks only if it
        // calls recordAllTasks(), which writes the file named in the environment: no preload.
        let preload = ELFNeeded.linksSwiftRuntime(path)
        let library = preload ? libraryPath() : nil
        if preload && library == nil {
            return TaskRecordingSetup(
                file: nil,
                note: "tasks not recorded: libLanesTaskRecorder.so is not beside the lanes executable "
                    + "(swift build builds it; LANES_TASK_RECORDER may name it)")
        }
        let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(dir)/lanes-tasks-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            return TaskRecordingSetup(file: nil, note: "tasks not recorded: cannot create a file in \(dir)")
        }
        close(fd)
        let file = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if let library {
            let existing = getenv("LD_PRELOAD").map { String(cString: $0) } ?? ""
            setenv("LD_PRELOAD", existing.isEmpty ? library : library + ":" + existing, 1)
        }
        setenv("LANES_TASKS_FILE", file, 1)
        return TaskRecordingSetup(file: file, note: nil, quietWhenEmpty: library == nil)
    }

    /// The sampler's trace with the recorded tasks added, and a line saying what was recorded.
    func finish(_ trace: Trace) -> (trace: Trace, summary: String?) {
        guard let file else { return (trace, note) }
        defer { unlink(file) }
        let recording: TaskRecording
        do {
            recording = try TaskRecording.read(path: file)
        } catch {
            return (trace, "tasks not read: \(error)")
        }
        if quietWhenEmpty && recording.processes.isEmpty { return (trace, nil) }
        let out = recording.trace(adding: trace)
        let tasks = out.lanes.count(where: { $0.kind == .task && $0.taskID != nil })
        let suspensions = out.spans.reduce(0) {
            $0 + $1.waits.count(where: { $0.reason == .suspended || $0.reason == .sleep })
        }
        var line =
            "tasks: \(tasks) tasks, \(recording.slices.count) slices on "
            + "\(Set(recording.slices.map(\.threadID)).count) threads, \(suspensions) suspensions"
        if !recording.notices.isEmpty { line += "; " + recording.notices.joined(separator: "; ") }
        if let why = recording.stoppedEarly { line += "; the task file ends early (\(why))" }
        return (out, line)
    }

    private static func libraryPath() -> String? {
        if let p = getenv("LANES_TASK_RECORDER").map({ String(cString: $0) }), access(p, R_OK) == 0 { return p }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = exe.lastIndex(of: "/") else { return nil }
        let candidate = String(exe[..<slash]) + "/libLanesTaskRecorder.so"
        return access(candidate, R_OK) == 0 ? candidate : nil
    }
}
