import LanesCore
import LanesRecord

extension ScenarioCatalog {
    /// A bounded queue of 10 between 3 producers of 5 items each and 2 consumers, shut down with
    /// poison pills (Example 5). The queue's depth is a counter; an arrow runs from each item's
    /// producer span to the consumer span that took it.
    public static let producerConsumer = Scenario(
        name: "producer-consumer", seedSection: "Example 5",
        summary: "bounded queue of 10, 3 producers x 5 items, 2 consumers, poison pills", demo: DemoSize(secondsPerModel: 0.1),
        models: [.threads, .gil], defaultWorkers: 2
    ) { model, options in
        try Runner.record(model: model, options: options) {
            let queue = TracedQueue<Message>(capacity: 10, name: "queue depth")
            let gil = model == .gil ? InterpreterLock() : nil
            let context = WorkContext(gil: gil)
            let consumed = TracedMutex<[String]>([], name: "results")
            let consumers = try (0..<options.workers).map { c in
                try TracedThread(name: "consumer-\(c)") {
                    gil?.acquire()
                    while true {
                        let message = context.blocking { queue.get() }
                        guard case .item(let name, let flow) = message else { break }
                        span("consume") {
                            flowEnd(flow)
                            context.blocking { tracedSleep(.nanoseconds(pause(name, from: 0.02, to: 0.08, options.scale))) }
                            consumed.withLock { $0.append(name) }
                        }
                    }
                    gil?.release()
                }
            }
            let producers = try (0..<3).map { p in
                try TracedThread(name: "producer-\(p)") {
                    gil?.acquire()
                    for i in 0..<5 {
                        let name = "producer-\(p)-item-\(i)"
                        span("produce") {
                            context.blocking { tracedSleep(.nanoseconds(pause(name, from: 0.01, to: 0.05, options.scale))) }
                            let flow = flowStart("item")
                            context.blocking { queue.put(.item(name, flow)) }
                        }
                    }
                    gil?.release()
                }
            }
            for p in producers { p.join() }
            for _ in consumers { queue.put(.shutdown) }
            for c in consumers { c.join() }
            let items = consumed.withLock { $0 }.sorted()
            return ("\(items.count) items consumed, \(Set(items).count) distinct", [])
        }
    }

    enum Message: Sendable {
        case item(String, FlowHandle)
        case shutdown
    }
}

/// A pause between `from` and `to` seconds (times `scale`), fixed by the item's name.
func pause(_ name: String, from: Double, to: Double, _ scale: Double) -> Int64 {
    var h: UInt64 = 1_469_598_103_934_665_603
    for b in name.utf8 { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
    let unit = Double(h % 10_000) / 10_000
    return Int64((from + (to - from) * unit) * scale * 1e9)
}
