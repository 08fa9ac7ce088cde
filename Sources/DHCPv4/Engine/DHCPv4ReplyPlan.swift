import ShadowCore

/// What a reply says, before it is written. Plain data (no reference-counted field), so that
/// passing it around costs no reference counting.
struct DHCPv4ReplyPlan {
    /// Offer, Ack or Nak.
    var type: DHCPv4MessageType
    var yiaddr: IPv4Address = .any
    var ciaddr: IPv4Address = .any
    /// The position of the reservation's subnet in `subnets_v4`: mask, router, DNS and the subnet's
    /// options come from it; nil for a NAK (no configured options either).
    var subnet: Int?
    /// Whether options 51, 58 and 59 are sent (not for NAK and INFORM-ACK).
    var leaseTimes: Bool
    /// The reply takes RFC 8925's IPv6-only shape (set by `answer`).
    var v6OnlyPreferred = false
}
