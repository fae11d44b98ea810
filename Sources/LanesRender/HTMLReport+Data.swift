import LanesAnalysis
import LanesCore
import LanesSupport

/// The data of one run as the page embeds it: a JSON object whose spans are a base64 byte stream.
///
/// Spans are ordered by row (as ``RowPlan`` orders them, so as in the PNG), then start. Each span is
/// six fields, most of them LEB128 varints: zigzag(start − previous start in the row) and duration
/// in ns (times are relative to the run's first event), name index, lane index, zigzag(thread id −
/// the lane's thread id), and a flags byte (bits 0–3 the line of the row it is drawn on, 16 CPU time,
/// 32 waits, 64 attributes; see ``PageContract/SpanFlag``).
/// The `extra` stream holds, for each flagged span in order: its CPU time; its waits (count, then
/// reason byte, zigzag(start − span start), duration, object string index + 1); its attributes
/// (count, then key and value string indices). The page decodes both into typed arrays.
struct HTMLRunData {
    var json = ""
    var spanCount = 0

    /// `timeline`: the trace's, made with `options`; `colors`: the span colours of the chart the run is part of
    /// (``Timeline/Legend/colors`` over every run); nil to assign them as a chart of this run alone would.
    init(
        trace: Trace, timeline: Timeline, name: String?, options: ChartOptions, findings: [Finding],
        colors: [String: RGB]? = nil
    ) {
        let plan = timeline.plan
        let origin = timeline.range?.lowerBound ?? 0
        let end = timeline.range?.upperBound ?? 0
        let lanes = trace.lanes

        // Placed spans, sorted by (row, start, position).
        var rowOf = [Int32](repeating: -1, count: trace.spans.count)
        var laneOf = [Int32](repeating: 0, count: trace.spans.count)
        var order: [Int] = []
        order.reserveCapacity(trace.spans.count)
        trace.spans.withUnsafeBufferPointer { spans in
            for i in spans.indices {
                guard let r = timeline.row(ofSpan: i), let p = plan.position(of: spans[i].lane) else { continue }
                rowOf[i] = Int32(r)
                laneOf[i] = Int32(p)
                order.append(i)
            }
            order.sort { a, b in
                rowOf[a] != rowOf[b]
                    ? rowOf[a] < rowOf[b] : spans[a].start != spans[b].start ? spans[a].start < spans[b].start : a < b
            }
        }
        spanCount = order.count

        let names = timeline.names
        var strings = StringTable()
        var stream = ByteWriter()
        var extra = ByteWriter()
        stream.bytes.reserveCapacity(order.count * 9)
        var rowFirst = [Int](repeating: 0, count: plan.rows.count)
        var rowCount = [Int](repeating: 0, count: plan.rows.count)
        var rowMaxDuration = [Int64](repeating: 0, count: plan.rows.count)
        var positionOf: [SpanID: Int] = [:]
        let wantedFlows = Set(trace.flows.flatMap { [$0.from, $0.to] })
        // Durations per row and per name, for the statistics tables.
        var rowDurations = [[Int64]](repeating: [], count: plan.rows.count)
        var nameDurations = [[Int64]](repeating: [], count: names.count)
        let laneThread = lanes.map { $0.threadID ?? 0 }
        trace.spans.withUnsafeBufferPointer { spans in
            var previousRow: Int32 = -1
            var previousStart: Int64 = 0
            for (k, i) in order.enumerated() {
                let r = rowOf[i]
                if r != previousRow {
                    rowFirst[Int(r)] = k
                    previousRow = r
                    previousStart = 0
                }
                rowCount[Int(r)] += 1
                let start = spans[i].start - origin
                let duration = max(0, spans[i].end - spans[i].start)
                rowMaxDuration[Int(r)] = max(rowMaxDuration[Int(r)], duration)
                stream.signed(start - previousStart)
                previousStart = start
                stream.varint(UInt64(duration))
                let ni = Int(timeline.nameOfSpan[i])
                stream.varint(UInt64(ni))
                nameDurations[ni].append(duration)
                rowDurations[Int(r)].append(duration)
                stream.varint(UInt64(laneOf[i]))
                stream.signed(spans[i].threadID - laneThread[Int(laneOf[i])])
                // The line the span is drawn on: its depth, capped at the timeline's limit (at most 16 lines).
                var flags = min(PageContract.SpanFlag.depthMask, UInt8(clamping: timeline.level(ofSpan: i)))
                if spans[i].cpuTime != nil { flags |= PageContract.SpanFlag.cpuTime }
                if !spans[i].waits.isEmpty { flags |= PageContract.SpanFlag.waits }
                if !spans[i].attributes.isEmpty { flags |= PageContract.SpanFlag.attributes }
                stream.bytes.append(flags)
                if let cpu = spans[i].cpuTime { extra.varint(UInt64(max(0, cpu))) }
                if !spans[i].waits.isEmpty {
                    extra.varint(UInt64(spans[i].waits.count))
                    for w in spans[i].waits {
                        extra.bytes.append(w.reason.rawValue)
                        extra.signed(w.start - spans[i].start)
                        extra.varint(UInt64(max(0, w.end - w.start)))
                        extra.varint(w.object.map { UInt64(strings.index($0) + 1) } ?? 0)
                    }
                }
                if !spans[i].attributes.isEmpty {
                    extra.varint(UInt64(spans[i].attributes.count))
                    for a in spans[i].attributes {
                        extra.varint(UInt64(strings.index(a.key)))
                        extra.varint(UInt64(strings.index(a.value)))
                    }
                }
                if !wantedFlows.isEmpty, wantedFlows.contains(spans[i].id) { positionOf[spans[i].id] = k }
            }
        }

        var j = JSONWriter()
        j.open()
        j.key("name"); j.stringOrNull(name)
        j.key("title"); j.string(NameBound.cut(options.title ?? Builder.title(of: trace.metadata), NameBound.prose))
        j.key("subtitle"); j.string(NameBound.cut(Builder.subtitle(of: trace.metadata), NameBound.prose))
        j.key("end"); j.number(end - origin)
        j.key("spanCount"); j.number(order.count)
        // The hover shows a name in full up to `NameBound.full`; tables cut it further.
        j.key("names"); j.strings(names.map { NameBound.cut($0, NameBound.full) })
        let assigned = colors ?? Timeline.Legend([timeline]).colors
        j.key("colors"); j.strings(names.map { (assigned[$0] ?? Palette.color(forSpanName: $0)).description })
        j.key("strings"); j.strings(strings.values.map { NameBound.cut($0, NameBound.full) })
        j.key("lanes")
        j.array(lanes) { j, lane in
            j.open()
            j.key("label"); j.string(NameBound.cut(RowPlan.label(lane), NameBound.cell))
            j.key("kind"); j.string(lane.kind.description)
            j.key("pid"); j.number(lane.pid)
            j.key("tid"); j.number(lane.threadID ?? 0)
            j.close()
        }
        // Process bands where the pid changes, labelled as in the PNG.
        let processes = Dictionary(trace.processes.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        var groupOfRow: [Int] = []
        var groupLabels: [String] = []
        var lastPid: Int64? = nil
        for entry in plan.rows {
            if entry.pid != lastPid {
                lastPid = entry.pid
                let p = processes[entry.pid]
                var text =
                    p.map { $0.name.isEmpty ? "process \($0.pid)" : "\($0.name) (pid \($0.pid))" }
                    ?? "process \(entry.pid)"
                if let exit = p?.exit { text += " — \(exit)" }
                if let note = p?.note, !note.isEmpty { text += " (\(note))" }
                groupLabels.append(text)
            }
            groupOfRow.append(groupLabels.count - 1)
        }
        j.key("groups"); j.strings(groupLabels.map { NameBound.cut($0, NameBound.cell) })
        let cpu = Self.cpuSamples(trace: trace, plan: plan, origin: origin)
        j.key("rows")
        j.array(Array(plan.rows.indices)) { j, r in
            j.open()
            j.key("label"); j.string(NameBound.cut(plan.rows[r].label, NameBound.cell))
            j.key("group"); j.number(groupOfRow[r])
            j.key("first"); j.number(rowFirst[r])
            j.key("count"); j.number(rowCount[r])
            j.key("maxDuration"); j.number(rowMaxDuration[r])
            // Nesting levels the row shows (the PNG's lines per row), and spans folded into the last.
            j.key("levels"); j.number(timeline.rows[r].levels)
            if timeline.rows[r].foldedSpans > 0 { j.key("folded"); j.number(timeline.rows[r].foldedSpans) }
            if let samples = cpu[r] {
                j.key("cpu"); j.numbers(samples)
            }
            j.close()
        }
        j.key("spans"); j.string(Base64.encode(stream.bytes))
        j.key("extra"); j.string(Base64.encode(extra.bytes))
        j.key("counters")
        let byName = Dictionary(grouping: trace.counters.filter { !$0.name.hasPrefix("sched.") }, by: \.name)
        j.array(byName.keys.sorted()) { j, name in
            let samples = byName[name]!.sorted { $0.time != $1.time ? $0.time < $1.time : $0.value < $1.value }
            j.open()
            j.key("name"); j.string(NameBound.cut(name, NameBound.cell))
            j.key("t"); j.numbers(samples.map { Double($0.time - origin) })
            j.key("v"); j.numbers(samples.map(\.value))
            j.close()
        }
        j.key("flows")
        var flowPairs: [Double] = []
        for f in trace.flows {
            guard let a = positionOf[f.from], let b = positionOf[f.to] else { continue }
            flowPairs += [Double(a), Double(b), Double(f.fromTime - origin), Double(f.toTime - origin)]
        }
        j.numbers(flowPairs)
        j.key("marks")
        j.array(trace.marks.sorted { $0.time < $1.time }.prefix(10_000).map { $0 }) { j, m in
            j.open()
            j.key("name"); j.string(NameBound.cut(m.name, NameBound.cell))
            j.key("t"); j.number(m.time - origin)
            j.close()
        }
        let st = TraceStatistics(trace)
        j.key("summary")
        j.array(st.lines) { j, line in j.strings([line.0, NameBound.cut(line.1, NameBound.prose)]) }
        j.key("blocked")
        j.array(st.blockedShares) { j, b in
            j.open()
            j.key("reason"); j.string(b.reason.description)
            j.key("time"); j.number(b.time)
            j.key("share"); j.number(b.share)
            j.close()
        }
        j.key("byRow")
        j.array(Array(plan.rows.indices)) { j, r in Self.statsRow(&j, label: plan.rows[r].label, &rowDurations[r]) }
        let nameOrder = nameDurations.indices.filter { !nameDurations[$0].isEmpty }.sorted { a, b in
            let ta = nameDurations[a].reduce(0, +), tb = nameDurations[b].reduce(0, +)
            return ta != tb ? ta > tb : names[a] < names[b]
        }
        // The table stays readable: the names with the most time, and how many more there are.
        j.key("byName")
        j.array(Array(nameOrder.prefix(Self.maxNameRows))) { j, n in
            Self.statsRow(&j, label: names[n], &nameDurations[n])
        }
        j.key("byNameOmitted")
        j.number(max(0, nameOrder.count - Self.maxNameRows))
        j.key("findings")
        j.array(findings) { j, f in
            j.open()
            j.key("severity"); j.string(f.severity.description)
            j.key("kind"); j.string(f.kind.rawValue)
            j.key("title"); j.string(NameBound.cut(f.title, NameBound.prose))
            j.key("evidence"); j.string(NameBound.cut(f.evidence, NameBound.prose))
            j.key("lesson"); j.string(f.lesson)
            j.close()
        }
        j.close()
        json = j.text
    }

    /// Rows of the per-name statistics table at most.
    static let maxNameRows = 500

    /// `[label, count, total, mean, p50, p90, p99, max]`, durations in ns (nearest-rank percentiles).
    static func statsRow(_ j: inout JSONWriter, label: String, _ durations: inout [Int64]) {
        durations.sort()
        let n = durations.count
        let total = durations.reduce(0, +)
        func rank(_ p: Double) -> Int64 {
            n == 0 ? 0 : durations[min(n - 1, max(0, Int((p * Double(n)).rounded(.up)) - 1))]
        }
        j.raw("[")
        j.string(NameBound.cut(label, NameBound.cell))
        for v in [Int64(n), total, n > 0 ? total / Int64(n) : 0, rank(0.5), rank(0.9), rank(0.99), durations.last ?? 0]
        {
            j.raw(",")
            j.raw(String(v))
        }
        j.raw("]")
        durations = []
    }

    /// Per row: flat `[t, running, runQueue, blocked, …]` from the `sched.*` counters, as the PNG's strip.
    static func cpuSamples(trace: Trace, plan: RowPlan, origin: Nanoseconds) -> [Int: [Double]] {
        guard trace.counters.contains(where: { $0.name == CounterName.running }) else { return [:] }
        struct Key: Hashable {
            var row: Int
            var time: Nanoseconds
        }
        var values: [Key: (Double, Double, Double)] = [:]
        for c in trace.counters {
            guard let lane = c.lane, let p = plan.position(of: lane), plan.rowOfLane[p] >= 0 else { continue }
            let k = Key(row: plan.rowOfLane[p], time: c.time)
            switch c.name {
            case CounterName.running: values[k, default: (0, 0, 0)].0 += c.value
            case CounterName.runQueue: values[k, default: (0, 0, 0)].1 += c.value
            case CounterName.blocked: values[k, default: (0, 0, 0)].2 += c.value
            default: break
            }
        }
        var out: [Int: [Double]] = [:]
        for (k, v) in values.sorted(by: {
            $0.key.row != $1.key.row ? $0.key.row < $1.key.row : $0.key.time < $1.key.time
        }) {
            out[k.row, default: []] += [Double(k.time - origin), v.0, v.1, v.2]
        }
        return out
    }
}

/// Strings by first use.
struct StringTable {
    var values: [String] = []
    var index: [String: Int] = [:]
    var last = ""
    var lastIndex = -1

    mutating func index(_ s: String) -> Int {
        if lastIndex >= 0, s == last { return lastIndex }
        let i: Int
        if let known = index[s] {
            i = known
        } else {
            i = values.count
            values.append(s)
            index[s] = i
        }
        last = s
        lastIndex = i
        return i
    }
}
