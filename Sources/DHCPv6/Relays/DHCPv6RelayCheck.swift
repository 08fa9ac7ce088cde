import ShadowCore

/// A request for a reservation that came from a link its subnet's `relays` do not list
/// (`RelayNotAllowedForSubnet`, docs/dhcpv6.md, "Relay consistency"): what the log line names.
public struct DHCPv6RelayMismatch: Sendable, Hashable {
    /// The link-address compared (``DHCPv6Engine/clientLinkAddress(_:)``).
    public var relay: IPv6Address
    /// The `subnets_v6` link holding the reservation's address.
    public var subnet: IPv6Prefix
    /// The reservation's `ipv6_na` and `ipv6_pd` (the event of a silence names no reservation).
    public var reservedNA: IPv6Address
    public var reservedPD: IPv6Prefix?

    public init(relay: IPv6Address, subnet: IPv6Prefix, reservedNA: IPv6Address, reservedPD: IPv6Prefix? = nil) {
        self.relay = relay
        self.subnet = subnet
        self.reservedNA = reservedNA
        self.reservedPD = reservedPD
    }
}

extension DHCPv6Engine {
    /// The link the client is attached to: the link-address of the Relay-forward closest to the
    /// client, or, when that is `::` (a lightweight relay agent, RFC 6221), the first non-zero
    /// link-address further out. `::` when every level has `::`.
    static func clientLinkAddress(_ packet: DHCPv6Datagram) -> IPv6Address {
        let inner = packet.innermost.linkAddress
        guard inner == .any, packet.depth > 1 else { return inner }
        var index = packet.depth - 2
        while index >= 0 {
            let link = packet.relayLevel(index).linkAddress
            if link != .any { return link }
            index -= 1
        }
        return .any
    }

    /// The position of the first of `subnets` whose `link` contains `address` (`::` matches none).
    @inline(__always)
    static func subnetIndex(containing address: IPv6Address, in subnets: [SubnetV6]) -> Int? {
        guard address != .any else { return nil }
        var i = 0
        while i < subnets.count {
            if subnets[i].link.contains(address) { return i }
            i += 1
        }
        return nil
    }

    /// The relay consistency rule: the reservation's subnet is the `subnets_v6` entry containing its
    /// `ipv6_na` (as DHCPv4 takes the `subnets_v4` entry containing its `ipv4`); when that entry
    /// lists `relays`, the client's link-address must lie in one of them. nil when allowed.
    static func relayMismatch(link: IPv6Address, reservedNA: IPv6Address,
                              subnets: [SubnetV6]) -> DHCPv6RelayMismatch? {
        guard let i = subnetIndex(containing: reservedNA, in: subnets), !subnets[i].relays.isEmpty else { return nil }
        for network in subnets[i].relays where network.contains(link) { return nil }
        return DHCPv6RelayMismatch(relay: link, subnet: subnets[i].link, reservedNA: reservedNA)
    }
}
