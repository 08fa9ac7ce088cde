/// Why a datagram got no reply: the event's `failure_reason` (docs/dhcpv4.md, docs/events.md).
public enum DHCPv4NoReplyReason: String, Sendable, Hashable, CaseIterable {
    /// `giaddr` is 0.0.0.0: only relayed traffic is served.
    case notRelayed = "NotRelayed"
    /// Not a BOOTREQUEST, a message type this server does not answer, or a REQUEST that fits no
    /// variant; also an INFORM whose `ciaddr` is not the reserved address.
    case discarded = "Discarded"
    /// A BOOTREQUEST without option 53.
    case noMessageType = "NoMessageType"
    /// `hlen` is not 6.
    case noValidMac = "NoValidMac"
    /// Neither `chaddr` nor any Option 82 extractor finds a reservation.
    case noReservation = "NoReservation"
    /// The reservation's `ipv4` lies in no configured subnet.
    case noServerSubnet = "NoServerSubnet"
    /// The request came through a relay (Link Selection, option 118 or `giaddr`) outside the
    /// `relays` of the reservation's subnet (docs/dhcpv4.md, "Relay consistency").
    case relayNotAllowedForSubnet = "RelayNotAllowedForSubnet"
    /// A SELECTING REQUEST names another server.
    case wrongServerId = "WrongServerId"
    /// High availability: the client is in a share another server answers
    /// (docs/high-availability.md, "Who answers").
    case peerShare = "PeerShare"
    /// The datagram is malformed (see `DHCPv4Outcome.decodeError`).
    case parseError = "ParseError"
    /// A reply was decided but did not fit the caller's buffer.
    case encodeFailed = "EncodeFailed"
    /// Set by the caller when sending the reply failed; the engine never reports it.
    case sendFailed = "SendFailed"
}
