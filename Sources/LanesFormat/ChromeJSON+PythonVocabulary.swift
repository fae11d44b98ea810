import LanesCore

extension ChromeJSON {
    /// One entry of the Python vocabulary: frames whose name matches `pattern` are a wait for `reason`.
    ///
    /// A pattern is a frame name as VizTracer or py-spy writes it, without the ` (file:line)` suffix
    /// (`time.sleep`, `Queue.get`, `_thread.lock.acquire`). A leading `*` matches any prefix
    /// (`*Selector.select` matches `EpollSelector.select`); a trailing `*` any suffix.
    /// With `file`, the frame's file must end with it too (`sleep` in `asyncio/tasks.py` is `asyncio.sleep`).
    public struct PythonWait: Sendable, Hashable {
        public var pattern: String
        public var reason: WaitReason
        public var file: String?
        public init(_ pattern: String, _ reason: WaitReason, file: String? = nil) {
            self.pattern = pattern
            self.reason = reason
            self.file = file
        }

        func matches(_ name: String, file frameFile: String?) -> Bool {
            if let file { guard let frameFile, frameFile.hasSuffix(file) else { return false } }
            let star = UInt8(ascii: "*")
            let p = pattern.utf8
            if p.first == star && p.last == star && p.count > 1 { return name.contains(pattern.dropFirst().dropLast()) }
            if p.first == star { return name.hasSuffix(pattern.dropFirst()) }
            if p.last == star { return name.hasPrefix(pattern.dropLast()) }
            return name == pattern
        }
    }

    /// Python's blocking calls, as VizTracer (Python and C functions) and py-spy (Python functions) name them,
    /// and the wait each one is. The time inside such a call is waiting, not computing; the outermost call
    /// of a nest decides (`Queue.get` → queueGet, not the `Condition.wait` and lock inside it).
    /// Extend it by adding a line; CHROME_JSON.md lists it.
    public static let pythonVocabulary: [PythonWait] = [
        // Sleeping.
        PythonWait("time.sleep", .sleep),
        PythonWait("asyncio.sleep", .sleep),
        PythonWait("sleep", .sleep, file: "asyncio/tasks.py"),
        // Locks and semaphores (threading, multiprocessing, asyncio).
        PythonWait("_thread.lock.acquire", .lock),
        PythonWait("_thread.lock.__enter__", .lock),
        PythonWait("_thread.RLock.acquire", .lock),
        PythonWait("_thread.RLock.__enter__", .lock),
        PythonWait("_multiprocessing.SemLock.acquire", .lock),
        PythonWait("Lock.acquire", .lock),
        PythonWait("RLock.acquire", .lock),
        PythonWait("_RLock.acquire", .lock),
        PythonWait("Semaphore.acquire", .semaphore),
        PythonWait("BoundedSemaphore.acquire", .semaphore),
        // Conditions and events.
        PythonWait("Condition.wait", .condition),
        PythonWait("Condition.wait_for", .condition),
        PythonWait("Event.wait", .condition),
        PythonWait("Barrier.wait", .condition),
        // Queues (queue, multiprocessing, asyncio).
        PythonWait("Queue.get", .queueGet),
        PythonWait("Queue.put", .queuePut),
        PythonWait("_queue.SimpleQueue.get", .queueGet),
        PythonWait("SimpleQueue.get", .queueGet),
        PythonWait("JoinableQueue.get", .queueGet),
        PythonWait("JoinableQueue.put", .queuePut),
        PythonWait("LifoQueue.get", .queueGet),
        PythonWait("PriorityQueue.get", .queueGet),
        // An event loop idle in its selector.
        PythonWait("*Selector.select", .poll),
        PythonWait("select.select", .poll),
        PythonWait("select.poll.poll", .poll),
        PythonWait("select.epoll.poll", .poll),
        PythonWait("select.kqueue.control", .poll),
        PythonWait("select.devpoll.poll", .poll),
        // Sockets and files.
        PythonWait("_socket.socket.recv*", .ioRead),
        PythonWait("_socket.socket.accept", .ioRead),
        PythonWait("_socket.socket.connect", .ioWrite),
        PythonWait("_socket.socket.send*", .ioWrite),
        PythonWait("_socket.getaddrinfo", .ioRead),
        PythonWait("_ssl._SSLSocket.read", .ioRead),
        PythonWait("_ssl._SSLSocket.write", .ioWrite),
        PythonWait("socket.recv*", .ioRead),
        PythonWait("socket.send*", .ioWrite),
        PythonWait("_io.FileIO.read*", .ioRead),
        PythonWait("_io.FileIO.write", .ioWrite),
        PythonWait("_io.BufferedReader.read*", .ioRead),
        PythonWait("_io.BufferedWriter.write", .ioWrite),
        PythonWait("_io.BufferedWriter.flush", .ioWrite),
        PythonWait("_io.TextIOWrapper.read*", .ioRead),
        PythonWait("posix.read", .ioRead),
        PythonWait("posix.write", .ioWrite),
        PythonWait("posix.fsync", .ioWrite),
        PythonWait("urlopen", .ioRead),
        // Joining threads and futures. `Thread.start` waits for the new thread to signal that it runs (py-spy's
        // `--gil` often catches a thread there once and then not again while it waits).
        PythonWait("Thread.join", .join),
        PythonWait("Thread.start", .join, file: "threading.py"),
        PythonWait("Future.result", .join),
        PythonWait("Future.exception", .join),
        PythonWait("as_completed", .join),
        PythonWait("wait", .join),
        PythonWait("Pool.join", .join),
        PythonWait("AsyncResult.get", .join),
        PythonWait("AsyncResult.wait", .join),
        PythonWait("ApplyResult.get", .join),
        PythonWait("MapResult.get", .join),
        // Child processes.
        PythonWait("Popen.wait", .childProcess),
        PythonWait("Popen.communicate", .childProcess),
        PythonWait("posix.waitpid", .childProcess),
        PythonWait("os.waitpid", .childProcess),
        PythonWait("posix.wait", .childProcess),
        PythonWait("Process.join", .childProcess),
        // Pipes to other processes (multiprocessing connections).
        PythonWait("Connection.recv*", .ipc),
        PythonWait("Connection.send*", .ipc),
        PythonWait("Connection.poll", .ipc),
        PythonWait("_ConnectionBase.recv*", .ipc),
        PythonWait("_ConnectionBase.send*", .ipc),
        PythonWait("_ConnectionBase.poll", .ipc),
    ]

    /// The wait that a Python frame named `name` (without its ` (file:line)` suffix) in `file` is, if it is one.
    public static func pythonWait(_ name: String, file: String? = nil) -> WaitReason? {
        pythonVocabulary.first { $0.matches(name, file: file) }?.reason
    }

    /// Splits a VizTracer frame name `func (/path/file.py:12)` into the function's name, the file and the
    /// line; nil when the name has no such suffix.
    public static func splitPythonLocation(_ name: String) -> (name: String, file: String, line: String)? {
        guard name.utf8.last == UInt8(ascii: ")") else { return nil }
        // The last " (" of the name opens the location.
        var open: String.Index?
        var k = name.index(before: name.endIndex)
        while k > name.startIndex {
            let prev = name.index(before: k)
            if name[prev] == " " && name[k] == "(" {
                open = prev
                break
            }
            k = prev
        }
        guard let open else { return nil }
        let inside = name[name.index(open, offsetBy: 2)..<name.index(before: name.endIndex)]
        guard let colon = inside.lastIndex(of: ":") else { return nil }
        let line = inside[inside.index(after: colon)...]
        let file = inside[..<colon]
        guard !line.isEmpty, line.allSatisfy(\.isASCII), line.allSatisfy(\.isNumber), !file.isEmpty else { return nil }
        return (String(name[..<open]), String(file), String(line))
    }

    /// Blocking calls as they read in a line of Python source, for frames whose callee the trace does not show
    /// (py-spy samples Python frames only; VizTracer with `--ignore_c_function` drops C functions such as
    /// `time.sleep`). A line matches when its code (before any `#`) contains `text`; with `lockStatement`, a line
    /// `with …lock…:` matches (taking a lock is no call a profiler sees). First match wins.
    public static let pythonSourceWaits: [(text: String, reason: WaitReason)] = [
        ("sleep(", .sleep),
        (".acquire(", .lock),
        (".join()", .join),
        (".join(timeout", .join),
        (".result(", .join),
        ("as_completed(", .join),
        (".wait(", .condition),
        (".get()", .queueGet),
        (".get(block", .queueGet),
        (".get(timeout", .queueGet),
        (".put(", .queuePut),
        (".select(", .poll),
        ("select.select(", .poll),
        (".poll(", .poll),
        (".communicate(", .childProcess),
        ("waitpid(", .childProcess),
        (".recv(", .ioRead),
        (".recv_into(", .ioRead),
        (".accept(", .ioRead),
        ("urlopen(", .ioRead),
        (".read(", .ioRead),
        (".readline(", .ioRead),
        ("input(", .ioRead),
        (".sendall(", .ioWrite),
        (".send(", .ioWrite),
        (".write(", .ioWrite),
        (".connect(", .ioWrite),
    ]

    /// Whether a line of Python source starts an asyncio event loop (`asyncio.run(`, `run_until_complete(`,
    /// `run_forever(`) or imports asyncio (`import asyncio`, `from asyncio import`).
    public static func startsAsyncio(_ line: Substring) -> Bool {
        var code = line
        if let hash = code.firstIndex(of: "#") { code = code[..<hash] }
        let trimmed = code.drop { $0 == " " || $0 == "\t" }
        return code.contains("asyncio.run(") || code.contains("run_until_complete(") || code.contains("run_forever(")
            || trimmed.hasPrefix("import asyncio") || trimmed.hasPrefix("from asyncio ")
    }

    /// The wait a line of Python source is, if it calls one of Python's blocking calls (see
    /// ``pythonSourceWaits``), or takes a lock in a `with` statement.
    public static func pythonSourceWait(_ line: Substring) -> WaitReason? {
        var code = line
        if let hash = code.firstIndex(of: "#") { code = code[..<hash] }
        let trimmed = code.drop { $0 == " " || $0 == "\t" }
        if trimmed.hasPrefix("with "), trimmed.lowercased().contains("lock"), trimmed.contains(":") { return .lock }
        return pythonSourceWaits.first { code.contains($0.text) }?.reason
    }
}
