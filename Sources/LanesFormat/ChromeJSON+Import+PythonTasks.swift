import LanesCore

// asyncio tasks as tasks: VizTracer's `--log_async` lanes hold each task's steps; the task lives from its first
// step to its last, and the gaps between steps are its suspensions.
extension ChromeImporter {
    /// asyncio awaitables whose suspension waits for the outside world, by the end of their name.
    static let asyncioAwaits: [(name: String, reason: WaitReason)] = [
        ("sock_recv", .ioRead), ("sock_recv_into", .ioRead), ("sock_accept", .ioRead), ("sock_connect", .ioWrite),
        ("sock_sendall", .ioWrite), ("StreamReader.read", .ioRead), ("StreamReader.readline", .ioRead),
        ("StreamReader.readexactly", .ioRead), ("StreamReader.readuntil", .ioRead), ("StreamWriter.drain", .ioWrite),
        ("open_connection", .ioWrite), ("Semaphore.acquire", .semaphore), ("Lock.acquire", .lock),
        ("Condition.wait", .condition), ("Event.wait", .condition),
    ]

    /// On each task lane of a VizTracer trace with two steps or more, adds a span named after the task (`Task-3`;
    /// its coroutine, the first step's name, as the attribute `coroutine`) from the first step's start to the last step's end, the steps as its
    /// children, and a wait per gap: the reason of the last blocking call in the step before it (an
    /// `asyncio.sleep`, a `Semaphore.acquire`, a `Queue.get`), else `suspended`. Runs after the Python meaning is
    /// applied, while span ids are positions + 1; spans are put back in start order.
    mutating func buildPythonTasks() {
        guard metadata.clock == .imported("viztracer"), !sawLanesExport, explicit.isEmpty else { return }
        let taskLanes = Set(lanes.indices.filter { lanes[$0].kind == .task }.map { UInt32($0) })
        guard !taskLanes.isEmpty else { return }
        // Steps: top-level spans of task lanes, per lane in start order.
        var steps: [UInt32: [Int]] = [:]
        for k in spans.indices where spans[k].parent == nil && taskLanes.contains(spans[k].lane.rawValue) {
            steps[spans[k].lane.rawValue, default: []].append(k)
        }
        // Per step, the last asyncio awaitable called inside it (the spans after a step, up to the next step, are
        // inside it): a thread-level call inside a step (a lock taken in `run_in_executor`) is not what it awaits.
        func awaited(_ step: Int) -> WaitReason? {
            var reason: WaitReason?
            var j = step + 1
            let end = spans[step].end
            while j < spans.count && spans[j].start < end {
                defer { j += 1 }
                guard spans[j].lane == spans[step].lane,
                    spans[j].attributes.contains(where: { $0.key == "file" && $0.value.contains("asyncio/") })
                else { continue }
                if let r = Self.asyncioAwaits.first(where: { spans[j].name.hasSuffix($0.name) })?.reason {
                    reason = r
                } else if let w = spans[j].waits.first, w.start == spans[j].start, w.end == spans[j].end, w.reason != .lock {
                    reason = w.reason
                }
            }
            return reason
        }
        var next = UInt64(spans.count) + 1
        var added = false
        for lane in taskLanes.sorted() {
            guard let list = steps[lane], list.count >= 2 else { continue }
            let first = list[0]
            let id = SpanID(next)
            next += 1
            var task = Span(
                id: id, name: lanes[Int(lane)].name.isEmpty ? spans[first].name : lanes[Int(lane)].name,
                lane: LaneID(lane), threadID: spans[first].threadID, start: spans[first].start,
                end: list.map { spans[$0].end }.max()!, attributes: [Attribute("coroutine", spans[first].name)])
            var reach = spans[first].end
            for (a, b) in zip(list, list.dropFirst()) {
                reach = max(reach, spans[a].end)
                if spans[b].start > reach {
                    let reason = awaited(a) ?? .suspended
                    task.waits.append(Wait(reason: reason, start: reach, end: spans[b].start, object: "await"))
                }
            }
            for k in list { spans[k].parent = id }
            spans.append(task)
            added = true
        }
        guard added else { return }
        var order = Array(spans.indices)
        order.sort { x, y in
            let (a, b) = (spans[x], spans[y])
            if a.start != b.start { return a.start < b.start }
            if a.end != b.end { return a.end > b.end }
            // The task before its first step when they coincide.
            if (a.id.rawValue > UInt64(spans.count)) != (b.id.rawValue > UInt64(spans.count)) {
                return a.id.rawValue > b.id.rawValue
            }
            return x < y
        }
        spans = order.map { spans[$0] }
    }
}
