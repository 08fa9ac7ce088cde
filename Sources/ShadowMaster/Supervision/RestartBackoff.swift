/// How long to wait before restarting a worker that died: 100 ms, doubling on each consecutive
/// failure up to 30 s; a worker that stayed up for a minute starts again from 100 ms.
public struct RestartBackoff: Sendable, Equatable {
    public static let initialMilliseconds: UInt64 = 100
    public static let maximumMilliseconds: UInt64 = 30_000
    public static let healthyAfterMilliseconds: UInt64 = 60_000

    /// The delay the next failure will get.
    public private(set) var nextDelayMilliseconds: UInt64 = RestartBackoff.initialMilliseconds

    public init() {}

    /// Records a worker exit after it ran for `uptime` milliseconds and returns the delay before
    /// its restart.
    public mutating func delayAfterExit(uptimeMilliseconds uptime: UInt64) -> UInt64 {
        if uptime >= RestartBackoff.healthyAfterMilliseconds {
            nextDelayMilliseconds = RestartBackoff.initialMilliseconds
        }
        let delay = nextDelayMilliseconds
        nextDelayMilliseconds = min(delay * 2, RestartBackoff.maximumMilliseconds)
        return delay
    }
}
