import DHCPWireKit
import DHCPv4
import ShadowCore

/// What is measured.
enum Scenario: String, CaseIterable {
    /// Relayed DISCOVER with Option 82 from a MAC-keyed subscriber → OFFER.
    case discoverByMAC = "DISCOVER (MAC match) → OFFER"
    /// Relayed SELECTING REQUEST with Option 82 from a MAC-keyed subscriber → ACK.
    case requestByMAC = "REQUEST SELECTING (MAC match) → ACK"
    /// Relayed DISCOVER from an Option-82-keyed subscriber (MAC unknown, remote_only) → OFFER.
    case discoverByOption82 = "DISCOVER (Option 82 match) → OFFER"
}

/// 1,000,000 synthetic reservations in 100.64.0.0/10: three in four keyed by MAC, one in four by
/// an Option 82 remote ID (12 hex digits, as UFiber ONTs send).
struct BenchWorld {
    let snapshot: ReservationSnapshot
    let engine: DHCPv4Engine
    let relay = IPv4Address(100, 127, 255, 254)
    let serverID = IPv4Address(192, 0, 2, 1)

    init(count: Int) {
        var reservations: [Reservation] = []
        reservations.reserveCapacity(count)
        let na = IPv6Address("2001:db8::1")!
        let pd = IPv6Prefix("2001:db8:100::/56")!
        for i in 0..<count {
            let keyedByMAC = i % 4 != 3
            reservations.append(Reservation(
                ipv4: BenchWorld.address(i), ipv6NA: na, ipv6PD: pd,
                mac: keyedByMAC ? BenchWorld.mac(i) : nil,
                option82: keyedByMAC ? nil : Option82(remote: BenchWorld.remote(i))))
        }
        snapshot = ReservationSnapshot(reservations: reservations)
        let config = ServerConfig(
            dnsV4: [IPv4Address(192, 0, 2, 53), IPv4Address(192, 0, 2, 54)], dnsV6: [],
            subnetsV4: [SubnetV4(net: IPv4Network("100.64.0.0/10")!, gateway: IPv4Address(100, 64, 0, 1))],
            option82Extractors: [.remoteOnly])
        engine = DHCPv4Engine(config: config, ids: ServerIdentifiers(v4: serverID, v6: DUID(bytes: [0, 1])))
    }

    static func address(_ i: Int) -> IPv4Address { IPv4Address(IPv4Address(100, 64, 0, 10).value + UInt32(i)) }
    static func mac(_ i: Int) -> MACAddress { MACAddress(value: 0x02AA_0000_0000 + UInt64(i) &* 2_654_435_761 % (1 << 32)) }
    static func remote(_ i: Int) -> String {
        let hex = Array("0123456789abcdef")
        var s = "ac8ba9"
        for shift in stride(from: 20, through: 0, by: -4) { s.append(hex[(i >> shift) & 15]) }
        return s
    }

    /// `distinct` packets for subscribers spread over the whole snapshot.
    func packets(_ scenario: Scenario, distinct: Int) -> [[UInt8]] {
        (0..<distinct).map { n in
            var i = (n &* 7919 &* 31) % snapshot.count
            if scenario == .discoverByOption82 { i = i - i % 4 + 3 } else if i % 4 == 3 { i -= 1 }
            let byMAC = scenario != .discoverByOption82
            var p = DHCPv4PacketBuilder(type: scenario == .requestByMAC ? .request : .discover,
                                        mac: byMAC ? BenchWorld.mac(i) : MACAddress(value: 0x0600_0000_0000 + UInt64(i)),
                                        giaddr: relay)
            p.xid = UInt32(n)
            if scenario == .requestByMAC {
                p.serverIdentifier(serverID)
                p.requestedAddress(BenchWorld.address(i))
            }
            p.relayAgentInformation(circuit: "olt-3/1/\(i % 64)", remote: byMAC ? "unrelated" : BenchWorld.remote(i))
            return p.bytes
        }
    }

    /// Handles `iterations` packets round-robin; returns a checksum of the reply lengths so the
    /// work cannot be optimised away. Traps if any packet is not answered.
    func run(_ packets: [[UInt8]], iterations: Int) -> Int {
        let bindings = BindingTable()
        var sum = 0
        withUnsafeTemporaryAllocation(byteCount: 1500, alignment: 8) { reply in
            for k in 0..<iterations {
                packets[k % packets.count].withUnsafeBytes { datagram in
                    let outcome = engine.handle(datagram: datagram, source: relay, sourcePort: 67,
                                                snapshot: snapshot, bindings: bindings, reply: reply)
                    guard let length = outcome.reply?.length else { fatalError("not answered: \(outcome.event)") }
                    sum &+= length
                }
            }
        }
        return sum
    }
}
