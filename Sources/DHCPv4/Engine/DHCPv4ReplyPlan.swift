import ShadowCore

/// What a reply says, before it is written.
struct DHCPv4ReplyPlan {
    /// Offer, Ack or Nak.
    var type: DHCPv4MessageType
    var yiaddr: IPv4Address = .any
    var ciaddr: IPv4Address = .any
    /// Mask, router and DNS come from here; nil for a NAK.
    var subnet: SubnetV4?
    /// Whether options 51, 58 and 59 are sent (not for NAK and INFORM-ACK).
    var leaseTimes: Bool
    /// The configured options of the client's levels (nil for a NAK: it carries none).
    var options: DHCPOptionLevels?
    /// Option 108's entry when the reply takes RFC 8925's IPv6-only shape (set by `answer`).
    var v6OnlyPreferred: DHCPOptionSet.Entry?
}
