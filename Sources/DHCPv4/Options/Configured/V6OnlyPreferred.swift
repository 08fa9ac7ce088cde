import ShadowCore

extension DHCPv4Engine {
    /// RFC 8925 §3.3 (server behaviour): option 108 goes only to a client that lists it in option
    /// 55, and only when a level configures it (`v6_only_preferred`). Such a client is told to stop
    /// DHCPv4 for the option's seconds, so the OFFER, and the ACK to its REQUEST, offer no address:
    /// `yiaddr` 0.0.0.0 and no address options (the RFC's SHOULD: "return 0.0.0.0 as the offered
    /// address"). Whether the reply takes that shape.
    @inline(__always)
    static func v6OnlyPreferred(_ levels: DHCPOptionTable, request m: DHCPv4Message) -> Bool {
        guard levels.handle(of: UInt16(DHCPv4Option.v6OnlyPreferred)) != nil else { return false }
        for code in m.parameterRequestList where code == DHCPv4Option.v6OnlyPreferred { return true }
        return false
    }
}
