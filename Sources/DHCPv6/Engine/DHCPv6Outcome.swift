import ShadowCore

/// What the engine decided for one datagram.
public struct DHCPv6Outcome: Sendable {
    public enum Action: Sendable, Hashable {
        /// `length` bytes of the caller's buffer hold a Relay-reply for `destination`:`port`.
        case reply(length: Int, destination: IPv6Address, port: UInt16)
        case noReply(DHCPv6NoReplyReason)
    }

    public var action: Action
    /// The event record (§9.2); the caller adds the time when rendering it.
    public var event: DHCPv6Event
    /// The client-facing message type inside the Relay-reply (Advertise or Reply), when replying.
    public var replyType: DHCPv6MessageType?
    /// UDP source port of the datagram (the log line's relay is a socket address).
    public var sourcePort: UInt16
    /// The decode error behind a ParseError / NoRelayMsg / InvalidClientId, for debug logs and counters.
    public var decodeError: DHCPv6DecodeError?
    /// For `RelayNotAllowedForSubnet`: the link-address compared and the reservation's subnet.
    public var relayMismatch: DHCPv6RelayMismatch?

    public var reason: DHCPv6NoReplyReason? {
        if case .noReply(let r) = action { return r }
        return nil
    }
}
