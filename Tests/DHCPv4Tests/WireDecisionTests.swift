import DHCPWireKit
import DHCPv4
import ShadowCore
import Testing

/// One test per rule of docs/dhcpv4.md (and the v4 parts of "Validation").
@Suite("DHCPv4 on the wire (docs/dhcpv4.md)")
struct WireDecisionTests {
    static let override = IPv4Address(192, 168, 1, 254)

    static func selecting(_ serverID: IPv4Address, requested: IPv4Address = World.addressA,
                          subOptions: [(code: UInt8, value: [UInt8])] = []) -> DHCPv4PacketBuilder {
        var p = World.packet(.request)
        p.serverIdentifier(serverID)
        p.requestedAddress(requested)
        if !subOptions.isEmpty { p.relayAgentInformation(circuit: "eth0", extra: subOptions) }
        return p
    }

    static var overrideSubOption: (code: UInt8, value: [UInt8]) { (11, [192, 168, 1, 254]) }

    @Test("Replies go to giaddr:67, not to the UDP source")
    func repliesGoToGiaddrPort67() {
        let x = World.exchange(World.packet(.discover), source: IPv4Address(203, 0, 113, 9), sourcePort: 4000)
        #expect(x.outcome.reply?.destination == World.relay)
        #expect(x.outcome.reply?.port == 67)
        #expect(x.outcome.event.relayAddress == IPv4Address(203, 0, 113, 9))
    }

    @Test("RFC 8357 sub-option 19: giaddr at the datagram's source port")
    func relaySourcePort() {
        var p = World.packet(.discover)
        p.relayAgentInformation(circuit: "eth0", extra: [(19, [])])
        let x = World.exchange(p, source: IPv4Address(203, 0, 113, 9), sourcePort: 3067)
        #expect(x.outcome.reply?.destination == World.relay)
        #expect(x.outcome.reply?.port == 3067)
    }

    @Test("Option 82 is echoed unchanged as the last option, unknown and binary sub-options included")
    func option82EchoedLast() throws {
        var p = World.packet(.discover)
        p.relayAgentInformation([(1, [0xFF, 0x00, 0x80]), (9, [0, 0, 0x0D, 0xE9, 2, 1, 7]), (2, Array("r".utf8))])
        let sent = try #require(p.options.last?.payload)
        let r = try #require(World.exchange(p).reply)
        #expect(r.optionCodes.last == 82)
        #expect(r.option(82) == sent)
    }

    @Test("Option order: OFFER/ACK 53 54 51 58 59 1 3 6 82; INFORM-ACK 53 54 1 3 6 82; NAK 53 54 82")
    func optionOrder() throws {
        var offer = World.packet(.discover)
        offer.relayAgentInformation(circuit: "c")
        var ack = Self.selecting(World.serverID)
        ack.relayAgentInformation(circuit: "c")
        var inform = World.packet(.inform)
        inform.ciaddr = World.addressA
        inform.relayAgentInformation(circuit: "c")
        var nak = Self.selecting(World.serverID, requested: IPv4Address(192, 168, 1, 7))
        nak.relayAgentInformation(circuit: "c")
        #expect(World.exchange(offer).reply?.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6, 82])
        #expect(World.exchange(ack).reply?.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6, 82])
        #expect(World.exchange(inform).reply?.optionCodes == [53, 54, 1, 3, 6, 82])
        #expect(World.exchange(nak).reply?.optionCodes == [53, 54, 82])
        #expect(World.exchange(World.packet(.discover)).reply?.optionCodes == [53, 54, 51, 58, 59, 1, 3, 6])
    }

    @Test("hops is 0 in every reply", arguments: [DHCPv4MessageType.discover, .request])
    func hopsZero(type: DHCPv4MessageType) {
        var p = World.packet(type)
        p.hops = 3
        p.requestedAddress(IPv4Address(192, 168, 1, type == .discover ? 100 : 7))   // REQUEST → NAK
        let r = World.exchange(p).reply
        #expect(r != nil)
        #expect(r?.hops == 0)
    }

    @Test("ACKs to RENEWING/REBINDING echo ciaddr; NAKs do not")
    func rebindingEchoesCiaddr() {
        var ack = World.packet(.request)
        ack.ciaddr = World.addressA
        var nak = World.packet(.request)
        nak.ciaddr = IPv4Address(192, 168, 1, 7)
        #expect(World.exchange(ack).reply?.ciaddr == World.addressA)
        #expect(World.exchange(nak).reply?.ciaddr == .any)
        #expect(World.exchange(nak).type == .nak)
        var selecting = Self.selecting(World.serverID)
        selecting.ciaddr = .any
        #expect(World.exchange(selecting).reply?.ciaddr == .any)
    }

    @Test("Replies are padded with zeros to 300 bytes after End")
    func paddedTo300() throws {
        let r = try #require(World.exchange(World.packet(.discover)).reply)
        #expect(r.bytes.count == 300)
        #expect(r.bytes[r.endOffset] == 255)
        #expect(r.bytes[(r.endOffset + 1)...].allSatisfy { $0 == 0 })
        #expect(r.snameAndFile.allSatisfy { $0 == 0 })
        #expect(r.cookie == BOOTP.magicCookie)
    }

    @Test("A long reply is not padded")
    func longReplyNotPadded() throws {
        var p = World.packet(.discover)
        p.relayAgentInformation(circuit: String(repeating: "c", count: 200))
        let r = try #require(World.exchange(p).reply)
        #expect(r.bytes.count == r.endOffset + 1)
        #expect(r.bytes.count > 300)
    }

    @Test("RFC 5107: SELECTING naming the override or ids.v4 is ours; option 54 is the override",
          arguments: [WireDecisionTests.override, World.serverID])
    func serverIdentifierOverrideSelecting(named: IPv4Address) {
        let r = World.exchange(Self.selecting(named, subOptions: [Self.overrideSubOption])).reply
        #expect(r?.messageType == DHCPv4MessageType.ack.rawValue)
        #expect(r?.address(54) == Self.override)
    }

    @Test("RFC 5107: OFFER and NAK carry the override too; another address is still WrongServerId")
    func serverIdentifierOverrideOtherReplies() {
        var discover = World.packet(.discover)
        discover.relayAgentInformation(circuit: "eth0", extra: [Self.overrideSubOption])
        #expect(World.exchange(discover).reply?.address(54) == Self.override)
        let nak = Self.selecting(Self.override, requested: IPv4Address(192, 168, 1, 7), subOptions: [Self.overrideSubOption])
        #expect(World.exchange(nak).type == .nak)
        #expect(World.exchange(nak).reply?.address(54) == Self.override)
        let other = Self.selecting(IPv4Address(10, 9, 9, 9), subOptions: [Self.overrideSubOption])
        #expect(World.exchange(other).reason == .wrongServerId)
        #expect(World.exchange(Self.selecting(Self.override)).reason == .wrongServerId)
    }

    @Test("An Option 82 whose sub-options overrun it is malformed: ParseError, no reply")
    func option82OverrunDropped() {
        var p = World.packet(.discover)
        p.add(82, [1, 4, 65, 66])
        #expect(World.exchange(p).reason == .parseError)
        #expect(World.exchange(p).outcome.decodeError?.kind == .subOptionOverrun)
    }

    @Test("DECLINE and RELEASE: no reply, an event and a log line", arguments: [DHCPv4MessageType.decline, .release])
    func declineAndReleaseRecorded(type: DHCPv4MessageType) {
        var p = World.packet(type)
        if type == .decline { p.requestedAddress(World.addressA) } else { p.ciaddr = World.addressA }
        p.serverIdentifier(World.serverID)
        let x = World.exchange(p)
        #expect(x.reply == nil)
        #expect(x.outcome.action == .recorded(type))
        #expect(x.outcome.event.success)
        #expect(x.outcome.event.messageTypeName == type.name)
        #expect(x.outcome.event.reservation?.ipv4 == World.addressA)
        #expect(x.outcome.clientAddress == World.addressA)
        #expect(x.outcome.logLines.map(\.message) == ["DHCPv4 \(type == .decline ? "DECLINE" : "RELEASE") received"])
        #expect(World.exchange(World.packet(type, World.unknownMAC)).reason == .noReservation)
    }
}
