/// How many output lines per second a sandboxed process may have passed on (a token bucket that
/// holds one second's worth), shared by its stdout and stderr and kept across its restarts.
/// Lines over the rate are dropped and counted (docs/privileges.md, "Output of the sandboxed
/// processes"). The rate is `logging.child_lines_per_s`.
final class OutputRateLimit {
    let linesPerSecond: Int
    /// Thousandths of a line.
    private var tokens: Int
    private var refilledAt: UInt64
    /// Lines dropped since the last summary.
    private(set) var pendingDrops: UInt64 = 0
    /// When (monotonic ms) the last line was dropped.
    private(set) var lastDropAt: UInt64 = 0
    /// Lines dropped since the master started.
    private(set) var droppedTotal: UInt64 = 0

    init(linesPerSecond: Int, now: UInt64) {
        self.linesPerSecond = max(1, linesPerSecond)
        tokens = self.linesPerSecond * 1000
        refilledAt = now
    }

    /// Takes one line's token at `now` (monotonic ms); false (and counted) when there is none.
    func admit(now: UInt64) -> Bool {
        if now > refilledAt {
            let capacity = linesPerSecond * 1000
            let elapsed = Int(clamping: now - refilledAt)
            tokens = elapsed >= 1000 ? capacity : min(capacity, tokens + elapsed * linesPerSecond)
            refilledAt = now
        }
        if tokens >= 1000 {
            tokens -= 1000
            return true
        }
        pendingDrops += 1
        droppedTotal += 1
        lastDropAt = now
        return false
    }

    /// The lines dropped since the last summary, reset to 0; 0 when none were.
    func takeDrops() -> UInt64 {
        defer { pendingDrops = 0 }
        return pendingDrops
    }
}
