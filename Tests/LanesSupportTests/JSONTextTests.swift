import LanesSupport
import Testing

@Suite struct JSONTextTests {
    @Test func quotesWhatJSONRequires() {
        var out: [UInt8] = []
        out.appendJSONQuoted("a\"b\\c\nd\re\tf\u{1}\u{1f}")
        #expect(String(decoding: out, as: UTF8.self) == #""a\"b\\c\nd\re\tf\u0001\u001f""#)
    }

    @Test func leavesOtherTextAsItIsUnlessScriptSafe() {
        let text = "<a href='x'>&</a> é € 😀 \u{2028}\u{2029}"
        var plain: [UInt8] = []
        plain.appendJSONQuoted(text)
        #expect(String(decoding: plain, as: UTF8.self) == "\"" + text + "\"")
        #expect(
            jsonQuoted(text) == #""\u003ca href='x'\u003e\u0026\u003c/a\u003e é € 😀 \u2028\u2029""#)
    }

    @Test func aLoneLeadByteAtTheEndStaysValid() {
        // "\u{2000}" is E2 80 80: the same first two bytes as U+2028, not escaped.
        #expect(jsonQuoted("x\u{2000}") == "\"x\u{2000}\"")
        #expect(jsonQuoted("\u{2028}") == #""\u2028""#)
        #expect(jsonQuoted("") == "\"\"")
    }
}
