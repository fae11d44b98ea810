import Foundation
import LanesFormat
import LanesRecord
import Testing

/// The task recording writer the preload library and `recordAllTasks()` share, built with
/// `-fsanitize=thread` into a C harness: many threads (in two waves, so the second reuses the first's
/// buffers) record jobs while another thread flushes every buffer again and again; ThreadSanitizer
/// must report nothing and the file must hold every job exactly once.
let taskWriterHarnessSource = #"""
    #include "task_writer.c"
    #include <pthread.h>
    #include <stdio.h>

    enum { THREADS = 12, JOBS = 6000 };

    typedef struct job { uint64_t task; uint64_t pad[3]; uint32_t flags; uint32_t more; } job;
    _Static_assert(__builtin_offsetof(job, flags) == 32, "the flags word is at offset 32");

    static __thread uint64_t running_task;
    static uint64_t task_of(void *j) { return ((job *)j)->task; }
    static uint64_t current(void) { return running_task; }
    static __thread volatile uint64_t sink;
    static void run(void *j) {
        running_task = ((job *)j)->task;
        for (int i = 0; i < 50; i++) sink += (uint64_t)i;
        running_task = 0;
    }
    static int stop;

    static void *worker(void *arg) {
        uint64_t base = (uint64_t)(uintptr_t)arg * 1000000u;
        for (int i = 0; i < JOBS; i++) {
            job j = {base + (uint64_t)(i % 7) + 1, {0, 0, 0}, 0x1500u, 0};
            lanes_tw_enqueue(&j, 0, 0);
            lanes_tw_run(&j, 0, run);
        }
        return NULL;
    }

    static void *flusher(void *arg) {
        (void)arg;
        while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) lanes_tw_flush();
        return NULL;
    }

    int main(int argc, char **argv) {
        if (argc < 2 || lanes_tw_open(argv[1], task_of, current) != 0) return 2;
        lanes_tw_enable();
        pthread_t f, t[THREADS];
        pthread_create(&f, NULL, flusher, NULL);
        for (int wave = 0; wave < 2; wave++) {
            for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(wave * THREADS + i + 1));
            for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
        }
        __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
        pthread_join(f, NULL);
        return 0;  // the exit flush writes what is left
    }
    """#

@Suite struct TaskWriterThreadSanitizerTests {
    @Test func manyThreadsRecordingWhileAnotherFlushesAreRaceFree() throws {
        let writer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/CLanesTaskWriter")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lanes-tsan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = dir.appendingPathComponent("harness.c")
        try taskWriterHarnessSource.write(to: source, atomically: true, encoding: .utf8)
        let binary = dir.appendingPathComponent("harness").path
        let clang = ["/opt/swift/usr/bin/clang", "/usr/bin/clang"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        let cc = try #require(clang, "no clang to build the harness with")
        var arguments = [
            "-fsanitize=thread", "-g", "-O1", "-I", writer.path, "-I", writer.appendingPathComponent("include").path,
            source.path, "-o", binary, "-lpthread",
        ]
        // The Swift toolchain's ThreadSanitizer runtime intercepts libdispatch: it links against the toolchain's.
        let swiftLibraries = URL(fileURLWithPath: cc).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("lib/swift/linux").path
        if FileManager.default.fileExists(atPath: swiftLibraries + "/libdispatch.so") {
            arguments += ["-L", swiftLibraries, "-Wl,-rpath," + swiftLibraries, "-ldispatch", "-lBlocksRuntime"]
        }
        let build = try runTool(cc, arguments)
        try #require(build.status == 0, "\(build.stderr)")

        let file = dir.appendingPathComponent("tsan.tasks").path
        let run = try runTool(binary, [file], environment: ["TSAN_OPTIONS": "halt_on_error=0 exitcode=66"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("ThreadSanitizer"), "\(run.stderr)")

        let recording = try TaskRecording.read(path: file)
        #expect(recording.stoppedEarly == nil)
        #expect(recording.finished.count == 1)
        // 2 waves of 12 threads of 6,000 jobs: each slice and each enqueue exactly once.
        #expect(recording.slices.count == 2 * 12 * 6000)
        #expect(recording.enqueues.count == 2 * 12 * 6000)
        #expect(Set(recording.slices.map(\.threadID)).count == 24)
        // Each enqueue names the task running on its thread then (none: the harness's jobs run after it).
        #expect(recording.enqueues.allSatisfy { $0.by == 0 })
        for (_, slices) in Dictionary(grouping: recording.slices, by: \.threadID) {
            #expect(slices.count == 6000)
        }
    }

    private func runTool(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, stderr: String
    ) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = arguments
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }.filter {
            $0.key != "LD_PRELOAD"
        }
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
