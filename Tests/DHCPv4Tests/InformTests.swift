import DHCPWireKit
import DHCPv4
import ShadowCore
import Testing

/// docs/dhcpv4.md: INFORM is matched like DISCOVER and answered only when `ciaddr` is the reserved address.
@Suite("INFORM")
struct InformTests {
    static func inform(_ mac: MACAddress = World.macA, ciaddr: IPv4Address = World.addressA) -> DHCPv4PacketBuilder {
        var p = World.packet(.inform, mac)
        p.ciaddr = ciaddr
        return p
    }

    @Test("Reserved client with ciaddr = reservation: ACK to giaddr:67, ciaddr echoed, yiaddr 0, no lease options")
    func informAck() throws {
        let x = World.exchange(Self.inform(), source: IPv4Address(203, 0, 113, 1), sourcePort: 999)
        let r = try #require(x.reply)
        #expect(r.messageType == DHCPv4MessageType.ack.rawValue)
        #expect(r.ciaddr == World.addressA)
        #expect(r.yiaddr == .any)
        #expect(r.option(51) == nil && r.option(58) == nil && r.option(59) == nil)
        #expect(r.address(1) == IPv4Address(255, 255, 255, 0))
        #expect(r.address(3) == IPv4Address(192, 168, 1, 1))
        #expect(r.dns == World.dns)
        #expect(x.outcome.reply?.destination == World.relay)
        #expect(x.outcome.reply?.port == 67)
        #expect(x.outcome.learnedBinding == nil)
        #expect(x.outcome.event.messageTypeName == "Inform")
        #expect(x.outcome.logLines.first?.message == "DHCPv4 INFORM acknowledged")
    }

    @Test("Matched by Option 82 like DISCOVER; subnet of the reservation")
    func informByOption82() {
        var p = Self.inform(World.unknownMAC, ciaddr: World.addressB)
        p.relayAgentInformation(remote: "switch1:port1")
        let r = World.exchange(p).reply
        #expect(r?.messageType == DHCPv4MessageType.ack.rawValue)
        #expect(r?.optionCodes == [53, 54, 1, 3, 6, 82])
    }

    @Test("Silence: no reservation, ciaddr 0, another address",
          arguments: [(World.unknownMAC, World.addressA, DHCPv4NoReplyReason.noReservation),
                      (World.macA, IPv4Address.any, .discarded),
                      (World.macA, IPv4Address(192, 168, 1, 7), .discarded)])
    func informSilence(mac: MACAddress, ciaddr: IPv4Address, reason: DHCPv4NoReplyReason) {
        let x = World.exchange(Self.inform(mac, ciaddr: ciaddr))
        #expect(x.reply == nil)
        #expect(x.reason == reason)
    }

    @Test("RFC 8357 and RFC 5107 apply to INFORM-ACK")
    func informRelayRules() {
        var p = Self.inform()
        p.relayAgentInformation(circuit: "eth0", extra: [(11, [192, 0, 2, 1]), (19, [])])
        let x = World.exchange(p, sourcePort: 2067)
        #expect(x.outcome.reply?.port == 2067)
        #expect(x.reply?.address(54) == IPv4Address(192, 0, 2, 1))
    }
}
