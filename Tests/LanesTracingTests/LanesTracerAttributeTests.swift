import LanesCore
import LanesRecord
import Testing
import Tracing

@testable import LanesTracing

/// Attributes as the trace shows them: what a span holds when it ends, each value as its text.
func attributeSet(_ span: LanesCore.Span) -> Set<Attribute> { Set(span.attributes) }

// In the suite of LanesTracerTests (one recorder per process: one test at a time).
extension LanesTracerTests {
    @Test func attributesReachTheTraceAsTheyStandWhenTheSpanEnds() throws {
        let recorder = try Recorder.start()
        tracer.withSpan("attributes") { span in
            span.attributes["kept"] = "first"
            span.attributes["kept"] = "last"
            span.attributes["removed"] = 1
            span.attributes["removed"] = nil
            span.attributes["int32"] = Int32(-7)
            span.attributes["ints"] = [1, 2] as [Int64]
            span.attributes["names"] = ["a", "b"]
            span.attributes["convertible"] = SpanAttribute.stringConvertible(Failure())
            span.updateAttributes { $0["updated"] = true }
            var more = SpanAttributes()
            more["merged"] = 2.5
            span.attributes.merge(more)
            #expect(span.attributes.count == 7)
        }
        tracer.withSpan("replaced") { span in
            span.attributes["dropped"] = "x"
            span.attributes = ["only": "this"]
        }
        let trace = try #require(try recorder.stop().trace)
        let span = try #require(spans(named: "attributes", in: trace).first)
        #expect(
            attributeSet(span) == [
                Attribute("kept", "last"), Attribute("int32", "-7"), Attribute("ints", "[1, 2]"),
                Attribute("names", #"["a", "b"]"#), Attribute("convertible", "disk on fire"),
                Attribute("updated", "true"), Attribute("merged", "2.5"),
            ])
        #expect(span.attributes.count == 7)
        let replaced = try #require(spans(named: "replaced", in: trace).first)
        #expect(replaced.attributes == [Attribute("only", "this")])
    }

    /// A span's attribute storage is reused by later spans: none may see another's attributes, and a
    /// `SpanAttributes` read from a span keeps its values after the span is gone.
    @Test func reusedAttributeStorageCarriesNothingOver() throws {
        #expect(AttributeStore.canRecycle, "SpanAttributes is no longer its dictionary: spans pay an allocation")
        let recorder = try Recorder.start()
        var kept = SpanAttributes()
        for i in 0..<40 {
            tracer.withSpan("outer") { outer in
                if i % 2 == 0 { outer.attributes["i"] = i }
                tracer.withSpan("inner") { inner in
                    if i % 3 == 0 {
                        inner.attributes["j"] = i
                        inner.attributes["k"] = "v\(i % 2)"
                    }
                }
                if i == 10 { kept = outer.attributes }
            }
        }
        let late = tracer.startSpan("read after end")
        late.attributes["x"] = 1
        late.end()
        let afterEnd = late.attributes
        let trace = try #require(try recorder.stop().trace)

        #expect(kept == ["i": 10])
        #expect(afterEnd == ["x": 1])
        let outers = spans(named: "outer", in: trace).sorted { $0.start < $1.start }
        let inners = spans(named: "inner", in: trace).sorted { $0.start < $1.start }
        try #require(outers.count == 40 && inners.count == 40)
        for i in 0..<40 {
            #expect(attributeSet(outers[i]) == (i % 2 == 0 ? [Attribute("i", "\(i)")] : []), "outer span \(i)")
            let inner: Set<Attribute> = i % 3 == 0 ? [Attribute("j", "\(i)"), Attribute("k", "v\(i % 2)")] : []
            #expect(attributeSet(inners[i]) == inner, "inner span \(i)")
            #expect(inners[i].parent == outers[i].id)
        }
    }

    /// A span released on another thread gives its storage to that thread; both threads' later spans
    /// still carry only their own attributes.
    @Test func attributeStorageMovesBetweenThreadsCleanly() throws {
        let recorder = try Recorder.start()
        let handed = LockedBox<[LanesTracer.Span]>([])
        for i in 0..<10 {
            let span = tracer.startSpan("handed")
            span.attributes["n"] = i
            handed.value.append(span)
        }
        let thread = try TracedThread(name: "releaser") {
            for span in handed.value { span.end() }
            handed.value = []
            for i in 0..<10 { LanesTracer().withSpan("there") { $0.attributes["m"] = i } }
        }
        thread.join()
        for i in 0..<10 { tracer.withSpan("here") { $0.attributes["h"] = i } }
        let trace = try #require(try recorder.stop().trace)
        for (name, key) in [("handed", "n"), ("there", "m"), ("here", "h")] {
            let found = spans(named: name, in: trace)
            #expect(found.count == 10, "\(name)")
            #expect(Set(found.flatMap(\.attributes)) == Set((0..<10).map { Attribute(key, "\($0)") }), "\(name)")
            #expect(found.allSatisfy { $0.attributes.count == 1 }, "\(name)")
        }
    }

    /// Attributes read back from the span while it is open, as each way of setting them left them; spans
    /// one after another on a thread use one recycled dictionary, and none sees another's attributes.
    @Test func attributesReadBackAsSetAndSpansShareOneRecycledDictionary() throws {
        let recorder = try Recorder.start()
        var addresses: [Int] = []
        for i in 0..<5 {
            tracer.withSpan("recycled") { span in
                #expect(span.attributes.isEmpty)
                span.attributes["route"] = "/users/:id"
                span.attributes["index"] = i
                #expect(span.attributes["route"]?.toSpanAttribute() == .string("/users/:id"))
                #expect(span.attributes.get("index") == .int64(Int64(i)))
                addresses.append(withUnsafeBytes(of: span.attributes) { $0.load(as: Int.self) })
            }
        }
        let spares = NameCache.current.spareAttributes.map { withUnsafeBytes(of: $0) { $0.load(as: Int.self) } }
        for i in 0..<5 {
            tracer.withSpan("read back") { span in
                span.attributes["index"] = i
                span.updateAttributes { attributes in
                    attributes["index"] = nil
                    attributes.set("updated", value: .bool(true))
                }
                #expect(span.attributes == ["updated": true])
                span.attributes = ["set": .int64(Int64(i))]
                #expect(span.attributes == ["set": .int64(Int64(i))])
                span.attributes["after set"] = "yes"
                #expect(span.attributes.count == 2)
            }
        }
        let trace = try #require(try recorder.stop().trace)

        #expect(Set(addresses).count == 1 && spares.contains(addresses[0]), "spans made their own dictionaries")
        let recycled = spans(named: "recycled", in: trace)
        #expect(
            Set(recycled.map(attributeSet))
                == Set((0..<5).map { [Attribute("route", "/users/:id"), Attribute("index", "\($0)")] }))
        let readBack = spans(named: "read back", in: trace)
        #expect(
            Set(readBack.map(attributeSet))
                == Set((0..<5).map { [Attribute("set", "\($0)"), Attribute("after set", "yes")] }))
    }
}
