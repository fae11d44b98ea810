import LanesCore
import LanesFormat
import Testing

/// Python's meaning in the importer, on small hand-written VizTracer and py-spy files.
@Suite struct ChromeJSONPythonTests {
    /// A VizTracer file: one thread calling `download` (in a file), which calls `time.sleep`; a `Queue.get` that
    /// waits in a `Condition.wait` and a lock.
    static let viztracer = """
        {"traceEvents": [
        {"ph":"M","pid":1,"tid":1,"name":"thread_name","args":{"name":"MainThread"}},
        {"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"download (/src/app.py:3)"},
        {"ph":"X","pid":1,"tid":1,"ts":10,"dur":80,"name":"time.sleep"},
        {"ph":"X","pid":1,"tid":1,"ts":200,"dur":50,"name":"Queue.get (/usr/lib/python3.11/queue.py:154)"},
        {"ph":"X","pid":1,"tid":1,"ts":201,"dur":48,"name":"Condition.wait (/usr/lib/python3.11/threading.py:288)"},
        {"ph":"X","pid":1,"tid":1,"ts":202,"dur":46,"name":"_thread.lock.acquire"}
        ], "viztracer_metadata": {"version": "1.1.1"}}
        """

    @Test func namesLoseTheirLocationWhichStaysAsAttributes() throws {
        let t = try ChromeJSON.decode(Self.viztracer).trace
        let download = try #require(t.spans.first { $0.name == "download" })
        #expect(download.attributes.contains(Attribute("file", "/src/app.py")))
        #expect(download.attributes.contains(Attribute("line", "3")))
        #expect(download.waits.isEmpty)
        #expect(!t.spans.contains { $0.name.contains("(") })
    }

    @Test func blockingCallsAreWaitsAndTheOutermostDecides() throws {
        let t = try ChromeJSON.decode(Self.viztracer).trace
        let sleep = try #require(t.spans.first { $0.name == "time.sleep" })
        #expect(sleep.waits == [Wait(reason: .sleep, start: 10_000, end: 90_000, object: "time.sleep")])
        // Queue.get is a queue wait; the condition and lock inside it carry the queue's wait, not their own.
        for name in ["Queue.get", "Condition.wait", "_thread.lock.acquire"] {
            let s = try #require(t.spans.first { $0.name == name })
            #expect(s.waits.map(\.reason) == [.queueGet], "\(name)")
            #expect(s.blockedTime == s.duration)
        }
    }

    @Test func vocabularyPatterns() {
        #expect(ChromeJSON.pythonWait("EpollSelector.select") == .poll)
        #expect(ChromeJSON.pythonWait("select.epoll.poll") == .poll)
        #expect(ChromeJSON.pythonWait("_socket.socket.recv_into") == .ioRead)
        #expect(ChromeJSON.pythonWait("Future.result") == .join)
        #expect(ChromeJSON.pythonWait("os.waitpid") == .childProcess)
        #expect(ChromeJSON.pythonWait("Connection.recv_bytes") == .ipc)
        #expect(ChromeJSON.pythonWait("sleep", file: "/usr/lib/python3.11/asyncio/tasks.py") == .sleep)
        #expect(ChromeJSON.pythonWait("sleep", file: "/src/app.py") == nil)
        #expect(ChromeJSON.pythonWait("spin") == nil)
        #expect(ChromeJSON.pythonSourceWait("    time.sleep(0.1)  # the wait") == .sleep)
        #expect(ChromeJSON.pythonSourceWait("    with self.lock:") == .lock)
        #expect(ChromeJSON.pythonSourceWait("    return ', '.join(names)") == nil)
        #expect(ChromeJSON.pythonSourceWait("    total += i * i  # not time.sleep(1)") == nil)
        #expect(ChromeJSON.splitPythonLocation("f (<frozen importlib._bootstrap>:1165)")! == ("f", "<frozen importlib._bootstrap>", "1165"))
        #expect(ChromeJSON.splitPythonLocation("print (done)") == nil)
    }

    /// Other writers' traces keep their names and get no Python waits.
    @Test func otherTracesAreLeftAlone() throws {
        let t = try ChromeJSON.decode(#"[{"ph":"X","pid":1,"tid":1,"ts":0,"dur":5,"name":"time.sleep (a.py:1)"}]"#).trace
        #expect(t.spans.map(\.name) == ["time.sleep (a.py:1)"] && t.spans[0].waits.isEmpty)
    }

    /// py-spy `--subprocesses`: two forked processes share thread id 7, and py-spy keeps one stack for both, so
    /// each process's samples close the other's frames (with the sampled process's pid). Each frame goes back to
    /// its process, whole.
    @Test func pySpyForkedChildrenAreRebuiltPerProcess() throws {
        func ev(_ ph: String, _ pid: Int, _ ts: Int, _ name: String) -> String {
            #"{"ph":"\#(ph)","cat":"py-spy","pid":\#(pid),"tid":7,"ts":\#(ts),"name":"\#(name)","args":{"filename":"/src/a.py","line":1}}"#
        }
        let events = [
            ev("B", 1, 0, "main"), ev("B", 1, 0, "f"),
            ev("E", 2, 10, "f"), ev("E", 2, 10, "main"), ev("B", 2, 10, "main"), ev("B", 2, 10, "g"),
            ev("E", 1, 20, "g"), ev("E", 1, 20, "main"), ev("B", 1, 20, "main"), ev("B", 1, 20, "f"),
            ev("E", 1, 30, "f"), ev("B", 1, 30, "h"),
            ev("E", 1, 40, "h"), ev("E", 1, 40, "main"),
        ]
        let r = try ChromeJSON.decode("[" + events.joined(separator: ",") + "]")
        #expect(r.warnings.isEmpty)
        let t = r.trace
        func spans(_ pid: Int64) -> [String] {
            let lanes = Set(t.lanes.filter { $0.pid == pid }.map(\.id))
            return t.spans.filter { lanes.contains($0.lane) }.map { "\($0.name) \($0.start / 1000)-\($0.end / 1000)" }
        }
        // Process 1: main and f continue across process 2's sample; f really ends at 30, where h starts.
        #expect(spans(1) == ["main 0-40", "f 0-30", "h 30-40"])
        #expect(spans(2) == ["main 10-20", "g 10-20"])
        #expect(t.validate().isEmpty)
    }
}
