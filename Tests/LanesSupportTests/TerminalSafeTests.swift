import LanesSupport
import Testing

@Suite struct TerminalSafeTests {
    @Test func dropsOrReplacesEveryControlATerminalActsOn() {
        let hostile = "a\u{1B}[2Jb\u{0}c\u{7F}d\u{9B}e\u{202E}f\u{2066}g\u{200F}h\r\n\ti"
        #expect(TerminalSafe.clean(hostile) == "a[2Jbcdefghi")
        #expect(TerminalSafe.clean(hostile, keepingLines: true) == "a[2Jbcdefgh\n\ti")
        #expect(TerminalSafe.clean("x\u{1B}y", replacement: " ") == "x y")
    }

    @Test func leavesOrdinaryTextAlone() {
        let text = "naïve 東京 ü → ✓ emoji 👍🏽 and ‘quotes’"
        #expect(TerminalSafe.clean(text) == text)
    }
}
