import DHCPv4
import ShadowCore
import Testing

/// docs/testing.md (upstream `src/v4/tests.rs`), adapted to docs/dhcpv4.md: replies go to giaddr:67
/// and echo Option 82. Numbers refer to the list in §11.1.
@Suite("Upstream v4 scenarios")
struct UpstreamScenarioTests {
    @Test("1, 6: DISCOVER from a reserved MAC gets an OFFER of its address")
    func discoverWithMACReservation() {
        let x = World.exchange(World.packet(.discover))
        #expect(x.type == .offer)
        #expect(x.reply?.yiaddr == World.addressA)
        #expect(x.outcome.reply?.destination == World.relay)
        #expect(x.outcome.reply?.port == 67)
    }

    @Test("2: DISCOVER from an unknown MAC with Option 82 remote switch1:port1")
    func discoverWithOption82Reservation() {
        var p = World.packet(.discover, World.unknownMAC)
        p.relayAgentInformation(remote: "switch1:port1")
        let x = World.exchange(p)
        #expect(x.type == .offer)
        #expect(x.reply?.yiaddr == World.addressB)
        #expect(x.outcome.event.match == ReservationMatch(index: 1, method: .option82, extractor: "remote_only"))
    }

    @Test("3, 4, 5: xid, chaddr and giaddr echoed")
    func discoverEchoesHeaderFields() {
        var p = World.packet(.discover)
        p.xid = 0xDEAD_BEEF
        let x = World.exchange(p)
        #expect(x.reply?.xid == 0xDEAD_BEEF)
        #expect(x.reply?.chaddrField == World.macA.bytes + [UInt8](repeating: 0, count: 10))
        #expect(x.reply?.giaddr == World.relay)
    }

    @Test("7: OFFER carries type, server id, mask, router, DNS and lease time")
    func discoverIncludesRequiredOptions() throws {
        let r = try #require(World.exchange(World.packet(.discover)).reply)
        #expect(r.option(53) == [2])
        #expect(r.address(54) == World.serverID)
        #expect(r.address(1) == IPv4Address(255, 255, 255, 0))
        #expect(r.address(3) == IPv4Address(192, 168, 1, 1))
        #expect(r.dns == World.dns)
        #expect(r.uint32(51) == 3600)
    }

    @Test("8: unknown MAC without Option 82 gets no reply")
    func discoverNoReservation() {
        let x = World.exchange(World.packet(.discover, World.unknownMAC))
        #expect(x.reply == nil)
        #expect(x.reason == .noReservation)
    }

    @Test("9: a reservation outside every subnet gets no reply")
    func discoverReservationNotInSubnet() {
        #expect(World.exchange(World.packet(.discover, World.macD)).reason == .noServerSubnet)
    }

    @Test("10: MAC beats Option 82")
    func macHasPriorityOverOption82() {
        var p = World.packet(.discover, World.macC)
        p.relayAgentInformation(remote: "switch1:port1")
        let x = World.exchange(p)
        #expect(x.reply?.yiaddr == World.addressC)
        #expect(x.outcome.event.match?.extractor == "chaddr")
    }

    @Test("11: SELECTING for our server id and the reserved address gets an ACK")
    func requestSelectingReturnsAck() {
        var p = World.packet(.request)
        p.serverIdentifier(World.serverID)
        p.requestedAddress(World.addressA)
        let x = World.exchange(p)
        #expect(x.type == .ack)
        #expect(x.reply?.yiaddr == World.addressA)
    }

    @Test("12: SELECTING for another server is ignored")
    func requestSelectingWrongServerID() {
        var p = World.packet(.request)
        p.serverIdentifier(IPv4Address(10, 0, 0, 99))
        p.requestedAddress(World.addressA)
        #expect(World.exchange(p).reason == .wrongServerId)
    }

    @Test("13, 26: SELECTING for the wrong address gets a NAK with yiaddr 0")
    func requestSelectingWrongIPReturnsNak() {
        var p = World.packet(.request)
        p.serverIdentifier(World.serverID)
        p.requestedAddress(IPv4Address(192, 168, 1, 99))
        let x = World.exchange(p)
        #expect(x.type == .nak)
        #expect(x.reply?.yiaddr == .any)
    }

    @Test("14, 15, 29: INIT-REBOOT: ACK for the reserved address, NAK otherwise",
          arguments: [(World.addressA, DHCPv4MessageType.ack), (IPv4Address(192, 168, 1, 99), .nak),
                      (IPv4Address(172, 16, 0, 100), .nak)])
    func requestInitReboot(requested: IPv4Address, expected: DHCPv4MessageType) {
        var p = World.packet(.request)
        p.requestedAddress(requested)
        #expect(World.exchange(p).type == expected)
    }

    @Test("16, 19, 20: nothing without giaddr (unicast RENEW, DISCOVER, SELECTING)")
    func unrelayedIsRejected() {
        var renew = World.packet(.request, giaddr: .any)
        renew.ciaddr = World.addressA
        var selecting = World.packet(.request, giaddr: .any)
        selecting.serverIdentifier(World.serverID)
        selecting.requestedAddress(World.addressA)
        for p in [renew, World.packet(.discover, giaddr: .any), selecting] {
            let x = World.exchange(p, source: World.addressA, sourcePort: 68)
            #expect(x.reply == nil)
            #expect(x.reason == .notRelayed)
        }
    }

    @Test("17, 27: REBINDING (ciaddr, giaddr, no 50/54) gets an ACK with yiaddr set")
    func requestRebindingReturnsAck() {
        var p = World.packet(.request)
        p.ciaddr = World.addressA
        let x = World.exchange(p)
        #expect(x.type == .ack)
        #expect(x.reply?.yiaddr == World.addressA)
    }

    /// (option 54, ciaddr, option 50) combinations that fit no RFC 2131 §4.3.2 variant.
    static let noVariant: [(IPv4Address?, IPv4Address, IPv4Address?)] = [
        (nil, .any, nil), (World.serverID, .any, nil), (World.serverID, World.addressA, World.addressA),
        (nil, World.addressA, World.addressA), (World.serverID, World.addressA, nil),
    ]

    @Test("REQUEST that fits no variant is Discarded (after the reservation and subnet checks)",
          arguments: noVariant)
    func requestWithoutVariant(serverID: IPv4Address?, ciaddr: IPv4Address, requested: IPv4Address?) {
        var p = World.packet(.request)
        if let serverID { p.serverIdentifier(serverID) }
        if let requested { p.requestedAddress(requested) }
        p.ciaddr = ciaddr
        #expect(World.exchange(p).reason == .discarded)
        var unknown = p
        unknown.chaddr = World.unknownMAC.bytes
        #expect(World.exchange(unknown).reason == .noReservation)
    }

    @Test("18: a relayed NAK has the broadcast bit set")
    func nakSetsBroadcastFlag() {
        var p = World.packet(.request)
        p.requestedAddress(IPv4Address(192, 168, 1, 99))
        let x = World.exchange(p)
        #expect(x.type == .nak)
        #expect(x.reply.map { $0.flags & 0x8000 } == 0x8000)
    }

    @Test("21, 22: BOOTREPLY and unknown opcodes are ignored", arguments: [UInt8(2), 99])
    func nonRequestOpcodesIgnored(op: UInt8) {
        var p = World.packet(.discover)
        p.op = op
        #expect(World.exchange(p).reason == .discarded)
    }

    @Test("23: an ACK for an Option 82 reservation teaches MAC → Option 82")
    func option82BindingCreatedOnAck() throws {
        var p = World.packet(.request, World.unknownMAC)
        p.serverIdentifier(World.serverID)
        p.requestedAddress(World.addressB)
        p.relayAgentInformation(remote: "switch1:port1")
        let x = World.exchange(p)
        #expect(x.type == .ack)
        let learned = try #require(x.outcome.learnedBinding)
        #expect(learned == DHCPv4LearnedBinding(mac: World.unknownMAC, option82: Option82(remote: "switch1:port1"),
                                                previous: nil))
        var table = BindingTable()
        table.learn(mac: learned.mac, option82: learned.option82, now: 1)
        #expect(table.option82(for: World.unknownMAC) == Option82(remote: "switch1:port1"))
    }

    @Test("24: replies are BOOTREPLY")
    func responseOpcodeIsBootReply() {
        #expect(World.exchange(World.packet(.discover)).reply?.op == 2)
    }

    @Test("25: flags are preserved", arguments: [UInt16(0x8000), 0])
    func responsePreservesFlags(flags: UInt16) {
        var p = World.packet(.discover)
        p.flags = flags
        #expect(World.exchange(p).reply?.flags == flags)
    }

    @Test("28, 30: OFFER and ACK carry T1 1800 and T2 3150", arguments: [false, true])
    func leaseTimers(request: Bool) {
        var p = World.packet(request ? .request : .discover)
        if request { p.requestedAddress(World.addressA) }
        let r = World.exchange(p).reply
        #expect(r?.uint32(58) == 1800)
        #expect(r?.uint32(59) == 3150)
    }

    @Test("31, 32: reply_prefix_len overrides the mask in OFFER and ACK", arguments: [false, true])
    func replyPrefixLengthOverride(request: Bool) {
        var p = World.packet(request ? .request : .discover)
        if request { p.requestedAddress(World.addressA) }
        let r = World.exchange(p, config: World.config(replyPrefixLength: 32)).reply
        #expect(r?.address(1) == IPv4Address(255, 255, 255, 255))
    }
}
