// A yield-heavy Swift program with no Lanes code: `task-yield-program N` yields N times over 4 tasks
// of a task group, so the concurrency runtime runs about N jobs. task-record-benchmark runs it with
// and without the task-recording preload library.
let n = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 400_000
await withTaskGroup(of: Void.self) { g in
    for _ in 0..<4 { g.addTask { for _ in 0..<(n / 4) { await Task.yield() } } }
}
