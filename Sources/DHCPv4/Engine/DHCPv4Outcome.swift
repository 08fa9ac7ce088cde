import ShadowCore

/// What the engine decided for one datagram: the reply (already written into the caller's buffer)
/// or why there is none, plus the event, the binding learned and what the log line needs.
public struct DHCPv4Outcome: Sendable {
    /// What to do on the wire.
    public enum Action: Sendable, Hashable {
        /// Send the first `length` bytes of the reply buffer to `destination:port`.
        case reply(length: Int, destination: IPv4Address, port: UInt16)
        /// Send nothing; the event carries `reason` as `failure_reason`.
        case noReply(DHCPv4NoReplyReason)
        /// A DECLINE or RELEASE from a reserved client: nothing to send by design (no state is
        /// kept for reservations); the event (`success: true`) and the log line record it.
        case recorded(DHCPv4MessageType)
    }

    public var action: Action
    /// The analytics record for this datagram.
    public var event: DHCPv4Event
    /// On an ACK to a REQUEST for a reservation with an `option82`: chaddr → that Option 82. With
    /// HA also when such a client is silenced for `PeerShare` (DISCOVER, REQUEST, INFORM) or
    /// `WrongServerId`.
    public var learnedBinding: DHCPv4LearnedBinding?
    /// The reply's message type (Offer, Ack, Nak) when there is a reply.
    public var replyType: DHCPv4MessageType?
    /// The request's `xid` (0 when undecodable).
    public var xid: UInt32
    /// The request's `giaddr` (0.0.0.0 when undecodable).
    public var giaddr: IPv4Address
    /// `yiaddr` of the reply (the reserved address for Offer/Ack, 0.0.0.0 otherwise).
    public var yiaddr: IPv4Address
    /// The address the client named: REQUEST's compared address (option 50 or `ciaddr`), INFORM's
    /// and RELEASE's `ciaddr`, DECLINE's option 50.
    public var clientAddress: IPv4Address?
    /// The matched reservation's `ipv4`, also when the event leaves the reservation out (e.g. for
    /// the `NoServerSubnet` warning); nil when no reservation was found.
    public var reservedAddress: IPv4Address?
    /// Why decoding failed, for `ParseError`.
    public var decodeError: DHCPv4DecodeError?
    /// For `RelayNotAllowedForSubnet`: the relay address compared and the reservation's subnet.
    public var relayMismatch: DHCPv4RelayMismatch?
    /// Configured options the reply left out because they did not fit the client's maximum
    /// message size (docs/dhcpv4.md, "Size").
    public var optionsOmittedForSize = 0
    /// The reply took RFC 8925's IPv6-only shape (option 108, `yiaddr` 0.0.0.0): it serves no
    /// IPv4 lease.
    public var v6OnlyPreferred = false

    /// The reply's length and destination when there is one.
    public var reply: (length: Int, destination: IPv4Address, port: UInt16)? {
        if case let .reply(length, destination, port) = action { return (length, destination, port) }
        return nil
    }

    /// The no-reply reason, if the action is `.noReply`.
    public var reason: DHCPv4NoReplyReason? {
        if case let .noReply(reason) = action { return reason }
        return nil
    }
}

/// A MAC → Option 82 binding learned from an ACK (docs/dhcpv6.md): apply it to the binding table
/// with `BindingTable.learn(mac:option82:now:)`.
public struct DHCPv4LearnedBinding: Sendable, Hashable {
    /// The request's `chaddr`.
    public var mac: MACAddress
    /// The reservation's `option82` (not the wire value).
    public var option82: Option82
    /// What the table held for `mac` before, if anything.
    public var previous: Option82?

    public init(mac: MACAddress, option82: Option82, previous: Option82?) {
        self.mac = mac
        self.option82 = option82
        self.previous = previous
    }

    /// Whether applying this binding changes the table's Option 82 for `mac` (new or different).
    public var isChange: Bool { previous != option82 }
}
