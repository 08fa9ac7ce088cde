import DHCPWireKit
import Testing
import ShadowCore
@testable import DHCPv6

/// docs/testing.md, the upstream v6 handler tests, adapted to docs/dhcpv6.md.
@Suite struct ScenarioTests {
    let f = Fixture()
    let sid = Packet.serverID(Fixture.serverDUID)
    let cid = Packet.clientID(Fixture.clientDUID)

    @Test func requestEchoesIAID() throws {
        let msg = Packet.client(.request, cid, sid, Packet.iaNA(314, Packet.iaAddress("2001:db8::1")),
                                Packet.iaPD(2718, Packet.iaPrefix("2001:db8:100::/56")))
        let r = try #require(f.reply(to: msg).reply)
        #expect(r.type == 7)
        #expect(r.all(3).map(\.iaid) == [314])
        #expect(r.all(25).map(\.iaid) == [2718])
    }

    @Test func solicitAdvertiseEchoesIAID() throws {
        let r = try #require(f.reply(to: Packet.client(.solicit, cid, Packet.iaNA(123), Packet.iaPD(456))).reply)
        #expect(r.type == 2)
        #expect(r.first(3)?.iaid == 123)
        #expect(r.first(25)?.iaid == 456)
    }

    @Test func renewEchoesIAID() throws {
        let r = try #require(f.reply(to: Packet.client(.renew, cid, sid, Packet.iaNA(42), Packet.iaPD(1337))).reply)
        #expect(r.type == 7)
        #expect(r.first(3)?.iaid == 42)
        #expect(r.first(25)?.iaid == 1337)
    }

    /// docs/dhcpv6.md: the reserved address first, then the named one with zero lifetimes.
    @Test func renewWithIncorrectIANAAddressReturnsReservedAddress() throws {
        let msg = Packet.client(.renew, cid, sid, Packet.iaNA(777, Packet.iaAddress("2001:db8::dead", preferred: 1, valid: 2)))
        let r = try #require(f.reply(to: msg).reply)
        let ia = try #require(r.first(3))
        #expect(ia.iaid == 777)
        let addresses = ia.subOptions.filter { $0.code == 5 }.map(\.iaAddress)
        #expect(addresses.map(\.address) == [Fixture.reservedNA, IPv6Address("2001:db8::dead")!])
        #expect(addresses[0].valid == 43200 && addresses[0].preferred == 21600)
        #expect(addresses[1].valid == 0 && addresses[1].preferred == 0)
    }

    @Test func renewNoReservationReturnsNoBinding() throws {
        var f = Fixture()
        f.reservations = []
        let msg = Packet.client(.renew, Packet.clientID("de:ad:be:ff"), sid,
                                Packet.iaNA(1, t1: 50, t2: 80, Packet.iaAddress("2001:db8::1234", preferred: 100, valid: 200)))
        let (outcome, reply) = f.reply(to: msg)
        let r = try #require(reply)
        #expect(r.first(13) == nil, "no message-level status")
        let ia = try #require(r.first(3))
        #expect(ia.iaid == 1 && ia.t1 == 50 && ia.t2 == 80)
        #expect(ia.subOptions.map(\.code) == [5, 13])
        let a = ia.subOptions[0].iaAddress
        #expect(a.address == IPv6Address("2001:db8::1234")! && a.preferred == 0 && a.valid == 0)
        #expect(ia.statusCode == 3)
        #expect(Array(ia.subOptions[1].payload.dropFirst(2)) == Array("No binding for this IA".utf8))
        #expect(outcome.event.success && outcome.event.reservation == nil)
    }

    @Test func renewNoReservationReturnsNoBindingInIAPD() throws {
        var f = Fixture()
        f.reservations = []
        let msg = Packet.client(.renew, Packet.clientID("de:ad:be:ff"), sid,
                                Packet.iaPD(1, Packet.iaPrefix("2001:db8:abcd::/56", preferred: 100, valid: 200)))
        let r = try #require(f.reply(to: msg).reply)
        #expect(r.first(13) == nil)
        let ia = try #require(r.first(25))
        #expect(ia.subOptions.map(\.code) == [13, 26])
        let p = ia.subOptions[1].iaPrefix
        #expect(p.prefix == IPv6Prefix("2001:db8:abcd::/56")! && p.preferred == 0 && p.valid == 0)
        #expect(ia.statusCode == 3)
    }

    @Test func renewWithIncorrectIANAAndIAPDReturnsReservedValues() throws {
        let msg = Packet.client(.renew, cid, sid, Packet.iaNA(10, Packet.iaAddress("2001:db8::beef")),
                                Packet.iaPD(20, Packet.iaPrefix("2001:db8:ffff::/56")))
        let r = try #require(f.reply(to: msg).reply)
        let na = try #require(r.first(3)), pd = try #require(r.first(25))
        #expect(na.iaid == 10 && pd.iaid == 20)
        #expect(na.subOptions.first?.iaAddress.address == Fixture.reservedNA)
        #expect(pd.subOptions.first?.iaPrefix.prefix == Fixture.reservedPD)
        #expect(pd.subOptions.map { $0.iaPrefix.valid } == [43200, 0])
    }

    @Test func relayForwardAroundSolicitDecodes() throws {
        let d = Packet.relay(Packet.client(.solicit, cid, Packet.iaNA(1)))
        try d.withUnsafeBytes { b in
            let decoded = try DHCPv6Datagram.decode(b)
            #expect(decoded.depth == 1 && decoded.client.type == .solicit && decoded.client.iaNACount == 1)
        }
    }

    /// dynamic_opt82_binding: MAC→Option 82 binding + Option 79 → the Option-82 reservation.
    @Test func dynamicOption82Binding() throws {
        var f = Fixture()
        let o82 = Option82(circuit: "99-11-22-33-44-55", remote: "eth2:100")
        f.reservations = [
            Reservation(ipv4: IPv4Address(10, 0, 0, 6), ipv6NA: IPv6Address("2001:db8:1:6::1")!,
                        ipv6PD: IPv6Prefix("2001:db8:1:7::/56")!.masked, option82: o82),
            Reservation(ipv4: IPv4Address(10, 0, 0, 7), ipv6NA: IPv6Address("2001:db8:1:8::1")!,
                        ipv6PD: IPv6Prefix("2001:db8:1:9::/56")!.masked, duid: DUID("00:11:22:33:44:55:66"),
                        option82: Option82(subscriber: "subscriber:1020")),
        ]
        f.bindings.learn(mac: MACAddress("00:11:22:33:44:55")!, option82: o82, now: 0)
        let msg = Packet.client(.solicit, Packet.clientID("00:01"), Packet.iaNA(1), Packet.iaPD(1))
        let datagram = Packet.relay(msg, link: "8:8:8:8:8:8:8:8", peer: "9:9:9:9:9:9:9:9",
                                    extra: [Packet.clientLinkLayer("00:11:22:33:44:55")])
        let (outcome, bytes) = f.run(datagram)
        let r = try #require(DHCPv6Reply(bytes))
        #expect(r.type == 2)
        #expect(r.first(3)?.subOptions.first?.iaAddress.address == IPv6Address("2001:db8:1:6::1"))
        #expect(r.first(25)?.subOptions.first?.iaPrefix.prefix == IPv6Prefix("2001:db8:1::/56"))
        #expect(outcome.event.match?.method == .option82 && outcome.event.match?.extractor == "lease_fallback")
    }

    @Test func advertiseIncludesPreferenceOption() throws {
        let r = try #require(f.reply(to: Packet.client(.solicit, cid, Packet.iaNA(1))).reply)
        #expect(r.first(7)?.payload == [255])
        #expect(r.first(14) == nil)
    }

    @Test func rapidCommitReplyDoesNotIncludePreference() throws {
        let r = try #require(f.reply(to: Packet.client(.solicit, cid, Packet.rapidCommit, Packet.iaNA(1))).reply)
        #expect(r.type == 7)
        #expect(r.first(14)?.payload == [])
        #expect(r.first(7) == nil)
    }

    @Test(arguments: [7200, 21600, 43200, 86400] as [UInt32])
    func leaseTimesDerivationIsRFCCompliant(valid: UInt32) {
        let t = LeaseTimes(v6Valid: valid)
        #expect(t.v6Preferred == valid / 2 && t.v6T1 == t.v6Preferred / 2 && t.v6T2 == t.v6Preferred * 4 / 5)
        #expect(t.v6T1 < t.v6T2 && t.v6T2 < t.v6Preferred && t.v6Preferred < t.v6Valid)
    }

    @Test func solicitResponseIncludesDNSServers() throws {
        let r = try #require(f.reply(to: Packet.client(.solicit, cid, Packet.iaNA(1))).reply)
        #expect(r.first(23)?.payload == Fixture.dns.bytes)
    }

    static let timedMessages: [DHCPv6MessageType] = [.solicit, .request, .renew, .rebind]

    /// solicit/request/renew_response_has_correct_t1_t2 and rebind_works_without_server_id.
    @Test(arguments: timedMessages)
    func responseHasCorrectT1T2(type: DHCPv6MessageType) throws {
        let ids: [[UInt8]] = type == .solicit || type == .rebind ? [cid] : [cid, sid]
        let msg = Packet.client(type, xid: 0xabcdef, ids[0], ids.count > 1 ? ids[1] : [], Packet.iaNA(9), Packet.iaPD(9))
        let r = try #require(f.reply(to: msg).reply)
        #expect(r.xid == 0xabcdef)
        for ia in [try #require(r.first(3)), try #require(r.first(25))] {
            #expect(ia.t1 == 10800 && ia.t2 == 17280)
        }
        #expect(r.first(3)?.subOptions.first?.iaAddress.preferred == 21600)
        #expect(r.first(3)?.subOptions.first?.iaAddress.valid == 43200)
        #expect(r.first(25)?.subOptions.first?.iaPrefix.preferred == 21600)
        #expect(r.first(25)?.subOptions.first?.iaPrefix.valid == 43200)
        #expect(r.first(3)?.subOptions.first?.iaAddress.address == Fixture.reservedNA)
        #expect(r.first(25)?.subOptions.first?.iaPrefix.prefix == Fixture.reservedPD)
    }

    @Test func rebindNoReservationReturnsNoBinding() throws {
        var f = Fixture()
        f.reservations = []
        let msg = Packet.client(.rebind, Packet.clientID("de:ad:be:ef"),
                                Packet.iaNA(1, Packet.iaAddress("2001:db8::1", preferred: 5, valid: 6)))
        let r = try #require(f.reply(to: msg).reply)
        let ia = try #require(r.first(3))
        #expect(ia.statusCode == 3)
        #expect(ia.subOptions.first?.iaAddress.valid == 0 && ia.subOptions.first?.iaAddress.preferred == 0)
    }
}
