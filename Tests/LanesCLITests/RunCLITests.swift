import Foundation
import LanesCore
import LanesFormat
import Testing

@Suite struct RunCLITests {
    @Test func runWritesATracePerModelAndATable() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try runLanes([
            "run", "cpu-primes", "--model", "sequential", "threads", "processes", "gil", "--scale", "0.05", "--out",
            dir.path,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("model") == true)
        for model in ["sequential", "threads", "processes", "gil"] {
            #expect(lines.contains { $0.hasPrefix(model + " ") })
            let trace = try LanesFile.read(path: dir.appendingPathComponent("cpu-primes-\(model).lanes").path).trace
            #expect(trace.metadata.model == model)
            #expect(trace.spans.filter { $0.name == "count primes" }.count == 16)
        }
        #expect(lines.contains("answer (same under every model): 9592 primes below 100000"))
    }

    @Test func badNamesListTheValidOnes() throws {
        let scenario = try runLanes(["run", "no-such-scenario"])
        #expect(scenario.status != 0)
        #expect(scenario.stderr.contains("cpu-primes") && scenario.stderr.contains("file-hash"))
        let model = try runLanes(["run", "cpu-primes", "--model", "fibers"])
        #expect(model.status != 0)
        #expect(model.stderr.contains("'fibers' is invalid for '--model") && model.stderr.contains("processes"))
        let nowhere = try runLanes(["run", "cpu-primes", "--out", "/nonexistent/dir"])
        #expect(nowhere.status != 0)
        #expect(nowhere.stderr.contains("--out /nonexistent/dir: cannot create it"))
        let file = try runLanes(["run", "cpu-primes", "--out", "/dev/null"])
        #expect(file.status != 0)
        #expect(file.stderr.contains("--out /dev/null is not a directory"))
        let unsupported = try runLanes(["run", "blocking-async", "--model", "threads"])
        #expect(unsupported.status != 0)
        #expect(unsupported.stderr.contains("does not run under threads"))
    }

    @Test func aSweepSaysWhereParallelStartsToPay() throws {
        let run = try runLanes(["run", "matrix", "--model", "threads", "--sweep", "0.05", "0.1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("speed-up over sequential, matrix (median of 3 runs per scale):"))
        #expect(
            run.stdout.contains("threads first beats sequential at scale")
                || run.stdout.contains("threads never beats sequential"))
    }

    @Test func outIsCreatedAndSpeedUpsSayWhatTheyAreOver() throws {
        let dir = "/tmp/lanes-run-out-\(getpid())"
        defer {
            unlink("\(dir)/cpu-primes-threads.lanes")
            unlink("\(dir)/cpu-primes-async.lanes")
            rmdir(dir)
        }
        let run = try runLanes(["run", "cpu-primes", "--model", "threads", "async", "--scale", "0.02", "--out", dir])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(access("\(dir)/cpu-primes-threads.lanes", R_OK) == 0)
        // No sequential run: the column is over the first model, and says so.
        #expect(run.stdout.contains("× threads"), "\(run.stdout)")
    }

    @Test func scenariosAreListed() throws {
        let run = try runLanes(["scenarios"])
        #expect(run.status == 0)
        for name in [
            "cpu-primes", "downloads", "file-hash", "producer-consumer", "race", "blocking-async", "fire-and-forget",
            "lock-contention", "matrix",
        ] {
            #expect(run.stdout.contains(name))
        }
    }
}
