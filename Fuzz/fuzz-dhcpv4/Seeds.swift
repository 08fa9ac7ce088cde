import DHCPWireKit
import DHCPv4
import ShadowCore

/// The fuzzing world: a small configuration, a snapshot and seed packets that reach every path.
enum FuzzWorld {
    static let serverID = IPv4Address(10, 0, 0, 1)
    static let relay = IPv4Address(192, 168, 1, 254)
    static let macA = MACAddress(value: 0x0011_2233_4455)
    static let macC = MACAddress(value: 0xAABB_CCDD_EEFF)
    static let addressA = IPv4Address(192, 168, 1, 100)
    static let addressB = IPv4Address(192, 168, 1, 200)

    static let config = ServerConfig(
        dnsV4: (0..<70).map { IPv4Address(8, 8, UInt8($0 / 256), UInt8($0 % 256)) }, dnsV6: [],
        subnetsV4: [SubnetV4(net: IPv4Network("192.168.1.0/24")!, gateway: IPv4Address(192, 168, 1, 1)),
                    SubnetV4(net: IPv4Network("10.10.0.0/16")!, gateway: IPv4Address(10, 10, 0, 1))],
        option82Extractors: Option82Extractor.allCases)

    static let engine = DHCPv4Engine(
        config: config, ids: ServerIdentifiers(v4: serverID, v6: DUID(bytes: [0, 1, 2, 3])))

    static let snapshot: ReservationSnapshot = {
        func r(_ v4: IPv4Address, mac: MACAddress? = nil, o82: Option82? = nil) -> Reservation {
            Reservation(ipv4: v4, ipv6NA: IPv6Address("2001:db8::1")!, ipv6PD: IPv6Prefix("2001:db8:100::/56")!,
                        mac: mac, option82: o82)
        }
        return ReservationSnapshot(reservations: [
            r(addressA, mac: macA),
            r(addressB, o82: Option82(remote: "switch1:port1")),
            r(IPv4Address(10, 10, 1, 50), mac: macC, o82: Option82(remote: "fallback-remote")),
            r(IPv4Address(172, 16, 0, 1), mac: MACAddress(value: 0x0200_0000_0001)),
            r(IPv4Address(192, 168, 1, 201), o82: Option82(circuit: "eth0/1", remote: "AC-8B-A9-E2-17-F8")),
        ])
    }()

    /// Seed datagrams: every message type and REQUEST variant, with Option 82 sub-options 1, 2, 5,
    /// 6, 11 and 19.
    static let seeds: [[UInt8]] = {
        var out: [[UInt8]] = []
        let o82: [(code: UInt8, value: [UInt8])] = [(5, [192, 168, 1, 0]), (11, [192, 168, 1, 254]), (19, [])]
        func packet(_ type: DHCPv4PacketBuilder.MessageType, _ mac: MACAddress, _ edit: (inout DHCPv4PacketBuilder) -> Void)
            -> [UInt8] {
            var b = DHCPv4PacketBuilder(type: type, mac: mac, giaddr: relay)
            edit(&b)
            return b.bytes
        }
        let unknown = MACAddress(value: 0x1122_3344_5566)
        out.append(packet(.discover, macA) { $0.relayAgentInformation(circuit: "eth0", remote: "x", subscriber: "s") })
        out.append(packet(.discover, unknown) { $0.relayAgentInformation(remote: "switch1:port1", extra: o82) })
        out.append(packet(.request, unknown) {
            $0.serverIdentifier(serverID); $0.requestedAddress(addressB)
            $0.relayAgentInformation(remote: "switch1:port1")
        })
        out.append(packet(.request, macA) {
            $0.serverIdentifier(IPv4Address(192, 168, 1, 254)); $0.requestedAddress(addressA)
            $0.relayAgentInformation(circuit: "c", remote: "r", extra: o82)
        })
        out.append(packet(.request, macA) { $0.requestedAddress(IPv4Address(192, 168, 1, 99)) })
        out.append(packet(.request, macC) { $0.ciaddr = IPv4Address(10, 10, 1, 50) })
        out.append(packet(.inform, macA) { $0.ciaddr = addressA; $0.relayAgentInformation(circuit: "eth0/1") })
        out.append(packet(.decline, macA) { $0.requestedAddress(addressA); $0.serverIdentifier(serverID) })
        out.append(packet(.release, unknown) {
            $0.ciaddr = addressB; $0.relayAgentInformation(remote: "ac8ba9e217f8/target", extra: o82)
        })
        return out
    }()
}
