/// Why no reply was sent (docs/dhcpv6.md); the raw value is the event's `failure_reason`.
public enum DHCPv6NoReplyReason: String, Sendable, Hashable, CaseIterable {
    /// A message that needs a Client Identifier (1) has none.
    case noClientID = "NoClientId"
    /// The Client Identifier is longer than 130 bytes.
    case invalidClientID = "InvalidClientId"
    /// A Server Identifier where none may be: Solicit, Rebind, Confirm.
    case unexpectedServerID = "UnexpectedServerId"
    /// Request, Renew, Release or Decline without a Server Identifier.
    case noServerID = "NoServerId"
    /// A Server Identifier that is not ours.
    case wrongServerID = "WrongServerId"
    /// Solicit or Confirm from a client without a reservation.
    case noReservation = "NoReservation"
    /// The client's link-address lies outside the `relays` of the reservation's `subnets_v6` entry
    /// (docs/dhcpv6.md, "Relay consistency").
    case relayNotAllowedForSubnet = "RelayNotAllowedForSubnet"
    /// High availability: the client's DUID is in a share another server answers
    /// (docs/high-availability.md, "Who answers").
    case peerShare = "PeerShare"
    /// High availability, before the first peer table pull: the reservation was found only
    /// through a learned MAC → Option 82 binding, which a peer may hold newer.
    case awaitingPeerSync = "AwaitingPeerSync"
    /// A message type this server does not answer, or a message RFC 8415 says to discard.
    case discarded = "Discarded"
    /// The datagram could not be decoded (see ``DHCPv6DecodeError``).
    case parseError = "ParseError"
    /// A Relay-forward without a Relay Message option.
    case noRelayMessage = "NoRelayMsg"
    /// Upstream's reason for a nested relay; this engine unwraps them and never reports it.
    case nestedRelay = "NestedRelay"
    /// The reply did not fit the caller's buffer.
    case encodeFailed = "EncodeFailed"
    /// For the caller: the reply was built but `sendto` failed.
    case sendFailed = "SendFailed"

    /// The reason a decode error is reported with.
    public init(_ error: DHCPv6DecodeError) {
        switch error.kind {
        case .noRelayMessage: self = .noRelayMessage
        case .clientIDTooLong: self = .invalidClientID
        default: self = .parseError
        }
    }
}
