// task-yield-program with the one line: `recordAllTasks()` first, so it records into LANES_TASKS_FILE
// when that is set and runs on the runtime's own executors when it is not. task-record-benchmark runs it
// both ways.
import LanesRecord

recordAllTasks()
let n = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 400_000
await withTaskGroup(of: Void.self) { g in
    for _ in 0..<4 { g.addTask { for _ in 0..<(n / 4) { await Task.yield() } } }
}
