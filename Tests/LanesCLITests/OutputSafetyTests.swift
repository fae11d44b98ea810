import Foundation
import LanesCore
import LanesFormat
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 19: no command destroys a file it was not asked to write, or leaves a partial one.
@Suite(.serialized) struct OutputSafetyTests {
    /// A trace with `count` spans of distinct names on two threads.
    func trace(spans count: Int = 20) -> Trace {
        let lanes = [
            Lane(id: LaneID(0), kind: .thread, pid: 7, threadID: 7, name: "main"),
            Lane(id: LaneID(1), kind: .thread, pid: 7, threadID: 8, name: "worker"),
        ]
        var spans: [Span] = []
        for i in 0..<count {
            let lane: UInt32 = i % 2 == 0 ? 0 : 1
            let start = Int64(i) * 1_000
            spans.append(
                Span(
                    id: SpanID(UInt64(i + 1)), name: "step-\(i)-of-a-fairly-long-span-name", lane: LaneID(lane),
                    threadID: 7 + Int64(lane), start: start, end: start + 900))
        }
        return Trace(
            metadata: Metadata(command: ["demo"], host: "box", cores: 2), processes: [Process(pid: 7, name: "demo")],
            lanes: lanes, spans: spans)
    }

    /// A directory with `s.lanes` in it, removed at the end.
    final class Workspace {
        let dir: URL
        init(_ trace: Trace) throws {
            dir = try temporaryDirectory()
            try LanesFile.write(trace, to: file("s.lanes"))
        }
        deinit { try? FileManager.default.removeItem(at: dir) }
        func file(_ name: String) -> String { dir.appendingPathComponent(name).path }
        func bytes(_ name: String) -> Data? { FileManager.default.contents(atPath: file(name)) }
        func names() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() }
    }

    /// Exactly one line on standard error, naming `path`, and a failure status.
    func expectOneLineRefusal(
        _ run: Run, naming path: String, _ words: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(run.status != 0, sourceLocation: sourceLocation)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains("cannot write \(path): "), "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(words), "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(
            !run.stderr.contains("cannot write write") && !run.stderr.contains("cannot write open"),
            sourceLocation: sourceLocation)
    }

    @Test func aDeviceIsRefusedAndStaysADevice() throws {
        let w = try Workspace(trace())
        // A private character device (as /dev/full: 1, 7) when root may make one, so a regression cannot harm /dev.
        let device = w.file("full")
        guard geteuid() == 0, mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 7)) == 0 else {
            print("skipped: cannot make a device node here (needs root)")
            return
        }
        for option in ["--png", "--html", "--markdown", "--mermaid"] {
            let run = try runLanes(["report", w.file("s.lanes"), option, device])
            expectOneLineRefusal(run, naming: device, "character device")
            var info = stat()
            #expect(lstat(device, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR, "\(option) replaced the device")
        }
        let named = w.file("full.json")
        #expect(mknod(named, S_IFCHR | 0o666, dev_t((1 << 8) | 7)) == 0)
        expectOneLineRefusal(try runLanes(["convert", w.file("s.lanes"), named]), naming: named, "character device")
        var info = stat()
        #expect(lstat(named, &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
        #expect(w.names() == ["full", "full.json", "s.lanes"])
    }

    @Test func aFIFOIsRefusedWithoutBlocking() throws {
        let w = try Workspace(trace())
        let fifo = w.file("pipe.md")
        #expect(mkfifo(fifo, 0o644) == 0)
        for option in ["--png", "--html", "--markdown", "--mermaid"] {
            let run = try runLanes(["report", w.file("s.lanes"), option, fifo])
            expectOneLineRefusal(run, naming: fifo, "FIFO")
        }
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(w.names() == ["pipe.md", "s.lanes"])
    }

    @Test func aSymbolicLinkIsFollowedAndKept() throws {
        let w = try Workspace(trace())
        try FileManager.default.createDirectory(atPath: w.file("site"), withIntermediateDirectories: false)
        for (option, name) in [
            ("--png", "c.png"), ("--html", "c.html"), ("--markdown", "c.md"), ("--mermaid", "c.mmd"),
        ] {
            _ = FileManager.default.createFile(atPath: w.file("site/\(name)"), contents: Data("old".utf8))
            #expect(symlink("site/\(name)", w.file(name)) == 0)
            let run = try runLanes(["report", w.file("s.lanes"), option, w.file(name)])
            #expect(run.status == 0, "\(run.stderr)")
            var info = stat()
            #expect(lstat(w.file(name), &info) == 0 && info.st_mode & S_IFMT == S_IFLNK, "\(option): the link is kept")
            let written = try #require(w.bytes("site/\(name)"))
            #expect(written.count > 3 && written != Data("old".utf8), "\(option): the target is written")
        }
        #expect(
            ((try? FileManager.default.contentsOfDirectory(atPath: w.file("site"))) ?? []).sorted()
                == ["c.html", "c.md", "c.mmd", "c.png"])
    }

    @Test func anOutputOntoAnInputIsRefusedAndTheInputKept() throws {
        let w = try Workspace(trace())
        let input = w.file("s.lanes")
        let before = try #require(w.bytes("s.lanes"))
        for option in ["--png", "--html", "--markdown", "--mermaid"] {
            expectOneLineRefusal(try runLanes(["report", input, option, input]), naming: input, "input")
        }
        try LanesFile.write(trace(spans: 4), to: w.file("b.lanes"))
        let b = try #require(w.bytes("b.lanes"))
        for option in ["--png", "--html", "--markdown"] {
            let run = try runLanes(["compare", input, w.file("b.lanes"), option, w.file("b.lanes")])
            expectOneLineRefusal(run, naming: w.file("b.lanes"), "input")
        }
        // Another name for the same file (a hard link, a `./` path) is the same input.
        #expect(link(input, w.file("same.lanes")) == 0)
        expectOneLineRefusal(
            try runLanes(["convert", input, w.file("same.lanes")]), naming: w.file("same.lanes"), "input")
        let dotted = w.dir.path + "/./s.lanes"
        expectOneLineRefusal(try runLanes(["convert", input, dotted]), naming: dotted, "input")
        #expect(w.bytes("s.lanes") == before)
        #expect(w.bytes("b.lanes") == b)
        #expect(w.names() == ["b.lanes", "s.lanes", "same.lanes"])
    }

    /// The reproduction: a link planted at the old predictable temporary name (`PATH.tmp-PID`).
    @Test func aPlantedLinkAtTheTemporaryNameIsNotFollowed() throws {
        let w = try Workspace(trace())
        _ = FileManager.default.createFile(atPath: w.file("victim.txt"), contents: Data("precious".utf8))
        let shell = Foundation.Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.currentDirectoryURL = w.dir
        shell.arguments = [
            "-c", "ln -s victim.txt out.html.tmp-$$ && exec \"$0\" report s.lanes --html out.html", lanesBinary,
        ]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        #expect(w.bytes("victim.txt") == Data("precious".utf8))
        #expect((w.bytes("out.html")?.count ?? 0) > 1000)
    }

    /// A full file system (a 64 KiB tmpfs filled up, as root): every writer fails with one line, leaves the old
    /// file as it was and no partial file.
    @Test func aFullDiskLeavesNoPartialFileAndTheOldOneIntact() throws {
        let w = try Workspace(trace(spans: 3_000))
        let mount = w.file("tiny")
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: false)
        guard geteuid() == 0, Glibc.mount("tmpfs", mount, "tmpfs", 0, "size=64k") == 0 else {
            print("skipped: cannot mount a tmpfs here (needs root)")
            return
        }
        defer { umount2(mount, Int32(MNT_DETACH)) }
        let olds = ["old.json", "old.lanes", "old.md", "old.mmd", "old.png", "old.html", "record.lanes"]
        for name in olds {
            _ = FileManager.default.createFile(atPath: mount + "/" + name, contents: Data("old \(name)".utf8))
        }
        // Fill what is left.
        let filler = open(mount + "/filler", O_WRONLY | O_CREAT, 0o644)
        let block = [UInt8](repeating: 0, count: 4096)
        while block.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        close(filler)
        let input = w.file("s.lanes")
        let commands: [(args: [String], path: String)] = [
            (["convert", input, mount + "/old.json"], mount + "/old.json"),
            (["convert", input, mount + "/old.lanes"], mount + "/old.lanes"),
            (["report", input, "--markdown", mount + "/old.md"], mount + "/old.md"),
            (["report", input, "--mermaid", mount + "/old.mmd"], mount + "/old.mmd"),
            (["report", input, "--png", mount + "/old.png"], mount + "/old.png"),
            (["report", input, "--html", mount + "/old.html"], mount + "/old.html"),
            (["record", "--out", mount + "/record.lanes", "--", "/bin/sleep", "0.05"], mount + "/record.lanes"),
        ]
        for (args, path) in commands {
            let run = try runLanes(args)
            #expect(run.status != 0, "\(args)")
            #expect(run.stderr.contains("cannot write \(path): No space left on device"), "\(args): \(run.stderr)")
            #expect(!run.stderr.contains("cannot write write") && !run.stderr.contains("cannot write open"))
        }
        for name in olds {
            #expect(FileManager.default.contents(atPath: mount + "/" + name) == Data("old \(name)".utf8), "\(name)")
        }
        // `lanes run --out` into the full file system.
        let run = try runLanes(["run", "cpu-primes", "--model", "sequential", "--scale", "0.05", "--out", mount])
        #expect(run.status != 0)
        #expect(run.stderr.contains("No space left on device"), "\(run.stderr)")
        let left = ((try? FileManager.default.contentsOfDirectory(atPath: mount)) ?? []).sorted()
        #expect(left == (olds + ["filler"]).sorted(), "partial files were left: \(left)")
    }

    /// A reader takes `-` as standard input (either format).
    @Test func aDashReadsStandardInput() throws {
        let w = try Workspace(trace())
        try ChromeJSON.write(trace(), to: w.file("s.json"))
        for name in ["s.lanes", "s.json"] {
            let shell = Foundation.Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = ["-c", "exec \"$0\" info - < \"$1\"", lanesBinary, w.file(name)]
            let out = Pipe()
            shell.standardOutput = out
            try shell.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            shell.waitUntilExit()
            #expect(shell.terminationStatus == 0, "\(name)")
            #expect(text.contains("20"), "\(name): \(text)")
        }
    }
}

/// Issue 19, defect 6: options inside the documented limits never abort the renderer.
@Suite(.serialized) struct PixelCapTests {
    @Test func aChartAboveThePixelCapIsOneLineNotAnAbort() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("s.lanes").path
        let lanes = [Lane(id: LaneID(0), kind: .thread, pid: 3, threadID: 3, name: "main")]
        let spans = [Span(id: SpanID(1), name: "work", lane: LaneID(0), threadID: 3, start: 0, end: 1_000)]
        try LanesFile.write(Trace(processes: [Process(pid: 3, name: "p")], lanes: lanes, spans: spans), to: input)
        let png = dir.appendingPathComponent("big.png").path
        let run = try runLanes(["report", input, "--png", png, "--width", "20000", "--height", "20000", "--scale", "4"])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("cannot write \(png): the chart would be 80000×80000 pixels"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: png))
        // The HTML page is still written, without the PNG it cannot hold.
        let html = dir.appendingPathComponent("big.html").path
        let page = try runLanes([
            "report", input, "--html", html, "--width", "20000", "--height", "20000", "--scale", "2",
        ])
        #expect(page.status == 0, "\(page.stderr)")
        #expect(page.stderr.contains("no PNG chart") && page.stderr.contains("pixels"))
        #expect(FileManager.default.fileExists(atPath: html))
    }
}
