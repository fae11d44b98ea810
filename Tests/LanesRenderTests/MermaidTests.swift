import Foundation
import LanesAnalysis
import LanesCore
import Testing

@testable import LanesRender

/// Names that break naive Mermaid output.
let hostileNames = [
    "a:b: c", "x # y", "semi;colon", "%% not a comment", "gantt", "", "   ", "<b>bold</b> & <script>alert(1)</script>",
    "\"quoted\" 'single'", "section", "click here", "title: evil", "tab\there", "emoji 🚀 ünïcödé", "#35; literal",
    "back`tick` \\ slash", "{curly} [square] (round)", "--> arrow", "end",
]

/// Lanes and spans named with ``hostileNames``, and lock waits on a hostile lock.
func hostileTrace() -> Trace {
    var lanes: [Lane] = []
    var spans: [Span] = []
    for (i, name) in hostileNames.enumerated() {
        lanes.append(Lane(id: LaneID(UInt32(i)), kind: .thread, pid: 1, threadID: Int64(100 + i), name: name))
        let s = Int64(i) * 100_000
        spans.append(
            Span(
                id: SpanID(UInt64(i + 1)), name: name, lane: LaneID(UInt32(i)), threadID: Int64(100 + i), start: s,
                end: s + 1_500_000,
                waits: [
                    Wait(reason: .lock, start: s + 200_000, end: s + 400_000 + Int64(i) * 100_000, object: "m:#;%%<i>")
                ]))
    }
    return Trace(
        metadata: Metadata(scenario: "hostile: #1; %% <b>"), processes: [Process(pid: 1, name: "p")], lanes: lanes,
        spans: spans)
}

/// `line` without Mermaid's entity codes (`#35;`, `#quot;`): what is left is read as syntax.
func withoutEntities(_ line: Substring) -> String {
    var out = ""
    var rest = line[...]
    while let hash = rest.firstIndex(of: "#") {
        out += rest[..<hash]
        let body = rest[rest.index(after: hash)...].prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
        let end = body.endIndex
        if !body.isEmpty, end < rest.endIndex, rest[end] == ";" {
            rest = rest[rest.index(after: end)...]
        } else {
            out.append("#")
            rest = rest[rest.index(after: hash)...]
        }
    }
    return out + rest
}

@Suite struct MermaidGanttTests {
    @Test func knownTraceIsAGanttOfItsLanes() throws {
        let g = Mermaid.gantt(of: Traces.known())
        #expect(g.text.contains("\ngantt\n"))
        #expect(g.text.contains("    dateFormat x\n"))
        #expect(g.text.contains("    todayMarker off\n"))
        #expect(g.text.contains("displayMode: compact"))
        // 1 ms trace: scaled ×1000, one tick per microsecond.
        #expect(g.nanosecondsPerTick == 1_000)
        #expect(g.title.contains("axis in ms (time ×1000)"))
        // The nested span has a section of its own under its lane, as the PNG gives it a line.
        #expect(g.sections == ["main · 7", "worker · 8", "↳ level 2"])
        // Spans in order, each in its lane's section for its level, at their offsets in microseconds.
        #expect(g.tasks.map(\.title) == ["parse", "compute", "fetch", "decode"])
        #expect(g.tasks.map(\.section) == [0, 0, 1, 2])
        #expect(g.tasks.map(\.start) == [0, 400, 100, 200])
        #expect(g.tasks.map(\.end) == [300, 1000, 900, 400])
        #expect(g.notes == ["1 nested spans shown in “↳ level” sections under their lane"])
        try Golden.check(g.text, "known.gantt.mmd")
        try MermaidCheck.write(
            g.text, "gantt-known",
            MermaidExpectation(
                texts: g.sections + g.tasks.map(\.title) + [g.title],
                tasks: Dictionary(uniqueKeysWithValues: g.tasks.map { ($0.id, [$0.start, $0.end]) })))
    }

    @Test func mostlyWaitingBarsAreCrit() {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "a")
        let trace = Trace(
            metadata: Metadata(), processes: [], lanes: [a],
            spans: [
                Span(id: SpanID(1), name: "run", lane: a.id, threadID: 1, start: 0, end: 1_000_000),
                Span(
                    id: SpanID(2), name: "wait", lane: a.id, threadID: 1, start: 2_000_000, end: 3_000_000,
                    waits: [Wait(reason: .lock, start: 2_000_000, end: 2_900_000)]),
            ])
        let g = Mermaid.gantt(of: trace)
        #expect(g.text.contains("run :t1, "))
        #expect(g.text.contains("wait :crit, t2, "))
    }

    @Test(arguments: [
        (Int64(50_000), Int64(1), "axis in µs (time ×1000000)"),
        (Int64(40_000_000), Int64(1_000), "axis in ms (time ×1000)"),
        (Int64(3_000_000_000), Int64(1_000_000), "axis in s"),
    ])
    func shortTracesAreScaledAndSaySo(wall: Int64, perTick: Int64, note: String) throws {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "a")
        var spans: [Span] = []
        for k in 0..<10 {
            let s = wall / 10 * Int64(k)
            spans.append(
                Span(id: SpanID(UInt64(k + 1)), name: "s\(k)", lane: a.id, threadID: 1, start: s, end: s + wall / 20))
        }
        spans.append(Span(id: SpanID(99), name: "last", lane: a.id, threadID: 1, start: wall - wall / 20, end: wall))
        let g = Mermaid.gantt(
            of: Trace(metadata: Metadata(scenario: "scaled"), processes: [], lanes: [a], spans: spans))
        #expect(g.nanosecondsPerTick == perTick)
        #expect(g.title.hasSuffix(note))
        #expect(g.tasks.last?.end == wall / perTick)
        // Every bar keeps its own width: the shortest (a twentieth of the trace) is 50 ticks or more.
        #expect(g.tasks.allSatisfy { $0.end - $0.start >= 50 })
        try MermaidCheck.write(
            g.text, "gantt-scaled-\(perTick)",
            MermaidExpectation(
                texts: [g.title] + g.tasks.map(\.title),
                tasks: Dictionary(uniqueKeysWithValues: g.tasks.map { ($0.id, [$0.start, $0.end]) })))
    }

    @Test func hostileNamesShowAsWritten() throws {
        let trace = hostileTrace()
        let g = Mermaid.gantt(of: trace)
        let titles = g.tasks.map(\.title)
        for name in hostileNames where !name.allSatisfy(\.isWhitespace) {
            #expect(titles.contains(name.replacingOccurrences(of: "\t", with: " ")), "\(name)")
        }
        #expect(titles.filter { $0 == MermaidText.unnamed }.count == 2)
        #expect(g.sections.contains("gantt · 104"))
        #expect(g.sections.contains("thread 105"))
        // Nothing of the names reaches Mermaid raw: with the entity codes taken out, no '#', ';', '<' or
        // '%%' is left, and no ':' but the one before each task's data (or a config key's).
        for line in g.text.split(separator: "\n") where line.hasPrefix("    ") && !line.hasPrefix("    %%") {
            let bare = withoutEntities(line)
            #expect(
                !bare.contains("%%") && !bare.contains("<") && !bare.contains(";") && !bare.contains("#"), "\(line)")
            let colons = bare.filter { $0 == ":" }.count
            #expect(
                line.hasPrefix("    section ") || line.hasPrefix("    title ") ? colons == 0 : colons <= 1, "\(line)")
        }
        try Golden.check(g.text, "hostile.gantt.mmd")
        try MermaidCheck.write(
            g.text, "gantt-hostile",
            MermaidExpectation(
                texts: g.sections + titles + [g.title], absent: ["alert(1)</script>x"],
                tasks: Dictionary(uniqueKeysWithValues: g.tasks.map { ($0.id, [$0.start, $0.end]) })))
    }

    @Test func hundredThousandSpansOnTwoHundredLanesStayWithinLimits() throws {
        let trace = Traces.dense(spans: 100_000, lanes: 200)
        let clock = ContinuousClock()
        let start = clock.now
        let g = Mermaid.gantt(of: trace)
        let elapsed = clock.now - start
        #expect(g.text.utf16.count <= Mermaid.maxDiagramCharacters)
        #expect(g.tasks.count <= 800)
        #expect(g.sections.count == 24)
        #expect(g.sections.last == "+ 177 more lanes")
        #expect(g.title.contains("177 lanes folded"))
        #expect(g.title.contains("100000 spans merged into \(g.tasks.count) bars"))
        #expect(g.notes.contains { $0.hasPrefix("100000 spans drawn as \(g.tasks.count) bars") })
        #expect(g.tasks.reduce(0) { $0 + $1.spans } == 100_000)
        #expect(elapsed < .seconds(30))
        let md = MarkdownReport.trace(trace, analysis: Analysis(trace))
        #expect(md.utf16.count <= Mermaid.maxCommentCharacters)
        try MermaidCheck.write(
            g.text, "gantt-100k",
            MermaidExpectation(
                texts: [g.title, "+ 177 more lanes"],
                tasks: Dictionary(uniqueKeysWithValues: g.tasks.prefix(40).map { ($0.id, [$0.start, $0.end]) })))
    }

    /// Names of emoji (a family is one character of 11 UTF-16 code units) and CJK: Mermaid and GitHub
    /// count UTF-16 code units, so the limits must too.
    @Test func emojiAndCJKNamesStayWithinLimitsInUTF16Units() throws {
        let family = "👨‍👩‍👧‍👦", rocket = "🚀", han = "並行処理の時間"
        let laneCount = 30, perLane = 200
        var lanes: [Lane] = []
        var spans: [Span] = []
        for l in 0..<laneCount {
            lanes.append(
                Lane(
                    id: LaneID(UInt32(l)), kind: .thread, pid: 1, threadID: Int64(10 + l),
                    name: String(repeating: family, count: 50) + " \(l)"))
            for k in 0..<perLane {
                let s = Int64(k) * 5_000_000
                let name =
                    k % 3 == 0
                    ? String(repeating: family, count: 80)
                    : k % 3 == 1 ? String(repeating: rocket, count: 100) + "\(k)" : String(repeating: han, count: 30)
                spans.append(
                    Span(
                        id: SpanID(UInt64(l * perLane + k + 1)), name: name, lane: LaneID(UInt32(l)),
                        threadID: Int64(10 + l), start: s, end: s + 4_000_000,
                        waits: [
                            Wait(
                                reason: .lock, start: s + 1_000_000, end: s + 2_000_000,
                                object: String(repeating: family, count: 40))
                        ]))
            }
        }
        let trace = Trace(
            metadata: Metadata(
                scenario: String(repeating: family, count: 60), model: String(repeating: han, count: 20)),
            processes: [Process(pid: 1, name: "p")], lanes: lanes, spans: spans)
        let g = Mermaid.gantt(of: trace)
        #expect(g.text.utf16.count <= Mermaid.maxDiagramCharacters, "\(g.text.utf16.count) UTF-16 code units")
        #expect(g.tasks.count <= 800)
        #expect(g.sections.allSatisfy { $0.utf16.count <= MermaidText.maxLabelCharacters })
        #expect(g.tasks.allSatisfy { $0.title.utf16.count <= 60 })
        let md = MarkdownReport.trace(trace, analysis: Analysis(trace))
        #expect(md.utf16.count <= Mermaid.maxCommentCharacters, "\(md.utf16.count) UTF-16 code units")
        let blocks = MermaidCheck.blocks(of: md)
        #expect(!blocks.isEmpty)
        for b in blocks { #expect(b.utf16.count <= Mermaid.maxDiagramCharacters) }
        try MermaidCheck.write(
            g.text, "gantt-emoji-cjk",
            MermaidExpectation(
                texts: [g.title] + g.sections,
                tasks: Dictionary(uniqueKeysWithValues: g.tasks.prefix(40).map { ($0.id, [$0.start, $0.end]) })))
        for (i, b) in blocks.enumerated() { try MermaidCheck.write(b, "markdown-emoji-cjk-\(i)") }
    }

    @Test func adjacentSpansMergeOnlyWhenOverBudget() {
        let a = Lane(id: LaneID(0), kind: .thread, pid: 1, threadID: 1, name: "a")
        // 2,000 spans of 400 µs with 100 µs gaps, then one long span after a 50 ms gap.
        var spans: [Span] = []
        for k in 0..<2_000 {
            let start = Int64(k) * 500_000
            let name = k % 2 == 0 ? "even" : "odd"
            spans.append(
                Span(id: SpanID(UInt64(k + 1)), name: name, lane: a.id, threadID: 1, start: start, end: start + 400_000)
            )
        }
        spans.append(
            Span(id: SpanID(9_999), name: "tail", lane: a.id, threadID: 1, start: 1_050_000_000, end: 1_100_000_000))
        let trace = Trace(metadata: Metadata(), processes: [], lanes: [a], spans: spans)
        let few = Mermaid.gantt(
            of: Trace(metadata: Metadata(), processes: [], lanes: [a], spans: Array(spans.prefix(20))))
        #expect(few.tasks.count == 20)
        #expect(few.notes.isEmpty)
        let g = Mermaid.gantt(of: trace, options: Mermaid.GanttOptions(maxTasks: 50))
        #expect(g.tasks.count <= 50)
        #expect(g.tasks.last?.title == "tail")
        #expect(
            g.tasks.dropLast().allSatisfy {
                $0.title.hasSuffix("spans, mostly even") || $0.title.hasSuffix("spans, mostly odd")
            })
        #expect(zip(g.tasks, g.tasks.dropFirst()).allSatisfy { $0.end <= $1.start })
    }
}

@Suite struct MermaidLabelTests {
    @Test func entityCodesForWhatMermaidReads() {
        #expect(MermaidText.label("a:b#c;d%e") == "a#58;b#35;c#59;d#37;e")
        #expect(MermaidText.label("<b>&\"") == "#lt;b#gt;#amp;#quot;")
        #expect(MermaidText.label("") == "(unnamed)")
        #expect(MermaidText.label(" \t\n ") == "(unnamed)")
        #expect(MermaidText.label("  two\n lines  ") == "two lines")
        #expect(MermaidText.ganttLabel("gantt") == "#103;antt")
        #expect(MermaidText.ganttLabel("Section 2") == "#83;ection 2")
        #expect(MermaidText.ganttLabel("sect") == "sect")
        let long = String(repeating: "x", count: 200)
        #expect(MermaidText.shown(long).count == MermaidText.maxLabelCharacters)
        #expect(MermaidText.shown(long).hasSuffix("…"))
        // Cut by UTF-16 code units, between characters: 29 rockets (58 units) and "…" fit in 60.
        let rockets = MermaidText.shown(String(repeating: "🚀", count: 200), maxCharacters: 60)
        #expect(rockets == String(repeating: "🚀", count: 29) + "…")
        let zalgo = "a" + String(repeating: "\u{0301}", count: 500)
        #expect(MermaidText.shown(zalgo + zalgo, maxCharacters: 60) == "…")
    }

    @Test func markdownCellsStayInTheirCell() {
        #expect(MermaidText.markdownCell("a|b<c>*d*") == "a\\|b&lt;c&gt;\\*d\\*")
        #expect(MermaidText.markdownCell("x\ny") == "x y")
    }
}

@Suite struct MermaidChartTests {
    static func runs() -> [Trace] {
        [
            Traces.pipeline(model: "sequential", stretch: 4), Traces.pipeline(model: "threads", stretch: 1),
            Traces.pipeline(model: "async: #1; <x>", stretch: 0.05),
        ]
    }

    @Test func wallTimeBarsStartFromZero() throws {
        let c = Comparison(Self.runs())
        let chart = Mermaid.wallTimeChart(c)
        #expect(chart.text.hasPrefix("xychart-beta\n"))
        #expect(chart.text.contains("y-axis \"wall time (ms)\" 0 --> 200\n"))
        #expect(chart.values == [167.2, 41.8, 2.09])
        #expect(chart.labels == ["sequential", "threads", "async: #1; <x>"])
        try Golden.check(chart.text, "comparison.wall.mmd")
        try MermaidCheck.write(chart.text, "xychart-wall", MermaidExpectation(texts: chart.labels, bars: chart.values))
        let speedup = Mermaid.speedupChart(c)
        #expect(speedup.values == [1, 4, 80])
        try MermaidCheck.write(
            speedup.text, "xychart-speedup",
            MermaidExpectation(texts: speedup.labels + ["Speed-up over sequential"], bars: speedup.values))
    }

    @Test func niceAxisTops() {
        #expect(Mermaid.niceCeiling(160) == 200)
        #expect(Mermaid.niceCeiling(0.7) == 1)
        #expect(Mermaid.niceCeiling(2) == 2.5)
        #expect(Mermaid.niceCeiling(0) == 1)
        #expect(Mermaid.number(2.5) == "2.5")
        #expect(Mermaid.number(0.0625) == "0.063")
        #expect(Mermaid.number(12) == "12")
    }
}

@Suite struct MermaidSequenceTests {
    @Test func lockHandoffsFromWaitsCappedWithANote() throws {
        let trace = Traces.pipeline()
        let waits = trace.spans.flatMap(\.waits).filter { $0.reason == .lock && $0.object == "results" }
        #expect(Mermaid.busiestLock(in: trace) == .object("results"))
        let seq = Mermaid.lockHandoffs(of: trace, lock: .object("results"), limit: 6)
        #expect(seq.handoffs == waits.count)
        #expect(seq.shown == 6)
        #expect(seq.text.hasPrefix("sequenceDiagram\n"))
        #expect(seq.text.components(separatedBy: "->>K: waits from").count - 1 == 6)
        #expect(seq.text.components(separatedBy: "K-->>").count - 1 == 6)
        let note = "\(waits.count - 6) more hand-offs not shown (first 6 of \(waits.count))"
        #expect(seq.text.contains(note))
        try Golden.check(seq.text, "pipeline.locks.mmd")
        try MermaidCheck.write(seq.text, "sequence-pipeline", MermaidExpectation(texts: seq.participants + [note]))
    }

    @Test func interpreterLockPassesBetweenThreads() throws {
        // Three threads take turns: each waits for the lock while another holds it.
        let lanes = (0..<3).map {
            Lane(id: LaneID(UInt32($0)), kind: .thread, pid: 1, threadID: Int64(10 + $0), name: "py-\($0)")
        }
        var spans: [Span] = []
        for k in 0..<9 {
            let lane = k % 3
            let s = Int64(k) * 1_000_000
            spans.append(
                Span(
                    id: SpanID(UInt64(k + 1)), name: "bytecode", lane: LaneID(UInt32(lane)), threadID: Int64(10 + lane),
                    start: s - 500_000 < 0 ? 0 : s - 500_000, end: s + 1_000_000,
                    waits: k == 0 ? [] : [Wait(reason: .gil, start: s - 500_000, end: s)]))
        }
        let trace = Trace(metadata: Metadata(model: "gil"), processes: [], lanes: lanes, spans: spans)
        #expect(Mermaid.busiestLock(in: trace) == .interpreterLock)
        let seq = Mermaid.lockHandoffs(of: trace, lock: .interpreterLock)
        #expect(seq.handoffs == 8)
        #expect(seq.participants == ["interpreter lock", "py-0 · 10", "py-1 · 11", "py-2 · 12"])
        #expect(seq.text.contains("K-->>L2: granted at 2.00 ms after waiting 500 µs, from py-1 · 11\n"))
        try MermaidCheck.write(
            seq.text, "sequence-gil",
            MermaidExpectation(texts: seq.participants + ["granted at 2.00 ms after waiting 500 µs, from py-1 · 11"]))
    }

    @Test func hostileLockAndLaneNames() throws {
        let trace = hostileTrace()
        let seq = Mermaid.lockHandoffs(of: trace, lock: .object("m:#;%%<i>"))
        #expect(seq.handoffs == hostileNames.count)
        #expect(seq.participants.first == "lock m:#;%%<i>")
        try MermaidCheck.write(seq.text, "sequence-hostile", MermaidExpectation(texts: seq.participants))
    }
}

@Suite struct MermaidFlowchartTests {
    @Test(arguments: [
        [DecisionNode.start, .bottleneck, .concurrency, .async],
        [DecisionNode.start, .bottleneck, .parallelCPU],
        [DecisionNode.start],
        [],
    ])
    func highlightsTheGivenPath(path: [DecisionNode]) throws {
        let text = Mermaid.decisionFlowchart(path: path)
        #expect(text.contains("flowchart TD\n"))
        let edges = Mermaid.decisionEdges.indices.filter { i in
            zip(path, path.dropFirst()).contains {
                $0 == Mermaid.decisionEdges[i].0 && $1 == Mermaid.decisionEdges[i].1
            }
        }
        #expect(edges.count == max(0, path.count - 1))
        if !edges.isEmpty {
            #expect(text.contains("linkStyle \(edges.map(String.init).joined(separator: ",")) stroke"))
        }
        let name = path.map(\.rawValue).joined(separator: "-")
        if path.count == 4 { try Golden.check(text, "flowchart.async.mmd") }
        try MermaidCheck.write(
            text, "flowchart-\(name.isEmpty ? "empty" : name)",
            MermaidExpectation(
                texts: DecisionNode.allCases.map(Mermaid.decisionLabel) + ["I/O-bound", "CPU-bound", "Both"],
                classed: [
                    "taken": path.map(\.rawValue),
                    "other": DecisionNode.allCases.filter { !path.contains($0) }.map(\.rawValue),
                ]))
    }
}

@Suite struct MermaidEmptyInputTests {
    @Test func emptyInputsStillMakeValidDiagrams() throws {
        let empty = Trace(metadata: Metadata(), processes: [], lanes: [], spans: [])
        let g = Mermaid.gantt(of: empty)
        #expect(g.tasks.isEmpty)
        try MermaidCheck.write(g.text, "empty-gantt", MermaidExpectation(texts: [g.title]))
        let seq = Mermaid.lockHandoffs(of: Traces.known(), lock: .object("nothing"))
        #expect(seq.handoffs == 0)
        #expect(seq.text.contains("Note over K: no waits recorded on lock nothing\n"))
        try MermaidCheck.write(
            seq.text, "empty-sequence", MermaidExpectation(texts: ["no waits recorded on lock nothing"]))
        let bars = Mermaid.wallTimeChart(Comparison([empty]))
        try MermaidCheck.write(bars.text, "empty-xychart")
        var analysis = Analysis(empty)
        analysis.findings = []
        let md = MarkdownReport.trace(empty, analysis: analysis)
        #expect(md.contains("### Findings\n\nnone\n"))
        for (i, b) in MermaidCheck.blocks(of: md).enumerated() { try MermaidCheck.write(b, "empty-markdown-\(i)") }
        let text = TerminalText.render(empty)
        #expect(text.contains("wall 0 ns"))
    }
}
