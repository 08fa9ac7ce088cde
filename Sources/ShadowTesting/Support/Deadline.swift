import ShadowSystem

/// A point in monotonic time, for "until this answers, at most N seconds" loops.
public struct Deadline: Sendable {
    public let milliseconds: UInt64

    public init(after duration: Duration) {
        milliseconds = Clocks.monotonicMilliseconds() + Deadline.milliseconds(duration)
    }

    public var hasPassed: Bool { Clocks.monotonicMilliseconds() >= milliseconds }

    /// Milliseconds left (0 once passed).
    public var remainingMilliseconds: Int32 {
        let now = Clocks.monotonicMilliseconds()
        return now >= milliseconds ? 0 : Int32(clamping: milliseconds - now)
    }

    static func milliseconds(_ d: Duration) -> UInt64 {
        let (seconds, attoseconds) = d.components
        return UInt64(max(0, seconds)) * 1000 + UInt64(max(0, attoseconds)) / 1_000_000_000_000_000
    }
}

/// Monotonic milliseconds now (for measuring how long something took).
public func monotonicMilliseconds() -> UInt64 { Clocks.monotonicMilliseconds() }

/// Polls `condition` every 10 ms until it returns a value or `timeout` passes.
public func eventually<T>(timeout: Duration, _ what: @autoclosure () -> String,
                          _ condition: () throws -> T?) async throws -> T {
    let deadline = Deadline(after: timeout)
    while true {
        if let value = try condition() { return value }
        if deadline.hasPassed { throw TestingError("timed out after \(timeout) waiting for \(what())") }
        try await Task.sleep(for: .milliseconds(10))
    }
}
