import NIOCore

/// The two timers every management connection runs, the line protocol's and the HTTP API's: a
/// deadline for the whole request, counted from when the connection started, and an idle timer
/// that every read restarts. Either one firing calls `expired` with the channel and the reason to answer. Lives on
/// the connection's event loop; ``cancel()`` once the request is complete or refused.
final class ConnectionDeadlines {
    private let limits: ManagementServer.Limits
    /// What an idle connection is told (the two protocols name what is missing differently).
    private let idleReason: String
    private let expired: (any Channel, String) -> Void
    private var started = false
    private var connectedAt = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var deadlineTimer: Scheduled<Void>?

    /// `expired` must not hold its handler strongly (this object is the handler's).
    init(limits: ManagementServer.Limits, idleReason: String, expired: @escaping (any Channel, String) -> Void) {
        self.limits = limits
        self.idleReason = idleReason
        self.expired = expired
    }

    /// Starts both timers, once (at channelActive, or when the handler is added to an active
    /// channel after a TLS handshake): the deadline of a request that is not large.
    func start(_ channel: any Channel) {
        guard !started else { return }
        started = true
        connectedAt = .now()
        extendDeadline(channel, to: min(limits.smallRequestDeadline, limits.requestDeadline))
        restartIdle(channel)
    }

    /// The request must be complete `limit` after the connection started (a large request gets
    /// ``ManagementServer/Limits/requestDeadline``).
    func extendDeadline(_ channel: any Channel, to limit: TimeAmount) {
        deadlineTimer?.cancel()
        let expired = self.expired
        deadlineTimer = channel.eventLoop.assumeIsolated().scheduleTask(deadline: connectedAt + limit) {
            expired(channel, "request not complete within \(ManagementConnectionHandler.seconds(limit)) s")
        }
    }

    /// Bytes arrived: the idle timer starts again.
    func restartIdle(_ channel: any Channel) {
        idleTimer?.cancel()
        let expired = self.expired, reason = idleReason
        idleTimer = channel.eventLoop.assumeIsolated().scheduleTask(in: limits.readTimeout) { expired(channel, reason) }
    }

    func cancel() {
        idleTimer?.cancel()
        deadlineTimer?.cancel()
        idleTimer = nil
        deadlineTimer = nil
    }
}
