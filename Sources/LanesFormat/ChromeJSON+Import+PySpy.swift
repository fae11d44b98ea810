import LanesCore

// py-spy `--subprocesses`: forked children keep their parent's thread id, and py-spy keeps one stack per thread id,
// so a sample of one process closes the frames of the other (its `E` events carry the pid of the sample that
// closed them). The events of such a thread id are paired as py-spy wrote them, by thread id alone; each frame goes
// to its own process's lane, and the pieces of a frame cut by another process's samples are joined again.
extension ChromeImporter {
    /// The thread keys that share their tid with a key of another process, in a py-spy trace.
    func pySpySharedThreadIDs() -> Set<Int64> {
        guard sawPySpy else { return [] }
        var pids: [Int64: Set<Int64>] = [:]
        for key in beginEnds.keys { pids[key.tid, default: []].insert(key.pid) }
        return Set(pids.filter { $0.value.count > 1 }.keys)
    }

    /// Pairs the `B`/`E` events of every process with thread id `tid` on one stack, and adds the frames to their
    /// processes' lanes, joining the pieces of a frame that another process's samples interrupted.
    mutating func matchPySpySharedThread(_ tid: Int64, unmatched: inout Tally, unclosed: inout Tally) {
        let keys = beginEnds.keys.filter { $0.tid == tid }
        var all: [(pid: Int64, ev: PendingEvent)] = []
        for key in keys { all += beginEnds[key]!.map { (key.pid, $0) } }
        all.sort { $0.ev.ts != $1.ev.ts ? $0.ev.ts < $1.ev.ts : $0.ev.seq < $1.ev.seq }
        // One open frame: its process, its path of names within that process, its B.
        var stack: [(pid: Int64, path: String, depth: Int, begin: PendingEvent)] = []
        // Frames closed because the other process was sampled, which the same process may reopen: path → piece.
        typealias ResumablePiece = (start: Int64, end: Int64, begin: PendingEvent, depth: Int)
        var resumable: [Int64: [String: ResumablePiece]] = [:]
        var pieces: [(pid: Int64, start: Int64, end: Int64, begin: PendingEvent)] = []
        for (i, (pid, ev)) in all.enumerated() {
            if ev.ph == UInt8(ascii: "B") {
                let parent = stack.last { $0.pid == pid }
                let path = (parent?.path ?? "") + "\u{1F}" + ev.name
                let depth = (parent?.depth ?? -1) + 1
                // Reopening this frame: another frame at this depth, or below one, cannot resume any more; it ended
                // where the other process's sample cut it.
                if let open = resumable[pid] {
                    var keep: [String: ResumablePiece] = [:]
                    for (key, piece) in open {
                        if piece.depth < depth || key == path || key.hasPrefix(path + "\u{1F}") {
                            keep[key] = piece
                        } else {
                            pieces.append((pid, piece.start, piece.end, piece.begin))
                        }
                    }
                    resumable[pid] = keep
                }
                if let piece = resumable[pid]?.removeValue(forKey: path) {
                    // The same frame, interrupted only by the other process: it goes on from where it started.
                    stack.append((pid, path, depth, piece.begin))
                } else {
                    stack.append((pid, path, depth, ev))
                }
                continue
            }
            guard let top = stack.popLast() else {
                unmatched.add(ev.offset)
                continue
            }
            // Closed by a sample of another process (the next B after this run of Es is another pid's)?
            var j = i + 1
            while j < all.count && all[j].ev.ph == UInt8(ascii: "E") && all[j].ev.ts == ev.ts { j += 1 }
            let switched = j < all.count && all[j].ev.ph == UInt8(ascii: "B") && all[j].pid != top.pid
            if switched {
                resumable[top.pid, default: [:]][top.path] = (top.begin.ts, ev.ts, top.begin, top.depth)
            } else {
                pieces.append((top.pid, top.begin.ts, ev.ts, top.begin))
            }
        }
        for (pid, open) in resumable {
            for (_, piece) in open { pieces.append((pid, piece.start, piece.end, piece.begin)) }
        }
        for item in stack { unclosed.add(item.begin.offset) }
        pieces.sort { $0.begin.seq < $1.begin.seq }
        for p in pieces {
            let pid = p.pid
            let lane = threadLanes[ThreadKey(pid: pid, tid: tid)]!
            let info = (p.begin.args.flatMap { try? parseArgs($0) }) ?? ArgsInfo()
            addSpan(name: p.begin.name, lane: lane, tid: tid, start: p.start, end: p.end, tdur: nil, info: info)
        }
    }
}
