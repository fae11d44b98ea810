#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import LanesRaster
import Testing

@Suite struct PNGTests {
    /// A canvas with bars, hatching, lines and translucent pixels.
    func sample(opaque: Bool) -> Canvas {
        var canvas = Canvas(width: 97, height: 61, background: opaque ? .white : .clear)
        var rng = SplitMix64(seed: 7)
        for _ in 0..<60 {
            let color = Color(
                r: .random(in: 0...255, using: &rng), g: .random(in: 0...255, using: &rng),
                b: .random(in: 0...255, using: &rng), a: opaque ? 255 : .random(in: 1...255, using: &rng))
            canvas.fill(
                Rect(
                    x: .random(in: -5...90, using: &rng), y: .random(in: -5...55, using: &rng),
                    width: .random(in: 0.3...30, using: &rng), height: .random(in: 0.3...12, using: &rng)),
                color)
        }
        canvas.hatch(Rect(x: 10, y: 10, width: 40, height: 20), Color(r: 20, g: 40, b: 200, a: opaque ? 255 : 90))
        canvas.drawLine(from: Point(x: 1, y: 60), to: Point(x: 96, y: 2), width: 1.5, .black)
        return canvas
    }

    @Test(arguments: [true, false])
    func roundTripGivesIdenticalPixels(opaque: Bool) throws {
        let canvas = sample(opaque: opaque)
        #expect(canvas.isOpaque == opaque)
        for options in [
            PNG.Options(), PNG.Options(compressionLevel: 9, filter: .adaptive, alpha: .keep),
            PNG.Options(compressionLevel: 0, filter: .none), PNG.Options(filter: .paeth),
        ] {
            let bytes = try PNG.encode(canvas, options: options)
            #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            let decoded = try PNG.decode(bytes)
            #expect(decoded.width == canvas.width && decoded.height == canvas.height)
            #expect(decoded.rgbaBytes == canvas.rgbaBytes, "options \(options)")
        }
        // Colour type in IHDR: 2 (RGB) for opaque canvases by default, 6 (RGBA) otherwise.
        #expect(try PNG.encode(canvas)[25] == (opaque ? 2 : 6))
    }

    @Test func encodingIsDeterministic() throws {
        let first = try PNG.encode(sample(opaque: true))
        let second = try PNG.encode(sample(opaque: true))
        #expect(first == second)
        #expect(try PNG.encode(sample(opaque: false)) == PNG.encode(sample(opaque: false)))
    }

    @Test func writesAndReadsFiles() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("chart.png")
        let canvas = sample(opaque: true)
        try PNG.write(canvas, to: path)
        #expect(try PNG.read(from: path).rgbaBytes == canvas.rgbaBytes)
        #expect(readFile(path) == (try PNG.encode(canvas)))
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o644)
        // Overwriting replaces the content and leaves no temporary files.
        try PNG.write(Canvas(width: 3, height: 3, background: .black), to: path)
        #expect(try PNG.read(from: path).pixel(x: 1, y: 1) == .black)
        #expect(listDirectory(dir.path) == ["chart.png"])
        // An empty path is refused.
        #expect(throws: PNGError.self) { try PNG.write(canvas, to: "") }
    }

    @Test func writingIntoAMissingDirectoryThrowsAndLeavesNoFile() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("no-such-dir/chart.png")
        let error = try #require(throws: PNGError.self) { try PNG.write(sample(opaque: true), to: path) }
        #expect(error.kind == .io)
        #expect(error.systemError == ENOENT)
        #expect(error.description.contains(path))
        #expect(error.description.contains("No such file or directory"))
        #expect(listDirectory(dir.path).isEmpty)
    }

    @Test func writingUnderARegularFileThrowsAndLeavesNoFile() throws {
        // Root ignores permission bits, but no one can create files under a regular file.
        let dir = TemporaryDirectory()
        writeFile(dir.file("plain"), [1, 2, 3])
        let path = dir.file("plain/chart.png")
        let error = try #require(throws: PNGError.self) { try PNG.write(sample(opaque: true), to: path) }
        #expect(error.systemError == ENOTDIR)
        #expect(error.description.contains(path))
        #expect(listDirectory(dir.path) == ["plain"])
        #expect(readFile(dir.file("plain")) == [1, 2, 3])
    }

    @Test func aFailedWriteLeavesTheOldFileIntact() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("chart.png")
        let old: [UInt8] = Array("the old chart".utf8)
        writeFile(path, old)
        let bytes = try PNG.encode(sample(opaque: true))
        // The disk fills up half way through the temporary file.
        var calls = 0
        let error = try #require(throws: PNGError.self) {
            try PNG.writeAtomically(bytes, to: path) { fd, buffer in
                calls += 1
                if calls == 1 { return write(fd, buffer.baseAddress, buffer.count / 2) }
                errno = ENOSPC
                return -1
            }
        }
        #expect(calls == 2)
        #expect(error.systemError == ENOSPC)
        #expect(error.description.contains(path) && error.description.contains("No space left on device"))
        #expect(readFile(path) == old)
        #expect(listDirectory(dir.path) == ["chart.png"])

        // Short writes are continued, not treated as failures.
        try PNG.writeAtomically(bytes, to: path) { fd, buffer in write(fd, buffer.baseAddress, min(buffer.count, 1000))
        }
        #expect(readFile(path) == bytes)
    }

    @Test func aFailedRenameLeavesTheExistingDirectoryIntact() throws {
        // The target exists as a non-empty directory: the rename fails for real.
        let dir = TemporaryDirectory()
        let path = dir.file("chart.png")
        #expect(mkdir(path, 0o755) == 0)
        writeFile(path + "/inside", [42])
        let error = try #require(throws: PNGError.self) { try PNG.write(sample(opaque: true), to: path) }
        #expect(error.kind == .io && error.description.contains(path))
        #expect(listDirectory(dir.path) == ["chart.png"])
        #expect(readFile(path + "/inside") == [42])
    }

    @Test func badInputThrowsInsteadOfAborting() throws {
        #expect(throws: PNGError.self) { try PNG.encode(Canvas(width: 0, height: 10)) }
        let garbage = try #require(throws: PNGError.self) { try PNG.decode(Array("not a png".utf8)) }
        #expect(garbage.kind == .decode)
        #expect(throws: PNGError.self) { try PNG.decode([]) }
        let bytes = try PNG.encode(sample(opaque: true))
        let truncated = try #require(throws: PNGError.self) { try PNG.decode(Array(bytes.prefix(bytes.count / 2))) }
        #expect(truncated.kind == .decode)
        var damaged = bytes
        damaged[bytes.count / 2] ^= 0xFF
        #expect(throws: PNGError.self) { try PNG.decode(damaged) }
        let missing = try #require(throws: PNGError.self) { try PNG.read(from: "/nonexistent/chart.png") }
        #expect(missing.kind == .io && missing.description.contains("/nonexistent/chart.png"))
    }
}
