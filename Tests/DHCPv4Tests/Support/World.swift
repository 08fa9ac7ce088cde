import DHCPWireKit
import DHCPv4
import ShadowCore

/// The upstream v4 test environment (docs/testing.md): server id 10.0.0.1, DNS 8.8.8.8 and 8.8.4.4,
/// subnets 192.168.1.0/24 (gw .1) and 10.10.0.0/16 (gw 10.10.0.1), all seven Option 82 extractors,
/// and reservations A (MAC), B (Option 82 remote) and C (MAC and Option 82), plus D outside every
/// subnet and E keyed by circuit and remote.
enum World {
    static let serverID = IPv4Address(10, 0, 0, 1)
    static let relay = IPv4Address(192, 168, 1, 254)
    static let macA = MACAddress("00:11:22:33:44:55")!
    static let macC = MACAddress("AA:BB:CC:DD:EE:FF")!
    static let macD = MACAddress("02:00:00:00:00:01")!
    static let unknownMAC = MACAddress("11:22:33:44:55:66")!
    static let addressA = IPv4Address(192, 168, 1, 100)
    static let addressB = IPv4Address(192, 168, 1, 200)
    static let addressC = IPv4Address(10, 10, 1, 50)
    static let addressD = IPv4Address(172, 16, 0, 1)
    static let dns = [IPv4Address(8, 8, 8, 8), IPv4Address(8, 8, 4, 4)]

    static func config(replyPrefixLength: UInt8? = nil, dns: [IPv4Address] = World.dns,
                       leases: LeaseTimes = LeaseTimes()) -> ServerConfig {
        ServerConfig(
            dnsV4: dns, dnsV6: [IPv6Address("2001:4860:4860::8888")!],
            subnetsV4: [
                SubnetV4(net: IPv4Network("192.168.1.0/24")!, gateway: IPv4Address(192, 168, 1, 1),
                         replyPrefixLength: replyPrefixLength),
                SubnetV4(net: IPv4Network("10.10.0.0/16")!, gateway: IPv4Address(10, 10, 0, 1)),
            ],
            option82Extractors: Option82Extractor.allCases, leases: leases)
    }

    static let ids = ServerIdentifiers(v4: serverID, v6: DUID(bytes: [0, 1, 2, 3]))

    static func reservation(_ v4: IPv4Address, mac: MACAddress? = nil, option82: Option82? = nil) -> Reservation {
        Reservation(ipv4: v4, ipv6NA: IPv6Address("2001:db8::1")!, ipv6PD: IPv6Prefix("2001:db8:100::/56")!,
                    mac: mac, option82: option82)
    }

    static let snapshot = ReservationSnapshot(reservations: [
        reservation(addressA, mac: macA),
        reservation(addressB, option82: Option82(remote: "switch1:port1")),
        reservation(addressC, mac: macC, option82: Option82(remote: "fallback-remote")),
        reservation(addressD, mac: macD),
        reservation(IPv4Address(192, 168, 1, 201), option82: Option82(circuit: "eth0/1", remote: "olt-7")),
    ])

    /// A relayed request (giaddr 192.168.1.254) of `type` from `mac`.
    static func packet(_ type: DHCPv4MessageType?, _ mac: MACAddress = macA,
                       giaddr: IPv4Address = relay) -> DHCPv4PacketBuilder {
        DHCPv4PacketBuilder(type: type.map { .init(rawValue: $0.rawValue)! }, mac: mac, giaddr: giaddr)
    }

    /// Runs `packet` through an engine over this world and returns the outcome with the reply bytes.
    static func exchange(_ packet: DHCPv4PacketBuilder, config: ServerConfig = World.config(),
                         snapshot: ReservationSnapshot = World.snapshot, bindings: BindingTable = BindingTable(),
                         shares: ServiceShares = .standalone,
                         source: IPv4Address = relay, sourcePort: UInt16 = 67, bufferSize: Int = 1500) -> Exchange {
        exchange(bytes: packet.bytes, config: config, snapshot: snapshot, bindings: bindings, shares: shares,
                 source: source, sourcePort: sourcePort, bufferSize: bufferSize)
    }

    static func exchange(bytes: [UInt8], config: ServerConfig = World.config(),
                         snapshot: ReservationSnapshot = World.snapshot, bindings: BindingTable = BindingTable(),
                         shares: ServiceShares = .standalone,
                         source: IPv4Address = relay, sourcePort: UInt16 = 67, bufferSize: Int = 1500) -> Exchange {
        exchange(bytes: bytes, engine: DHCPv4Engine(config: config, ids: ids), snapshot: snapshot, bindings: bindings,
                 shares: shares, source: source, sourcePort: sourcePort, bufferSize: bufferSize)
    }

    /// Runs `packet` through `engine`, which keeps its state (its option tables' reply caches)
    /// from one call to the next.
    static func exchange(_ packet: DHCPv4PacketBuilder, engine: DHCPv4Engine, bufferSize: Int = 1500) -> Exchange {
        exchange(bytes: packet.bytes, engine: engine, snapshot: snapshot, bindings: BindingTable(), shares: .standalone,
                 source: relay, sourcePort: 67, bufferSize: bufferSize)
    }

    static func exchange(bytes: [UInt8], engine: DHCPv4Engine, snapshot: ReservationSnapshot, bindings: BindingTable,
                         shares: ServiceShares, source: IPv4Address, sourcePort: UInt16, bufferSize: Int) -> Exchange {
        var buffer = [UInt8](repeating: 0xEE, count: bufferSize)
        let outcome = bytes.withUnsafeBytes { datagram in
            buffer.withUnsafeMutableBytes { reply in
                engine.handle(datagram: datagram, source: source, sourcePort: sourcePort, snapshot: snapshot,
                              bindings: bindings, shares: shares, reply: reply)
            }
        }
        let length = outcome.reply?.length ?? 0
        return Exchange(outcome: outcome, reply: length > 0 ? DHCPv4Reply(Array(buffer[0..<length])) : nil)
    }
}

/// One request's result: the engine's outcome and, when there is a reply, its bytes decoded.
struct Exchange {
    var outcome: DHCPv4Outcome
    var reply: DHCPv4Reply?

    var reason: DHCPv4NoReplyReason? { outcome.reason }
    var type: DHCPv4MessageType? { reply?.messageType.flatMap(DHCPv4MessageType.init) }
}
