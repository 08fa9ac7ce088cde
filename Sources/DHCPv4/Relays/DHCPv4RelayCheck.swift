import ShadowCore

/// A request that came through a relay its subnet's `relays` do not list (`RelayNotAllowedForSubnet`,
/// docs/dhcpv4.md, "Relay consistency"): what the log line names.
public struct DHCPv4RelayMismatch: Sendable, Hashable {
    /// The address compared: Link Selection (Option 82 sub-option 5, RFC 3527), else Subnet
    /// Selection (option 118, RFC 3011), else `giaddr`.
    public var relay: IPv4Address
    /// The `subnets_v4` net of the reservation's address.
    public var subnet: IPv4Network

    public init(relay: IPv4Address, subnet: IPv4Network) {
        self.relay = relay
        self.subnet = subnet
    }
}

extension DHCPv4Engine {
    /// The address the relay check compares for `m`: Link Selection, else option 118, else `giaddr`.
    /// Link Selection and option 118 name the client's link where `giaddr` may be an address of the
    /// relay elsewhere; both are what the relay asserts about where the client is attached.
    @inline(__always)
    static func relayAddress(of m: DHCPv4Message) -> IPv4Address {
        m.relayAgentInformation?.linkSelection ?? m.subnetSelection ?? m.giaddr
    }

    /// nil when `subnet` lists no `relays` or one of them contains `relay`.
    @inline(__always)
    static func relayMismatch(_ relay: IPv4Address, subnet: SubnetV4) -> DHCPv4RelayMismatch? {
        guard !subnet.relays.isEmpty else { return nil }
        for network in subnet.relays where network.contains(relay) { return nil }
        return DHCPv4RelayMismatch(relay: relay, subnet: subnet.net)
    }

    /// The relay consistency gate: `RelayNotAllowedForSubnet` when the request came through a relay
    /// outside the subnet's `relays`.
    @inline(__always)
    func checkRelay(_ tx: borrowing DHCPv4Transaction, _ found: Found, _ subnet: Int) throws(NoReply) {
        guard !subnets[subnet].relays.isEmpty else { return }
        if let mismatch = Self.relayMismatch(Self.relayAddress(of: tx.message), subnet: subnets[subnet]) {
            throw NoReply(.relayNotAllowedForSubnet, reserved: found.reservation.ipv4, relayMismatch: mismatch)
        }
    }
}
