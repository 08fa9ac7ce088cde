/// `leasequery` of `config.json` (docs/leasequery.md): who may ask this server which subscriber
/// holds an address, over UDP (RFC 4388, RFC 5007) and, with `bulk`, over TCP (RFC 6926, RFC 5460).
public struct LeasequerySettings: Hashable, Sendable {
    /// A network a querier's address (UDP or TCP source; DHCPv4 giaddr too) must lie in.
    public enum Network: Hashable, Sendable, CustomStringConvertible {
        case v4(IPv4Network)
        case v6(IPv6Prefix)

        public init?(_ text: String) {
            if text.contains(":") {
                guard let p = IPv6Prefix(text) else { return nil }
                self = .v6(p)
            } else {
                guard let n = IPv4Network(text) else { return nil }
                self = .v4(n)
            }
        }

        public var description: String {
            switch self {
            case .v4(let n): n.description
            case .v6(let p): p.description
            }
        }
    }

    public static let maxConnectionsRange: ClosedRange<Int64> = 1...1024
    /// `bulk_max_message_bytes`: from a DHCPv4 message's minimum to the 2-byte length's maximum.
    public static let maxMessageBytesRange: ClosedRange<Int64> = 300...65535
    public static let idleTimeoutRange: ClosedRange<Int64> = 1...3600
    public static let lifetimeRange: ClosedRange<Int64> = 1...86400

    /// `allowed`: the networks queriers may come from; empty allows nobody.
    public var allowed: [Network]
    /// `bulk`: also answer bulk leasequery on TCP at `v4_bind_address` and `v6_bind_address`.
    public var bulk: Bool
    /// `bulk_max_connections`: TCP connections open at once per protocol; one more is accepted and
    /// closed at once.
    public var bulkMaxConnections: Int
    /// `bulk_max_message_bytes`: the longest query message a connection may send (default 4096);
    /// a longer length prefix closes the connection.
    public var bulkMaxMessageBytes: Int
    /// `bulk_idle_timeout_seconds`: a connection with no byte read or written for this long is
    /// closed (default 60).
    public var bulkIdleTimeoutSeconds: Int
    /// `bulk_lifetime_seconds`: no connection stays open longer (default 3600).
    public var bulkLifetimeSeconds: Int

    public init(allowed: [Network], bulk: Bool = false, bulkMaxConnections: Int = 8, bulkMaxMessageBytes: Int = 4096,
                bulkIdleTimeoutSeconds: Int = 60, bulkLifetimeSeconds: Int = 3600) {
        self.allowed = allowed
        self.bulk = bulk
        self.bulkMaxConnections = bulkMaxConnections
        self.bulkMaxMessageBytes = bulkMaxMessageBytes
        self.bulkIdleTimeoutSeconds = bulkIdleTimeoutSeconds
        self.bulkLifetimeSeconds = bulkLifetimeSeconds
    }

    public func allows(_ a: IPv4Address) -> Bool {
        allowed.contains { if case .v4(let n) = $0 { n.contains(a) } else { false } }
    }

    public func allows(_ a: IPv6Address) -> Bool {
        allowed.contains { if case .v6(let p) = $0 { p.contains(a) } else { false } }
    }

    /// Whether a querier at `address` (a UDP or TCP peer) may ask.
    public func allows(_ address: SocketAddress) -> Bool {
        switch address {
        case .v4(let a, _): allows(a)
        case .v6(let a, _): allows(a)
        }
    }
}
