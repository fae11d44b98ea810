import LanesCore
import Testing
import LanesFormat

@Suite struct RoundTripTests {
    @Test func sampleTraceRoundTrips() throws {
        let trace = sampleTrace()
        let bytes = try LanesFile.encode(trace)
        let result = try LanesFile.decode(bytes)
        #expect(result.trace == trace)
        #expect(result.isComplete)
        #expect(result.warnings.isEmpty)
        #expect(result.chunks == 1)
        #expect(Array(bytes.prefix(8)) == Layout.magic)
    }

    @Test func emptyTraceRoundTrips() throws {
        let result = try LanesFile.decode(try LanesFile.encode(Trace()))
        #expect(result.trace == Trace())
        #expect(result.isComplete && result.chunks == 0)
    }

    @Test func randomTracesRoundTrip() throws {
        var rng = SeededRandom(seed: 0x1A4E5)
        for round in 0..<400 {
            let trace = rng.trace()
            let perChunk = rng.pick([1, 3, 7, 65_536])
            let bytes = try LanesFile.encode(trace, spansPerChunk: perChunk)
            let result = try LanesFile.decode(bytes)
            // A trace read back carries what its task slices imply (issue 15, item 6), as any reader sees it.
            let expected = trace.attachingSuspensions()
            #expect(result.trace == expected, "round \(round)")
            #expect(result.isComplete, "round \(round)")
            #expect(result.warnings.isEmpty, "round \(round): \(result.warnings)")
            if result.trace != expected { break }
        }
    }

    /// Several batches as a recorder sends them: waits detached from their spans and sent before, with or
    /// after them; processes and lanes repeated with news; the final metadata in the last batch.
    @Test func batchesWithDetachedWaitsRoundTrip() throws {
        var rng = SeededRandom(seed: 0xBA7C4)
        var checked = 0
        var detached = 0
        for round in 0..<200 {
            var trace = rng.trace(maxSpans: 60)
            // Unique span ids, so that each detached wait has one span to go to.
            var ids = Set<SpanID>()
            trace.spans = trace.spans.filter { ids.insert($0.id).inserted }
            // Spans with waits get them in start order, as the builder returns them.
            for i in trace.spans.indices {
                var starts = Set<Int64>()
                trace.spans[i].waits = trace.spans[i].waits.filter { starts.insert($0.start).inserted }
                    .sorted { $0.start < $1.start }
            }
            let pieces = rng.int(1...5)
            var batches = (0..<pieces).map { _ in LanesBatch() }
            // Early, stale versions of processes and lanes first; the final word last.
            for p in trace.processes {
                var stale = p
                stale.name = "starting"
                stale.exit = nil
                batches[0].processes.append(stale)
                batches[rng.int(0...(pieces - 1))].processes.append(p)
            }
            for l in trace.lanes {
                var stale = l
                stale.name = "unnamed"
                batches[0].lanes.append(stale)
            }
            batches[pieces - 1].lanes.append(contentsOf: trace.lanes)
            // The last word for a process must come after its stale version; batch 0 holds both in order.
            for (i, s) in trace.spans.enumerated() {
                let at = min(pieces - 1, i * pieces / max(1, trace.spans.count))
                var bare = s
                if rng.chance(0.7) {
                    bare.waits = []
                    for w in s.waits {
                        batches[rng.int(0...(pieces - 1))].waits.append(DetachedWait(span: s.id, wait: w))
                    }
                }
                batches[at].spans.append(bare)
            }
            batches[rng.int(0...(pieces - 1))].marks = trace.marks
            batches[rng.int(0...(pieces - 1))].counters = trace.counters
            batches[rng.int(0...(pieces - 1))].flows = trace.flows
            batches[pieces - 1].metadata = trace.metadata

            var header = trace.metadata
            header.droppedEvents = 0
            header.host = "early"
            var writer = try LanesWriter(sink: LanesMemorySink(), metadata: header)
            for b in batches { try writer.write(b) }
            try writer.finish()
            let result = try LanesFile.decode(writer.sink.bytes)

            checked += 1
            detached += batches.reduce(0) { $0 + $1.waits.count }
            let expected = trace.attachingSuspensions()  // what every reader sees (issue 15, item 6)
            #expect(result.trace == expected, "round \(round)")
            #expect(result.isComplete)
            #expect(result.warnings.isEmpty, "round \(round): \(result.warnings)")
            if result.trace != expected { break }
        }
        #expect(checked == 200 && detached > 500, "\(checked) rounds checked, \(detached) detached waits")
    }

    @Test func lastWordWinsForProcessesLanesAndMetadata() throws {
        var writer = try LanesWriter(sink: LanesMemorySink(), metadata: Metadata(host: "h", droppedEvents: 0))
        try writer.write(LanesBatch(
            processes: [Process(pid: 7, name: "worker")],
            lanes: [Lane(id: LaneID(3), kind: .process, pid: 7), Lane(id: LaneID(1), kind: .thread, pid: 7)]))
        try writer.write(LanesBatch(
            processes: [Process(pid: 7, name: "worker", exit: .signaled(9), note: "item 12")],
            lanes: [Lane(id: LaneID(3), kind: .process, pid: 7, name: "worker 7")],
            metadata: Metadata(host: "h", droppedEvents: 12)))
        try writer.finish()
        let trace = try LanesFile.decode(writer.sink.bytes).trace
        #expect(trace.processes == [Process(pid: 7, name: "worker", exit: .signaled(9), note: "item 12")])
        #expect(trace.lanes.map(\.id) == [LaneID(3), LaneID(1)])
        #expect(trace.lanes[0].name == "worker 7")
        #expect(trace.metadata.droppedEvents == 12)
    }

    @Test func waitsWithoutTheirSpanAreReported() throws {
        var writer = try LanesWriter(sink: LanesMemorySink(), metadata: Metadata())
        let span = Span(id: SpanID(1), name: "s", lane: LaneID(0), threadID: 1, start: 0, end: 100)
        try writer.write(LanesBatch(waits: [
            DetachedWait(span: SpanID(1), wait: Wait(reason: .sleep, start: 50, end: 60)),
            DetachedWait(span: SpanID(9), wait: Wait(reason: .lock, start: 1, end: 2)),
            DetachedWait(span: SpanID(9), wait: Wait(reason: .lock, start: 3, end: 4)),
        ]))
        try writer.write(LanesBatch(spans: [span]))
        try writer.finish()
        let result = try LanesFile.decode(writer.sink.bytes)
        #expect(result.trace.spans[0].waits == [Wait(reason: .sleep, start: 50, end: 60)])
        #expect(result.warnings == [.orphanWaits(count: 2, spans: [SpanID(9)])])
    }

    @Test func writerRefusesWritesAfterFinish() throws {
        var writer = try LanesWriter(sink: LanesMemorySink(), metadata: Metadata())
        try writer.finish()
        #expect(throws: LanesFormatError.writerClosed) { try writer.write(LanesBatch(marks: [Mark(name: "m", lane: nil, time: 0)])) }
    }

    @Test func recorderLikeSpansStaySmall() throws {
        let batches = recorderLikeBatches(spans: 64_000, threads: 16, bufferSpans: 1_000)
        var writer = try LanesWriter(sink: LanesMemorySink(), metadata: Metadata(host: "h"))
        for b in batches { try writer.write(b) }
        try writer.finish()
        let perSpan = Double(writer.bytesWritten) / Double(writer.spansWritten)
        #expect(perSpan <= 12, "\(perSpan) bytes per span")
        let result = try LanesFile.decode(writer.sink.bytes)
        #expect(result.trace.spans.count == 64_000)
        #expect(result.warnings.isEmpty)
    }
}
