import LanesCore
import LanesRecord
import Testing

/// The table from a blocked thread's system call to a wait reason, and how sampled causes become waits.
@Suite struct ProcessTreeSamplerWaitReasonTests {
    typealias Cause = ProcessTreeSampler.WaitCause

    private func cause(
        _ line: String, fds: [Int32: String] = [:], interpreter: ClosedRange<UInt64>? = nil, wchan: String? = nil
    ) -> Cause? {
        ProcessTreeSampler.cause(
            syscallLine: line[...], descriptor: { fds[$0] },
            isInterpreterLock: { interpreter?.contains($0) ?? false }, kernelFunction: { wchan })
    }

    #if arch(x86_64)
    /// Lines as this machine's kernel writes them (seen for a Python process, a shell, asyncio).
    @Test func systemCallsMapToReasons() {
        let futex = "202 0x55e56df0c130 0x189 0x0 0x0 0x0 0xffffffff 0x7ffc153dcd60 0x7f1bf52a3f16"
        #expect(cause(futex) == Cause(.lock, "futex 0x55e56df0c130"))
        // The same futex in the interpreter's own data is the GIL, and says it is inferred.
        #expect(
            cause(futex, interpreter: 0x55e5_6df0_0000...0x55e5_6df1_0000)
                == Cause(.gil, "futex 0x55e56df0c130 (interpreter lock, inferred)"))
        #expect(cause("230 0x1 0x1 0x7f1175502b00 0x0 0x0 0x0 0x7f1175502ac0 0x7f11762ed545")?.reason == .sleep)
        #expect(cause("232 0x3 0x7ffd 0x1 0xffffffff 0x0 0x0 0x7ffd 0x7f11")?.reason == .poll)
        #expect(cause("7 0x7ffd 0x1 0x3e8 0x0 0x0 0x0 0x7ffd 0x7f11")?.reason == .poll)
        #expect(cause("61 0xffffffff 0x7ffd 0x0 0x0 0x0 0x0 0x7ffd 0x7f11")?.reason == .childProcess)
        let fds: [Int32: String] = [0: "/dev/pts/0", 3: "pipe:[1234]", 4: "socket:[99]", 5: "/tmp/data.bin"]
        #expect(cause("0 0x3 0x7ffd 0x1000 0x0 0x0 0x0 0x7ffd 0x7f11", fds: fds) == Cause(.ipc, "pipe:[1234]"))
        #expect(cause("45 0x4 0x7ffd 0x1000 0x0 0x0 0x0 0x7ffd 0x7f11", fds: fds) == Cause(.ioRead, "socket:[99]"))
        #expect(cause("1 0x4 0x7ffd 0x1000 0x0 0x0 0x0 0x7ffd 0x7f11", fds: fds) == Cause(.ioWrite, "socket:[99]"))
        #expect(cause("0 0x5 0x7ffd 0x1000 0x0 0x0 0x0 0x7ffd 0x7f11", fds: fds) == Cause(.ioRead, "/tmp/data.bin"))
        #expect(cause("1 0x3 0x7ffd 0x1000 0x0 0x0 0x0 0x7ffd 0x7f11", fds: fds) == Cause(.ipc, "pipe:[1234]"))
        // Unknown calls keep their number and where the kernel holds them.
        #expect(
            cause("999 0x0 0x0 0x0 0x0 0x0 0x0 0x7ffd 0x7f11", wchan: "do_something")
                == Cause(.other, "syscall 999 (do_something)"))
        #expect(cause("-1 0x7ffd 0x7f11", wchan: "folio_wait_bit")?.object == "in kernel: folio_wait_bit")
        // Running again by the time the file was read: no cause.
        #expect(cause("running") == nil)
    }
    #endif

    /// A CPython built as a shared library keeps its data in libpython's writable mapping and the .bss
    /// right after it; a `python3.11` executable's own data counts too; the heap does not.
    @Test func interpreterDataFromMaps() {
        let maps = """
            55bd9780f000-55bd97810000 r--p 00000000 fe:00 20504                      /root/.pyenv/versions/3.11.7/bin/python3.11
            55bd97813000-55bd97814000 rw-p 00003000 fe:00 20504                      /root/.pyenv/versions/3.11.7/bin/python3.11
            55bda6676000-55bda6805000 rw-p 00000000 00:00 0                          [heap]
            7f1bf5815000-7f1bf5844000 r--p 00414000 fe:00 20714                      /root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0
            7f1bf5844000-7f1bf5978000 rw-p 00443000 fe:00 20714                      /root/.pyenv/versions/3.11.7/lib/libpython3.11.so.1.0
            7f1bf5978000-7f1bf5990000 rw-p 00000000 00:00 0
            7f1bf5a00000-7f1bf5a10000 rw-p 00000000 00:00 0
            """
        let ranges = pythonDataMappings(maps: maps)
        #expect(ranges.count == 3)
        #expect(ranges.contains { $0.contains(0x7f1b_f594_e6f4) })  // the GIL seen in a real run
        #expect(ranges.contains { $0.contains(0x7f1b_f598_0000) })  // the .bss right after
        #expect(!ranges.contains { $0.contains(0x55bd_a667_60e0) })  // a threading.Lock on the heap
        #expect(!ranges.contains { $0.contains(0x7f1b_f5a0_0000) })  // an unrelated anonymous mapping
        #expect(pythonDataMappings(maps: "garbage\n\n1-0 rw-p\n").isEmpty)
    }

    private func segment(_ state: ProcessTreeSampler.ThreadState, _ start: Int64, _ end: Int64) -> ProcessTreeSampler.Segment {
        return ProcessTreeSampler.Segment(state: state, start: start, end: end)
    }

    /// Off-CPU time goes to the cause seen at the next sample, or at the one before when the thread was
    /// back on the CPU by then; runnable time is a run-queue wait; running time is no wait.
    @Test func causesAtSamplesBecomeWaits() {
        let sleep = Cause(.sleep, "clock_nanosleep"), lock = Cause(.lock, "futex 0x10")
        // Samples every 1000 ns: asleep at 1000-3000, running at 4000, on a lock at 5000-6000.
        let causes = [
            CauseRun(from: 1000, to: 3000, cause: sleep), CauseRun(from: 4000, to: 4000, cause: nil),
            CauseRun(from: 5000, to: 6000, cause: lock),
        ]
        let segments = [
            segment(.running, 0, 500), segment(.sleeping, 500, 3400), segment(.runnable, 3400, 3600),
            segment(.running, 3600, 4500), segment(.sleeping, 4500, 6000),
        ]
        let w = waits(segments, causes)
        #expect(w.map(\.reason) == [.sleep, .runQueue, .lock])
        #expect(w.map(\.start) == [500, 3400, 4500])
        #expect(w.map(\.end) == [3400, 3600, 6000])
        #expect(w[2].object == "futex 0x10")
        #expect(runningTime(segments) == 500 + 900)
    }

    /// Between two samples a thread finished one wait, ran, and began another: the first stretch is the
    /// wait seen at the sample before, the second the one seen at the sample after.
    @Test func aBurstBetweenTwoSamplesSplitsTheirWaits() {
        let lock = Cause(.lock, "futex 0x10"), sleep = Cause(.sleep, "clock_nanosleep")
        let causes = [CauseRun(from: 1000, to: 1000, cause: lock), CauseRun(from: 2000, to: 2000, cause: sleep)]
        let segments = [segment(.sleeping, 1000, 1400), segment(.running, 1400, 1600), segment(.sleeping, 1600, 2000)]
        let w = waits(segments, causes)
        #expect(w.map(\.reason) == [.lock, .sleep])
        #expect(w.map(\.end) == [1400, 2000])
    }

    /// A futex only one thread waits on is a wake-up it waits for; one several threads wait on is a lock.
    @Test func futexesOfOneWaiterAreConditions() {
        let shared = Wait(reason: .lock, start: 0, end: 10, object: "futex 0x1")
        let own = Wait(reason: .lock, start: 0, end: 10, object: "futex 0x2")
        let out = futexWaitsByOneThreadAreConditions([[shared, own], [shared]])
        #expect(out[0].map(\.reason) == [.lock, .condition])
        #expect(out[1].map(\.reason) == [.lock])
    }
}
