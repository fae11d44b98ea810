import LanesCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Progress on standard error: one line rewritten in place on a terminal, plain lines otherwise
/// (so logs of CI runs stay readable).
struct Progress {
    let interactive = isatty(STDERR_FILENO) != 0

    /// Shows `text`: on a terminal it replaces the current line, otherwise it is a line of its own.
    func show(_ text: String) {
        emit(interactive ? "\r\u{1B}[K" + text : text + "\n")
    }

    /// Shows `text` as a line that stays.
    func finish(_ text: String) {
        emit((interactive ? "\r\u{1B}[K" : "") + text + "\n")
    }

    /// Clears the in-place line before ordinary output follows.
    func clear() {
        if interactive { emit("\r\u{1B}[K") }
    }

    private func emit(_ line: String) {
        var bytes = Array(line.utf8)
        _ = write(STDERR_FILENO, &bytes, bytes.count)
    }
}

/// Wall-clock seconds since an arbitrary origin (CLOCK_MONOTONIC).
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `75.4` → `1m15s`, `8.24` → `8.2s`.
func shortSeconds(_ s: Double) -> String {
    if s >= 60 { return "\(Int(s) / 60)m\(String(repeating: "0", count: Int(s) % 60 < 10 ? 1 : 0))\(Int(s) % 60)s" }
    return "\(formatFixed(s, 1))s"
}
