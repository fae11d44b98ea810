import LanesAnalysis
import LanesCore
import Testing

/// The blocked-event-loop rule on the shape every source gives it: `poll` waits on the loop's thread.
@Suite struct BlockedEventLoopTests {
    typealias B = Fixtures.Builder
    static let ms = Fixtures.ms

    /// A loop thread that polls for 8 ms and runs a 2 ms callback, over and over; with `stallAt`, the callback
    /// there instead sleeps `stall` inside a span named "handler".
    static func loop(until end: Nanoseconds, stallAt: Nanoseconds? = nil, stall: Nanoseconds = 0) -> Trace {
        let b = B()
        let lane = Fixtures.thread(0, "MainThread")
        var waits: [Wait] = []
        var t: Nanoseconds = 0
        var stallSpan: (Nanoseconds, Nanoseconds)?
        while t < end {
            waits.append(Wait(reason: .poll, start: t, end: t + 8 * ms, object: "epoll_wait"))
            t += 10 * ms
            if let at = stallAt, stallSpan == nil, t >= at {
                stallSpan = (t, t + stall)
                t += stall
            }
        }
        let root = b.span("run_forever", lane, 0, t, waits: waits)
        if let (s, e) = stallSpan {
            let handler = b.span("handler", lane, s, e, parent: root)
            b.span("time.sleep", lane, s + ms, e - ms, parent: handler, waits: [Wait(reason: .sleep, start: s + ms, end: e - ms)])
        }
        return b.trace()
    }

    @Test func aSleepBetweenTwoPollsIsFound() throws {
        let f = Analysis(Self.loop(until: 1000 * Self.ms, stallAt: 300 * Self.ms, stall: 500 * Self.ms))
            .findings(.blockedEventLoop)
        let finding = try #require(f.first)
        #expect(f.count == 1)
        // From the end of the poll before the 2 ms callback that went on to sleep, to the next poll.
        #expect(finding.figures["longest"] == Double(502 * Self.ms))
        #expect(finding.figures["blocked"] == Double(498 * Self.ms))
        #expect(finding.title.contains("in 'handler', blocked in 'time.sleep'"))
        #expect(finding.evidence.contains("sleep"))
        #expect(finding.range == 298 * Self.ms...800 * Self.ms)
        #expect(finding.severity == .critical)
    }

    @Test func aBusyLoopThatKeepsPollingIsNotBlocked() {
        #expect(Analysis(Self.loop(until: 1000 * Self.ms)).findings(.blockedEventLoop).isEmpty)
        // A stall shorter than the threshold is a slow callback, not a blocked loop.
        #expect(
            Analysis(Self.loop(until: 1000 * Self.ms, stallAt: 300 * Self.ms, stall: 60 * Self.ms))
                .findings(.blockedEventLoop).isEmpty)
    }

    @Test func twoPollsAroundLongWorkAreNotALoop() {
        let b = B()
        let lane = Fixtures.thread(0)
        b.span(
            "communicate", lane, 0, 1000 * Self.ms,
            waits: [
                Wait(reason: .poll, start: 0, end: 10 * Self.ms),
                Wait(reason: .poll, start: 990 * Self.ms, end: 1000 * Self.ms),
            ])
        #expect(Analysis(b.trace()).findings(.blockedEventLoop).isEmpty)
    }
}

extension BlockedEventLoopTests {
    /// A sampled thread (`lanes record`) is one span whose waits are its polls and its other waits: the loop
    /// itself is not named as the callback; the wait that blocked it is.
    @Test func aSampledThreadNamesTheWaitNotItsOwnSpan() throws {
        let b = B()
        let lane = Fixtures.thread(0, "python3")
        var waits: [Wait] = []
        var t: Nanoseconds = 0
        for k in 0..<40 {
            waits.append(Wait(reason: .poll, start: t, end: t + 9 * Self.ms, object: "epoll_wait"))
            t += 10 * Self.ms
            if k == 20 {
                waits.append(Wait(reason: .sleep, start: t, end: t + 300 * Self.ms, object: "clock_nanosleep"))
                t += 300 * Self.ms
            }
        }
        b.span("thread", lane, 0, t, waits: waits)
        let finding = try #require(Analysis(b.trace()).findings(.blockedEventLoop).first)
        #expect(!finding.title.contains("'thread'"), "\(finding.title)")
        #expect(finding.title.contains("blocked in sleep (clock_nanosleep)"), "\(finding.title)")
        #expect(finding.spans.isEmpty)
    }
}
