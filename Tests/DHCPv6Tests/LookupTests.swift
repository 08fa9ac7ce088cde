import DHCPWireKit
import Testing
import ShadowCore
@testable import DHCPv6

/// docs/dhcpv6.md lookup order through the engine, including the v4-learned correlation
/// (MAC → Option 82 binding, `lease_fallback`).
@Suite struct LookupTests {
    static let mac = MACAddress("00:1a:2b:3c:4d:5e")!
    static let o82 = Option82(circuit: "olt-1/2/3", remote: "AA-BB-CC-DD-EE-FF")
    static let o82Reservation = Reservation(ipv4: IPv4Address(198, 51, 100, 11), ipv6NA: IPv6Address("2001:db8:1::11")!,
                                            ipv6PD: IPv6Prefix("2001:db8:101::/56")!, option82: o82)

    struct Source: Sendable, CustomTestStringConvertible {
        var extractor: MACExtractor
        var clientID: [UInt8]
        var peer: String
        var extra: [[UInt8]]
        var testDescription: String { extractor.name }
    }

    static let sources = [
        Source(extractor: .clientLinklayerAddress, clientID: [0, 2, 0, 0, 0, 9, 1], peer: "::",
               extra: [Packet.clientLinkLayer("00:1a:2b:3c:4d:5e")]),
        Source(extractor: .peerAddrEUI64, clientID: [0, 2, 0, 0, 0, 9, 1], peer: "fe80::21a:2bff:fe3c:4d5e", extra: []),
        Source(extractor: .duid, clientID: [0, 3, 0, 1, 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e], peer: "::", extra: []),
    ]

    /// The correlation path end to end: binding in the table + Solicit whose MAC source gives that MAC
    /// → the Option-82 reservation's IA_NA and IA_PD, method option82, extractor lease_fallback.
    @Test(arguments: sources)
    func correlationThroughBindingTable(_ s: Source) throws {
        var f = Fixture()
        f.config.macExtractors = [s.extractor]
        f.reservations = [Fixture.reservation, Self.o82Reservation]
        f.bindings.learn(mac: Self.mac, option82: Self.o82, now: 1)
        let msg = Packet.client(.solicit, Packet.option(1, s.clientID), Packet.iaNA(7), Packet.iaPD(8))
        let (outcome, bytes) = f.run(Packet.relay(msg, peer: s.peer, extra: s.extra))
        let r = try #require(DHCPv6Reply(bytes))
        #expect(r.first(3)?.subOptions.first?.iaAddress.address == IPv6Address("2001:db8:1::11"))
        #expect(r.first(25)?.subOptions.first?.iaPrefix.prefix == IPv6Prefix("2001:db8:101::/56"))
        #expect(outcome.event.match?.method == .option82 && outcome.event.match?.extractor == "lease_fallback")
        let line = outcome.event.jsonLine(timestamp: 0)
        #expect(line.contains(#""match_method":"option82","extractor_used":"lease_fallback""#))

        // Without the binding the same Solicit finds nothing.
        f.bindings = BindingTable()
        #expect(f.run(Packet.relay(msg, peer: s.peer, extra: s.extra)).outcome.reason == .noReservation)
    }

    /// A reservation keyed by the MAC itself wins over the binding (step 3a before 3b).
    @Test func macReservationBeforeBinding() {
        var f = Fixture()
        f.reservations = [Self.o82Reservation, Reservation(ipv4: IPv4Address(10, 0, 0, 2), ipv6NA: IPv6Address("2001:db8::2")!,
                                                           ipv6PD: IPv6Prefix("2001:db8:2::/56")!, mac: Self.mac)]
        f.bindings.learn(mac: Self.mac, option82: Self.o82, now: 1)
        let msg = Packet.client(.solicit, Packet.clientID("01:02"), Packet.iaNA(1))
        let outcome = f.run(Packet.relay(msg, extra: [Packet.clientLinkLayer("00:1a:2b:3c:4d:5e")])).outcome
        #expect(outcome.event.match?.method == .mac && outcome.event.match?.extractor == "client_linklayer_address")
        #expect(outcome.event.reservation?.ipv6NA == IPv6Address("2001:db8::2"))
    }

    /// Relay inputs (options 18, 37, 79 and the EUI-64 peer-address) come from the innermost relay.
    @Test(arguments: [MACExtractor.clientLinklayerAddress, .peerAddrEUI64])
    func innermostRelayLevelIsUsed(extractor: MACExtractor) {
        var f = Fixture()
        f.config.macExtractors = [extractor]
        let near = MACAddress("02:00:00:00:00:01")!, far = MACAddress("02:00:00:00:00:02")!
        f.reservations = [near, far].enumerated().map { i, mac in
            Reservation(ipv4: IPv4Address(10, 0, 0, UInt8(i)), ipv6NA: IPv6Address(high: 1, low: UInt64(i)),
                        ipv6PD: IPv6Prefix(address: IPv6Address(high: UInt64(i) << 8, low: 0), prefixLength: 56), mac: mac)
        }
        let msg = Packet.client(.solicit, Packet.clientID("01:02"), Packet.iaNA(1))
        let inner = Packet.relay(msg, peer: "fe80::ff:fe00:1", extra: [Packet.clientLinkLayer("02:00:00:00:00:01")])
        let outer = Packet.relay(inner, hop: 1, peer: "fe80::ff:fe00:2", extra: [Packet.clientLinkLayer("02:00:00:00:00:02")])
        let outcome = f.run(outer).outcome
        #expect(outcome.event.reservation?.mac == near)
        #expect(outcome.event.mac == near)
    }

    @Test func option1837FromInnermostRelay() {
        var f = Fixture()
        f.config.option1837Extractors = [.interfaceOnly]
        f.reservations = [Reservation(ipv4: IPv4Address(10, 0, 0, 3), ipv6NA: IPv6Address("2001:db8::3")!,
                                      ipv6PD: IPv6Prefix("2001:db8:3::/56")!, option1837: Option1837(interface: "ge-0/0/1.100"))]
        let msg = Packet.client(.solicit, Packet.clientID("01:02"), Packet.iaNA(1))
        let inner = Packet.relay(msg, extra: [Packet.interfaceID("ge-0/0/1.100")])
        let outcome = f.run(Packet.relay(inner, extra: [Packet.interfaceID("other")])).outcome
        #expect(outcome.event.match?.method == .option1837 && outcome.event.match?.extractor == "interface_only")
    }

    /// DUID first, then Option 18/37, then MAC extractors.
    @Test func priorityOrder() {
        var f = Fixture()
        f.config.option1837Extractors = [.remoteOnly]
        let byDUID = Reservation(ipv4: IPv4Address(10, 0, 0, 1), ipv6NA: IPv6Address("2001:db8::11")!,
                                 ipv6PD: IPv6Prefix("2001:db8:11::/56")!, duid: DUID("aa:bb:cc"))
        let by1837 = Reservation(ipv4: IPv4Address(10, 0, 0, 2), ipv6NA: IPv6Address("2001:db8::12")!,
                                 ipv6PD: IPv6Prefix("2001:db8:12::/56")!, option1837: Option1837(remote: "sub-13"))
        let byMAC = Reservation(ipv4: IPv4Address(10, 0, 0, 3), ipv6NA: IPv6Address("2001:db8::13")!,
                                ipv6PD: IPv6Prefix("2001:db8:13::/56")!, mac: Self.mac)
        f.reservations = [byDUID, by1837, byMAC]
        let extra = [Packet.remoteID(enterprise: 4874, "sub-13"), Packet.clientLinkLayer("00:1a:2b:3c:4d:5e")]
        func method(_ duid: String) -> MatchMethod? {
            f.run(Packet.relay(Packet.client(.solicit, Packet.clientID(duid), Packet.iaNA(1)), extra: extra)).outcome.event.match?.method
        }
        #expect(method("aa:bb:cc") == .duid)
        #expect(method("01:02") == .option1837)
        f.reservations = [byDUID, byMAC]
        #expect(method("01:02") == .mac)
    }
}
