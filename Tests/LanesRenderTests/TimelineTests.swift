import LanesAnalysis
import LanesCore
import LanesRender
import Testing

/// One trace through every projection of the ``Timeline``: the same rows, depths and names.
@Suite struct TimelineTests {
    /// A parent task whose span awaits a child task; the child's spans nest three deep on its own lane.
    static func nestedAsync() -> Trace {
        let main = Lane(id: LaneID(0), kind: .thread, pid: 5, threadID: 5, name: "main")
        let parent = Lane(id: LaneID(1), kind: .task, pid: 5, taskID: 1, name: "parent")
        let child = Lane(id: LaneID(2), kind: .task, pid: 5, taskID: 2, parentTaskID: 1, name: "child")
        let ms: Int64 = 1_000_000
        let spans = [
            Span(id: SpanID(1), name: "setup", lane: main.id, threadID: 5, start: 0, end: 10 * ms),
            Span(id: SpanID(2), name: "gather", lane: parent.id, threadID: 6, start: 10 * ms, end: 100 * ms),
            Span(
                id: SpanID(3), name: "prepare", lane: parent.id, threadID: 6, start: 12 * ms, end: 20 * ms,
                parent: SpanID(2)),
            // The child task's span: its parent is on another lane, so it is top-level on its own.
            Span(
                id: SpanID(4), name: "download", lane: child.id, threadID: 7, start: 20 * ms, end: 90 * ms,
                parent: SpanID(2)),
            Span(
                id: SpanID(5), name: "parse", lane: child.id, threadID: 7, start: 30 * ms, end: 80 * ms,
                parent: SpanID(4)),
            Span(
                id: SpanID(6), name: "tokenise", lane: child.id, threadID: 7, start: 40 * ms, end: 60 * ms,
                parent: SpanID(5)),
        ]
        return Trace(
            metadata: Metadata(host: "box", cores: 2, scenario: "nested", model: "async"),
            processes: [Process(pid: 5, name: "app")], lanes: [main, parent, child], spans: spans)
    }

    /// What each span is expected to be: its row label and depth, by name.
    static let expectedDepth = ["setup": 0, "gather": 0, "prepare": 1, "download": 0, "parse": 1, "tokenise": 2]

    @Test func everyProjectionShowsTheSameRowsDepthsAndNames() throws {
        let trace = Self.nestedAsync()
        let timeline = Timeline(trace)
        let labels = timeline.rows.map(\.label)
        #expect(labels == ["main · 5", "parent · task 1", "child · task 2"])
        #expect(timeline.rows.map(\.levels) == [1, 2, 3])
        var rowOfName: [String: Int] = [:]
        for (i, s) in trace.spans.enumerated() {
            #expect(timeline.name(ofSpan: i) == s.name)
            #expect(timeline.level(ofSpan: i) == Self.expectedDepth[s.name])
            rowOfName[s.name] = timeline.row(ofSpan: i)
        }
        // The one rule: depth 0 exactly where the analysis' rule sees a span start its lane's work.
        let depths = SpanNesting.depths(trace, limit: 8)
        for i in trace.spans.indices { #expect((depths[i] == 0) == timeline.isTopLevel(i)) }

        // PNG layout: rows, and each bar's depth and row.
        let layout = Layout.chart(
            of: trace, options: ChartOptions(width: 1600), measure: { t, size in Double(t.count) * size * 0.6 })
        let rows = layout.panels[0].rows
        #expect(rows.map(\.label.text) == labels)
        var barsSeen = 0
        for (r, row) in rows.enumerated() {
            for bar in row.bars {
                #expect(bar.depth == Self.expectedDepth[bar.name], "\(bar.name)")
                #expect(rowOfName[bar.name] == r, "\(bar.name)")
                barsSeen += 1
            }
        }
        #expect(barsSeen == trace.spans.count)
        // A row with nested spans is taller: one line per level.
        #expect(rows[2].box.height > rows[1].box.height && rows[1].box.height > rows[0].box.height)

        // HTML data: rows, levels, and each span's name, lane and depth from the stream.
        let json = HTMLReport.runJSON(trace)
        let rowsJSON = try #require(HTMLReportTests.between("\"rows\":[", "]", in: json))
        for label in labels { #expect(rowsJSON.contains("\"label\":\"\(label)\"")) }
        for levels in timeline.rows.map(\.levels) { #expect(rowsJSON.contains("\"levels\":\(levels)")) }
        let namesJSON = try #require(HTMLReportTests.between("\"names\":[\"", "\"]", in: json))
        let names = namesJSON.components(separatedBy: "\",\"")
        #expect(names == timeline.names)
        var r = HTMLReportTests.Reader(
            bytes: HTMLReportTests.base64Decode(try #require(HTMLReportTests.between("\"spans\":\"", "\"", in: json))))
        var decoded = 0
        while r.offset < r.bytes.count {
            _ = r.zigzag()
            _ = r.varint()
            let name = names[Int(r.varint())]
            let lane = Int(r.varint())
            _ = r.zigzag()
            let flags = r.byte()
            #expect(Int(flags & 3) == Self.expectedDepth[name], "\(name)")
            #expect(rowOfName[name] == lane, "\(name)")
            decoded += 1
        }
        #expect(decoded == trace.spans.count)

        // Mermaid gantt: the same rows, each level a section under its lane's; every span a bar in
        // the section of its row and depth.
        let gantt = Mermaid.gantt(of: trace)
        var sections: [String] = []
        var sectionOf: [[Int]] = []
        for row in timeline.rows {
            sectionOf.append([])
            for level in 0..<row.levels {
                sectionOf[sectionOf.count - 1].append(sections.count)
                sections.append(level == 0 ? row.label : "↳ level \(level + 1)")
            }
        }
        #expect(gantt.sections == sections)
        #expect(Set(gantt.tasks.map(\.title)) == Set(Self.expectedDepth.keys))
        for task in gantt.tasks {
            let r = try #require(rowOfName[task.title]), d = try #require(Self.expectedDepth[task.title])
            #expect(sectionOf[r][d] == task.section, "\(task.title)")
        }

        // Terminal text: the child task's row is busy where its top-level span ran, and its name is
        // in the legend, as the analysis counts its time as busy.
        let text = TerminalText.render(trace, options: TerminalText.Options(columns: 100))
        let childLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("child · task 2") })
        #expect(childLine.contains("█"))
        #expect(text.contains("download"))
        let st = TraceStatistics(trace)
        #expect(st.busy == 10_000_000 + 90_000_000 + 70_000_000)
        // The analysis' busy time is the time covered, lane by lane, by the spans the Timeline draws at depth 0.
        var topsByLane: [LaneID: [(start: Nanoseconds, end: Nanoseconds)]] = [:]
        for (i, s) in trace.spans.enumerated() where timeline.isTopLevel(i) {
            topsByLane[s.lane, default: []].append((s.start, s.end))
        }
        var covered: Nanoseconds = 0
        for list in topsByLane.values {
            var reached = Nanoseconds.min
            for part in list.sorted(by: { $0.start < $1.start }) {
                covered += max(0, part.end - max(part.start, reached))
                reached = max(reached, part.end)
            }
        }
        #expect(topsByLane.count == 3 && st.busy == covered)
    }

    @Test func deepStacksFoldIntoTheLastLevelAndSaySo() {
        // One lane, a stack eight deep.
        let lane = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "main")
        var spans: [Span] = []
        for d in 0..<8 {
            spans.append(
                Span(
                    id: SpanID(UInt64(d + 1)), name: "f\(d)", lane: lane.id, threadID: 1, start: Int64(d) * 1_000_000,
                    end: 100_000_000 - Int64(d) * 1_000_000, parent: d == 0 ? nil : SpanID(UInt64(d))))
        }
        let trace = Trace(processes: [Process(pid: 1, name: "deep")], lanes: [lane], spans: spans)
        let timeline = Timeline(trace, depthLimit: 4)
        #expect(timeline.rows[0].levels == 4)
        #expect(timeline.foldedSpans == 4)
        #expect(trace.spans.indices.map { timeline.level(ofSpan: $0) } == [0, 1, 2, 3, 3, 3, 3, 3])
        let layout = Layout.chart(
            of: trace, options: ChartOptions(width: 1200, depthLimit: 4),
            measure: { t, size in Double(t.count) * size * 0.6 })
        #expect(Set(layout.panels[0].rows[0].bars.map(\.depth)) == [0, 1, 2, 3])
        #expect(layout.notes.contains { $0.text.contains("4 spans nested deeper than 4 levels") })
        // Each level is a line of its own: no two levels' bars overlap vertically.
        let bands = Dictionary(grouping: layout.panels[0].rows[0].bars, by: \.depth).mapValues {
            ($0[0].y, $0[0].y + $0[0].height)
        }
        for d in 1..<4 { #expect(bands[d]!.0 >= bands[d - 1]!.1) }
    }

    @Test func taskLanesAreOrderedByCreationInTheirPlaces() {
        // A thread, then three task lanes listed out of order, then another thread.
        let ms: Int64 = 1_000_000
        let lanes = [
            Lane(id: LaneID(0), kind: .thread, pid: 2, threadID: 2, name: "main"),
            Lane(id: LaneID(1), kind: .task, pid: 2, taskID: 30, name: "third"),
            Lane(id: LaneID(2), kind: .task, pid: 2, taskID: 10, name: "first"),
            Lane(id: LaneID(3), kind: .task, pid: 2, taskID: 20, name: "second"),
            Lane(id: LaneID(4), kind: .thread, pid: 2, threadID: 9, name: "io"),
        ]
        let spans = [
            Span(id: SpanID(1), name: "a", lane: LaneID(0), threadID: 2, start: 0, end: 50 * ms),
            Span(id: SpanID(2), name: "t", lane: LaneID(1), threadID: 3, start: 30 * ms, end: 40 * ms),
            Span(id: SpanID(3), name: "t", lane: LaneID(2), threadID: 3, start: 10 * ms, end: 20 * ms),
            Span(id: SpanID(4), name: "t", lane: LaneID(3), threadID: 4, start: 20 * ms, end: 30 * ms),
            Span(id: SpanID(5), name: "r", lane: LaneID(4), threadID: 9, start: 5 * ms, end: 45 * ms),
        ]
        let trace = Trace(processes: [Process(pid: 2, name: "app")], lanes: lanes, spans: spans)
        #expect(
            Timeline(trace).rows.map(\.label) == [
                "main · 2", "first · task 10", "second · task 20", "third · task 30", "io · 9",
            ])
        let layout = Layout.chart(of: trace, measure: { t, size in Double(t.count) * size * 0.6 })
        #expect(layout.panels[0].rows.map(\.label.text) == Timeline(trace).rows.map(\.label))
    }

    @Test func depthsAreTheSameWhateverTheSpanIDs() {
        // Ids counting up from the first are found by arithmetic, others by a table: same depths.
        let dense = Self.nestedAsync()
        var sparse = dense
        for k in sparse.spans.indices {
            sparse.spans[k].id = SpanID(sparse.spans[k].id.rawValue * 7 + 1_000)
            sparse.spans[k].parent = sparse.spans[k].parent.map { SpanID($0.rawValue * 7 + 1_000) }
        }
        sparse.spans.reverse()
        let a = SpanNesting.depths(dense, limit: 8), b = SpanNesting.depths(sparse, limit: 8)
        #expect(a.map(Int.init) == dense.spans.map { Self.expectedDepth[$0.name]! })
        #expect(Array(b.reversed()) == a)
    }
}
