/// `ha` of `config.json`: two or more shadowdhcp servers behind the same relays
/// (docs/high-availability.md).
public struct HASettings: Hashable, Sendable {
    /// Who answers which client.
    public enum Mode: String, Hashable, Sendable, CaseIterable {
        /// Every server answers every client (the default).
        case activeActive = "active-active"
        /// The RFC 3074 hash splits clients between the servers; a dead peer's share is taken over.
        case loadBalancing = "load-balancing"
        /// `primary` answers; the others answer only while it is down.
        case hotStandby = "hot-standby"
    }

    /// A peer server.
    public struct Peer: Hashable, Sendable {
        public var name: String
        /// Where the peer's `ha.listen` is.
        public var address: SocketAddress
        public init(name: String, address: SocketAddress) {
            self.name = name
            self.address = address
        }
    }

    /// This server's name, as its peers list it.
    public var thisServer: String
    public var mode: Mode
    /// With `hot-standby`: the server that answers while it is up.
    public var primary: String?
    /// Where this server accepts its peers' connections.
    public var listen: SocketAddress
    /// The shared secret: the whole content of this file, at least ``minimumKeyBytes`` bytes.
    public var keyFile: String
    public var peers: [Peer]
    public var heartbeatMilliseconds: Int
    public var maxMissedHeartbeats: Int

    public static let minimumKeyBytes = 32
    public static let maximumPeers = 8
    public static let heartbeatRange: ClosedRange<Int64> = 100...60_000
    public static let missedHeartbeatsRange: ClosedRange<Int64> = 1...100

    public init(thisServer: String, mode: Mode = .activeActive, primary: String? = nil, listen: SocketAddress,
                keyFile: String, peers: [Peer], heartbeatMilliseconds: Int = 1000, maxMissedHeartbeats: Int = 3) {
        self.thisServer = thisServer
        self.mode = mode
        self.primary = primary
        self.listen = listen
        self.keyFile = keyFile
        self.peers = peers
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.maxMissedHeartbeats = maxMissedHeartbeats
    }

    /// A server name: 1–64 of A–Z, a–z, 0–9, `.`, `_`, `-` (it becomes a metric label and a log field).
    public static func isValidServerName(_ name: String) -> Bool {
        let utf8 = name.utf8
        return !utf8.isEmpty && utf8.count <= 64 && utf8.allSatisfy { b in
            (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
                || b == 0x2E || b == 0x5F || b == 0x2D
        }
    }

    /// How long a peer may stay silent before it counts as down, and how long a server that has
    /// not yet heard from a peer waits after its own start before it treats it as down.
    public var downAfterMilliseconds: Int { heartbeatMilliseconds * maxMissedHeartbeats }

    /// Every server's name, this one included, in the order that numbers the load-balancing
    /// shares (by name, byte order).
    public var serverNames: [String] {
        ([thisServer] + peers.map(\.name)).sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
