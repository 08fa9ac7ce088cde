/// What happened during one load run, counted by the runner.
public struct LoadCounters: Sendable, Hashable {
    /// Exchanges begun (first request queued).
    public var started = 0
    /// Exchanges whose second reply (ACK / Reply) arrived in time.
    public var completed = 0
    /// Exchanges that got no complete answer within the timeout.
    public var timedOut = 0
    /// Exchanges answered with a NAK.
    public var refused = 0
    /// Replies carrying an address or prefix other than the reservation's.
    public var wrong = 0
    /// Replies that matched no exchange in flight (late, duplicated, foreign or undecodable).
    public var unmatched = 0
    /// First replies (Offer / Advertise) received in time.
    public var firstReplies = 0
    /// Datagrams the kernel refused to send.
    public var sendErrors = 0
    /// Datagrams sent.
    public var sent = 0
    /// Datagrams received.
    public var received = 0

    public init() {}
}

/// How a load run is driven.
public struct LoadSettings: Sendable, Hashable {
    /// Exchanges begun per second (open loop: independent of replies).
    public var rate: Double
    /// Seconds during which exchanges are begun.
    public var duration: Double
    /// Seconds an exchange may take before it counts as dropped; also how long the run waits for
    /// the last replies.
    public var timeout: Double
    /// Datagrams per sendmmsg/recvmmsg.
    public var batch: Int

    public init(rate: Double, duration: Double, timeout: Double = 1, batch: Int = 64) {
        precondition(rate > 0 && duration > 0 && timeout > 0 && (1...1024).contains(batch))
        self.rate = rate
        self.duration = duration
        self.timeout = timeout
        self.batch = batch
    }
}
