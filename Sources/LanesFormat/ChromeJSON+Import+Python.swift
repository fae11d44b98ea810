import LanesCore

// Python's meaning for VizTracer and py-spy traces: display names without their location, and the time inside
// Python's blocking calls as waits (see `ChromeJSON.pythonVocabulary`).
extension ChromeImporter {
    /// Whether the file came from a Python tracer (VizTracer or py-spy) rather than Lanes or another writer.
    var isPythonTrace: Bool {
        !sawLanesExport && (sawPySpy || metadata.clock == .imported("viztracer"))
    }

    /// Strips VizTracer's ` (/path/file.py:line)` from names (keeping `file` and `line` as attributes) and gives
    /// each span that is a blocking call, and is not inside another one, a wait covering it. Runs after
    /// parents are found, while span ids are still positions + 1.
    mutating func applyPythonMeaning() {
        guard isPythonTrace, explicit.isEmpty else { return }
        let viztracer = metadata.clock == .imported("viztracer")
        var split: [String: (name: String, file: String, line: String)?] = [:]
        var reasons: [String: WaitReason?] = [:]
        // Per span: the blocking call it is inside (itself included), if any.
        var waitOf = [Wait?](repeating: nil, count: spans.count)
        var sawCFunction = false
        for k in spans.indices {
            let full = spans[k].name
            var file: String?
            if viztracer {
                let parts: (name: String, file: String, line: String)?
                if let cached = split[full] {
                    parts = cached
                } else {
                    parts = ChromeJSON.splitPythonLocation(full)
                    split[full] = parts
                }
                if let parts {
                    spans[k].name = parts.name
                    spans[k].attributes.append(Attribute("file", parts.file))
                    spans[k].attributes.append(Attribute("line", parts.line))
                    file = parts.file
                } else {
                    sawCFunction = true
                }
            } else {
                file = spans[k].attributes.first { $0.key == "filename" }?.value
            }
            let name = spans[k].name
            let key = file.map { name + "\u{0}" + $0 } ?? name
            let reason: WaitReason?
            if let cached = reasons[key] {
                reason = cached
            } else {
                reason = ChromeJSON.pythonWait(name, file: file)
                reasons[key] = reason
            }
            // Inside a blocking call, the callee's time is the same wait (the lock inside `Queue.get` is the
            // queue's): it carries the outer call's reason, so nothing inside a wait reads as computing.
            if let p = spans[k].parent, p.rawValue >= 1, Int(p.rawValue) - 1 < k,
                let outer = waitOf[Int(p.rawValue) - 1]
            {
                waitOf[k] = outer
                spans[k].waits.append(
                    Wait(reason: outer.reason, start: spans[k].start, end: spans[k].end, object: outer.object))
                continue
            }
            guard let reason else { continue }
            let wait = Wait(reason: reason, start: spans[k].start, end: spans[k].end, object: name)
            waitOf[k] = wait
            spans[k].waits.append(wait)
        }
        inferHiddenWaits(waitOf, viztracerWithoutC: viztracer && !sawCFunction && !spans.isEmpty)
    }
}

// Blocking calls the trace cannot show, read from the source line that made them.
extension ChromeImporter {
    /// VizTracer's embedded sources (`file_info.files`: path → [text, line count]), parsed on first use.
    mutating func embeddedSources() -> [String: String] {
        guard let range = fileInfo else { return [:] }
        fileInfo = nil
        var out: [String: String] = [:]
        let saved = s.i
        defer { s.i = saved }
        s.i = range.lowerBound
        do throws(ChromeJSONError) {
            guard s.peek() == 0x7B else { return [:] }
            s.i += 1
            if s.peek() == 0x7D { return [:] }
            repeat {
                let (k, _) = try s.key("file_info")
                guard s.equals(k, "files"), s.peek() == 0x7B else {
                    try s.skipValue("file_info")
                    continue
                }
                s.i += 1
                if s.peek() == 0x7D {
                    s.i += 1
                    continue
                }
                repeat {
                    let (path, _) = try s.key("file_info.files")
                    let name = s.string(path)
                    if s.peek() == 0x5B {
                        s.i += 1
                        if s.peek() == 0x22 { out[name] = s.string(try s.stringRange("file_info.files")) }
                        while s.peek() != 0x5D {
                            if s.peek() == 0x2C { s.i += 1 }
                            try s.skipValue("file_info.files")
                        }
                        s.i += 1
                    } else {
                        try s.skipValue("file_info.files")
                    }
                } while try s.next(close: 0x7D, "file_info.files")
            } while try s.next(close: 0x7D, "file_info")
        } catch {
            // Sources are a help, not the trace: a damaged file_info gives none.
        }
        return out
    }

    /// Gives waits to frames whose blocking callee the trace cannot show: a py-spy leaf frame whose line calls
    /// one (its time is that call's), and, in a VizTracer trace without C functions (`--ignore_c_function`), the
    /// own time (1 ms or more between its callees) of a function whose body calls one. `waitOf` is per span.
    mutating func inferHiddenWaits(_ waitOf: [Wait?], viztracerWithoutC: Bool) {
        guard sawPySpy || viztracerWithoutC else { return }
        var embedded: [String: String]?
        var cache: [String: [Substring]] = [:]
        var children = [[Int]](repeating: [], count: spans.count)
        for k in spans.indices {
            if let p = spans[k].parent, p.rawValue >= 1, Int(p.rawValue) - 1 < k {
                children[Int(p.rawValue) - 1].append(k)
            }
        }
        func attribute(_ k: Int, _ key: String) -> String? { spans[k].attributes.first { $0.key == key }?.value }
        // Whether the line of a sampled leaf frame was read: then a frame without a wait is not in a blocking call.
        var readLines = false, sawAsyncioLine = false
        defer { if readLines { metadata.extra.append(Attribute("py-spy.source-lines", "read")) } }
        for k in spans.indices where waitOf[k] == nil {
            guard let file = attribute(k, sawPySpy ? "filename" : "file"),
                let line = attribute(k, "line").flatMap({ Int($0) }),
                line >= 1
            else { continue }
            // Non-leaf frames of py-spy are read only for a line that starts or imports asyncio.
            if sawPySpy && !children[k].isEmpty && (sawAsyncioLine || file.hasPrefix("<")) { continue }
            if cache[file] == nil {
                if embedded == nil { embedded = embeddedSources() }
                let text = embedded?[file] ?? pythonSource?(file)
                cache[file] = text.map { $0.split(separator: "\n", omittingEmptySubsequences: false) } ?? []
            }
            let lines = cache[file]!
            guard line <= lines.count else { continue }
            if sawPySpy {
                // A sampled line that starts an asyncio loop, or imports asyncio: an asyncio program even where
                // `--gil` caught no frame of the loop itself (an idle loop holds no GIL).
                if !sawAsyncioLine, ChromeJSON.startsAsyncio(lines[line - 1]) {
                    sawAsyncioLine = true
                    metadata.extra.append(Attribute("python.asyncio", "true"))
                }
                if !children[k].isEmpty { continue }
                readLines = true
                guard let reason = ChromeJSON.pythonSourceWait(lines[line - 1]) else { continue }
                let text = lines[line - 1].drop { $0 == " " || $0 == "\t" }
                spans[k].waits.append(
                    Wait(reason: reason, start: spans[k].start, end: spans[k].end, object: "line \(line): \(text)"))
                continue
            }
            // VizTracer gives the function's first line: read its body, to the first line indented no deeper.
            let head = lines[line - 1]
            let indent = head.prefix { $0 == " " || $0 == "\t" }.count
            // The first blocking line whose call is not already a callee the trace shows (a `q.get()` is the
            // `Queue.get` child; the `time.sleep` after it is what the own time was).
            let shown = Set(children[k].compactMap { waitOf[$0]?.reason })
            // Sleeps, reads and writes are C calls, never shown here, whatever the callees are.
            let cCalls: Set<WaitReason> = [.sleep, .ioRead, .ioWrite]
            var found: (WaitReason, Substring, Int)?
            var j = line
            while j < lines.count {
                let l = lines[j]
                let blank = l.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" }
                if !blank && l.prefix(while: { $0 == " " || $0 == "\t" }).count <= indent { break }
                // An `await` suspends the coroutine (its steps are in the trace); it does not block the thread.
                if !l.contains("await "), let r = ChromeJSON.pythonSourceWait(l),
                    !shown.contains(r) || cCalls.contains(r)
                {
                    found = (r, l.drop { $0 == " " || $0 == "\t" }, j)
                    break
                }
                j += 1
            }
            guard let (reason, text, j) = found else { continue }
            var cursor = spans[k].start
            var gaps: [Wait] = []
            let object = "inferred from the source, line \(j + 1): \(text)"
            for c in children[k].sorted(by: { spans[$0].start < spans[$1].start }) + [-1] {
                let next = c >= 0 ? spans[c].start : spans[k].end
                if next - cursor >= 1_000_000 {
                    gaps.append(Wait(reason: reason, start: cursor, end: next, object: object))
                }
                if c >= 0 { cursor = max(cursor, spans[c].end) }
            }
            spans[k].waits += gaps
        }
    }
}

extension ChromeImporter {
    /// py-spy writes samples, not calls: the metadata extra `py-spy.sampled` says so. Its file does not give the
    /// rate (100 Hz unless recorded with `-r`), and its times are not on a grid that would tell it.
    mutating func notePySpySampling() {
        guard sawPySpy, !sawLanesExport else { return }
        metadata.extra.append(Attribute("py-spy.sampled", "true"))
    }
}
