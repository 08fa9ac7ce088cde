import Glibc

/// The clocks everybody reads: the runtime, the workers' loops, logging, metrics, the load
/// generator, tests and benchmarks. One clock_gettime(2) each (the vDSO: no system call on
/// x86-64 and arm64), inlined into the caller.
public enum Clocks {
    /// The clock ids used here.
    @usableFromInline
    enum ID {
        case monotonic, realtime, threadCPU, processCPU

        @inlinable var clockID: clockid_t {
            switch self {
            case .monotonic: CLOCK_MONOTONIC
            case .realtime: CLOCK_REALTIME
            case .threadCPU: CLOCK_THREAD_CPUTIME_ID
            case .processCPU: CLOCK_PROCESS_CPUTIME_ID
            }
        }
    }

    /// Seconds and nanoseconds of `clock`. clock_gettime(2) fails only for an unknown clock or a
    /// bad pointer, neither of which can happen here.
    ///
    /// Corresponds to clock_gettime(2).
    @inlinable @inline(__always)
    static func read(_ clock: ID) -> (seconds: Int, nanoseconds: Int) {
        var ts = timespec()
        clock_gettime(clock.clockID, &ts)
        return (ts.tv_sec, ts.tv_nsec)
    }

    @inlinable @inline(__always)
    static func nanoseconds(_ clock: ID) -> UInt64 {
        let (s, ns) = read(clock)
        return UInt64(s) &* 1_000_000_000 &+ UInt64(ns)
    }

    /// Nanoseconds on the monotonic clock (for measuring and pacing; never goes backwards).
    ///
    /// Corresponds to clock_gettime(2) CLOCK_MONOTONIC.
    @inlinable
    public static func monotonicNanoseconds() -> UInt64 { nanoseconds(.monotonic) }

    /// Milliseconds on the monotonic clock (for timers and back-off; never goes backwards).
    ///
    /// Corresponds to clock_gettime(2) CLOCK_MONOTONIC.
    @inlinable
    public static func monotonicMilliseconds() -> UInt64 {
        let (s, ns) = read(.monotonic)
        return UInt64(s) * 1000 + UInt64(ns) / 1_000_000
    }

    /// Milliseconds since the Unix epoch (for event timestamps and binding ages).
    ///
    /// Corresponds to clock_gettime(2) CLOCK_REALTIME.
    @inlinable
    public static func unixMilliseconds() -> UInt64 {
        let (s, ns) = read(.realtime)
        return UInt64(s) * 1000 + UInt64(ns) / 1_000_000
    }

    /// Seconds and nanoseconds since the Unix epoch.
    ///
    /// Corresponds to clock_gettime(2) CLOCK_REALTIME.
    @inlinable
    public static func unixTime() -> (seconds: Int, nanoseconds: Int) { read(.realtime) }

    /// Seconds since the Unix epoch, with a fraction.
    ///
    /// Corresponds to clock_gettime(2) CLOCK_REALTIME.
    @inlinable
    public static func unixSeconds() -> Double {
        let (s, ns) = read(.realtime)
        return Double(s) + Double(ns) / 1e9
    }

    /// CPU time the calling thread has used, in nanoseconds (benchmarks).
    ///
    /// Corresponds to clock_gettime(2) CLOCK_THREAD_CPUTIME_ID.
    @inlinable
    public static func threadCPUNanoseconds() -> UInt64 { nanoseconds(.threadCPU) }

    /// CPU time the whole process has used, in nanoseconds (benchmarks).
    ///
    /// Corresponds to clock_gettime(2) CLOCK_PROCESS_CPUTIME_ID.
    @inlinable
    public static func processCPUNanoseconds() -> UInt64 { nanoseconds(.processCPU) }
}

/// A moment as a UTC calendar date and time of day.
public struct UTCDateTime: Sendable, Equatable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int

    /// `seconds` since the Unix epoch, broken down in UTC.
    ///
    /// Corresponds to gmtime_r(3).
    public init(unixSeconds seconds: Int) {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
    }
}
