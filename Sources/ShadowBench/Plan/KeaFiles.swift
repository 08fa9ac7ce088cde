import ShadowCore

/// Where Kea runs in the benchmark and which relay it serves.
public struct KeaSetup: Sendable, Hashable {
    /// The server's interface (`interfaces-config`).
    public var interface: String
    /// The server's IPv6 address: Kea listens for unicast (relayed) DHCPv6 only when told to.
    public var serverV6: IPv6Address
    /// The relay's `giaddr` and link-address (the bench's addresses): the subnet is selected by them.
    public var relayV4: IPv4Address
    public var relayV6: IPv6Address

    public init(interface: String, serverV6: IPv6Address, relayV4: IPv4Address, relayV6: IPv6Address) {
        self.interface = interface
        self.serverV6 = serverV6
        self.relayV4 = relayV4
        self.relayV6 = relayV6
    }
}

/// Reservation-only Kea configurations for a ``BenchPlan``, equivalent to what ``BenchFiles``
/// gives shadowdhcp: host reservations by `hw-address` (DHCPv4) and `duid` (DHCPv6) in a subnet
/// without pools, chosen by the relay's address; leases in memory only (`persist: false`); the same
/// lease times, gateway and DNS; logging at WARN.
public enum KeaFiles {
    /// shadowdhcp's default lease times (`LeaseTimes()`), written into both configurations.
    static let leases = LeaseTimes()

    /// `kea-dhcp4.json`.
    public static func dhcp4(_ plan: BenchPlan, _ setup: KeaSetup) -> [UInt8] {
        var out = header("Dhcp4", setup.interface, loggerName: "kea-dhcp4")
        out += "\"valid-lifetime\":\(leases.v4Lease),\"renew-timer\":\(leases.v4T1),\"rebind-timer\":\(leases.v4T2),"
        out += "\"host-reservation-identifiers\":[\"hw-address\"],"
        let dns = BenchPlan.dnsV4.map(\.description).joined(separator: ", ")
        out += "\"option-data\":[{\"name\":\"domain-name-servers\",\"data\":\"\(dns)\"}],"
        out += "\"subnet4\":[{\"id\":1,\"subnet\":\"\(BenchPlan.subnet)\",\"relay\":{\"ip-addresses\":[\"\(setup.relayV4)\"]},"
        out += "\"option-data\":[{\"name\":\"routers\",\"data\":\"\(BenchPlan.gateway)\"}],\"reservations\":["
        var bytes = Array(out.utf8)
        bytes.reserveCapacity(bytes.count + plan.count * 64)
        for i in 0..<plan.count {
            let mac = plan.mac(i).bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: ":")
            bytes += Array(((i == 0 ? "\n" : ",\n") + "{\"hw-address\":\"\(mac)\",\"ip-address\":\"\(plan.ipv4(i))\"}").utf8)
        }
        bytes += Array("]}]}}\n".utf8)
        return bytes
    }

    /// `kea-dhcp6.json`; the server DUID is ``BenchPlan/serverDUID``.
    public static func dhcp6(_ plan: BenchPlan, _ setup: KeaSetup) -> [UInt8] {
        var out = header("Dhcp6", setup.interface + "/" + setup.serverV6.description, loggerName: "kea-dhcp6")
        out += "\"preferred-lifetime\":\(leases.v6Preferred),\"valid-lifetime\":\(leases.v6Valid),"
        out += "\"renew-timer\":\(leases.v6T1),\"rebind-timer\":\(leases.v6T2),"
        out += "\"server-id\":{\"type\":\"LL\",\"htype\":1,\"identifier\":\"\(hex(BenchPlan.serverDUID.dropFirst(4)))\",\"persist\":false},"
        out += "\"host-reservation-identifiers\":[\"duid\"],"
        let dns = BenchPlan.dnsV6.map(\.description).joined(separator: ", ")
        out += "\"option-data\":[{\"name\":\"dns-servers\",\"data\":\"\(dns)\"}],"
        out += "\"subnet6\":[{\"id\":1,\"subnet\":\"2001:db8::/32\",\"relay\":{\"ip-addresses\":[\"\(setup.relayV6)\"]},\"reservations\":["
        var bytes = Array(out.utf8)
        bytes.reserveCapacity(bytes.count + plan.count * 120)
        for i in 0..<plan.count {
            bytes += Array(((i == 0 ? "\n" : ",\n") + "{\"duid\":\"\(DUID.format(plan.duid(i)))\","
                + "\"ip-addresses\":[\"\(plan.ipv6NA(i))\"],\"prefixes\":[\"\(plan.ipv6PD(i))\"]}").utf8)
        }
        bytes += Array("]}]}}\n".utf8)
        return bytes
    }

    /// The common part: interface, in-memory leases, loggers.
    static func header(_ root: String, _ interface: String, loggerName: String) -> String {
        "{\"\(root)\":{\"interfaces-config\":{\"interfaces\":[\"\(interface)\"]"
            + (root == "Dhcp4" ? ",\"dhcp-socket-type\":\"udp\"" : "") + "},"
            + "\"lease-database\":{\"type\":\"memfile\",\"persist\":false,\"lfc-interval\":0},"
            + "\"loggers\":[{\"name\":\"\(loggerName)\",\"severity\":\"WARN\",\"output_options\":[{\"output\":\"stderr\"}]}],"
    }

    static func hex(_ bytes: some Collection<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
