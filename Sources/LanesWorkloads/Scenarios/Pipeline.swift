import LanesCore
import LanesRecord

#if canImport(Glibc)
    import Glibc
#endif

extension ScenarioCatalog {
    /// Fetch, compute, store (Example 4, Exercise 5): each dataset is fetched from the loopback
    /// server, its statistics computed (CPU: mean, deviation and the primes among its values),
    /// and the result written to a file. The hybrid model fetches and stores in async tasks and
    /// sends the computing to worker processes.
    public static let pipeline = Scenario(
        name: "pipeline", seedSection: "Example 4; Exercise 5",
        summary: "fetch 8 datasets over loopback, compute their statistics (CPU), write results to files",
        models: [.sequential, .threads, .threadPerTask, .gil, .processes, .async, .hybrid], defaultWorkers: 4,
        notes: { results, _ in results.compactMap(Pipeline.phaseLine) }
    ) { model, options in
        try Pipeline.run(model, options: options)
    }
}

enum Pipeline {
    static let names = ["users", "transactions", "products", "analytics", "orders", "reviews", "sessions", "events"]
    static let portVariable = "LANES_PIPELINE_PORT"
    static let folderVariable = "LANES_PIPELINE_DIR"
    static let phases = ["fetch", "compute", "store"]

    static func run(_ model: ConcurrencyModel, options: RunOptions) throws -> RunResult {
        if HybridWorker.isComputeWorker {
            return try HybridWorker.serve(name: "compute", options: options) { try compute($0) }
        }
        var options = options
        let port: UInt16
        let folder: String
        var server: LoopbackServer?
        let inWorker = ProcessWorker.active.load(ordering: .acquiring)
        if inWorker {
            guard let p = environment(portVariable).flatMap(UInt16.init), let f = environment(folderVariable) else {
                throw RunError.workerFailed(
                    "pipeline worker: \(portVariable) and \(folderVariable) must be set by the parent")
            }
            (port, folder) = (p, f)
        } else {
            let s = try LoopbackServer(route: route(scale: options.scale))
            server = s
            port = s.port
            var template = Array("/tmp/lanes-pipeline-XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else {
                s.stop()
                throw RunError.invalidOptions(
                    "cannot make a temporary folder in /tmp: \(String(cString: strerror(errno)))")
            }
            folder = String(cString: made)
            options.workerEnvironment += ["\(portVariable)=\(port)", "\(folderVariable)=\(folder)"]
        }
        defer {
            server?.stop()
            if !inWorker {
                for name in names { unlink("\(folder)/\(name).txt") }
                rmdir(folder)
            }
        }
        let client = LoopbackClient(port: port, timeout: .seconds(max(2, 10 * options.scale)))
        let policy = RetryPolicy(base: .nanoseconds(Int64(0.025 * options.scale * 1e9)))
        let inFlight = InFlight()
        let fetchName = SpanName("fetch")
        let computeName = SpanName("compute")
        let storeName = SpanName("store")
        let items = Array(names.indices)

        if model == .hybrid || model == .async {
            let reactor = try Reactor()
            defer { reactor.stop() }
            let fetchAsync: @Sendable (Int) async throws -> String = { i in
                try await span(fetchName) {
                    guard
                        let body = await client.fetchWithRetry(
                            "/dataset/\(i)", policy: policy, inFlight: inFlight, reactor: reactor)
                    else { throw FetchError.hungUp }
                    return String(decoding: body, as: UTF8.self)
                }
            }
            let storeAsync: @Sendable (Int, String, String) async throws -> String = { i, body, computed in
                try span(storeName) { try store(computed, data: body, folder: folder, name: names[i]) }
            }
            if model == .hybrid {
                return try HybridRunner.run(
                    HybridWorkload(
                        name: SpanName("dataset"), items: items, fetch: fetchAsync, finish: storeAsync, combine: combine
                    ),
                    options: options)
            }
            return try Runner.run(
                Workload(
                    name: "dataset", items: items, work: { _, _ in throw RunError.invalidOptions("async only") },
                    asyncWork: { i in
                        let body = try await fetchAsync(i)
                        let computed = try span(computeName) { try compute(body) }
                        return try await storeAsync(i, body, computed)
                    }, combine: combine),
                model: model, options: options)
        }
        let workload = Workload(
            name: "dataset", items: items,
            work: { (i: Int, context: WorkContext) throws -> String in
                let body = try span(fetchName) {
                    guard
                        let b = client.fetchWithRetry(
                            "/dataset/\(i)", policy: policy, inFlight: inFlight, context: context)
                    else { throw FetchError.hungUp }
                    return String(decoding: b, as: UTF8.self)
                }
                let computed = try span(computeName) { try compute(body, context: context) }
                return try span(storeName) {
                    try context.blocking { try store(computed, data: body, folder: folder, name: names[i]) }
                }
            },
            combine: combine, transport: ResultTransport(encode: { $0 }, decode: { $0 }))
        return try Runner.run(workload, model: model, options: options)
    }

    /// The server's answer to `/dataset/N`: the dataset's name and values, after 50-150 ms (scaled).
    static func route(scale: Double) -> @Sendable (String, Int) -> LoopbackAnswer {
        let bodies = names.indices.map { Array(dataset($0, scale: scale).utf8) }
        return { path, _ in
            guard path.hasPrefix("/dataset/"), let i = Int(path.dropFirst(9)), names.indices.contains(i) else {
                return .respond(status: 404, body: Array("no such dataset".utf8), delay: 0)
            }
            let delay = UInt64((0.05 + 0.1 * Double((i * 3) % 8) / 7) * scale * 1e9)
            return .respond(status: 200, body: bodies[i], delay: delay)
        }
    }

    /// `name;v1,v2,…`: 3,000 values (times the scale, at least 50) of about 10^11, from the index.
    static func dataset(_ i: Int, scale: Double) -> String {
        var state = UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
        let values = (0..<max(50, Int(3_000 * scale))).map { _ -> UInt64 in
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return 100_000_000_000 + state % 100_000_000_000
        }
        return names[i] + ";" + values.map(String.init).joined(separator: ",")
    }

    /// The seed's `heavy_computation`: count, sum, mean, standard deviation and the primes among
    /// the values, as one line `name;count;sum;mean;std;primes`.
    static func compute(_ body: String, context: WorkContext = .free) throws -> String {
        let parts = body.split(separator: ";", maxSplits: 1)
        guard parts.count == 2 else {
            throw RunError.workerFailed("pipeline: a dataset without values: '\(body.prefix(40))'")
        }
        var values: [Int] = []
        for field in parts[1].split(separator: ",") {
            guard let v = Int(field) else {
                throw RunError.workerFailed("pipeline: '\(field.prefix(20))' is not a number")
            }
            values.append(v)
        }
        let sum = values.reduce(0, +)
        let mean = Double(sum) / Double(values.count)
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(values.count)
        var primes = 0
        for (k, v) in values.enumerated() {
            if k & 15 == 0 { context.checkpoint() }
            if isPrime(v) { primes += 1 }
        }
        return "\(parts[0]);\(values.count);\(sum);\(mean);\(variance.squareRoot());\(primes)"
    }

    /// Writes the statistics and the data they came from to `folder/name.txt`; returns the
    /// statistics with the bytes written appended.
    static func store(_ computed: String, data: String, folder: String, name: String) throws -> String {
        let bytes = Array((computed + "\n" + data + "\n").utf8)
        try TracedFile(path: "\(folder)/\(name).txt", mode: .write).write(bytes)
        return computed + ";" + String(bytes.count)
    }

    static func combine(_ results: [String]) -> String {
        var primes = 0
        var values = 0
        var written = 0
        var hash = FNV1a()
        for r in results {
            let f = r.split(separator: ";")
            if f.count == 7 {
                values += Int(f[1]) ?? 0
                primes += Int(f[5]) ?? 0
                written += Int(f[6]) ?? 0
            }
            for b in r.utf8 { hash.add(UInt64(b)) }
        }
        return
            "\(results.count) datasets, \(primes) primes among \(values) values, \(written) bytes stored, checksum \(hash.hex)"
    }

    /// `model: fetch X ms, compute Y ms, store Z ms (summed over datasets), wall W ms`, from the trace's spans.
    static func phaseLine(_ result: RunResult) -> String? {
        var totals: [String: Int64] = [:]
        for s in result.trace.spans where phases.contains(s.name) { totals[s.name, default: 0] += s.end - s.start }
        guard !totals.isEmpty else { return nil }
        let text = phases.map { "\($0) \((totals[$0] ?? 0) / 1_000_000) ms" }.joined(separator: ", ")
        let wall =
            result.wallTime.components.seconds * 1000 + result.wallTime.components.attoseconds / 1_000_000_000_000_000
        return "\(result.model): \(text) (summed over datasets), wall \(wall) ms"
    }

    private static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
}
