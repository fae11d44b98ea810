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
            if let p = spans[k].parent, p.rawValue >= 1, Int(p.rawValue) - 1 < k, let outer = waitOf[Int(p.rawValue) - 1] {
                waitOf[k] = outer
                spans[k].waits.append(Wait(reason: outer.reason, start: spans[k].start, end: spans[k].end, object: outer.object))
                continue
            }
            guard let reason else { continue }
            let wait = Wait(reason: reason, start: spans[k].start, end: spans[k].end, object: name)
            waitOf[k] = wait
            spans[k].waits.append(wait)
        }
    }
}
