import DHCPWireKit
import ShadowCore
import Testing
@testable import DHCPv6

/// `explain` for DHCPv6 (``DHCPv6Engine/explain(clientID:option1837:clientLinkLayer:peerAddress:linkAddress:snapshot:config:learnedOption82:shares:holdCorrelation:)``):
/// each step of the lookup, and a verdict that agrees with the engine's answer to a relayed
/// Solicit from the same client.
@Suite("DHCPv6 explain")
struct ExplainTests {
    static let unknownDUID = DUID("00:02:00:00:00:09:01")!
    static let wire1837 = Option1837(interface: "ge-0/0/1", remote: "sub-13", enterpriseNumber: 4874)
    static let relayOptions = [Packet.interfaceID("ge-0/0/1"), Packet.remoteID(enterprise: 4874, "sub-13")]
    static let na = IPv6Address("2001:db8:1::77")!

    static func reservation(mac: MACAddress? = nil, option82: Option82? = nil, option1837: Option1837? = nil) -> Reservation {
        Reservation(ipv4: IPv4Address(192, 168, 0, 77), ipv6NA: na, ipv6PD: IPv6Prefix("2001:db8:177::/56")!,
                    mac: mac, option82: option82, option1837: option1837)
    }

    static func solicit(_ duid: DUID) -> [UInt8] {
        Packet.client(.solicit, Packet.clientID(duid), Packet.iaNA(1))
    }

    /// The engine's match for a Solicit (nil: no reply), and its reason.
    static func engine(_ f: Fixture, _ datagram: [UInt8]) -> (match: ReservationMatch?, reason: DHCPv6NoReplyReason?) {
        let outcome = f.run(datagram).outcome
        return (outcome.isReply ? outcome.event.match : nil, outcome.reason)
    }

    @Test("The DUID step finds the reservation by Client Identifier")
    func duid() {
        let f = Fixture()
        let x = DHCPv6Engine.explain(clientID: DUID(Fixture.clientDUID), option1837: nil, clientLinkLayer: nil,
                                     peerAddress: nil, snapshot: ReservationSnapshot(reservations: f.reservations),
                                     config: f.config, learnedOption82: { _ in nil })
        #expect(x.trace.steps.map(\.text) == ["duid: aa:bb:cc: reserved (entry 0)"])
        #expect(x.verdict == .advertise(reservation: 0))
        #expect(Self.engine(f, Packet.relay(Self.solicit(DUID(Fixture.clientDUID)!))).match == x.trace.match)
    }

    @Test("Each Option 18/37 extractor: its key, found, and the engine's Advertise", arguments: Option1837Extractor.allCases)
    func option1837(_ e: Option1837Extractor) throws {
        var f = Fixture()
        f.config.option1837Extractors = [e]
        let key = try #require(e.extract(Self.wire1837))
        f.reservations = [Self.reservation(option1837: key)]
        let x = DHCPv6Engine.explain(clientID: Self.unknownDUID, option1837: Self.wire1837, clientLinkLayer: nil,
                                     peerAddress: nil, snapshot: ReservationSnapshot(reservations: f.reservations),
                                     config: f.config, learnedOption82: { _ in nil })
        #expect(x.trace.steps.map(\.key) == ["duid", "option1837"])
        #expect(x.trace.steps[1].extractor == e.name)
        #expect(x.trace.steps[1].produced == ReservationKey.option1837(key).description)
        #expect(x.verdict == .advertise(reservation: 0))
        let engine = Self.engine(f, Packet.relay(Self.solicit(Self.unknownDUID), extra: Self.relayOptions))
        #expect(engine.match == x.trace.match)
        #expect(engine.match?.extractor == e.name)
    }

    struct MACCase: Sendable, CustomTestStringConvertible {
        var extractor: MACExtractor
        var duid: DUID
        var linkLayer: MACAddress?
        var peer: String
        var testDescription: String { extractor.name }
    }

    static let mac = MACAddress("00:1a:2b:3c:4d:5e")!
    static let macCases = [
        MACCase(extractor: .clientLinklayerAddress, duid: unknownDUID, linkLayer: mac, peer: "::"),
        MACCase(extractor: .peerAddrEUI64, duid: unknownDUID, linkLayer: nil, peer: "fe80::21a:2bff:fe3c:4d5e"),
        MACCase(extractor: .duid, duid: DUID(bytes: [0, 3, 0, 1, 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e]), linkLayer: nil, peer: "::"),
    ]

    static func datagram(_ c: MACCase) -> [UInt8] {
        Packet.relay(solicit(c.duid), peer: c.peer, extra: c.linkLayer.map { [Packet.clientLinkLayerAddress($0)] } ?? [])
    }

    @Test("Each MAC extractor: the MAC it read, the reservation with it, and the engine's Advertise", arguments: macCases)
    func macExtractor(_ c: MACCase) {
        var f = Fixture()
        f.config.macExtractors = [c.extractor]
        f.reservations = [Self.reservation(mac: Self.mac)]
        let x = DHCPv6Engine.explain(clientID: c.duid, option1837: nil, clientLinkLayer: c.linkLayer,
                                     peerAddress: IPv6Address(c.peer), snapshot: ReservationSnapshot(reservations: f.reservations),
                                     config: f.config, learnedOption82: { _ in nil })
        #expect(x.trace.steps.last?.key == "mac")
        #expect(x.trace.steps.last?.extractor == c.extractor.name)
        #expect(x.trace.steps.last?.produced == "00-1A-2B-3C-4D-5E")
        #expect(x.verdict == .advertise(reservation: 0))
        #expect(Self.engine(f, Self.datagram(c)).match == x.trace.match)
    }

    static let o82 = Option82(circuit: "olt-1/2/3", remote: "AA-BB-CC-DD-EE-FF")

    @Test("lease_fallback: a MAC without a reservation, through its learned binding", arguments: macCases)
    func leaseFallback(_ c: MACCase) {
        var f = Fixture()
        f.config.macExtractors = [c.extractor]
        f.reservations = [Fixture.reservation, Self.reservation(option82: Self.o82)]
        f.bindings.learn(mac: Self.mac, option82: Self.o82, now: 1)
        let x = DHCPv6Engine.explain(clientID: c.duid, option1837: nil, clientLinkLayer: c.linkLayer,
                                     peerAddress: IPv6Address(c.peer), snapshot: ReservationSnapshot(reservations: f.reservations),
                                     config: f.config, learnedOption82: { f.bindings.option82(for: $0) })
        #expect(x.trace.steps.suffix(2).map(\.text) == [
            "mac \(c.extractor.name): \(x.trace.steps[x.trace.steps.count - 2].input!) → 00-1A-2B-3C-4D-5E: not in the index",
            #"lease_fallback lease_fallback: 00-1A-2B-3C-4D-5E → {"circuit":"olt-1/2/3","remote":"AA-BB-CC-DD-EE-FF"}: reserved (entry 1)"#,
        ])
        #expect(x.trace.match == ReservationMatch(index: 1, method: .option82, extractor: "lease_fallback"))
        #expect(Self.engine(f, Self.datagram(c)).match == x.trace.match)
    }

    struct Verdict: Sendable, CustomTestStringConvertible {
        var name: String
        var duid: DUID
        var learned: Bool
        var shares: ServiceShares = .standalone
        var hold = false
        var expected: DHCPv6NoReplyReason?
        var testDescription: String { name }
    }

    static let verdicts = [
        Verdict(name: "Advertise", duid: DUID(Fixture.clientDUID)!, learned: false, expected: nil),
        Verdict(name: "NoReservation", duid: unknownDUID, learned: false, expected: .noReservation),
        Verdict(name: "PeerShare", duid: DUID(Fixture.clientDUID)!, learned: false,
                shares: ServiceShares(mode: .hotStandby, serverCount: 2, primaryIndex: 1, answering: 1),
                expected: .peerShare),
        Verdict(name: "AwaitingPeerSync", duid: unknownDUID, learned: true, hold: true, expected: .awaitingPeerSync),
        Verdict(name: "lease_fallback answered without the hold", duid: unknownDUID, learned: true, expected: nil),
    ]

    @Test("Every verdict explain can give is the engine's for the same client", arguments: verdicts)
    func verdict(_ v: Verdict) {
        var f = Fixture()
        f.config.macExtractors = [.clientLinklayerAddress]
        f.reservations = [Fixture.reservation, Self.reservation(option82: Self.o82)]
        if v.learned { f.bindings.learn(mac: Self.mac, option82: Self.o82, now: 1) }
        f.shares = v.shares
        f.holdCorrelation = v.hold
        let x = DHCPv6Engine.explain(clientID: v.duid, option1837: nil, clientLinkLayer: Self.mac, peerAddress: nil,
                                     snapshot: ReservationSnapshot(reservations: f.reservations), config: f.config,
                                     learnedOption82: { f.bindings.option82(for: $0) }, shares: v.shares,
                                     holdCorrelation: v.hold)
        let engine = Self.engine(f, Packet.relay(Self.solicit(v.duid), extra: [Packet.clientLinkLayerAddress(Self.mac)]))
        #expect(engine.reason == v.expected)
        if let reason = v.expected {
            #expect(x.verdict == .noReply(reason))
        } else {
            #expect(x.verdict == .advertise(reservation: x.trace.match!.index))
            #expect(engine.match == x.trace.match)
        }
    }
    @Test("explain applies the relay consistency gate to the link-address it is given, as the engine does")
    func relayNotAllowedForSubnet() {
        // The reservation's ipv6_na 2001:db8::1 lies in 2001:db8::/64, whose clients come through BNG A.
        var f = Fixture()
        f.config.subnetsV6 = [SubnetV6(link: IPv6Prefix("2001:db8::/64")!, relays: [IPv6Prefix("2001:db8:a::/48")!])]
        let snapshot = ReservationSnapshot(reservations: f.reservations)
        func explain(_ link: String?) -> DHCPv6Explanation.Verdict {
            DHCPv6Engine.explain(clientID: DUID(Fixture.clientDUID), option1837: nil, clientLinkLayer: nil,
                                 peerAddress: nil, linkAddress: link.map { IPv6Address($0)! }, snapshot: snapshot,
                                 config: f.config, learnedOption82: { _ in nil }).verdict
        }
        let solicit = Self.solicit(DUID(Fixture.clientDUID)!)
        #expect(explain("2001:db8:b:1::1") == .noReply(.relayNotAllowedForSubnet))
        #expect(Self.engine(f, Packet.relay(solicit, link: "2001:db8:b:1::1")).reason == .relayNotAllowedForSubnet)
        #expect(explain("2001:db8:a:1::1") == .advertise(reservation: 0))
        #expect(Self.engine(f, Packet.relay(solicit, link: "2001:db8:a:1::1")).reason == nil)
        #expect(explain(nil) == .advertise(reservation: 0), "no link-address given: the gate is not evaluated")
        // A subnet without relays, or a reservation in no subnet, is never refused.
        f.config.subnetsV6 = [SubnetV6(link: IPv6Prefix("2001:db8::/64")!)]
        #expect(explain("2001:db8:b:1::1") == .advertise(reservation: 0))
        f.config.subnetsV6 = [SubnetV6(link: IPv6Prefix("2001:db8:9::/64")!, relays: [IPv6Prefix("2001:db8:a::/48")!])]
        #expect(explain("2001:db8:b:1::1") == .advertise(reservation: 0))
        #expect(Self.engine(f, Packet.relay(solicit, link: "2001:db8:b:1::1")).reason == nil)
    }
}
