import DHCPWireKit
import DHCPv4
import ShadowCore
import Testing

/// `subnets_v4[].relays` (docs/dhcpv4.md, "Relay consistency").
@Suite("DHCPv4 relay consistency")
struct RelayConsistencyTests {
    static let bngA = IPv4Network("192.168.1.252/30")!
    static let bngB = IPv4Network("203.0.113.0/24")!

    static func config(relays: [IPv4Network]) -> ServerConfig {
        var c = World.config()
        c.subnetsV4[0].relays = relays
        return c
    }

    @Test("A giaddr inside the subnet's relays is answered; outside it is silence with RelayNotAllowedForSubnet")
    func giaddr() throws {
        let allowed = World.exchange(World.packet(.discover), config: Self.config(relays: [Self.bngB, Self.bngA]))
        #expect(allowed.type == .offer)

        let moved = World.exchange(World.packet(.discover), config: Self.config(relays: [Self.bngB]))
        #expect(moved.reason == .relayNotAllowedForSubnet)
        #expect(moved.outcome.event.failureReason == .relayNotAllowedForSubnet)
        #expect(moved.outcome.relayMismatch == DHCPv4RelayMismatch(relay: World.relay,
                                                                   subnet: IPv4Network("192.168.1.0/24")!))
        #expect(moved.outcome.mostSevereLogLevel == .warn)
        let line = try #require(moved.outcome.logLines.first)
        #expect(line.level == .warn)
        let fields = Dictionary(uniqueKeysWithValues: line.fields.map { ($0.key, $0.value) })
        #expect(fields["reservation_ipv4"] == "192.168.1.100")
        #expect(fields["relay"] == "192.168.1.254")
        #expect(fields["subnet"] == "192.168.1.0/24")
    }

    @Test("REQUEST and INFORM are checked too; a subnet without relays is not")
    func everyAnsweredType() {
        var request = World.packet(.request)
        request.serverIdentifier(World.serverID)
        request.requestedAddress(World.addressA)
        var inform = World.packet(.inform)
        inform.ciaddr = World.addressA
        for p in [request, inform] {
            #expect(World.exchange(p, config: Self.config(relays: [Self.bngB])).reason == .relayNotAllowedForSubnet)
        }
        // Reservation C lies in 10.10.0.0/16, which lists no relays.
        #expect(World.exchange(World.packet(.discover, World.macC), config: Self.config(relays: [Self.bngB])).type == .offer)
    }

    @Test("Link Selection (RFC 3527) is compared instead of giaddr, then option 118")
    func linkSelection() {
        let config = Self.config(relays: [Self.bngB])
        var p = World.packet(.discover)
        p.relayAgentInformation(circuit: "c", extra: [(5, [203, 0, 113, 9])])
        #expect(World.exchange(p, config: config).type == .offer)

        var q = World.packet(.discover)
        q.add(118, [203, 0, 113, 9])
        #expect(World.exchange(q, config: config).type == .offer)

        // Link Selection outside wins over an allowed option 118.
        var r = World.packet(.discover)
        r.add(118, [203, 0, 113, 9])
        r.relayAgentInformation(circuit: "c", extra: [(5, [198, 51, 100, 1])])
        let x = World.exchange(r, config: config)
        #expect(x.reason == .relayNotAllowedForSubnet)
        #expect(x.outcome.relayMismatch?.relay == IPv4Address(198, 51, 100, 1))
    }

    @Test("explain applies the same gate to the relay it is given")
    func explain() {
        let config = Self.config(relays: [Self.bngB])
        let refused = DHCPv4Engine.explain(mac: World.macA, option82: nil, relay: World.relay, snapshot: World.snapshot,
                                           config: config)
        #expect(refused.verdict == .noReply(.relayNotAllowedForSubnet))
        let allowed = DHCPv4Engine.explain(mac: World.macA, option82: nil, relay: IPv4Address(203, 0, 113, 1),
                                           snapshot: World.snapshot, config: config)
        #expect(allowed.verdict == .offer(reservation: 0))
    }
}
