import LanesCore
import LanesRecord

extension ScenarioCatalog {
    /// Requests over real loopback TCP sockets to a local server that delays its answers (Example 1,
    /// Exercise 2): a semaphore limits how many are in flight, attempts time out, and some fail
    /// (deterministically) and are retried with exponential backoff.
    public static let fetch = Scenario(
        name: "fetch", seedSection: "Example 1; Exercise 2",
        summary: "24 requests to a loopback server (10-50 ms, scaled): semaphore, timeouts, retries with backoff",
        models: [.sequential, .threads, .threadPerTask, .dispatch, .async, .gil], defaultWorkers: 6,
        notes: { results, _ in results.map { "\($0.model): \($0.details.joined(separator: "; "))" } }
    ) { model, options in
        try Fetch.run(model, options: options)
    }
}

/// The `fetch` scenario, with the size of its load open for benchmarks.
public enum Fetch {
    /// How many requests, how slow the server is, and whether some requests fail.
    public struct Plan: Sendable {
        /// How many requests (items), each to its own path `/item/N`.
        public var requests: Int
        /// With true, some first attempts fail (an error status, a hang-up, a timeout) and one
        /// request fails every attempt.
        public var failures: Bool
        /// The server's delay before each answer, in seconds at scale 1.
        public var delay: ClosedRange<Double>
        /// How long one attempt may take, in seconds at scale 1 (never less than 0.1 s).
        public var timeout: Double

        public init(requests: Int, failures: Bool, delay: ClosedRange<Double>, timeout: Double) {
            self.requests = requests
            self.failures = failures
            self.delay = delay
            self.timeout = timeout
        }

        /// What `lanes run fetch` does.
        public static let standard = Plan(requests: 24, failures: true, delay: 0.01...0.05, timeout: 0.2)
    }

    /// Runs `plan` under `model` with `options.workers` as the semaphore's limit; `observe` is
    /// called with the number of requests in flight whenever it changes.
    public static func run(
        _ model: ConcurrencyModel, options: RunOptions, plan: Plan = .standard,
        observe: (@Sendable (Int) -> Void)? = nil
    ) throws -> RunResult {
        guard options.workers > 0 else { throw RunError.invalidOptions("--workers must be at least 1") }
        let timeout = max(0.1, plan.timeout * options.scale)
        let server = try LoopbackServer(route: plan.route(scale: options.scale, timeout: timeout))
        defer { server.stop() }
        let client = LoopbackClient(port: server.port, timeout: .nanoseconds(Int64(timeout * 1e9)))
        let policy = RetryPolicy(base: .nanoseconds(Int64(0.02 * options.scale * 1e9)))
        let inFlight = InFlight(observe: observe)
        let reactor = model == .async ? try Reactor() : nil
        defer { reactor?.stop() }
        let limit = TracedSemaphore(value: options.workers, name: "fetch semaphore")
        let asyncLimit = AsyncSemaphore(permits: options.workers)
        let workload = Workload(
            name: "fetch", items: Array(0..<plan.requests),
            work: { (i: Int, context: WorkContext) -> [UInt8]? in
                context.blocking { limit.wait() }
                defer { limit.signal() }
                return client.fetchWithRetry("/item/\(i)", policy: policy, inFlight: inFlight, context: context)
            },
            asyncWork: { i in
                await asyncLimit.acquire()
                defer { asyncLimit.release() }
                return await client.fetchWithRetry("/item/\(i)", policy: policy, inFlight: inFlight, reactor: reactor!)
            },
            combine: { bodies in
                let ok = bodies.compactMap { $0 }
                var hash = FNV1a()
                for (i, body) in bodies.enumerated() {
                    hash.add(UInt64(i))
                    for b in body ?? [] { hash.add(UInt64(b)) }
                }
                return
                    "\(ok.count)/\(bodies.count) requests answered, \(ok.map(\.count).reduce(0, +)) bytes, checksum \(hash.hex)"
            })
        var result = try Runner.run(workload, model: model, options: options)
        result.details = [
            "\(inFlight.attempts) attempts for \(plan.requests) requests (failures retried with exponential backoff)",
            "peak requests in flight: \(inFlight.peak) (semaphore limit \(options.workers))",
        ]
        return result
    }

    /// The body the server sends for item `i`: a few hundred deterministic bytes.
    static func body(_ i: Int) -> [UInt8] {
        Array("item \(i): ".utf8) + (0..<(256 + (i * 97) % 768)).map { UInt8(97 + (i + $0) % 26) }
    }
}

extension Fetch.Plan {
    /// The server's answer to `/item/N`: item 9's first attempt outlasts the timeout, item 11
    /// always fails, every sixth item from 1 gets an error status first, and every sixth from 4 a
    /// closed connection.
    func route(scale: Double, timeout: Double) -> @Sendable (String, Int) -> LoopbackAnswer {
        let plan = self
        return { path, attempt in
            guard path.hasPrefix("/item/"), let i = Int(path.dropFirst(6)) else {
                return .respond(status: 404, body: Array("no such item".utf8), delay: 0)
            }
            let step = Double((i * 7) % 12) / 11
            let delay = UInt64(
                (plan.delay.lowerBound + (plan.delay.upperBound - plan.delay.lowerBound) * step) * scale * 1e9)
            if plan.failures {
                if i == 11 { return .respond(status: 500, body: [], delay: delay) }
                if attempt == 1 {
                    if i == 9 { return .respond(status: 200, body: Fetch.body(i), delay: UInt64(3 * timeout * 1e9)) }
                    if i % 6 == 1 { return .respond(status: 503, body: [], delay: delay) }
                    if i % 6 == 4 { return .hangUp(delay: delay) }
                }
            }
            return .respond(status: 200, body: Fetch.body(i), delay: delay)
        }
    }
}

/// 64-bit FNV-1a, for checksums that must agree across models and processes.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ x: UInt64) {
        value ^= x
        value &*= 0x0000_0100_0000_01B3
    }

    var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
