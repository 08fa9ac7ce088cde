import DHCPv4
import ShadowCore
import Testing

/// The v4 event record (docs/events.md), the learned binding and the log lines.
@Suite("Events and log lines")
struct EventTests {
    @Test("ACK event as one JSON line, keys in schema order, timestamp key chosen by the caller")
    func ackEventJSON() {
        var p = World.packet(.request, World.unknownMAC)
        p.serverIdentifier(World.serverID)
        p.requestedAddress(World.addressB)
        p.relayAgentInformation(circuit: "eth0", remote: "switch1:port1")
        let event = World.exchange(p, source: IPv4Address(192, 0, 2, 7)).outcome.event
        #expect(event.jsonLine(timestampKey: "timestamp_ms", timestamp: 1_700_000_000_123) == """
            {"ip_version":"v4","timestamp_ms":1700000000123,"message_type":"Request","relay_addr":"192.0.2.7",\
            "mac_address":"11-22-33-44-55-66","option82_circuit":"eth0","option82_remote":"switch1:port1",\
            "option82_subscriber":null,"reservation_ipv4":"192.168.1.200","reservation_mac":null,\
            "reservation_option82_circuit":null,"reservation_option82_remote":"switch1:port1",\
            "reservation_option82_subscriber":null,"reply_type":"Ack","match_method":"option82","extractor_used":"remote_only",\
            "success":true,"failure_reason":null}
            """)
        #expect(event.jsonLine(timestampKey: "timestamp", timestamp: 5).hasPrefix(#"{"ip_version":"v4","timestamp":5,"#))
    }

    @Test("A NAK's event: success (a reply went out), reply_type Nak, unlike an ACK's or a silence's")
    func nakEventJSON() {
        var p = World.packet(.request)
        p.serverIdentifier(World.serverID)
        p.requestedAddress(World.addressB)
        let json = World.exchange(p).outcome.event.jsonLine(timestampKey: "timestamp_ms", timestamp: 0)
        #expect(json.contains(#""reply_type":"Nak","match_method":"#), "\(json)")
        #expect(json.hasSuffix(#""success":true,"failure_reason":null}"#), "\(json)")
        var offer = World.packet(.discover)
        offer.relayAgentInformation(circuit: "eth0", remote: "switch1:port1")
        #expect(World.exchange(offer).outcome.event.replyType == .offer)
    }

    @Test("Failure events carry no reservation or match")
    func failureEventJSON() {
        var p = World.packet(.request)
        p.serverIdentifier(IPv4Address(10, 0, 0, 99))
        p.requestedAddress(World.addressA)
        let x = World.exchange(p)
        #expect(x.outcome.event.jsonLine(timestampKey: "timestamp_ms", timestamp: 0) == """
            {"ip_version":"v4","timestamp_ms":0,"message_type":"Request","relay_addr":"192.168.1.254",\
            "mac_address":"00-11-22-33-44-55","option82_circuit":null,"option82_remote":null,\
            "option82_subscriber":null,"reservation_ipv4":null,"reservation_mac":null,\
            "reservation_option82_circuit":null,"reservation_option82_remote":null,\
            "reservation_option82_subscriber":null,"reply_type":null,"match_method":null,"extractor_used":null,\
            "success":false,"failure_reason":"WrongServerId"}
            """)
        #expect(x.outcome.reservedAddress == World.addressA)
    }

    @Test("message_type names; unknown values are Unknown, none is null",
          arguments: [(UInt8(1), "Discover"), (8, "Inform"), (5, "Ack"), (9, "Unknown"), (0, "Unknown")])
    func messageTypeNames(code: UInt8, name: String) {
        var p = World.packet(nil)
        p.add(53, [code])
        #expect(World.exchange(p).outcome.event.messageTypeName == name)
        #expect(World.exchange(World.packet(nil)).outcome.event.messageTypeName == nil)
        #expect(World.exchange(World.packet(nil)).reason == .noMessageType)
    }

    @Test("NAK events are success:true; ParseError events only have relay_addr")
    func nakAndParseError() {
        var p = World.packet(.request)
        p.requestedAddress(IPv4Address(192, 168, 1, 7))
        #expect(World.exchange(p).outcome.event.success)
        let bad = World.exchange(bytes: [1, 2, 3], source: IPv4Address(192, 0, 2, 1)).outcome.event
        #expect(bad == DHCPv4Event(messageTypeCode: nil, relayAddress: IPv4Address(192, 0, 2, 1), mac: nil,
                                   option82: nil, success: false, failureReason: .parseError))
    }

    @Test("No MAC known: mac_address is null in the event and mac is absent from the log lines (as DHCPv6)")
    func noMACIsNullOrAbsent() {
        var p = World.packet(.discover)
        p.hlen = 5
        let outcome = World.exchange(p).outcome
        #expect(outcome.event.mac == nil)
        let json = outcome.event.jsonLine(timestampKey: "timestamp_ms", timestamp: 0)
        #expect(json.contains(#","mac_address":null,"#) && !json.contains(#""mac_address":"""#), "\(json)")
        #expect(!outcome.logLines.isEmpty)
        #expect(outcome.logLines.allSatisfy { line in !line.fields.contains { $0.key == "mac" } })
    }

    @Test("Learned binding: on ACK only, for reservations with option82 even when matched by MAC; reports the old value")
    func learnedBinding() {
        var ack = World.packet(.request, World.macC)
        ack.requestedAddress(World.addressC)
        var table = BindingTable()
        table.learn(mac: World.macC, option82: Option82(remote: "old"), now: 1)
        let learned = World.exchange(ack, bindings: table).outcome.learnedBinding
        #expect(learned == DHCPv4LearnedBinding(mac: World.macC, option82: Option82(remote: "fallback-remote"),
                                                previous: Option82(remote: "old")))
        #expect(learned?.isChange == true)
        #expect(World.exchange(World.packet(.discover, World.macC)).outcome.learnedBinding == nil)
        var a = World.packet(.request)
        a.requestedAddress(World.addressA)
        #expect(World.exchange(a).outcome.learnedBinding == nil)
    }

    @Test("One info line per transaction as docs/dhcpv4.md")
    func logLines() {
        let offer = World.exchange(World.packet(.discover)).outcome.logLines
        #expect(offer.map(\.message) == ["DHCPv4 lease offered"])
        #expect(offer.first?.fields.map(\.key) == ["mac", "ip", "method", "relay", "xid", "to"])
        #expect(offer.first?.fields.first { $0.key == "ip" }?.value == "192.168.1.100")
        var nak = World.packet(.request)
        nak.requestedAddress(IPv4Address(192, 168, 1, 7))
        #expect(World.exchange(nak).outcome.logLines.map(\.level) == [.warn, .info])
        let none = World.exchange(World.packet(.discover, World.unknownMAC)).outcome.logLines
        #expect(none.map(\.message) == ["DHCPv4: no reservation found — not responding"])
        let subnet = World.exchange(World.packet(.discover, World.macD)).outcome.logLines
        #expect(subnet.first?.message == "Couldn't find configured subnet for 172.16.0.1")
    }

    @Test("mostSevereLogLevel is the highest level logLines returns, without building them")
    func mostSevereLogLevel() {
        var nak = World.packet(.request)
        nak.requestedAddress(IPv4Address(192, 168, 1, 7))
        var ack = World.packet(.request)
        ack.requestedAddress(World.addressA)
        var release = World.packet(.release)
        release.ciaddr = World.addressA
        release.serverIdentifier(World.serverID)
        var wrongServer = World.packet(.request)
        wrongServer.serverIdentifier(IPv4Address(10, 0, 0, 99))
        wrongServer.requestedAddress(World.addressA)
        let outcomes = [
            World.exchange(World.packet(.discover)).outcome,                    // OFFER: info
            World.exchange(nak).outcome,                                        // NAK: warn, info
            World.exchange(ack).outcome,                                        // ACK: info
            World.exchange(release).outcome,                                    // recorded: info
            World.exchange(World.packet(.discover, World.unknownMAC)).outcome,  // NoReservation: info
            World.exchange(World.packet(.discover, World.macD)).outcome,        // NoServerSubnet: warn, debug
            World.exchange(wrongServer).outcome,                                // WrongServerId: debug
            World.exchange(bytes: [1, 2, 3], source: IPv4Address(192, 0, 2, 1)).outcome,  // ParseError: error
            World.exchange(World.packet(.discover), bufferSize: 100).outcome,   // EncodeFailed: error
        ]
        #expect(Set(outcomes.map(\.mostSevereLogLevel)) == [.debug, .info, .warn, .error])
        for outcome in outcomes {
            #expect(outcome.logLines.map(\.level).max() == outcome.mostSevereLogLevel, "\(outcome.action)")
        }
    }
}
