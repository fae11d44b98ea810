import LanesSupport
import Testing

/// The one JSON writer: its raw layer writes exactly what it is given, its value layer places the commas.
@Suite struct JSONWriterTests {
    @Test func valuesGetTheirCommasAndNestingItsBrackets() {
        var w = JSONWriter()
        w.open()
        w.key("n")
        w.number(-12)
        w.key("x")
        w.number(2.5)
        w.key("whole")
        w.number(3.0)
        w.key("nan")
        w.number(Double.nan)
        w.key("s")
        w.stringOrNull(nil)
        w.key("list")
        w.array([1, 2]) { w, k in
            w.open()
            w.key("k")
            w.number(k)
            w.close()
        }
        w.key("names")
        w.strings(["a", "</b>"])
        w.key("empty")
        w.numbers([])
        w.key("nested")
        w.value("{\"a\":[]}")
        w.close()
        #expect(
            w.text
                == #"{"n":-12,"x":2.5,"whole":3,"nan":0,"s":null,"list":[{"k":1},{"k":2}],"names":["a","\u003c/b\u003e"],"empty":[],"nested":{"a":[]}}"#
        )
    }

    @Test func theRawLayerWritesExactlyWhatItIsGiven() {
        var w = JSONWriter(scriptSafe: false)
        w.raw("{\"ts\":")
        w.micros(1_234_567)
        w.raw(",\"dur\":")
        w.micros(-2_000)
        w.raw(",\"id\":")
        w.unsigned(UInt64.max)
        w.raw(",\"tid\":")
        w.integer(Int64.min)
        w.member("name", "<a \"b\">")
        w.raw("}")
        #expect(
            w.text
                == #"{"ts":1234.567,"dur":-2,"id":18446744073709551615,"tid":-9223372036854775808,"name":"<a \"b\">"}"#)
    }

    @Test func scriptSafeIsTheDefault() {
        var w = JSONWriter()
        w.string("</script>\u{2028}")
        #expect(w.text == jsonQuoted("</script>\u{2028}") && w.text == #""\u003c/script\u003e\u2028""#)
        #expect(JSONWriter.format(1e16) == "1e+16" && JSONWriter.format(-.infinity) == "0")
    }
}
