import ShadowCore

/// How a configured peer stands, as `peers`, the metrics and the events say it.
public enum PeerState: String, Sendable, Hashable {
    /// An authenticated heartbeat arrived within `heartbeat_ms × max_missed_heartbeats`.
    case up
    /// Not up, and its last connection (either direction) failed authentication.
    case unauthenticated
    /// Not up otherwise.
    case down
}

/// What `peers` answers and `/metrics` exposes about the peer channel (docs/management.md,
/// "peers"; docs/metrics.md).
public struct PeersReport: Sendable, Equatable {
    /// One configured peer.
    public struct Peer: Sendable, Equatable {
        public var name: String
        /// The configured `address` (where this server dials it).
        public var address: String
        public var state: PeerState
        /// Milliseconds since its last authenticated heartbeat; nil when none arrived yet.
        public var lastHeartbeatMillisecondsAgo: Int?
        /// The snapshot generation its last heartbeat named; nil before the first.
        public var snapshotGeneration: UInt64?
        /// Whether its last heartbeat's snapshot digest equals this server's live one; nil before
        /// the first heartbeat.
        public var snapshotDigestMatch: Bool?
        /// The digests have differed for longer than the grace period (30 s): the mismatch metric.
        public var snapshotMismatch: Bool
        /// Whether its last heartbeat said it serves (false while it pulls its table).
        public var serving: Bool
        public var bindingsSent: UInt64
        public var bindingsReceived: UInt64
        public var queueDropped: UInt64
        /// Bindings waiting in its queue now.
        public var queued: Int

        public init(name: String, address: String, state: PeerState, lastHeartbeatMillisecondsAgo: Int? = nil,
                    snapshotGeneration: UInt64? = nil, snapshotDigestMatch: Bool? = nil, snapshotMismatch: Bool = false,
                    serving: Bool = false, bindingsSent: UInt64 = 0, bindingsReceived: UInt64 = 0,
                    queueDropped: UInt64 = 0, queued: Int = 0) {
            self.name = name
            self.address = address
            self.state = state
            self.lastHeartbeatMillisecondsAgo = lastHeartbeatMillisecondsAgo
            self.snapshotGeneration = snapshotGeneration
            self.snapshotDigestMatch = snapshotDigestMatch
            self.snapshotMismatch = snapshotMismatch
            self.serving = serving
            self.bindingsSent = bindingsSent
            self.bindingsReceived = bindingsReceived
            self.queueDropped = queueDropped
            self.queued = queued
        }
    }

    public var thisServer: String
    public var mode: HASettings.Mode
    /// Every server's name (this one and the peers), in share order.
    public var serverNames: [String]
    /// The servers whose share this one answers now.
    public var answering: [String]
    /// The first table pull is done (or was given up after 5 s).
    public var tableSynced: Bool
    public var peers: [Peer]
    /// Connections closed by this server, by reason (``PeerSession/Failure/reason`` and the
    /// manager's own: `handshake_timeout`, `too_many_connections`, `rejected_by_peer`).
    public var connectionsRefused: [NamedCount]

    public init(thisServer: String, mode: HASettings.Mode, serverNames: [String], answering: [String],
                tableSynced: Bool, peers: [Peer], connectionsRefused: [NamedCount]) {
        self.thisServer = thisServer
        self.mode = mode
        self.serverNames = serverNames
        self.answering = answering
        self.tableSynced = tableSynced
        self.peers = peers
        self.connectionsRefused = connectionsRefused
    }
}
