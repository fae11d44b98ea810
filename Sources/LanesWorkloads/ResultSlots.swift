import LanesRecord

/// One slot per item, each written by exactly one worker; the first failure is kept.
///
/// Workers write disjoint slots and the runner reads them only after joining every worker, so the
/// slots need no lock; the failure needs one, as any worker may fail.
final class ResultSlots<Result>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result?>
    private let failure = TracedMutex<FailureBox?>(nil)

    struct FailureBox: @unchecked Sendable {
        var index: Int
        var error: any Error
    }

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    func set(_ i: Int, _ r: Result) { slots[i] = r }

    func fail(_ i: Int, _ e: any Error) {
        failure.withLock { f in if f == nil || i < f!.index { f = FailureBox(index: i, error: e) } }
    }

    var failed: Bool { failure.withLock { $0 != nil } }

    func take(model: ConcurrencyModel) throws -> [Result] {
        if let f = failure.withLock({ $0 }) { throw RunError.itemFailed(index: f.index, model: model, underlying: f.error) }
        return slots.map { $0! }
    }
}
