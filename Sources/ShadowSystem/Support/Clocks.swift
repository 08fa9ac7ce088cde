import Glibc

/// The two clocks the runtime reads.
public enum Clocks {
    /// Milliseconds on the monotonic clock (for timers and back-off; never goes backwards).
    ///
    /// Corresponds to clock_gettime(2) CLOCK_MONOTONIC.
    public static func monotonicMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }

    /// Milliseconds since the Unix epoch (for event timestamps and binding ages).
    ///
    /// Corresponds to clock_gettime(2) CLOCK_REALTIME.
    public static func unixMilliseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }
}
