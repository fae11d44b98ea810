import LanesAnalysis
import LanesCore

extension Builder {
    /// One run's lanes, from `top` down.
    mutating func buildPanel(
        trace: Trace, range: ClosedRange<Nanoseconds>, timeline: Timeline, window: (origin: Nanoseconds, start: Nanoseconds, end: Nanoseconds), top: Double,
        width: Double, labelWidth: Double, name: String?, statistics: TraceStatistics
    ) -> Panel {
        let plan = timeline.plan
        var y = top
        if name != nil { y += 13 * s + 10 * s }
        let plotX0 = (margin + labelWidth).rounded()
        let plotX1 = (width - margin).rounded()
        let scale = TimeScale(start: window.start, end: window.end, x0: plotX0, x1: plotX1, origin: window.origin)
        let ticks = scale.ticks(minSpacing: 70 * s) { self.measure($0, self.smallSize) }
        let tickBaseline = y + smallSize
        var tickLabels: [TextItem] = []
        for t in ticks {
            // The first label starts at its tick and the last ends at it, so none leaves the plot.
            let w = measure(t.label, smallSize)
            let anchor: TextItem.Anchor =
                t.x - w / 2 < plotX0 ? .left : (t.x + w / 2 > plotX1 ? .right : .center)
            tickLabels.append(TextItem(t.label, x: t.x, y: tickBaseline, size: smallSize, anchor: anchor, role: .secondary))
        }
        y = tickBaseline + 6 * s
        let axisY = y.rounded()
        y = axisY + 1

        // Rows beyond the limit go into one summary row.
        let limit = max(1, options.maxLanes)
        let rowCount = plan.rows.count
        let summarised = rowCount > limit ? rowCount - (limit - 1) : 0
        let shownRows = summarised > 0 ? limit - 1 : rowCount
        func displayRow(_ r: Int) -> Int { r < shownRows ? r : shownRows }
        let displayCount = shownRows + (summarised > 0 ? 1 : 0)
        // Nesting levels per displayed row: the summary row shows as many as the deepest row it holds.
        var levels = timeline.rows.prefix(shownRows).map(\.levels)
        if summarised > 0 { levels.append(timeline.rows[shownRows...].map(\.levels).max() ?? 1) }

        // CPU state samples by row.
        var cpuByRow: [Int: [(Nanoseconds, Double, Double, Double)]] = [:]
        let cpuRows = collectCPU(trace: trace, plan: plan, displayRow: displayRow, into: &cpuByRow)

        // Geometry of rows, with group headings where the process changes.
        var groups: [Group] = []
        var rowBoxes: [Box] = []
        var rowLabels: [TextItem] = []
        var stripBoxes: [Box?] = []
        var lastPid: Int64? = nil
        let processes = Dictionary(trace.processes.map { ($0.pid, $0) }, uniquingKeysWith: { a, _ in a })
        for d in 0..<displayCount {
            let isSummary = summarised > 0 && d == shownRows
            if !isSummary {
                let entry = plan.rows[d]
                if entry.pid != lastPid {
                    lastPid = entry.pid
                    let p = processes[entry.pid]
                    var text = p.map { $0.name.isEmpty ? "process \($0.pid)" : "\($0.name) (pid \($0.pid))" } ?? "process \(entry.pid)"
                    if let exit = p?.exit { text += " — \(exit)" }
                    if let note = p?.note, !note.isEmpty { text += " (\(note))" }
                    let box = Box(x: margin, y: y, width: width - 2 * margin, height: groupHeight)
                    groups.append(Group(
                        label: TextItem(fit(text, size: textSize, maxWidth: box.width - 12 * s), x: margin + 6 * s,
                                        y: y + groupHeight - 6 * s, size: textSize, role: .title),
                        box: box))
                    y += groupHeight
                }
            }
            let hasStrip = cpuRows.contains(d)
            let content = rowHeight + Double(levels[d] - 1) * levelHeight
            let h = content + (hasStrip ? stripHeight + 2 * s : 0)
            let box = Box(x: margin, y: y, width: width - 2 * margin, height: h)
            rowBoxes.append(box)
            stripBoxes.append(hasStrip ? Box(x: plotX0, y: y + content, width: plotX1 - plotX0, height: stripHeight) : nil)
            let text = isSummary ? "+ \(summarised) more lanes" : plan.rows[d].label
            rowLabels.append(TextItem(
                fit(text, size: textSize, maxWidth: labelWidth - 16 * s), x: margin + 8 * s,
                y: y + rowHeight / 2 + textSize * 0.36, size: textSize, role: isSummary ? .secondary : .primary))
            y += h
        }

        var rows = (0..<displayCount).map { d in
            Row(label: rowLabels[d], box: rowBoxes[d], bars: [], waits: [], columns: [], cpuStrip: stripBoxes[d],
                cpuCells: [], spanCount: 0, summarisedLanes: summarised > 0 && d == shownRows ? summarised : 0)
        }
        placeSpans(trace: trace, timeline: timeline, levels: levels, scale: scale, shownRows: shownRows, rows: &rows,
                   summaryRow: summarised > 0 ? shownRows : nil)
        for (d, samples) in cpuByRow {
            rows[d].cpuCells = cpuCells(samples, scale: scale)
        }
        y += 4 * s

        // Counters other than the CPU state ones, as small area charts.
        var counters: [CounterChart] = []
        let byName = Dictionary(grouping: trace.counters.filter { !$0.name.hasPrefix("sched.") }, by: \.name)
        for name in byName.keys.sorted() {
            let samples = byName[name]!.sorted { $0.time < $1.time }
            let box = Box(x: plotX0, y: y + 4 * s, width: plotX1 - plotX0, height: counterHeight - 8 * s)
            counters.append(counterChart(
                name: name, samples: samples, box: box, scale: scale, labelWidth: labelWidth, runEnd: range.upperBound))
            y += counterHeight
            sawCounters = true
        }

        var flows: [FlowArrow] = []
        if options.showFlows, !trace.flows.isEmpty {
            flows = flowArrows(trace: trace, timeline: timeline, levels: levels, displayRow: displayRow, rows: rows, scale: scale)
            sawFlows = sawFlows || !flows.isEmpty
        }
        let plot = Box(x: plotX0, y: axisY, width: plotX1 - plotX0, height: y - axisY)
        return Panel(
            header: [], timeScale: scale, ticks: ticks, tickLabels: tickLabels, plot: plot, axisY: axisY,
            groups: groups, rows: rows, counters: counters, flows: flows, statistics: statistics)
    }

    // MARK: Spans

    /// The band (top, height) of a nesting level within a row: the first level fills the row's
    /// first line as a flat row always did; each deeper level is a line of its own below it, as
    /// Perfetto and Tracy stack a thread's calls.
    func band(_ row: Box, depth: Int) -> (Double, Double) {
        if depth == 0 {
            let top = (row.y + 2 * s).rounded()
            let bottom = (row.y + rowHeight - 2 * s).rounded()
            return (top, max(2 * s, bottom - top))
        }
        let top = (row.y + rowHeight + Double(depth - 1) * levelHeight).rounded()
        return (top, max(2 * s, levelHeight - 2 * s))
    }

    mutating func placeSpans(
        trace: Trace, timeline: Timeline, levels: [Int], scale: TimeScale, shownRows: Int, rows: inout [Row],
        summaryRow: Int?
    ) {
        let maxLevels = timeline.depthLimit
        // The run's interned names as indices into the chart's names (one lookup per distinct name).
        let nameMap = timeline.names.map { intern($0) }
        let x0 = scale.x0, columns = Int(scale.x1 - scale.x0)
        let ppn = scale.pixelsPerNanosecond
        let lo = scale.start, hi = scale.end
        // Sums per (row, depth), made on first use.
        var sums = [ColumnSums?](repeating: nil, count: rows.count * maxLevels)
        var counts = [Int](repeating: 0, count: rows.count)
        // Fields are read in place: copying each span (three references) costs more than the rest.
        trace.spans.withUnsafeBufferPointer { spans in
        for i in spans.indices {
            let r0 = Int(timeline.rowOfSpan[i])
            guard r0 >= 0, spans[i].end >= lo, spans[i].start <= hi else { continue }
            let r = r0 < shownRows ? r0 : shownRows
            counts[r] += 1
            let depth = min(timeline.level(ofSpan: i), levels[r] - 1)
            let a = max(spans[i].start, lo), b = min(spans[i].end, hi)
            // A span that ends before it starts (validate() reports it) is counted but not drawn.
            guard b >= a else { continue }
            let fx0 = x0 + Double(a - lo) * ppn, fx1 = x0 + Double(b - lo) * ppn
            let ni = nameMap[Int(timeline.nameOfSpan[i])]
            for w in spans[i].waits where w.end > lo && w.start < hi { waitReasonsUsed.insert(w.reason) }
            if fx1 - fx0 >= Self.minBarWidth * s, r != summaryRow {
                let (by, bh) = band(rows[r].box, depth: depth)
                let color = Palette.color(forSpanName: spans[i].name)
                rows[r].bars.append(Bar(name: spans[i].name, x0: fx0, x1: fx1, y: by, height: bh, color: color, depth: depth, label: nil))
                for w in spans[i].waits where w.end > lo && w.start < hi {
                    let wx0 = x0 + Double(max(w.start, lo) - lo) * ppn, wx1 = x0 + Double(min(w.end, hi) - lo) * ppn
                    // Waits under a pixel join the previous one of the same reason when they touch.
                    if wx1 - wx0 < 1, var last = rows[r].waits.last, last.reason == w.reason, wx0 - last.x1 < 1,
                        last.y == by
                    {
                        last.x1 = max(last.x1, wx1)
                        rows[r].waits[rows[r].waits.count - 1] = last
                    } else {
                        rows[r].waits.append(WaitBar(reason: w.reason, x0: wx0, x1: wx1, y: by, height: bh))
                    }
                }
                continue
            }
            // Too narrow to see on its own: add to the columns it touches.
            let slot = r * maxLevels + depth
            if sums[slot] == nil { sums[slot] = ColumnSums(columns: columns) }
            var waitShare: Float = 0
            var reason: Int32 = -1
            if !spans[i].waits.isEmpty, spans[i].duration > 0 {
                var longest: Nanoseconds = -1
                for w in spans[i].waits where w.duration > longest {
                    longest = w.duration
                    reason = Int32(w.reason.rawValue)
                }
                waitShare = Float(min(1, Double(spans[i].blockedTime) / Double(spans[i].duration)))
            }
            // Truncation is floor here: both are at least 0.
            let c0 = min(columns - 1, Int(max(0, fx0 - x0)))
            let c1 = min(columns - 1, Int(max(0, fx1 - x0)))
            sums[slot]!.add(from: c0, to: c1, fx0: fx0 - x0, fx1: fx1 - x0, name: ni, waitShare: waitShare, reason: reason)
        }
        }
        for r in rows.indices { placeLabels(&rows[r]) }
        // Aggregated columns, laid out.
        for r in rows.indices {
            rows[r].spanCount = counts[r]
            let divisor = Float(max(1, rows[r].summarisedLanes))
            for depth in 0..<maxLevels {
                guard let cs = sums[r * maxLevels + depth] else { continue }
                let (by, bh) = band(rows[r].box, depth: depth)
                for c in 0..<columns where cs.spans[c] > 0 {
                    sawDense = true
                    let busy = Double(min(1, cs.busy[c] / divisor))
                    let waiting = Double(min(cs.waiting[c] / divisor, Float(busy)))
                    let top = cs.names[c].top
                    let name = top >= 0 ? names[Int(top)] : ""
                    let wr = cs.waits[c].top
                    rows[r].columns.append(Column(
                        x: Int(x0) + c, y: by, height: bh, busy: busy, waiting: waiting,
                        color: Palette.color(forSpanName: name), dominantName: name,
                        dominantWait: wr >= 0 ? WaitReason(rawValue: UInt8(wr)) : nil, spans: Int(cs.spans[c])))
                }
            }
        }
    }

    /// Names inside bars, in the widest stretch of each bar that no wait or nested bar covers.
    func placeLabels(_ row: inout Row) {
        let minWidth = 40 * s
        guard row.bars.contains(where: { $0.x1 - $0.x0 >= minWidth }) else { return }
        // Obstacles sorted by start: waits and bars, each with its depth (waits take their bar's).
        var obstacles: [(x0: Double, x1: Double, depth: Int)] = row.waits.map { w in
            (w.x0, w.x1, row.bars.first(where: { $0.y == w.y }).map(\.depth) ?? 0)
        }
        obstacles += row.bars.map { ($0.x0, $0.x1, $0.depth) }
        obstacles.sort { $0.x0 < $1.x0 }
        for i in row.bars.indices where row.bars[i].x1 - row.bars[i].x0 >= minWidth {
            let bar = row.bars[i]
            guard bar.height >= smallSize else { continue }
            // Free stretches of the bar: cut out waits and other bars at its level.
            var free: [(Double, Double)] = []
            var cursor = bar.x0
            // Labelled bars are at least 40 pt wide, so there are few per row: a scan from the start is cheap.
            var k = 0
            while k < obstacles.count, obstacles[k].x0 < bar.x1 {
                let o = obstacles[k]
                k += 1
                // Deeper levels are lines of their own below, so only this level's waits and bars cut it.
                guard o.x1 > bar.x0, o.depth == bar.depth && !(o.x0 == bar.x0 && o.x1 == bar.x1) && o.x1 <= bar.x1
                else { continue }
                if o.x0 > cursor { free.append((cursor, o.x0)) }
                cursor = max(cursor, o.x1)
            }
            if bar.x1 > cursor { free.append((cursor, bar.x1)) }
            guard let best = free.max(by: { ($0.1 - $0.0) < ($1.1 - $1.0) }), best.1 - best.0 >= minWidth * 0.8 else { continue }
            let text = fit(bar.name, size: smallSize, maxWidth: best.1 - best.0 - 8 * s)
            guard text.count >= 2, text != "…" else { continue }
            row.bars[i].label = TextItem(
                text, x: best.0 + 4 * s, y: bar.y + bar.height / 2 + smallSize * 0.36, size: smallSize,
                color: bar.color.luminance > 0.55 ? RGB(0x111111) : RGB(0xFFFFFF))
        }
    }

    // MARK: CPU state strip

    /// Samples of the three schedstat counters per display row; returns the rows that have them.
    mutating func collectCPU(
        trace: Trace, plan: RowPlan, displayRow: (Int) -> Int,
        into out: inout [Int: [(Nanoseconds, Double, Double, Double)]]
    ) -> Set<Int> {
        guard trace.counters.contains(where: { $0.name == CounterName.running }) else { return [] }
        // (lane, time) → running, runQueue, blocked.
        struct Key: Hashable { var lane: LaneID; var time: Nanoseconds }
        var values: [Key: (Double, Double, Double)] = [:]
        for c in trace.counters {
            guard let lane = c.lane else { continue }
            let k = Key(lane: lane, time: c.time)
            switch c.name {
            case CounterName.running: values[k, default: (0, 0, 0)].0 += c.value
            case CounterName.runQueue: values[k, default: (0, 0, 0)].1 += c.value
            case CounterName.blocked: values[k, default: (0, 0, 0)].2 += c.value
            default: break
            }
        }
        var rows = Set<Int>()
        for (k, v) in values {
            guard let p = plan.position(of: k.lane), plan.rowOfLane[p] >= 0 else { continue }
            let d = displayRow(plan.rowOfLane[p])
            out[d, default: []].append((k.time, v.0, v.1, v.2))
            rows.insert(d)
        }
        // Fully ordered (rows merged into the summary row may share sample times), so no
        // dictionary order leaks into the picture.
        for d in out.keys {
            out[d]!.sort { a, b in
                a.0 != b.0 ? a.0 < b.0 : a.1 != b.1 ? a.1 < b.1 : a.2 != b.2 ? a.2 < b.2 : a.3 < b.3
            }
        }
        sawCPU = sawCPU || !rows.isEmpty
        return rows
    }

    func cpuCells(_ samples: [(Nanoseconds, Double, Double, Double)], scale: TimeScale) -> [CPUCell] {
        var cells: [CPUCell] = []
        for i in samples.indices.dropFirst() {
            let (t0, _, _, _) = samples[i - 1]
            let (t1, run, rq, blk) = samples[i]
            guard t1 > t0, t1 > scale.start, t0 < scale.end else { continue }
            let total = max(run + rq + blk, Double(t1 - t0))
            let x0 = scale.x(max(t0, scale.start)), x1 = scale.x(min(t1, scale.end))
            let running = min(1, run / total), queue = min(1 - running, rq / total)
            cells.append(CPUCell(x0: x0, x1: x1, running: running, runQueue: queue, blocked: max(0, 1 - running - queue)))
        }
        return cells
    }

    // MARK: Counters and flows

    /// A counter's area chart; nothing is drawn past `runEnd` (a shorter run on a shared time scale).
    func counterChart(
        name: String, samples: [CounterSample], box: Box, scale: TimeScale, labelWidth: Double, runEnd: Nanoseconds
    ) -> CounterChart {
        let columns = Int(box.width)
        var heights = [Double](repeating: -1, count: columns)
        let maxValue = samples.map(\.value).max() ?? 0
        let denom = maxValue > 0 ? maxValue : 1
        var current = -1.0
        var k = 0
        for c in 0..<columns {
            // Step function: the last value before the column ends, and the highest inside it.
            let colStart = scale.start + Nanoseconds(Double(c) / scale.pixelsPerNanosecond)
            if colStart > runEnd { break }
            let colEnd = scale.start + Nanoseconds(Double(c + 1) / scale.pixelsPerNanosecond)
            var peak = current
            while k < samples.count, samples[k].time < colEnd {
                current = max(0, samples[k].value) / denom
                peak = max(peak, current)
                k += 1
            }
            heights[c] = peak
        }
        let label = TextItem(
            fit(name, size: smallSize, maxWidth: labelWidth - 16 * s), x: margin + 8 * s, y: box.y + box.height / 2 + smallSize * 0.36,
            size: smallSize)
        let maxText = maxValue == maxValue.rounded() && abs(maxValue) < 1e15 ? "\(Int64(maxValue))" : TraceStatistics.decimal(maxValue)
        let maxLabel = TextItem("max \(maxText)", x: box.maxX - 4 * s, y: box.y + smallSize, size: smallSize * 0.9,
                                anchor: .right, role: .secondary)
        return CounterChart(name: name, label: label, maxLabel: maxLabel, box: box, maxValue: maxValue, heights: heights)
    }

    func flowArrows(
        trace: Trace, timeline: Timeline, levels: [Int], displayRow: (Int) -> Int, rows: [Row], scale: TimeScale
    ) -> [FlowArrow] {
        var wanted = Set<SpanID>()
        for f in trace.flows.prefix(5000) {
            wanted.insert(f.from)
            wanted.insert(f.to)
        }
        var where_: [SpanID: (row: Int, depth: Int)] = [:]
        for (i, sp) in trace.spans.enumerated() where wanted.contains(sp.id) {
            guard let r = timeline.row(ofSpan: i) else { continue }
            let d = displayRow(r)
            where_[sp.id] = (d, min(timeline.level(ofSpan: i), levels[d] - 1))
        }
        var out: [FlowArrow] = []
        for f in trace.flows.prefix(5000) {
            guard let a = where_[f.from], let b = where_[f.to] else { continue }
            guard f.toTime >= scale.start, f.fromTime <= scale.end else { continue }
            let (ay, ah) = band(rows[a.row].box, depth: a.depth)
            let (by, bh) = band(rows[b.row].box, depth: b.depth)
            out.append(FlowArrow(fromX: scale.x(f.fromTime), fromY: ay + ah / 2, toX: scale.x(f.toTime), toY: by + bh / 2))
        }
        return out
    }
}

extension ColumnSums {
    /// Adds a span covering [fx0, fx1) (pixels from the plot's left) to columns c0...c1.
    @inline(__always)
    mutating func add(from c0: Int, to c1: Int, fx0: Double, fx1: Double, name: Int32, waitShare: Float, reason: Int32) {
        for c in c0...c1 {
            // The part of the column the span covers, as it is: the painter gives any column with a
            // span at least one pixel, so none vanishes, and busy shares are never inflated.
            let cover = Float(max(0, min(fx1, Double(c + 1)) - max(fx0, Double(c))))
            busy[c] += cover
            spans[c] += 1
            names[c].add(name, cover)
            if waitShare > 0 {
                waiting[c] += cover * waitShare
                waits[c].add(reason, cover * waitShare)
            }
        }
    }
}
