import DHCPWireKit
import DHCPv6
import ShadowCore
import Testing

/// The relay's Interface-ID and Remote-ID travel in the event as ``InlineBytes``: inline up to 48
/// bytes, in an array beyond, the same value either way.
@Suite("InlineBytes and the relay identifiers of the event")
struct InlineBytesTests {
    @Test("Round trip, equality and hash across the inline limit", arguments: [0, 1, 5, 47, 48, 49, 200, 1000])
    func roundTrip(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let value = InlineBytes(bytes)
        #expect(value.count == length)
        #expect(value.bytes == bytes)
        #expect(value.withUnsafeBytes { Array($0) } == bytes)
        #expect(value == bytes.withUnsafeBytes { InlineBytes($0) })
        #expect(value.hashValue == InlineBytes(bytes).hashValue)
        #expect(value != InlineBytes(bytes + [0]))
        if length > 0 { #expect(value != InlineBytes(Array(bytes.dropLast()) + [bytes[length - 1] &+ 1])) }
    }

    @Test("Description is colon-separated hex")
    func description() {
        #expect(InlineBytes(Array("bench".utf8)).description == "62:65:6e:63:68")
        #expect(InlineBytes([]).description == "")
    }

    /// Options 18 and 37 of any length reach the lookup and the event unchanged; option 79 gives a
    /// MAC only with a 6-byte address.
    @Test("Long and short Interface-ID and Remote-ID match and are reported", arguments: [1, 12, 48, 49, 300])
    func relayIdentifiersOfAnyLength(length: Int) {
        let interface = String(repeating: "ge-0/0/1.", count: 40).prefix(length)
        let remote = String(repeating: "cpe-", count: 80).prefix(length)
        var f = Fixture()
        f.config.option1837Extractors = [.interfaceAndRemote]
        f.reservations = [Reservation(ipv4: IPv4Address(10, 0, 0, 3), ipv6NA: IPv6Address("2001:db8::3")!,
                                      ipv6PD: IPv6Prefix("2001:db8:3::/56")!,
                                      option1837: Option1837(interface: String(interface), remote: String(remote)))]
        let msg = Packet.client(.solicit, Packet.clientID("01:02"), Packet.iaNA(1))
        let relay = Packet.relay(msg, extra: [Packet.interfaceID(String(interface)),
                                              Packet.remoteID(enterprise: 4874, String(remote)),
                                              Packet.option(79, [0, 1, 2, 0, 0, 0, 0])])
        let event = f.run(relay).outcome.event
        #expect(event.match?.method == .option1837)
        #expect(event.relayInterfaceID?.bytes == Array(interface.utf8))
        #expect(event.relayRemoteID?.count == 4 + length)
        #expect(event.option1837 == Option1837(interface: String(interface), remote: String(remote), enterpriseNumber: 4874))
        #expect(event.mac == nil, "a 5-byte link-layer address is no MAC")
        let line = event.jsonLine(timestamp: 0)
        #expect(line.contains(#""option1837_interface":"\#(interface)","option1837_remote":"\#(remote)""#))
    }

    /// The Client Identifier is looked up by its bytes in place and kept inline in the event: DUIDs
    /// of every length match, the DUID extractor reads a DUID-LL's MAC, and logs and events show it.
    @Test("Client identifiers of any length match and are reported", arguments: [2, 10, 48, 49, 130])
    func clientIdentifiersOfAnyLength(length: Int) {
        let bytes = [0, 3, 0, 1] + (0..<max(0, length - 4)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 1) }
        let duid = DUID(bytes: Array(bytes.prefix(length)))
        var f = Fixture()
        f.reservations = [Reservation(ipv4: IPv4Address(10, 0, 0, 4), ipv6NA: IPv6Address("2001:db8::4")!,
                                      ipv6PD: IPv6Prefix("2001:db8:4::/56")!, duid: duid)]
        let event = f.run(Packet.relay(Packet.client(.solicit, Packet.clientID(duid.description), Packet.iaNA(1))))
            .outcome.event
        #expect(event.match?.method == .duid)
        #expect(event.clientID == duid)
        #expect(event.clientIDBytes?.count == length)
        #expect(event.jsonLine(timestamp: 0).contains(#""client_id":"\#(duid.description)""#))
    }

    @Test("The DUID extractor finds the MAC of a DUID-LL that has no reservation of its own")
    func duidExtractorReadsTheClientIdentifier() {
        var f = Fixture()
        f.config.macExtractors = [.duid]
        f.reservations = [Reservation(ipv4: IPv4Address(10, 0, 0, 5), ipv6NA: IPv6Address("2001:db8::5")!,
                                      ipv6PD: IPv6Prefix("2001:db8:5::/56")!, mac: MACAddress("02:00:00:00:00:05"))]
        let event = f.run(Packet.relay(Packet.client(.solicit, Packet.clientID("00:03:00:01:02:00:00:00:00:05"),
                                                     Packet.iaNA(1)))).outcome.event
        #expect(event.match?.method == .mac)
        #expect(event.match?.extractor == "duid")
    }
}
