import DHCPWireKit
import ShadowCore
import Testing
@testable import DHCPv6

/// High availability in the DHCPv6 engine (docs/high-availability.md, "Who answers"): the
/// client's DUID picks its share; before the first peer table pull, a client found only through
/// the binding table waits.
///
/// The shares with two servers (RFC 3074 hash of the DUID bytes, mod 2; worked out independently
/// of `LoadBalancingHash`): `aa:bb:cc` hash 107 → share 1; `aa:bb:cd` hash 238 → share 0; the
/// empty key (an Information-request without Client Identifier) hash 0 → share 0.
@Suite("DHCPv6 engine: HA shares and the correlation hold")
struct HAShareTests {
    static func loadBalancing(server index: Int) -> ServiceShares {
        ServiceShares(mode: .loadBalancing, serverCount: 2, primaryIndex: 0, answering: 1 << UInt16(index))
    }

    static let otherReservation = Reservation(ipv4: IPv4Address(192, 168, 0, 11), ipv6NA: IPv6Address("2001:db8::2")!,
                                              ipv6PD: IPv6Prefix("2001:db8:200::/56")!, duid: DUID("aa:bb:cd"))
    static let sid = Packet.serverID(Fixture.serverDUID)

    @Test("Load-balancing, two servers: clients split by the DUID hash, each answered by exactly one")
    func splitByDUID() throws {
        var f = Fixture()
        f.reservations = [Fixture.reservation, Self.otherReservation]
        let one = Packet.client(.solicit, Packet.clientID("aa:bb:cc"), Packet.iaNA(1))  // share 1
        let zero = Packet.client(.solicit, Packet.clientID("aa:bb:cd"), Packet.iaNA(1))  // share 0

        f.shares = Self.loadBalancing(server: 0)
        let answered = try #require(f.reply(to: zero).reply)
        #expect(answered.first(3)?.subOptions.first?.iaAddress.address == IPv6Address("2001:db8::2"))
        let silent = f.reply(to: one)
        #expect(silent.reply == nil)
        #expect(silent.outcome.reason == .peerShare)
        #expect(silent.outcome.event.jsonLine(timestamp: 0).contains(#""failure_reason":"PeerShare""#))

        f.shares = Self.loadBalancing(server: 1)
        #expect(f.reply(to: one).reply?.first(3)?.subOptions.first?.iaAddress.address == Fixture.reservedNA)
        #expect(f.reply(to: zero).outcome.reason == .peerShare)

        // A Renew for a peer's client is silent too (not NoBinding), and so is one for an unknown DUID
        // in the peer's share.
        let renew = Packet.client(.renew, Packet.clientID("aa:bb:cd"), Self.sid, Packet.iaNA(1))
        #expect(f.reply(to: renew).outcome.reason == .peerShare)
        // The Client Identifier gate comes first.
        #expect(f.reply(to: Packet.client(.solicit, Packet.iaNA(1))).outcome.reason == .noClientID)

        // Standalone and active-active answer both.
        for shares in [ServiceShares.standalone,
                       ServiceShares(mode: .activeActive, serverCount: 2, primaryIndex: 0, answering: 0b11)] {
            f.shares = shares
            #expect(f.reply(to: one).reply != nil)
            #expect(f.reply(to: zero).reply != nil)
        }
    }

    @Test("Information-request: the DUID's share, the empty key's (share 0) without a Client Identifier")
    func informationRequest() {
        var f = Fixture()
        let anonymous = Packet.client(.informationRequest)
        let identified = Packet.client(.informationRequest, Packet.clientID("aa:bb:cc"))  // share 1
        f.shares = Self.loadBalancing(server: 0)
        #expect(f.reply(to: anonymous).reply != nil)
        #expect(f.reply(to: identified).outcome.reason == .peerShare)
        f.shares = Self.loadBalancing(server: 1)
        #expect(f.reply(to: anonymous).outcome.reason == .peerShare)
        #expect(f.reply(to: identified).reply != nil)
    }

    @Test("Hot-standby: the standby answers no one, the primary everyone")
    func hotStandby() {
        var f = Fixture()
        f.reservations = [Fixture.reservation, Self.otherReservation]
        let clients = ["aa:bb:cc", "aa:bb:cd"].map { Packet.client(.solicit, Packet.clientID($0), Packet.iaNA(1)) }
        f.shares = ServiceShares(mode: .hotStandby, serverCount: 2, primaryIndex: 1, answering: 0)
        for c in clients { #expect(f.reply(to: c).outcome.reason == .peerShare) }
        f.shares = ServiceShares(mode: .hotStandby, serverCount: 2, primaryIndex: 1, answering: 0b10)
        for c in clients { #expect(f.reply(to: c).reply?.type == 2) }  // Advertise
    }

    static let mac = MACAddress("00:1a:2b:3c:4d:5e")!
    static let o82 = Option82(circuit: "olt-1/2/3", remote: "AA-BB-CC-DD-EE-FF")

    @Test("The hold silences only clients found through the binding table; DUID and MAC matches are answered")
    func holdBlocksOnlyBindingCorrelation() throws {
        var f = Fixture()
        f.config.macExtractors = [.clientLinklayerAddress]
        let macReserved = MACAddress("02:00:00:00:00:07")!
        f.reservations = [
            Fixture.reservation,
            Reservation(ipv4: IPv4Address(198, 51, 100, 11), ipv6NA: IPv6Address("2001:db8:1::11")!,
                        ipv6PD: IPv6Prefix("2001:db8:101::/56")!, option82: Self.o82),
            Reservation(ipv4: IPv4Address(198, 51, 100, 12), ipv6NA: IPv6Address("2001:db8:1::12")!,
                        ipv6PD: IPv6Prefix("2001:db8:102::/56")!, mac: macReserved),
        ]
        f.bindings.learn(mac: Self.mac, option82: Self.o82, now: 1)
        f.shares = ServiceShares(mode: .activeActive, serverCount: 2, primaryIndex: 0, answering: 0b11)
        f.holdCorrelation = true

        let correlated = Packet.relay(Packet.client(.solicit, Packet.clientID("00:02:00:00:00:09:01"), Packet.iaNA(1)),
                                      extra: [Packet.clientLinkLayer("00:1a:2b:3c:4d:5e")])
        let held = f.run(correlated)
        #expect(held.bytes.isEmpty)
        #expect(held.outcome.reason == .awaitingPeerSync)
        #expect(held.outcome.event.jsonLine(timestamp: 0).contains(#""failure_reason":"AwaitingPeerSync""#))
        // A Request or Renew that would otherwise be answered from the binding is held too (not
        // answered NoAddrsAvail / NoBinding).
        for type in [DHCPv6MessageType.request, .renew] {
            let msg = Packet.client(type, Packet.clientID("00:02:00:00:00:09:01"), Self.sid, Packet.iaNA(1))
            #expect(f.run(Packet.relay(msg, extra: [Packet.clientLinkLayer("00:1a:2b:3c:4d:5e")])).outcome.reason
                    == .awaitingPeerSync)
        }

        // Found by DUID, or by a MAC reservation, while held: answered.
        #expect(f.reply(to: Packet.client(.solicit, Packet.clientID("aa:bb:cc"), Packet.iaNA(1))).reply != nil)
        let byMAC = f.run(Packet.relay(Packet.client(.solicit, Packet.clientID("00:02:00:00:00:09:02"), Packet.iaNA(1)),
                                       extra: [Packet.clientLinkLayer("02:00:00:00:00:07")]))
        #expect(byMAC.outcome.event.match?.method == .mac)
        #expect(!byMAC.bytes.isEmpty)
        // An unknown client is still told what it always is (here: no reservation).
        let unknown = f.run(Packet.relay(Packet.client(.solicit, Packet.clientID("00:02:00:00:00:09:03"), Packet.iaNA(1)),
                                         extra: [Packet.clientLinkLayer("02:00:00:00:00:08")]))
        #expect(unknown.outcome.reason == .noReservation)

        // Released: the correlated client is answered from the binding.
        f.holdCorrelation = false
        let answered = f.run(correlated)
        #expect(answered.outcome.event.match?.method == .option82)
        let r = try #require(DHCPv6Reply(answered.bytes))
        #expect(r.first(3)?.subOptions.first?.iaAddress.address == IPv6Address("2001:db8:1::11"))
    }
}
