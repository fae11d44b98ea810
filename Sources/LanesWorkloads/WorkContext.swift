import LanesRecord

/// What an item's work can ask of the model it runs under.
///
/// Under most models these cost nothing. Under ``ConcurrencyModel/gil`` they are where the emulated
/// interpreter lock is honoured: computing code calls ``checkpoint()`` now and then (as CPython's
/// eval loop checks whether to drop the GIL), and blocking calls go through ``blocking(_:)``, which
/// releases the lock around them (as CPython does around I/O and sleeps).
public struct WorkContext: Sendable {
    /// The interpreter lock, under the `gil` model.
    public let gil: InterpreterLock?

    public init(gil: InterpreterLock? = nil) { self.gil = gil }

    /// No lock: the work runs freely.
    public static let free = WorkContext()

    /// A point where the running thread may have to hand the interpreter lock over.
    @inlinable public func checkpoint() {
        if let gil { gil.checkpoint() }
    }

    /// Runs a blocking call with the interpreter lock released.
    public func blocking<R>(_ body: () throws -> R) rethrows -> R {
        guard let gil else { return try body() }
        gil.release()
        defer { gil.acquire() }
        return try body()
    }
}
