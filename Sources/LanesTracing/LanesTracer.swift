import LanesRecord
import Synchronization
import Tracing

/// A swift-distributed-tracing `Tracer` whose spans go into the Lanes recorder, so libraries
/// instrumented with swift-distributed-tracing show up in Lanes traces.
///
/// ```swift
/// InstrumentationSystem.bootstrap(LanesTracer())
/// let recorder = try Recorder.start()
/// try await withSpan("handle request") { span in … }
/// ```
///
/// Each span becomes a Lanes span with its operation name, parent (the span in the service
/// context, or else the innermost Lanes `span` of the task or thread), attributes, recorded
/// errors (as the attribute `error`), the thread it began on, and its task's lane (outside a
/// task, its thread's lane). Times are taken by the recorder's clock when the span starts and
/// ends; instants passed to `startSpan(at:)` and `end(at:)` are not used. With no recorder
/// active, spans are not recorded and cost no allocation.
public struct LanesTracer: Tracer {
    public init() {}

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> InstrumentationContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> Span {
        var context = context()
        // A top-level context is empty: no lookup.
        let isEmpty = context.isEmpty
        let parent = isEmpty ? nil : context[SpanIDKey.self]
        let explicit = ExplicitSpan.begin(parent: parent ?? 0)
        guard explicit.isRecording else { return Span(context: context, storage: nil) }
        // A context with nothing but a parent's id becomes one with nothing but this span's id: a
        // recycled one (see ``ContextStore``).
        if isEmpty || (parent != nil && context.count == 1) {
            context = NameCache.withCurrent { ContextStore.context(explicit.id, $0) }
        } else {
            context[SpanIDKey.self] = explicit.id
        }
        return Span(context: context, storage: Span.Storage(explicit, name: operationName))
    }

    /// Nothing to flush: spans are in the recorder as soon as they end.
    public func forceFlush() {}

    /// Lanes spans do not cross processes through carriers: nothing is extracted.
    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {}

    /// Lanes spans do not cross processes through carriers: nothing is injected.
    public func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {}

    /// The Lanes id of the span a service context belongs to (`SpanID(id)` in the trace).
    public static func spanID(in context: InstrumentationContext) -> UInt64? { context[SpanIDKey.self] }

    enum SpanIDKey: InstrumentationContextKey {
        typealias Value = UInt64
    }
}
